"""Where unspin components keep their results on a spaCy ``Doc``.

Each layer is a list of :class:`unspin.model.Span` (exact character offsets,
label, score, attributes) in ``doc._.unspin_layers[name]``, and is mirrored
into ``doc.spans[name]`` (token-aligned spaCy spans with the same labels) so
spaCy users see the layers with the tools they know. Article-level results
(``genre``, ``frames``) go to ``doc._.unspin_labels`` and become ``Analysis.labels``.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc

from ..model import Span

EXT = "unspin_layers"
if not Doc.has_extension(EXT):
    Doc.set_extension(EXT, default=None)
#: article-level results (``genre``, ``frames``) that become ``Analysis.labels``
LABELS_EXT = "unspin_labels"
if not Doc.has_extension(LABELS_EXT):
    Doc.set_extension(LABELS_EXT, default=None)


#: the article's text, read once (``Doc.text`` joins every token's text anew on each access, 0.3 ms
#: for a 930-word article, and ten components read it); a Doc's text never changes
TEXT_EXT = "unspin_text"
if not Doc.has_extension(TEXT_EXT):
    Doc.set_extension(TEXT_EXT, default=None)


def doc_text(doc: Doc) -> str:
    """``doc.text``, built on the first call and kept on the Doc for the next ones."""
    text = doc._.get(TEXT_EXT)
    if text is None or len(text) != _char_length(doc):
        text = doc.text
        doc._.set(TEXT_EXT, text)
    return text


def _char_length(doc: Doc) -> int:
    if not len(doc):
        return 0
    last = doc[-1]
    return last.idx + len(last.text_with_ws)


def get_layers(doc: Doc) -> dict[str, list[Span]]:
    layers = doc._.get(EXT)
    if layers is None:
        layers = {}
        doc._.set(EXT, layers)
    return layers


def get_layer(doc: Doc, name: str) -> list[Span]:
    return get_layers(doc).get(name, [])


def set_layer(doc: Doc, name: str, spans: Iterable[Span], *, mirror: bool = True) -> list[Span]:
    """Store ``spans`` as layer ``name`` (sorted by offsets); mirror to ``doc.spans``."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end, s.label))
    get_layers(doc)[name] = ordered
    if mirror:
        mirrored = []
        for s in ordered:
            sp = doc.char_span(s.start, s.end, label=s.label or name, alignment_mode="expand")
            if sp is not None and len(sp):
                mirrored.append(sp)
        doc.spans[name] = mirrored
    return ordered


def get_labels(doc: Doc) -> dict:
    labels = doc._.get(LABELS_EXT)
    if labels is None:
        labels = {}
        doc._.set(LABELS_EXT, labels)
    return labels


def set_label(doc: Doc, name: str, value) -> None:
    """Store an article-level result (JSON-ready) under ``name``."""
    get_labels(doc)[name] = value
