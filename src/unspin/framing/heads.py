"""The shipped genre and framing heads (``heads.json``) and their predictions.

``heads.json``: ``features`` (the style feature names and the embedding size the
heads expect), ``mean``/``scale`` (standardisation of the article vector),
``genre`` ``{labels, weights, bias}`` (softmax) and ``frames`` ``{labels,
weights, bias, threshold}`` (one sigmoid per frame; a frame is reported when its
score reaches ``threshold``, chosen by cross-validation on the training articles).
The heads read the sentence embeddings of the shared sentence model
(:mod:`unspin.claims.model`), so that model must be installed too.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .features import STYLE_FEATURES
from .linear import sigmoid, softmax

#: Where the shipped heads live (inside the package).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "models" / "framing"


def model_available(model_dir: str | Path = DEFAULT_MODEL_DIR) -> bool:
    from ..claims.model import model_available as encoder_available

    return (Path(model_dir) / "heads.json").is_file() and encoder_available()


class FramingHeads:
    """Genre and frames from an article vector (:func:`unspin.framing.features.article_vector`)."""

    def __init__(self, heads: dict):
        self.heads = heads
        self.mean = np.asarray(heads["mean"], dtype=np.float64)
        self.scale = np.asarray(heads["scale"], dtype=np.float64)
        style = tuple(heads["features"]["style"])
        if style != STYLE_FEATURES:
            raise ModelError(f"heads were trained on style features {style}, this unspin computes "
                             f"{STYLE_FEATURES}; rebuild them with 'unspin train framing'")
        self.genre_labels = list(heads["genre"]["labels"])
        self.genre_W = np.asarray(heads["genre"]["weights"], dtype=np.float64)
        self.genre_b = np.asarray(heads["genre"]["bias"], dtype=np.float64)
        self.frame_labels = list(heads["frames"]["labels"])
        self.frame_W = np.asarray(heads["frames"]["weights"], dtype=np.float64)
        self.frame_b = np.asarray(heads["frames"]["bias"], dtype=np.float64)
        self.frame_threshold = float(heads["frames"]["threshold"])
        if self.mean.shape != (self.genre_W.shape[1],) or self.frame_W.shape[1] != self.mean.shape[0]:
            raise ModelError("heads.json is inconsistent (weights and standardisation differ in size); "
                             "rebuild it with 'unspin train framing'")

    @classmethod
    def load(cls, model_dir: str | Path = DEFAULT_MODEL_DIR) -> FramingHeads:
        path = Path(model_dir) / "heads.json"
        if not path.is_file():
            raise ModelError(f"no genre/framing heads at {path}; reinstall unspin or rebuild them with "
                             "'unspin train framing'")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def standardize(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.mean) / self.scale

    def genre_scores(self, x: np.ndarray) -> np.ndarray:
        return softmax(self.standardize(x) @ self.genre_W.T + self.genre_b)

    def frame_scores(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(self.standardize(x) @ self.frame_W.T + self.frame_b)

    def genre(self, x: np.ndarray) -> dict:
        """``{"label": best genre, "scores": {genre: probability}}``."""
        p = self.genre_scores(x)
        return {"label": self.genre_labels[int(np.argmax(p))],
                "scores": {lab: round(float(v), 4) for lab, v in zip(self.genre_labels, p)}}

    def frames(self, x: np.ndarray) -> list[dict]:
        """``[{"label", "score"}]`` of the frames at or above the threshold, best first."""
        p = self.frame_scores(x)
        order = np.argsort(-p, kind="stable")
        return [{"label": self.frame_labels[j], "score": round(float(p[j]), 4)}
                for j in order if p[j] >= self.frame_threshold]


@lru_cache(maxsize=2)
def shared_heads(model_dir: str = str(DEFAULT_MODEL_DIR)) -> FramingHeads:
    return FramingHeads.load(model_dir)
