"""The claims layer: ranking, threshold, links to the other layers, and the component on a
hand-built doc with the tiny stand-in sentence model of conftest.py."""
import pytest

from unspin.extract.claims import candidate_sentences, claim_spans, overlapping, ranked
from unspin.model import Span

TEXT = "Unemployment rose by 5 percent. I love you. Photo: AP. Taxes and taxes, Smith said."
#        0         1         2         3         4         5         6         7         8


def _sentences(text):
    out, start = [], 0
    for piece in text.split(". "):
        end = start + len(piece) + (1 if start + len(piece) < len(text) else 0)
        out.append(Span(start, end, "sentence"))
        start = end + 1
    return out


def test_claims_candidates_skip_short_sentences():
    sents = _sentences(TEXT)
    assert [TEXT[s.start:s.end] for s in sents][2] == "Photo: AP."
    assert candidate_sentences(TEXT, sents) == [0, 1, 3]


@pytest.mark.parametrize("spans, start, end, expected", [
    ([(0, 5), (6, 9), (12, 20)], 5, 12, [1]),
    ([(0, 5), (6, 9), (12, 20)], 4, 13, [0, 1, 2]),
    ([(0, 30), (6, 9)], 10, 12, [0]),
    ([], 0, 10, []),
])
def test_claims_overlapping(spans, start, end, expected):
    assert overlapping([Span(a, b) for a, b in spans], start, end) == expected


def test_claims_rank_threshold_and_links():
    sents = [s for i, s in enumerate(_sentences(TEXT)) if i != 2]
    q = TEXT.index("5 percent")
    layers = {
        "quantities": [Span(q, q + 9, "percent")],
        "entities": [Span(TEXT.index("Smith"), TEXT.index("Smith") + 5, "PERSON")],
        "quotes": [Span(TEXT.index("Taxes"), TEXT.index("Taxes") + 15, "indirect")],
        "statements": [Span(sents[0].start, sents[0].end, "asserted", attrs={"source": None, "hedges": []}),
                       Span(sents[2].start, sents[2].end, "attributed", attrs={"source": "Smith", "hedges": []})],
    }
    claims = claim_spans(TEXT, sents, [0.9, 0.1, 0.6], threshold=0.5, layers=layers)
    assert [c.label for c in claims] == ["checkworthy", "not_checkworthy", "checkworthy"]
    assert [c.attrs["rank"] for c in claims] == [1, 3, 2]
    assert [c.attrs["checkworthy"] for c in claims] == [True, False, True]
    assert claims[0].attrs["quantity_ids"] == [0] and claims[0].attrs["statement"] == "asserted"
    assert claims[2].attrs["entity_ids"] == [0] and claims[2].attrs["quote_ids"] == [0]
    assert claims[2].attrs["source"] == "Smith" and claims[1].attrs["statement"] is None
    assert [TEXT[c.start:c.end][:5] for c in ranked(claims)] == ["Unemp", "Taxes", "I lov"]
    assert claims[0].score == pytest.approx(0.9) and claims[0].attrs["checkworthiness"] == 0.9


def test_claims_need_one_probability_per_sentence():
    with pytest.raises(ValueError, match="one probability per sentence"):
        claim_spans(TEXT, _sentences(TEXT), [0.5], 0.5, {})


def test_claims_component_on_hand_built_doc(tiny_claim_model_dir):
    import spacy

    from unspin.extract.claims import EMBEDDINGS_KEY, ClaimFinder
    from unspin.extract.layers import get_layer, set_layer

    nlp = spacy.blank("en")
    doc = nlp.make_doc(TEXT)
    set_layer(doc, "sentences", _sentences(TEXT), mirror=False)
    doc = ClaimFinder(str(tiny_claim_model_dir))(doc)
    claims = get_layer(doc, "claims")
    assert [TEXT[c.start:c.end] for c in claims if c.attrs["checkworthy"]] == [
        "Unemployment rose by 5 percent.", "Taxes and taxes, Smith said."]
    assert len(claims) == 3  # "Photo: AP." is too short to be a claim
    keep, logits, emb = doc.user_data[EMBEDDINGS_KEY]
    assert keep == [0, 1, 3] and emb.shape == (3, 4) and len(logits) == 3
    assert [sp.text for sp in doc.spans["claims"]][0] == "Unemployment rose by 5 percent."


def test_claims_component_empty_doc(tiny_claim_model_dir):
    import spacy

    from unspin.extract.claims import ClaimFinder
    from unspin.extract.layers import get_layer

    doc = ClaimFinder(str(tiny_claim_model_dir))(spacy.blank("en").make_doc(""))
    assert get_layer(doc, "claims") == []
