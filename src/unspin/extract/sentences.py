"""Sentences: line breaks as boundaries (before the parser) and the ``sentences`` layer."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..model import Span
from .layers import doc_text, set_layer


@Language.component("unspin_linebreaks")
def mark_linebreaks(doc: Doc) -> Doc:
    """Start a sentence after a blank line, and after a line break unless the text
    goes on in lower case (a hard-wrapped line). Runs before the parser, which
    keeps these boundaries."""
    n = len(doc)
    for i, tok in enumerate(doc):
        if "\n" not in tok.text_with_ws or i + 1 >= n:
            continue
        nxt = i + 1
        while nxt < n and doc[nxt].is_space:
            nxt += 1
        if nxt >= n:
            continue
        blank_line = (tok.text_with_ws + "".join(doc[k].text_with_ws for k in range(i + 1, nxt))).count("\n") >= 2
        first = doc[nxt].text[:1]
        if blank_line or not first.islower():
            doc[nxt].is_sent_start = True
            for k in range(i + 1, nxt):  # whitespace tokens in between stay with the previous sentence
                doc[k].is_sent_start = False
    return doc


def sentence_spans(doc: Doc) -> list[Span]:
    """Sentence spans trimmed of surrounding whitespace; whitespace-only sentences dropped."""
    text = doc_text(doc)
    out = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        while start < end and (text[start].isspace() or text[start] in "\ufeff\u200b"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in "\ufeff\u200b"):
            end -= 1
        if end > start:
            out.append(Span(start, end, "sentence"))
    return out


@Language.component("unspin_sentences")
def add_sentences(doc: Doc) -> Doc:
    """Layer ``sentences``: one span per sentence, trimmed."""
    set_layer(doc, "sentences", sentence_spans(doc), mirror=False)
    return doc
