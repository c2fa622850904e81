"""The sentence-model runtime (tokenising, batching, calibration) on the tiny stand-in
model of conftest.py, whose outputs the test can work out by hand."""
import numpy as np
import pytest

from unspin.claims.model import ClaimModel, build_batch, encode_texts, platt


def test_model_logits_follow_checkworthy_words(tiny_claim_model_dir):
    m = ClaimModel(tiny_claim_model_dir)
    texts = ["Unemployment rose by 5 percent .", "I love you .", "hello", "taxes"]
    out = m.run(texts)
    assert out.logits.shape == (4,) and out.embeddings.shape == (4, 4)
    # "unemployment" and "percent" among 7 wordpieces + [CLS]/[SEP] (max_len 8 keeps 6 of them)
    assert out.logits[0] > 0 > out.logits[1]
    assert out.logits[2] == pytest.approx(-2.0)
    assert out.logits[3] == pytest.approx((12.0 - 4.0) / 3)
    probs = m.checkworthiness(out.logits)
    assert (probs[0] > m.threshold) and (probs[1] < m.threshold)


def test_model_batches_keep_input_order(tiny_claim_model_dir):
    m = ClaimModel(tiny_claim_model_dir)
    texts = ["war", "the economy the economy", "crime .", "war war war war", "hello"]
    one_by_one = np.stack([m.run([t]).embeddings[0] for t in texts])
    together = m.run(texts).embeddings
    np.testing.assert_allclose(together, one_by_one, rtol=1e-6)
    assert m.run([]).embeddings.shape == (0, 4)


def test_model_encode_truncates_and_collapses_blanks(tiny_claim_model_dir):
    ids = encode_texts(["the  \n economy", "the " * 20], tiny_claim_model_dir / "tokenizer.json", body=6)
    assert [len(x) for x in ids] == [2, 6]
    x, mask = build_batch(ids, cls_id=2, sep_id=3)
    assert x.shape == (2, 8) and x[0, 0] == 2 and x[0, 3] == 3 and mask[0].sum() == 4 and mask[1].sum() == 8


def test_model_platt_calibration():
    assert platt([0.0], None)[0] == pytest.approx(0.5)
    assert platt([1.0], {"a": 2.0, "b": -2.0})[0] == pytest.approx(0.5)
    p = platt([-3, 0, 3], {"a": 0.5, "b": 0.1})
    assert list(p) == sorted(p)


def test_model_missing_says_how_to_fix(tmp_path):
    from unspin.errors import ModelError

    with pytest.raises(ModelError, match="unspin train claims"):
        ClaimModel(tmp_path)


def test_shipped_model_scores_a_sentence_the_same_in_any_article():
    """The int8 graph scales each run's activations as a whole, so batched sentences would move each
    other's outputs; the shipped model runs one sentence at a time and a sentence's logit and
    embedding do not depend on the article around it."""
    from unspin.claims.model import model_available

    if not model_available():
        pytest.skip("no sentence model installed (unspin train claims)")
    m = ClaimModel()
    claim = "Unemployment rose by 5 percent in the last year, the ministry said on Tuesday."
    alone = m.run([claim])
    others = ["Yes.", claim, "The committee, which met for six hours behind closed doors, voted 7-2 to send "
              "the bill back to the floor with amendments on funding, oversight and the timeline."]
    together = m.run(others)
    assert together.logits[1] == alone.logits[0]
    np.testing.assert_array_equal(together.embeddings[1], alone.embeddings[0])
