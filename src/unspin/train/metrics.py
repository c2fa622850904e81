"""Small numpy metrics and fits shared by the claim and framing trainers."""
from __future__ import annotations

import numpy as np


def prf(pred, gold) -> dict:
    """Precision, recall, F1 of the positive class for 0/1 arrays (any shape: micro-averaged)."""
    p = np.asarray(pred, dtype=bool)
    g = np.asarray(gold, dtype=bool)
    tp = int((p & g).sum())
    n_pred, n_gold = int(p.sum()), int(g.sum())
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"p": round(prec, 4), "r": round(rec, 4), "f1": round(f1, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def per_class_f1(pred, gold, labels: list[str]) -> dict[str, float]:
    """F1 of each class for integer class arrays."""
    pred, gold = np.asarray(pred), np.asarray(gold)
    return {lab: prf(pred == k, gold == k)["f1"] for k, lab in enumerate(labels)}


def macro_f1(pred, gold, labels: list[str], present_only: bool = False) -> float:
    """Mean per-class F1; ``present_only`` averages over the classes seen in gold or predictions
    (scikit-learn's default), else over all ``labels``."""
    f1 = per_class_f1(pred, gold, labels)
    seen = set(np.asarray(pred).tolist()) | set(np.asarray(gold).tolist())
    keys = [lab for k, lab in enumerate(labels) if k in seen] if present_only else labels
    return round(float(np.mean([f1[k] for k in keys])), 4) if keys else 0.0


def best_threshold(scores, gold, candidates=None) -> tuple[float, float]:
    """``(threshold, F1)`` maximising positive-class F1 of ``scores >= threshold`` (ties: the
    lowest such threshold). Works on 1-d or multi-label 2-d arrays (micro F1)."""
    s = np.asarray(scores, dtype=float)
    g = np.asarray(gold, dtype=bool)
    if candidates is None:
        candidates = np.unique(np.round(s, 4))
    best = (0.5, -1.0)
    for t in candidates:
        f = prf(s >= t, g)["f1"]
        if f > best[1]:
            best = (float(t), f)
    return best


def fit_platt(logits, outcomes, steps: int = 100) -> dict:
    """Platt scaling ``p = sigmoid(a * logit + b)`` fitted by Newton's method (log loss)."""
    z = np.asarray(logits, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    a, b = 1.0, 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a * z + b)))
        w = np.maximum(p * (1 - p), 1e-9)
        g = np.array([((p - y) * z).sum(), (p - y).sum()])
        H = np.array([[(w * z * z).sum(), (w * z).sum()], [(w * z).sum(), w.sum()]]) + 1e-6 * np.eye(2)
        step = np.linalg.solve(H, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return {"a": round(float(a), 6), "b": round(float(b), 6)}
