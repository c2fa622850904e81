"""Name-blind input for the technique model: named actors replaced by neutral words.

A model trained with ``unspin train techniques --mask-entities`` never reads the names of people,
places, nations, parties or organisations: before its tokenizer sees the text, every spaCy entity of
a type in its ``mask_entities`` table (``PERSON`` -> "someone", ``GPE`` -> "country", ...) is
replaced by that type's word. Swapping "Russia" and "the United States" then gives it the same
input, so the same techniques. The token offsets are mapped back to the original text, so the spans
it finds, and the training targets it learns from, stay in the original's characters; a span that
covers a replaced word covers the whole name.

:func:`find_entities` runs spaCy's NER for callers with a text alone (evaluation, the benchmarks,
training); the pipeline component passes the entities its ``Doc`` already has.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: the replacement of each masked entity type (what ``--mask-entities`` records in the model's config)
MASK_WORDS = {"PERSON": "someone", "GPE": "country", "NORP": "people", "ORG": "organisation"}


@dataclass(frozen=True)
class Masked:
    """A text with some stretches replaced. ``pieces`` is ``[k, 4]`` int64: the masked start
    and end, then the original start and end, of each replaced stretch in order."""

    text: str
    pieces: np.ndarray

    def to_original(self, offsets: np.ndarray) -> np.ndarray:
        """Character offsets ``[n, 2]`` in the masked text -> in the original text. An offset
        inside a replacement maps to the start (for starts) or end (for ends) of the name it
        replaced; outside, it moves by the length change of the replacements before it."""
        offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
        if not len(self.pieces):
            return offsets.copy()
        m_start, m_end, o_start, o_end = self.pieces.T
        # shift[c]: how much longer the original is than the masked text after the first c replacements
        shift = np.concatenate([[0], np.cumsum((o_end - o_start) - (m_end - m_start))])
        starts, ends = offsets[:, 0], offsets[:, 1]
        before_start = np.searchsorted(m_end, starts, side="right")  # replacements wholly before
        before_end = np.searchsorted(m_end, ends, side="right")
        out = np.stack([starts + shift[before_start], ends + shift[before_end]], axis=1)
        # a start inside replacement k (m_start <= pos < m_end) -> the name's start
        k = np.searchsorted(m_start, starts, side="right") - 1
        inside = (k >= 0) & (starts < m_end[np.maximum(k, 0)])
        out[inside, 0] = o_start[k[inside]]
        # an end inside replacement k (m_start < pos <= m_end) -> the name's end
        k = np.searchsorted(m_start, ends, side="left") - 1
        inside = (k >= 0) & (ends <= m_end[np.maximum(k, 0)])
        out[inside, 1] = o_end[k[inside]]
        return out


def mask_text(text: str, spans: Iterable[tuple[int, int, str]], words: dict[str, str]) -> Masked:
    """``text`` with each ``(start, end, label)`` whose label is in ``words`` replaced by its word.
    Spans that overlap an earlier kept one, or are empty, are skipped."""
    parts, pieces, last, shift = [], [], 0, 0
    for start, end, label in sorted(spans, key=lambda s: (s[0], -s[1])):
        word = words.get(label)
        if word is None or end <= start or start < last or end > len(text):
            continue
        parts.append(text[last:start])
        m_start = start + shift
        parts.append(word)
        pieces.append((m_start, m_start + len(word), start, end))
        shift += len(word) - (end - start)
        last = end
    parts.append(text[last:])
    return Masked("".join(parts), np.asarray(pieces, dtype=np.int64).reshape(-1, 4))


@lru_cache(maxsize=2)
def _ner(model: str):
    from ..pipeline import load_spacy

    nlp = load_spacy(model)
    return nlp, [name for name in nlp.pipe_names if name != "ner"]


def find_entities(text: str, model: str | None = None) -> list[tuple[int, int, str]]:
    """spaCy's named entities of ``text`` as ``(start, end, label)`` (its NER alone, as the
    pipeline's ``ner`` finds them: ``en_core_web_sm``'s NER has its own token vectors)."""
    from ..pipeline import DEFAULT_MODEL, spacy_text

    nlp, others = _ner(model or DEFAULT_MODEL)
    with nlp.select_pipes(disable=others):
        doc = nlp(spacy_text(text))
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def masked_for(text: str, words: dict[str, str], entities: list[tuple[int, int, str]] | None = None
               ) -> Masked | None:
    """What a model with the mask table ``words`` reads instead of ``text``: None when it masks
    nothing, else ``text`` with the names of those types among ``entities`` (found with
    :func:`find_entities` when not given) replaced. Training and the runtime both mask here."""
    if not words:
        return None
    return mask_text(text, find_entities(text) if entities is None else entities, words)
