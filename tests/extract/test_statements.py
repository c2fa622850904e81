"""Attribution and hedging per sentence: the ``statements`` layer (invented sentences)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def nlp():
    """A fresh pipeline with quotes and statements (the cached default one is left alone)."""
    import unspin.extract.quotes  # noqa: F401  registers the components
    import unspin.extract.statements  # noqa: F401
    from unspin.pipeline import DEFAULT_MODEL, load_nlp

    pipe = load_nlp.__wrapped__(DEFAULT_MODEL, ("unspin_sentences", "unspin_entities"))
    pipe.add_pipe("unspin_quotes")
    pipe.add_pipe("unspin_statements")
    return pipe


def statements_of(nlp, text: str):
    from unspin.extract.layers import get_layer
    from unspin.pipeline import spacy_text

    doc = nlp(spacy_text(text))
    return get_layer(doc, "statements"), get_layer(doc, "quotes")


@pytest.mark.parametrize(("text", "label", "source"), [
    ("The bridge was closed on Monday.", "asserted", None),
    ("Anna Keller said the bridge was closed.", "attributed", "Anna Keller"),
    ("“The bridge is closed,” Anna Keller said.", "attributed", "Anna Keller"),
    ("According to Western sources, the convoy was destroyed.", "attributed", "Western sources"),
    ("The convoy was destroyed, according to the Interior Ministry.", "attributed", "Interior Ministry"),
    ("Western sources say the convoy was destroyed.", "attributed", "Western sources"),
    ("The convoy was most likely destroyed.", "hedged", None),
    ("The convoy was reportedly destroyed.", "hedged", None),
    ("The convoy was allegedly destroyed by drones.", "hedged", None),
    ("The convoy may have been destroyed.", "hedged", None),
    ("Perhaps the convoy was destroyed.", "hedged", None),
    ("It seems the convoy was destroyed.", "hedged", None),
    ("The commander is believed to have fled.", "hedged", None),
    ("The talks apparently failed.", "hedged", None),
])
def test_statements_label_and_source(nlp, text, label, source):
    statements, _ = statements_of(nlp, text)
    assert [(s.label, s.attrs["source"]) for s in statements] == [(label, source)]


def test_statements_attributed_wins_over_hedged(nlp):
    statements, _ = statements_of(nlp, "Anna Keller said the convoy was probably destroyed.")
    assert [(s.label, s.attrs["hedges"]) for s in statements] == [("attributed", ["probably"])]


@pytest.mark.parametrize(("text", "hedges"), [
    ("The plan could fail, and it might even be scrapped.", ["could", "might"]),
    ("It is most likely a forgery, perhaps an old one.", ["most likely", "perhaps"]),
    ("In May the minister resigned.", []),
    ("The minister is said to have resigned, sources say.", ["is said to", "sources say"]),
])
def test_statements_hedges_listed_in_order(nlp, text, hedges):
    statements, _ = statements_of(nlp, text)
    assert [h for s in statements for h in s.attrs["hedges"]] == hedges


def test_statements_one_span_per_sentence_with_quote_ids(nlp):
    text = ("The bridge was closed on Monday. “It is unsafe,” Anna Keller said. "
            "Tom Brandt said it would reopen soon. Repairs may take a year.")
    statements, quotes = statements_of(nlp, text)
    assert [text[s.start:s.end] for s in statements] == [
        "The bridge was closed on Monday.", "“It is unsafe,” Anna Keller said.",
        "Tom Brandt said it would reopen soon.", "Repairs may take a year."]
    assert [s.label for s in statements] == ["asserted", "attributed", "attributed", "hedged"]
    ids = [s.attrs["quote_ids"] for s in statements]
    assert ids[0] == [] and ids[3] == []
    assert [quotes[i].attrs["speaker"] for i in ids[1]] == ["Anna Keller"]
    assert [quotes[i].attrs["speaker"] for i in ids[2]] == ["Tom Brandt"]
