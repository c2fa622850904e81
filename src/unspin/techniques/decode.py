"""From per-token technique probabilities to character spans."""
from __future__ import annotations

import bisect
from functools import lru_cache

import numpy as np

from ..model import Span


def _expand_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a span that starts or ends inside a word (wordpieces) to whole words."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    n = len(text)
    while end < n and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def _runs(on: np.ndarray, max_gap: int) -> list[list[int]]:
    """``[first, last]`` token index pairs of the runs in the sorted indices ``on``, runs that
    are at most ``max_gap`` tokens apart joined."""
    runs: list[list[int]] = [[int(on[0]), int(on[0])]] if len(on) else []
    for i in on[1:]:
        if i - runs[-1][1] <= max_gap + 1:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    return runs


def decode_spans(text: str, probs: np.ndarray, offsets: np.ndarray, labels: list[str],
                 thresholds: np.ndarray, max_gap: int = 1) -> list[Span]:
    """Runs of tokens whose probability for a label passes its threshold become spans.

    Runs separated by at most ``max_gap`` tokens are joined; spans are grown to
    word boundaries; the raw score is the mean probability over the run.
    """
    out: list[Span] = []
    if len(offsets) == 0:
        return out
    for j, label in enumerate(labels):
        if thresholds[j] > 1.0:  # switched off: no probability passes it (the tuner tries one label at a time)
            continue
        for a, b in _runs(np.flatnonzero(probs[:, j] >= thresholds[j]), max_gap):
            start, end = int(offsets[a][0]), int(offsets[b][1])
            start, end = _expand_to_words(text, start, end)
            if end <= start or not any(ch.isalnum() for ch in text[start:end]):
                continue
            score = float(probs[a : b + 1, j].mean())
            out.append(Span(start, end, label, score))
    return out


#: how per-token probabilities become spans (chosen on the tune split, kept in config.json)
DECODE_MODES = ("labels", "any", "union", "extend")


def supported_spans(spans: list[Span], any_probs: np.ndarray, offsets: np.ndarray, threshold: float) -> list[Span]:
    """The spans some of whose tokens reach ``threshold`` on the any-technique output: a label's
    run that the model's span finder does not back is dropped. ``threshold`` 0 keeps every span."""
    if threshold <= 0.0 or not spans:
        return spans
    if len(offsets) == 0:
        return []
    starts, ends = offsets[:, 0], offsets[:, 1]
    return [s for s in spans if (any_probs[(starts < s.end) & (ends > s.start)] >= threshold).any()]


def decode_any_spans(text: str, probs: np.ndarray, any_probs: np.ndarray, offsets: np.ndarray,
                     labels: list[str], active: np.ndarray, threshold: float, max_gap: int = 1) -> list[Span]:
    """Runs of tokens whose *any technique* probability passes ``threshold``, each
    labelled with the active technique of highest mean probability over the run.

    The raw score is that mean probability. ``active`` masks techniques switched off.
    """
    out: list[Span] = []
    if len(offsets) == 0 or not active.any():
        return out
    masked = np.where(active[None, :], probs, -1.0)
    for a, b in _runs(np.flatnonzero(any_probs >= threshold), max_gap):
        start, end = _expand_to_words(text, int(offsets[a][0]), int(offsets[b][1]))
        if end <= start or not any(ch.isalnum() for ch in text[start:end]):
            continue
        mean = masked[a:b + 1].mean(0)
        j = int(mean.argmax())
        out.append(Span(start, end, labels[j], float(mean[j])))
    return out


def combine(label_spans: list[Span], any_spans: list[Span], mode: str) -> list[Span]:
    """``labels``: per-technique spans only; ``any``: any-technique runs only;
    ``union``: per-technique spans plus the any-technique runs that overlap none of them;
    ``extend``: as ``union``, and each per-technique span also grows over the any-technique runs
    it overlaps (the label says what, the span finder how far), overlapping spans of one
    technique then joined (the higher score kept)."""
    if mode == "labels":
        return label_spans
    if mode == "any":
        return any_spans
    if mode not in DECODE_MODES:
        raise ValueError(f"decode mode must be one of {DECODE_MODES}, got {mode!r}")
    taken = sorted((s.start, s.end) for s in label_spans)
    extra = [s for s in any_spans if not any(a < s.end and s.start < b for a, b in taken)]
    if mode == "extend":
        label_spans = _join_same_label([_grown(s, any_spans) for s in label_spans])
    return label_spans + extra


def _grown(span: Span, runs: list[Span]) -> Span:
    over = [r for r in runs if r.start < span.end and span.start < r.end]
    if not over:
        return span
    return Span(min(span.start, *(r.start for r in over)), max(span.end, *(r.end for r in over)), span.label,
                span.score, span.attrs)


def _join_same_label(spans: list[Span]) -> list[Span]:
    """Overlapping spans of one label become one (their union, the higher score)."""
    out: list[Span] = []
    for label in dict.fromkeys(s.label for s in spans):
        group = sorted((s for s in spans if s.label == label), key=lambda s: (s.start, s.end))
        cur = group[0]
        for s in group[1:]:
            if s.start < cur.end:
                cur = Span(cur.start, max(cur.end, s.end), label, max(cur.score, s.score), cur.attrs)
            else:
                out.append(cur)
                cur = s
        out.append(cur)
    return out


#: words that end in a full stop without ending the sentence
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st gen col lt sgt capt gov sen rep rev fr vs etc inc ltd co corp no jan feb mar apr "
    "jun jul aug sep sept oct nov dec".split())


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the sentences of ``text``: a break after ``.``, ``!``, ``?`` or
    ``…`` (and any closing quotes or brackets) followed by white space and a capital,
    digit or quote, or at a line break; not after an abbreviation or an initial."""
    return list(_sentence_bounds(text))


@lru_cache(maxsize=256)  # the tuner decodes the same articles thousands of times
def _sentence_bounds(text: str) -> tuple[tuple[int, int], ...]:
    bounds: list[tuple[int, int]] = []
    start, n, i = 0, len(text), 0
    while i < n:
        ch = text[i]
        if ch == "\n":
            if text[start:i].strip():
                bounds.append((start, i))
            start = i + 1
        elif ch in ".!?…":
            j = i + 1
            while j < n and text[j] in "\"'”’)]»":
                j += 1
            k = j
            while k < n and text[k] in " \t":
                k += 1
            if k > j and k < n and (text[k].isupper() or text[k].isdigit() or text[k] in "\"'“‘(["):
                word_start = i
                while word_start > start and text[word_start - 1].isalpha():
                    word_start -= 1
                word = text[word_start:i]
                if not (ch == "." and (word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()))):
                    bounds.append((start, j))
                    start = k
                    i = k
                    continue
        i += 1
    if text[start:].strip():
        bounds.append((start, n))
    return tuple((s, e) for s, e in bounds if e > s)


def snap_to_sentences(text: str, spans: list[Span], labels: frozenset[str] | set[str]) -> list[Span]:
    """Spans of sentence-scale techniques (``labels``) grown to the whole sentence they
    start in (never shrunk); other spans are kept as they are."""
    if not labels or not spans:
        return spans
    bounds = sentence_bounds(text)
    starts = [s for s, _e in bounds]
    out = []
    for sp in spans:
        if sp.label in labels and bounds:
            k = max(0, bisect.bisect_right(starts, sp.start) - 1)
            a, b = bounds[k]
            if a <= sp.start < b:
                sp = Span(min(a, sp.start), max(b, sp.end), sp.label, sp.score, sp.attrs)
        out.append(sp)
    return out
