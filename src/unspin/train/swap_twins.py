"""Actor-swapped twins of training articles for the technique tagger's even-handedness.

:func:`swap_twins` makes a copy of every article that names swappable actors
(:data:`unspin.techniques.symmetry.PAIRS`) with the actors swapped and its spans mapped.
With ``swap_consistency`` the trainer batches each window with the same window of its
twin (:func:`twin_starts`, :func:`fill_batches`) and compares their outputs on the
wordpieces that start at the same place (:func:`twin_alignment`, :func:`twin_positions`).
With ``dropout_consistency`` a window without a twin is batched with itself instead, so the
two rows differ only in their dropout draws (R-Drop), compared word for word
(:func:`self_positions`).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .corpora import LabelledArticle


class Twin(NamedTuple):
    """An original article's swapped copy as the trainer batches it."""

    index: int          # the copy's position among the training records
    align: np.ndarray   # per original piece: the copy's piece that starts at the same place, or -1
    starts: np.ndarray  # per original piece: where the copy's window begins when the original's begins there


def swap_twins(records: list[LabelledArticle]) -> list[tuple[int, LabelledArticle, object]]:
    """``(index of the original, swapped copy, Swapped)`` for each record that names
    swappable actors: the copy has the actors swapped (Russia <-> United States, ...)
    and the spans mapped, so the model sees each technique used by both sides."""
    from ..techniques.symmetry import swap_actors, swap_spans

    out = []
    for i, r in enumerate(records):
        sw = swap_actors(r.text)
        if sw.replaced:
            copy = LabelledArticle(r.id + "-swapped", r.corpus, r.language, sw.text, swap_spans(r.spans, sw))
            out.append((i, copy, sw))
    return out


def swapped_copies(records: list[LabelledArticle]) -> list[LabelledArticle]:
    """The swapped copies of :func:`swap_twins`."""
    return [copy for _i, copy, _sw in swap_twins(records)]


def twin_alignment(orig_offsets: np.ndarray, twin_offsets: np.ndarray, sw) -> np.ndarray:
    """For each wordpiece of an original text, the index of the wordpiece that starts at
    the same place of its swapped twin, or -1 (inside a swapped name, or no such piece)."""
    align = np.full(len(orig_offsets), -1, dtype=np.int64)
    if not len(orig_offsets) or not len(twin_offsets):
        return align
    twin_starts = twin_offsets[:, 0]
    for i, (start, end) in enumerate(orig_offsets):
        if any(a < end and b > start for a, b in sw.replaced):
            continue
        target = sw.map_offset(int(start))
        j = int(np.searchsorted(twin_starts, target))
        if j < len(twin_starts) and twin_starts[j] == target:
            align[i] = j
    return align


def twin_starts(orig_offsets: np.ndarray, twin_offsets: np.ndarray, sw) -> np.ndarray:
    """For each wordpiece of an original text, where its twin's window begins when the
    original's window begins there: the first twin piece at or after the mapped position
    (a piece inside a swapped name maps to the start of the counterpart name)."""
    if not len(orig_offsets):
        return np.zeros(0, dtype=np.int64)
    mapped = [sw.map_offset(int(c)) for c in orig_offsets[:, 0]]
    starts = np.searchsorted(twin_offsets[:, 0], mapped) if len(twin_offsets) else np.zeros(len(mapped))
    return np.minimum(starts, max(0, len(twin_offsets) - 1)).astype(np.int64)


def with_twin(window: tuple[int, int], pairing: dict[int, Twin], self_pair: bool = False) -> list[tuple[int, int]]:
    """A batching unit: the window ``(article, start)`` and, when the article has a twin,
    the twin's matching window; without one, with ``self_pair``, the window twice."""
    twin = pairing.get(window[0])
    if twin is None:
        return [window, window] if self_pair else [window]
    return [window, (twin.index, int(twin.starts[window[1]]))]


def fill_batches(units: list[list[tuple[int, int]]], size: int) -> list[list[list[tuple[int, int]]]]:
    """Batches of at most ``size`` windows from consecutive units (a window, or a window and
    its swapped twin, which stay in one batch)."""
    batches, current, rows = [], [], 0
    for unit in units:
        if current and rows + len(unit) > size:
            batches.append(current)
            current, rows = [], 0
        current.append(unit)
        rows += len(unit)
    if current:
        batches.append(current)
    return batches


def twin_positions(units, pairing: dict[int, Twin], lengths: list[int], body: int) -> tuple[np.ndarray, np.ndarray]:
    """``(row, column)`` batch positions of original pieces and of the twin pieces aligned
    with them, for the units of one batch laid out row after row ([CLS] at column 0)."""
    here, there, row = [], [], 0
    for unit in units:
        if len(unit) == 2 and unit[0] != unit[1]:  # a window paired with itself is no twin
            (a, s), (p, s2) = unit
            n, n2 = min(body, lengths[a] - s), min(body, lengths[p] - s2)
            align = pairing[a].align[s:s + n]
            cols = np.nonzero((align >= s2) & (align < s2 + n2))[0]
            here += [(row, c + 1) for c in cols]
            there += [(row + 1, int(align[c]) - s2 + 1) for c in cols]
        row += len(unit)
    return np.array(here, dtype=np.int64).reshape(-1, 2), np.array(there, dtype=np.int64).reshape(-1, 2)


def self_positions(units, lengths: list[int], body: int) -> tuple[np.ndarray, np.ndarray]:
    """``(row, column)`` batch positions of the pieces of each window batched with itself
    (:func:`with_twin` with ``self_pair``) and of the same pieces in its second row."""
    here, row = [], 0
    for unit in units:
        if len(unit) == 2 and unit[0] == unit[1]:
            a, s = unit[0]
            here += [(row, c) for c in range(1, min(body, lengths[a] - s) + 1)]
        row += len(unit)
    here = np.array(here, dtype=np.int64).reshape(-1, 2)
    return here, here + np.array([1, 0], dtype=np.int64)
