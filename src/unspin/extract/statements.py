"""Who stands behind each sentence: the ``statements`` layer.

One span per sentence of the ``sentences`` layer, labelled

* ``attributed``: the sentence holds a quotation or an attribution cue of
  the ``quotes`` layer (so ``unspin_quotes`` must run first) that names a
  speaker or quotes words, or a source phrase such as "according to" or
  "sources say";
* ``hedged``: otherwise, when it carries a hedge ("may", "most likely",
  "reportedly", "is believed to", ...) or a sourceless report ("Sanders is
  expected to win");
* ``asserted``: otherwise: the outlet states it in its own voice.

Attributes: ``source`` (the speaker of the sentence's first attributed quote,
else the phrase after "according to", else None), ``hedges`` (the hedge cues
found, lower-cased, in order) and ``quote_ids`` (indices into the ``quotes``
layer of the quotes whose content or cue overlaps the sentence).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from ..model import Span
from .layers import doc_text, get_layer, set_layer

#: hedge phrases (regular expressions, matched case-insensitively on word boundaries)
HEDGE_PHRASES = (
    r"most likely", r"more likely than not", r"(?:is|are|was|were) (?:un)?likely to", r"it seems", r"seemingly",
    r"(?:seems?|seemed|appears?|appeared) to", r"it appears", r"apparently", r"perhaps", r"maybe", r"possibly",
    r"probably", r"presumably", r"arguably", r"supposedly", r"purportedly", r"reportedly", r"allegedly",
    r"(?:is|are|was|were) (?:widely )?(?:believed|thought|said|reported|rumou?red|alleged) to",
    r"it is (?:believed|thought|said|claimed|alleged|rumou?red) that", r"rumou?rs? (?:has|have) it",
    r"unconfirmed", r"(?:some |unnamed |anonymous |western |informed )?sources (?:say|said|claim|suggest)",
    r"in all likelihood", r"it is possible that", r"could be", r"may be", r"might be",
)
#: modal verbs that hedge when tagged as modals (MD), not "May" the month
HEDGE_MODALS = frozenset({"may", "might", "could"})
#: phrases that name a source without a cue verb the parse would find
_SOURCE_PHRASE = re.compile(
    r"\b(?:according to|citing|as reported by|sources? (?:close to|familiar with)|(?:[A-Z]\w+ )?sources (?:say|said))\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(r"\b(?:" + "|".join(HEDGE_PHRASES) + r")\b", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording to\s+((?:[\w'’.&-]+\s?){1,6}?)(?=[,.;:]|$)", re.IGNORECASE)
_SOURCES_SAY = re.compile(r"\b((?:\w+ ){0,2}sources)\s+(?:say|said|claim|suggest)", re.IGNORECASE)


def hedges_in(doc: Doc, start: int, end: int, text: str | None = None) -> list[str]:
    """Hedge cues in ``doc.text[start:end]``, lower-cased, in order of appearance
    (``text`` is the article's text when the caller has it)."""
    text = (doc_text(doc) if text is None else text)[start:end]
    found: list[tuple[int, int, str]] = []
    for m in _HEDGE.finditer(text):
        found.append((start + m.start(), start + m.end(), " ".join(m.group().lower().split())))
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is not None:
        for tok in span:
            if tok.lower_ in HEDGE_MODALS and tok.tag_ == "MD":
                if not any(a <= tok.idx < b for a, b, _ in found):
                    found.append((tok.idx, tok.idx + len(tok), tok.lower_))
    return [h for _, _, h in sorted(found)]


def _phrase_source(text: str) -> str | None:
    m = _ACCORDING.search(text)
    if m:
        return m.group(1).strip()
    m = _SOURCES_SAY.search(text)
    return " ".join(m.group(1).split()) if m else None


def _quotes_by_sentence(sentences: list[Span], quotes: list[Span]) -> list[list[int]]:
    """For each sentence, the indices of the quotes whose content or cue overlaps it."""
    starts = [s.start for s in sentences]
    out: list[list[int]] = [[] for _ in sentences]
    for k, q in enumerate(quotes):
        first = max(0, bisect_right(starts, q.start) - 1)
        last = bisect_left(starts, q.end)
        hit = {i for i in range(first, last) if sentences[i].start < q.end and q.start < sentences[i].end}
        cue = q.attrs.get("cue_start")
        if cue is not None:
            i = bisect_right(starts, cue) - 1
            if i >= 0 and cue < sentences[i].end:
                hit.add(i)
        for i in hit:
            out[i].append(k)
    return out


def statement_spans(doc: Doc) -> list[Span]:
    """The ``statements`` layer from the ``sentences`` and ``quotes`` layers."""
    quotes = get_layer(doc, "quotes")
    sentences = get_layer(doc, "sentences")
    full = doc_text(doc)
    out = []
    for sent, ids in zip(sentences, _quotes_by_sentence(sentences, quotes), strict=True):
        a, b = sent.start, sent.end
        source, cued = None, False
        for k in ids:
            q = quotes[k]
            # a sourceless report ("is believed to", "it seems") hedges rather than attributes
            cued = cued or q.attrs.get("speaker") is not None or q.label != "indirect"
            if source is None and q.attrs.get("speaker"):
                source = q.attrs["speaker"]
        text = full[a:b]
        phrase = _SOURCE_PHRASE.search(text) is not None
        if source is None and (phrase or ids):
            source = _phrase_source(text)
        hedges = hedges_in(doc, a, b, full)
        label = "attributed" if cued or phrase else "hedged" if hedges or ids else "asserted"
        out.append(Span(a, b, label, attrs={"source": source, "hedges": hedges, "quote_ids": ids}))
    return out


@Language.component("unspin_statements")
def add_statements(doc: Doc) -> Doc:
    """Layer ``statements``: each sentence asserted, attributed or hedged (after ``unspin_quotes``)."""
    set_layer(doc, "statements", statement_spans(doc), mirror=False)
    return doc
