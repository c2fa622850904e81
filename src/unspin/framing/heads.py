"""The shipped genre and framing heads (``heads.json``) and their predictions.

``heads.json``: ``features`` (the style feature names and the embedding size the
heads expect), ``mean``/``scale`` (standardisation of the article vector),
``genre`` ``{labels, weights, bias}`` (softmax) and ``frames`` ``{labels,
weights, bias, threshold}`` (one sigmoid per frame; a frame is reported when its
score reaches ``threshold``, chosen by cross-validation on the training articles).
The frames head reads the sentence embeddings of the shared sentence model
(:mod:`unspin.claims.model`), so that model must be installed too.

The genre head says what it reads in ``genre.inputs``: ``"genre_vector"`` (style
and layer features, :func:`unspin.framing.features.genre_vector`, with its own
``genre.features``: the names of the entries it reads, ``genre.mean`` and ``genre.scale``) or, in heads written before
it existed, the article vector. ``genre.train_counts`` and
``genre.min_label_articles`` keep a genre the heads saw too rarely to learn (English
satire: 2 articles) from being output as the label; its score is still reported.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .features import LAYER_FEATURES, LAYER_SOURCES, STYLE_FEATURES, genre_columns
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
        genre = heads["genre"]
        self.genre_inputs = genre.get("inputs", "article_vector")
        self.genre_columns, self.genre_layers = None, set(LAYER_SOURCES)
        if self.genre_inputs == "genre_vector":
            known = list(STYLE_FEATURES + LAYER_FEATURES)
            names = list(genre.get("features", ()))
            if not names or any(n not in known for n in names):
                raise ModelError(f"the genre head was trained on features {names}, this unspin "
                                 f"computes {known}; rebuild it with 'unspin train framing'")
            self.genre_columns = np.array(genre_columns(names))
            self.genre_layers = {layer for layer, feats in LAYER_SOURCES.items() if set(feats) & set(names)}
            self.genre_mean = np.asarray(genre["mean"], dtype=np.float64)
            self.genre_scale = np.asarray(genre["scale"], dtype=np.float64)
        elif self.genre_inputs == "article_vector":
            self.genre_mean, self.genre_scale = self.mean, self.scale
        else:
            raise ModelError(f"unknown genre inputs {self.genre_inputs!r} in heads.json; rebuild it with "
                             "'unspin train framing'")
        self.genre_labels = list(genre["labels"])
        counts = genre.get("train_counts") or {}
        floor = int(genre.get("min_label_articles", 0))
        self.genre_reportable = np.array([counts.get(lab, floor) >= floor for lab in self.genre_labels])
        if not self.genre_reportable.any():
            raise ModelError("heads.json allows no genre as label; rebuild it with 'unspin train framing'")
        self.genre_W = np.asarray(genre["weights"], dtype=np.float64)
        self.genre_b = np.asarray(genre["bias"], dtype=np.float64)
        self.frame_labels = list(heads["frames"]["labels"])
        self.frame_W = np.asarray(heads["frames"]["weights"], dtype=np.float64)
        self.frame_b = np.asarray(heads["frames"]["bias"], dtype=np.float64)
        self.frame_threshold = float(heads["frames"]["threshold"])
        sizes_differ = self.genre_columns is not None and len(self.genre_columns) != self.genre_W.shape[1]
        if sizes_differ or self.genre_mean.shape != (self.genre_W.shape[1],) or self.frame_W.shape[1] != self.mean.shape[0]:
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
        """Genre probabilities for the head's input vector (NaN entries, from absent layers,
        count as the training mean)."""
        x = np.asarray(x, dtype=np.float64)
        if self.genre_columns is not None and x.shape[-1] == len(STYLE_FEATURES + LAYER_FEATURES):
            x = x[..., self.genre_columns]  # a full genre vector: the features this head reads
        z = (x - self.genre_mean) / self.genre_scale
        return softmax(np.nan_to_num(z, nan=0.0) @ self.genre_W.T + self.genre_b)

    def frame_scores(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(self.standardize(x) @ self.frame_W.T + self.frame_b)

    def genre(self, x: np.ndarray, missing_layers: list[str] = ()) -> dict:
        """``{"label": best genre it may output, "scores": {genre: probability}}``, plus
        ``missing_layers`` when layers the head reads were absent (their features count as
        the training mean, so the label is less reliable)."""
        p = self.genre_scores(x)
        out = {"label": self.genre_labels[int(best_allowed(p, self.genre_reportable))],
               "scores": {lab: round(float(v), 4) for lab, v in zip(self.genre_labels, p)}}
        read = [m for m in missing_layers if m in self.genre_layers]
        if read and self.genre_inputs == "genre_vector":
            out["missing_layers"] = read
        return out

    def frames(self, x: np.ndarray) -> list[dict]:
        """``[{"label", "score"}]`` of the frames at or above the threshold, best first."""
        p = self.frame_scores(x)
        order = np.argsort(-p, kind="stable")
        return [{"label": self.frame_labels[j], "score": round(float(p[j]), 4)}
                for j in order if p[j] >= self.frame_threshold]


def best_allowed(p: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Index of the most probable class among the ``allowed`` ones (last axis)."""
    return np.where(allowed, p, -1.0).argmax(-1)


@lru_cache(maxsize=2)
def shared_heads(model_dir: str = str(DEFAULT_MODEL_DIR)) -> FramingHeads:
    return FramingHeads.load(model_dir)
