import numpy as np
import pytest

from unspin.techniques.model import DEFAULT_MODEL_DIR
from unspin.train.tied_pairs import id_map, mean_rows, remap, tie_rows, tied_groups

TOKENIZER = DEFAULT_MODEL_DIR / "tokenizer.json"


def _ids(*words):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(TOKENIZER))
    return [tok.token_to_id(w) for w in words]


def test_only_pairs_of_single_wordpieces_are_tied_and_shared_forms_join_their_groups():
    pairs = (("Obama", "Trump"), ("Putin", "Biden"), ("Democrat", "Republican"), ("Democratic", "Republican"),
             ("Russia", "the United States"), ("the", "the"))
    obama, trump, democrat, republican, democratic = _ids("obama", "trump", "democrat", "republican", "democratic")
    assert tied_groups(TOKENIZER, pairs) == sorted([sorted([obama, trump]), sorted([democrat, republican, democratic])])


def test_the_project_pairs_tie_the_main_single_word_actors():
    groups = [set(g) for g in tied_groups(TOKENIZER)]
    for a, b in (("obama", "trump"), ("china", "japan"), ("muslims", "christians"), ("american", "russian")):
        assert any(set(_ids(a, b)) <= g for g in groups)


def test_remap_reads_every_member_as_its_groups_first_id_and_leaves_the_rest():
    table = id_map([[3, 7], [2, 5, 9]], 10)
    assert remap([1, 3, 7, 9, 5, 2, 8], table).tolist() == [1, 3, 3, 2, 2, 2, 8]
    assert remap([4, 7], None) == [4, 7]


def test_rows_start_as_their_groups_mean_and_leave_training_as_its_first_row():
    torch = pytest.importorskip("torch")
    rows = torch.arange(12, dtype=torch.float32).reshape(6, 2)
    mean_rows(rows, [[1, 4]])
    assert rows[1].tolist() == rows[4].tolist() == [5.0, 6.0] and rows[0].tolist() == [0.0, 1.0]
    rows[1] += 1.0  # training updates the first row only
    tie_rows(rows, [[1, 4]])
    assert rows[4].tolist() == [6.0, 7.0] and np.allclose(rows[5].numpy(), [10.0, 11.0])
