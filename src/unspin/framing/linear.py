"""Linear heads in numpy: softmax (genre) and per-label sigmoid (frames) regression with L2,
fitted by full-batch Adam (convex, a few hundred articles: well under a second), and the
feature standardisation stored with them. Weights are written as JSON, never pickled."""
from __future__ import annotations

import numpy as np


def standardizer(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, scale)`` per column; constant columns get scale 1."""
    mean = X.mean(0)
    scale = X.std(0)
    scale[scale < 1e-6] = 1.0
    return mean, scale


def _adam(grad, shapes, steps: int, lr: float):
    params = [np.zeros(s) for s in shapes]
    m = [np.zeros(s) for s in shapes]
    v = [np.zeros(s) for s in shapes]
    for t in range(1, steps + 1):
        for k, g in enumerate(grad(*params)):
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            params[k] -= lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    return params


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def fit_softmax(X: np.ndarray, y: np.ndarray, n_classes: int, l2: float = 1.0, balanced: bool = True,
                steps: int = 600, lr: float = 0.05, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression: ``(W [n_classes, d], b [n_classes])``. ``balanced``
    weighs each example by ``n / (n_classes_seen * count(class))`` (the imbalance of genres);
    ``sample_weight`` (one per example) replaces that weighting."""
    n, d = X.shape
    Y = np.eye(n_classes)[y]
    counts = Y.sum(0)
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=float)
    elif balanced:
        seen = max(int((counts > 0).sum()), 1)
        w = (n / (seen * np.maximum(counts, 1)))[y]
    else:
        w = np.ones(n)
    w = w / w.sum()

    def grad(W, b):
        P = softmax(X @ W.T + b)
        G = (P - Y) * w[:, None]
        return G.T @ X + l2 * W / n, G.sum(0)

    W, b = _adam(grad, [(n_classes, d), (n_classes,)], steps, lr)
    return W, b


def fit_sigmoid(X: np.ndarray, Y: np.ndarray, l2: float = 1.0, steps: int = 600,
                lr: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per column of the 0/1 matrix ``Y``: ``(W [k, d], b [k])``."""
    n, d = X.shape
    k = Y.shape[1]

    def grad(W, b):
        G = (sigmoid(X @ W.T + b) - Y) / n
        return G.T @ X + l2 * W / n, G.sum(0)

    W, b = _adam(grad, [(k, d), (k,)], steps, lr)
    return W, b
