"""Span scoring with partial overlap, as defined for SemEval-2020 task 11.

Written from the task definition. For predicted spans ``S`` and gold spans ``T``
(character intervals, end exclusive) and ``C(s, t, h) = |s ∩ t| / h``::

    P = Σ_s Σ_t C(s, t, |s|) / |S|      R = Σ_s Σ_t C(s, t, |t|) / |T|
    F1 = 2PR / (P + R)

Sums run over all articles; ``|S|`` and ``|T|`` count spans over all articles.

* **SI** (span identification, :func:`score_si`): labels are ignored and spans
  that share at least one character are merged, per article, before scoring
  (spans that only touch, ``a.end == b.start``, stay apart).
* **FLC** (end-to-end, :func:`score_flc`): a pair counts only when the labels
  match; spans are merged per article *and per label*. Micro P/R/F1 over all
  labels plus P/R/F1 per technique.

Inputs are mappings ``article_id -> spans`` where a span is a
:class:`unspin.model.Span`, ``(start, end)`` (SI only) or ``(start, end, label,
...)`` (extra items, such as the original label of a corpus record, are ignored).
An article present on one side only counts as all misses (gold) or all false
alarms (predictions). Empty inputs give zeros. Each article's spans are sorted
once and scored by a linear sweep, so the cost is O(n log n) in the spans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

from ..errors import UsageError
from ..model import Span

SpanLike = Union[Span, Sequence[Any]]
SpanSets = Mapping[str, Iterable[SpanLike]]
Interval = tuple[int, int]

__all__ = ["evaluate", "f1_interval", "merge_spans", "overlap_sums", "prf", "score_flc", "score_si"]


def _parse(span: SpanLike, need_label: bool, where: str) -> tuple[int, int, str]:
    if isinstance(span, Span):
        start, end, label = span.start, span.end, span.label
    else:
        try:
            start, end = int(span[0]), int(span[1])
            label = str(span[2]) if len(span) > 2 else ""
        except (TypeError, ValueError, IndexError) as exc:
            raise UsageError(
                f"{where}: a span must be a Span, (start, end) or (start, end, label, ...); got {span!r}"
            ) from exc
    if end <= start or start < 0:
        raise UsageError(f"{where}: span offsets must satisfy 0 <= start < end, got {start}:{end}")
    if need_label and not label:
        raise UsageError(f"{where}: FLC scoring needs a label on every span, got {span!r}")
    return start, end, label


def merge_spans(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted intervals with every group of overlapping ones merged into one.

    Two intervals overlap when they share a character (``a.start < b.end`` and
    ``b.start < a.end``); touching intervals are kept apart.
    """
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def overlap_sums(pred: Sequence[Interval], gold: Sequence[Interval]) -> tuple[float, float]:
    """``(Σ_s Σ_t |s∩t|/|s|, Σ_t Σ_s |s∩t|/|t|)`` for two sorted lists of disjoint intervals.

    A two-pointer sweep: each step moves past the interval that ends first, so
    every overlapping pair is seen once.
    """
    covered_p = [0] * len(pred)
    covered_g = [0] * len(gold)
    i = j = 0
    while i < len(pred) and j < len(gold):
        (ps, pe), (gs, ge) = pred[i], gold[j]
        inter = min(pe, ge) - max(ps, gs)
        if inter > 0:
            covered_p[i] += inter
            covered_g[j] += inter
        if pe <= ge:
            i += 1
        else:
            j += 1
    p_sum = sum(c / (e - s) for c, (s, e) in zip(covered_p, pred, strict=True))
    g_sum = sum(c / (e - s) for c, (s, e) in zip(covered_g, gold, strict=True))
    return p_sum, g_sum


def prf(p_sum: float, n_pred: int, r_sum: float, n_gold: int) -> dict[str, float | int]:
    """Precision, recall and F1 from overlap sums and span counts (0 when undefined)."""
    precision = p_sum / n_pred if n_pred else 0.0
    recall = r_sum / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "n_pred": n_pred, "n_gold": n_gold}


def _group(spans: SpanSets, need_label: bool, side: str) -> dict[tuple[str, str], list[Interval]]:
    """``(article_id, label) -> intervals`` (label ``""`` when labels are ignored)."""
    if not isinstance(spans, Mapping):
        raise UsageError(f"{side} spans must be a mapping article_id -> list of spans, got {type(spans).__name__}")
    out: dict[tuple[str, str], list[Interval]] = defaultdict(list)
    for article_id, items in spans.items():
        if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
            raise UsageError(f"{side} spans of article {article_id!r} must be a list, got {items!r}")
        for k, span in enumerate(items):
            start, end, label = _parse(span, need_label, f"{side}[{article_id!r}][{k}]")
            out[(str(article_id), label if need_label else "")].append((start, end))
    return out


