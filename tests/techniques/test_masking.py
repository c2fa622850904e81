"""Name-blind input: names replaced by neutral words, offsets mapped back to the original text."""
import numpy as np
import pytest

from unspin.techniques.masking import MASK_WORDS, mask_text

WORDS = {"PERSON": "someone", "GPE": "country"}


def test_mask_text_replaces_the_listed_types_only():
    text = "Putin met Biden in Geneva on Monday."
    ents = [(0, 5, "PERSON"), (10, 15, "PERSON"), (19, 25, "GPE"), (29, 35, "DATE")]
    m = mask_text(text, ents, WORDS)
    assert m.text == "someone met someone in country on Monday."
    assert m.pieces.tolist() == [[0, 7, 0, 5], [12, 19, 10, 15], [23, 30, 19, 25]]


def test_mask_text_skips_overlapping_empty_and_outside_spans():
    text = "Vladimir Putin spoke."
    ents = [(0, 14, "PERSON"), (9, 14, "PERSON"), (3, 3, "PERSON"), (15, 40, "PERSON")]
    m = mask_text(text, ents, WORDS)
    assert m.text == "someone spoke." and len(m.pieces) == 1
    assert mask_text(text, [], WORDS).text == text


def test_offsets_map_back_outside_inside_and_at_the_edges_of_replacements():
    text = "Ask Putin, then Xi Jinping, now."
    m = mask_text(text, [(4, 9, "PERSON"), (16, 26, "PERSON")], WORDS)
    assert m.text == "Ask someone, then someone, now."
    # tokens of the masked text: Ask | some | ##one | , | then | someone | , | now | .
    masked = np.array([[0, 3], [4, 8], [8, 11], [11, 12], [13, 17], [18, 25], [25, 26], [27, 30], [30, 31]])
    back = m.to_original(masked)
    assert [text[a:b] for a, b in back] == ["Ask", "Putin", "Putin", ",", "then", "Xi Jinping", ",", "now", "."]
    # a token that spans a whole replacement and what follows it
    assert m.to_original(np.array([[4, 12]])).tolist() == [[4, 10]]
    assert m.to_original(np.zeros((0, 2), dtype=np.int64)).shape == (0, 2)


def test_mask_words_are_single_wordpieces_of_the_shipped_tokenizer():
    from unspin.techniques.features import load_tokenizer
    from unspin.techniques.model import DEFAULT_MODEL_DIR

    tok = load_tokenizer(str(DEFAULT_MODEL_DIR / "tokenizer.json"))
    for word in MASK_WORDS.values():
        assert len(tok.encode(word, add_special_tokens=False).ids) == 1, word


def test_encode_reads_the_masked_text_and_points_into_the_original(tiny_vocab_tokenizer):
    from unspin.techniques.features import encode

    text = "Putin is evil."
    m = mask_text(text, [(0, 5, "PERSON")], {"PERSON": "plan"})
    enc = encode(text, tiny_vocab_tokenizer, m)
    assert enc.ids.tolist() == encode("plan is evil.", tiny_vocab_tokenizer).ids.tolist()
    assert [text[a:b] for a, b in enc.offsets] == ["Putin", "is", "evil", "."]


@pytest.fixture(scope="module")
def tiny_vocab_tokenizer(tmp_path_factory):
    from tests.techniques.test_runtime import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny_masking")) / "tokenizer.json"


def test_name_blind_model_gives_swapped_actors_the_same_spans(tmp_path):
    """A model whose config names mask words reads "Putin" and "Biden" alike: same probabilities,
    same techniques, spans in the original text's characters."""
    from tests.techniques.test_runtime import build_tiny_model

    from unspin.techniques.model import TechniqueModel

    d = build_tiny_model(tmp_path, mask_entities={"PERSON": "plan"})
    model = TechniqueModel(d)
    a, b = "Putin is evil.", "Joe Biden is evil."
    pa, _ = model.probabilities(a, [(0, 5, "PERSON")])
    pb, offsets_b = model.probabilities(b, [(0, 9, "PERSON")])
    assert np.array_equal(pa, pb)
    assert [b[s:e] for s, e in offsets_b] == ["Joe Biden", "is", "evil", "."]
    assert [(b[s.start:s.end], s.label) for s in model.predict(b, [(0, 9, "PERSON")])] == [("evil", "Loaded_Language")]
    # without the table the names are read as they are ("Putin" is unknown to the tiny vocabulary)
    (tmp_path / "plain").mkdir()
    plain = TechniqueModel(build_tiny_model(tmp_path / "plain"))
    assert plain.mask_words == {} and plain.encode(a).ids[0] == 1


def test_component_hands_the_doc_entities_to_a_name_blind_model(tmp_path):
    import spacy
    from tests.techniques.test_runtime import build_tiny_model

    import unspin.techniques.component  # noqa: F401
    from unspin.extract import get_layer

    d = build_tiny_model(tmp_path, mask_entities={"PERSON": "evil"})  # a masked name reads as "evil"
    nlp = spacy.blank("en")
    nlp.add_pipe("unspin_techniques", config={"model_dir": str(d)})
    doc = nlp.make_doc("Ask Putin now.")
    doc.ents = [doc.char_span(4, 9, label="PERSON")]
    doc = nlp.get_pipe("unspin_techniques")(doc)
    assert [(doc.text[s.start:s.end], s.label) for s in get_layer(doc, "techniques")] == [("Putin", "Loaded_Language")]
    # a Doc no NER has run on: the model finds the names itself
    doc = nlp("Ask Vladimir Putin now.")
    assert [(doc.text[s.start:s.end], s.label) for s in get_layer(doc, "techniques")] == [
        ("Vladimir Putin", "Loaded_Language")]


def test_find_entities_uses_spacys_ner():
    from unspin.techniques.masking import find_entities

    text = "Vladimir Putin flew to Paris."
    got = {(text[s:e], label) for s, e, label in find_entities(text)}
    assert ("Vladimir Putin", "PERSON") in got and ("Paris", "GPE") in got


def test_training_masks_only_when_asked(monkeypatch):
    from unspin.techniques import masking
    from unspin.train import techniques as train_techniques

    monkeypatch.setattr(masking, "find_entities", lambda text: [(0, 5, "PERSON")])
    cfg = train_techniques.TechniqueTrainConfig
    assert train_techniques.masked_input("Putin is evil.", cfg()) is None
    masked = train_techniques.masked_input("Putin is evil.", cfg(mask_entities=True))
    assert masked.text == "someone is evil."


def test_training_masks_only_the_chosen_types(monkeypatch):
    from unspin.errors import UsageError
    from unspin.techniques import masking
    from unspin.train import techniques as train_techniques

    text = "Putin visited Russia."
    monkeypatch.setattr(masking, "find_entities", lambda t: [(0, 5, "PERSON"), (14, 20, "GPE")])
    cfg = train_techniques.TechniqueTrainConfig
    only_places = cfg(mask_entities="GPE")
    assert only_places.mask_entities == ("GPE",)
    assert train_techniques.mask_words(only_places) == {"GPE": "country"}
    assert train_techniques.masked_input(text, only_places).text == "Putin visited country."
    assert cfg(mask_entities=["person", "GPE"]).mask_entities == ("PERSON", "GPE")
    assert cfg(mask_entities=False).mask_entities == ()
    with pytest.raises(UsageError, match="PLACE"):
        cfg(mask_entities="GPE,PLACE")
