"""Where components keep their results on a Doc, and the article text they share."""
import spacy

from unspin.extract.layers import TEXT_EXT, doc_text


def test_layers_doc_text_is_read_once_and_stays_right():
    nlp = spacy.blank("en")
    doc = nlp("New York  is big.\nIt grows. ")
    assert doc._.get(TEXT_EXT) is None
    assert doc_text(doc) == doc.text
    assert doc._.get(TEXT_EXT) == doc.text  # kept for the next reader
    marker = "#" * len(doc.text)
    doc._.set(TEXT_EXT, marker)
    assert doc_text(doc) == marker  # the next reader gets the kept text, not a rebuilt one
    doc._.set(TEXT_EXT, None)
    with doc.retokenize() as retok:  # merging tokens keeps the text
        retok.merge(doc[0:2])
    assert doc_text(doc) == doc.text == "New York  is big.\nIt grows. "
    assert doc_text(nlp("")) == ""


def test_layers_doc_text_rebuilds_a_kept_text_that_cannot_be_this_docs():
    nlp = spacy.blank("en")
    doc = nlp("Short text.")
    doc._.set(TEXT_EXT, "a text of another length")
    assert doc_text(doc) == "Short text."