def _key_sums(gold: SpanSets, pred: SpanSets, labelled: bool):
    """``((article_id, label), p_sum, n_pred, r_sum, n_gold)`` after merging, per key seen."""
    g = _group(gold, labelled, "gold")
    p = _group(pred, labelled, "pred")
    for key in set(g) | set(p):
        gm = merge_spans(g.get(key, ()))
        pm = merge_spans(p.get(key, ()))
        p_sum, r_sum = overlap_sums(pm, gm)
        yield key, p_sum, len(pm), r_sum, len(gm)


def _sums(gold: SpanSets, pred: SpanSets, labelled: bool) -> dict[str, list[float]]:
    """Per label: ``[p_sum, n_pred, r_sum, n_gold]`` after merging."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0.0, 0])
    for key, *sums in _key_sums(gold, pred, labelled):
        row = acc[key[1]]
        for k, value in enumerate(sums):
            row[k] += value
    return acc


def score_si(gold: SpanSets, pred: SpanSets) -> dict[str, float | int]:
    """Span identification P/R/F1: labels ignored, overlapping spans merged per article.

    Returns ``{"precision", "recall", "f1", "n_pred", "n_gold"}`` (counts after merging).
    """
    row = _sums(gold, pred, labelled=False).get("", [0.0, 0, 0.0, 0])
    return prf(row[0], int(row[1]), row[2], int(row[3]))


def score_flc(gold: SpanSets, pred: SpanSets, labels: Iterable[str] = ()) -> dict[str, Any]:
    """End-to-end technique scoring: a pair counts only when labels match.

    Spans are merged per article and per label. Returns the micro
    ``precision``/``recall``/``f1``/``n_pred``/``n_gold`` over all labels and
    ``per_technique``: ``{label: {precision, recall, f1, n_pred, n_gold}}`` for every
    label seen on either side plus any listed in ``labels`` (so techniques never
    predicted and absent from gold still get a row of zeros), plus ``macro_f1``,
    the mean F1 over the labels that occur in gold (0 when gold is empty).
    """
    acc = _sums(gold, pred, labelled=True)
    for label in labels:
        acc[label]  # a zero row
    per = {label: prf(r[0], int(r[1]), r[2], int(r[3])) for label, r in sorted(acc.items())}
    total = [sum(r[k] for r in acc.values()) for k in range(4)]
    out: dict[str, Any] = prf(total[0], int(total[1]), total[2], int(total[3]))
    in_gold = [row["f1"] for row in per.values() if row["n_gold"]]
    out["macro_f1"] = sum(in_gold) / len(in_gold) if in_gold else 0.0
    out["per_technique"] = per
    return out


def evaluate(gold: SpanSets, pred: SpanSets, labels: Iterable[str] = ()) -> dict[str, Any]:
    """Both scores: ``{"si": score_si(...), "flc": score_flc(...)}``."""
    return {"si": score_si(gold, pred), "flc": score_flc(gold, pred, labels)}


def f1_interval(gold: SpanSets, pred: SpanSets, labelled: bool, resamples: int = 2000, level: float = 0.95,
                seed: int = 0) -> tuple[float, float]:
    """An article-level bootstrap interval for the micro F1 of :func:`score_flc` (``labelled``)
    or :func:`score_si`: articles are drawn with replacement ``resamples`` times and the F1 of
    each draw computed from the articles' overlap sums; returns the central ``level`` share.

    A few dozen test articles leave F1 uncertain by several points; the interval says how many.
    """
    import numpy as np

    if not 0 < level < 1 or resamples < 1:
        raise UsageError(f"f1_interval needs 0 < level < 1 and resamples >= 1, got {level!r}, {resamples!r}")
    # every article counts, those without spans on either side too (they are drawn like the rest)
    articles = sorted({str(k) for k in gold} | {str(k) for k in pred})
    if not articles:
        return 0.0, 0.0
    index = {a: i for i, a in enumerate(articles)}
    rows = np.zeros((len(articles), 4))
    for key, *sums in _key_sums(gold, pred, labelled):
        rows[index[key[0]]] += sums
    draws = np.random.default_rng(seed).integers(0, len(articles), size=(resamples, len(articles)))
    p_sum, n_pred, r_sum, n_gold = (rows[draws, k].sum(1) for k in range(4))
    precision = np.divide(p_sum, n_pred, out=np.zeros(resamples), where=n_pred > 0)
    recall = np.divide(r_sum, n_gold, out=np.zeros(resamples), where=n_gold > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros(resamples), where=both > 0)
    lo, hi = np.quantile(f1, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)
