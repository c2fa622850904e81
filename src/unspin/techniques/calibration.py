"""Calibrated span scores: isotonic regression (pool adjacent violators) stored as knots,
and the expected calibration error used to report it."""
from __future__ import annotations

import numpy as np


def fit_isotonic(scores, outcomes, min_bin: int = 10) -> dict:
    """Fit a non-decreasing map from raw score to probability of being right.

    Returns ``{"x": [...], "y": [...]}`` knots for :func:`apply`; blocks hold at
    least ``min_bin`` examples so a handful of spans cannot pin a probability to 0 or 1.
    """
    s = np.asarray(scores, dtype=float)
    o = np.asarray(outcomes, dtype=float)
    if len(s) == 0:
        return {"x": [0.0, 1.0], "y": [0.0, 1.0]}
    order = np.argsort(s, kind="mergesort")
    s, o = s[order], o[order]
    # initial blocks of min_bin examples, then pool adjacent violators
    blocks = [[o[i:i + min_bin].sum(), len(o[i:i + min_bin]), s[i:i + min_bin].mean()]
              for i in range(0, len(o), min_bin)]
    if len(blocks) > 1 and blocks[-1][1] < min_bin:
        last = blocks.pop()
        blocks[-1] = [blocks[-1][0] + last[0], blocks[-1][1] + last[1],
                      (blocks[-1][2] * blocks[-1][1] + last[2] * last[1]) / (blocks[-1][1] + last[1])]
    stack: list[list[float]] = []
    for b in blocks:
        stack.append(list(b))
        while len(stack) > 1 and stack[-2][0] / stack[-2][1] >= stack[-1][0] / stack[-1][1]:
            top = stack.pop()
            prev = stack[-1]
            prev[2] = (prev[2] * prev[1] + top[2] * top[1]) / (prev[1] + top[1])
            prev[0] += top[0]
            prev[1] += top[1]
    xs = [float(b[2]) for b in stack]
    ys = [float(b[0] / b[1]) for b in stack]
    return {"x": xs, "y": ys}


def apply(knots: dict, scores) -> np.ndarray:
    """Calibrated probabilities for raw ``scores`` (linear between knots, flat outside)."""
    x, y = knots["x"], knots["y"]
    if len(x) == 1:
        return np.full(np.shape(scores), y[0], dtype=float)
    return np.interp(np.asarray(scores, dtype=float), x, y)


def expected_calibration_error(probs, outcomes, bins: int = 10) -> float:
    """ECE with ``bins`` equal-width bins: sum over bins of |accuracy - confidence| x share."""
    p = np.asarray(probs, dtype=float)
    o = np.asarray(outcomes, dtype=float)
    if len(p) == 0:
        return 0.0
    idx = np.minimum((p * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            ece += sel.mean() * abs(o[sel].mean() - p[sel].mean())
    return float(ece)
