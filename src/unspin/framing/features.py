"""The vectors the genre and framing heads read; training and runtime both build them here.

* The frames head reads the *article vector*: ``[mean of the L2-normalised
  sentence embeddings, style features]``. The style features are cheap counts the
  embedding average loses: how much of the article is quoted or reported speech
  (reporting), first and second person, questions and exclamations (opinion),
  sentence and article length, and how check-worthy its sentences are on average.
* The genre head reads the *genre vector*: ``[style features, layer features]``.
  The layer features (:data:`LAYER_FEATURES`) summarise what the other stages
  found: technique density by category (opinion pieces carry about twice the
  loaded language of reporting), quotations and quoted share, attributed / hedged /
  asserted sentences, numbers, entities and check-worthiness. With 30 reporting
  articles to learn from, these 32 numbers generalise where the 384 embedding
  dimensions over-fit (5-fold CV reporting F1 0.30 against 0.10). The shipped head
  reads a subset of them (``genre.features`` in ``heads.json``; the trainer's
  ``genre_layers``): not the technique features, so that a retrained technique
  model cannot move genre.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

import numpy as np

from ..techniques.taxonomy import CATEGORIES

STYLE_FEATURES = ("quote_share", "said_share", "first_person", "second_person", "question_share",
                  "exclaim_share", "log_sentence_words", "log_words", "mean_claim_logit")

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
_QUOTE = re.compile("[\"“”«»]")
_SAID = re.compile(r"\b(?:said|says|told|according to|stated|announced|reported|added)\b", re.IGNORECASE)
_FIRST = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"})
_SECOND = frozenset({"you", "your", "yours", "yourself", "yourselves"})


def style_features(sentences: list[str], logits) -> np.ndarray:
    """:data:`STYLE_FEATURES` for an article given as its sentences' texts."""
    n = max(len(sentences), 1)
    words = [[w.lower() for w in _WORD.findall(s)] for s in sentences]
    n_words = sum(len(w) for w in words)
    per_word = max(n_words, 1)
    logits = np.asarray(logits, dtype=np.float64)
    return np.array([
        sum(bool(_QUOTE.search(s)) for s in sentences) / n,
        sum(bool(_SAID.search(s)) for s in sentences) / n,
        sum(w in _FIRST for ws in words for w in ws) / per_word * 10,
        sum(w in _SECOND for ws in words for w in ws) / per_word * 10,
        sum("?" in s for s in sentences) / n,
        sum("!" in s for s in sentences) / n,
        np.log1p(n_words / n),
        np.log1p(n_words),
        float(logits.mean()) if logits.size else 0.0,
    ], dtype=np.float32)


def article_vector(sentences: list[str], logits, embeddings) -> np.ndarray:
    """The heads' input for one article: sentence texts, their claim logits and embeddings."""
    emb = np.asarray(embeddings, dtype=np.float32)
    if emb.ndim != 2 or len(emb) != len(sentences):
        raise ValueError(f"need one embedding row per sentence, got shape {emb.shape} for {len(sentences)} sentences")
    if len(emb):
        emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-6)
        mean = emb.mean(0)
    else:
        mean = np.zeros(emb.shape[1], dtype=np.float32)
    return np.concatenate([mean, style_features(sentences, logits)]).astype(np.float32)


#: which layer each group of :data:`LAYER_FEATURES` comes from
LAYER_SOURCES: dict[str, tuple[str, ...]] = {
    "techniques": ("technique_density", "technique_mean_score") + tuple(f"category_{c}" for c in CATEGORIES),
    "quotes": ("quote_density", "quoted_char_share", "direct_density", "indirect_density", "speaker_density"),
    "statements": ("attributed_share", "hedged_share", "asserted_share"),
    "quantities": ("quantity_density",),
    "entities": ("entity_density", "person_density", "org_density", "place_density"),
    "claims": ("mean_checkworthiness", "checkworthy_share"),
}
#: the genre head's layer features, in vector order ("density": per 1,000 words)
LAYER_FEATURES: tuple[str, ...] = tuple(f for group in LAYER_SOURCES.values() for f in group)

def layer_features(text: str, layers: Mapping[str, list]) -> tuple[np.ndarray, list[str]]:
    """:data:`LAYER_FEATURES` of an article from its layers (lists of :class:`unspin.model.Span`),
    and the names of the source layers that are absent (their features are left NaN so the
    head can put its training mean in their place)."""
    per_k = 1000.0 / max(len(_WORD.findall(text)), 1)
    out: dict[str, float] = {}
    missing = [name for name in LAYER_SOURCES if name not in layers]
    if "techniques" in layers:
        spans = layers["techniques"]
        by_cat = Counter(s.attrs.get("category") for s in spans)
        out["technique_density"] = len(spans) * per_k
        out["technique_mean_score"] = float(np.mean([s.score or 0.0 for s in spans])) if spans else 0.0
        out.update({f"category_{c}": by_cat.get(c, 0) * per_k for c in CATEGORIES})
    if "quotes" in layers:
        spans = layers["quotes"]
        kinds = Counter(s.attrs.get("kind") for s in spans)
        out["quote_density"] = len(spans) * per_k
        out["quoted_char_share"] = sum(s.end - s.start for s in spans) / max(len(text), 1)
        out["direct_density"] = kinds.get("direct", 0) * per_k
        out["indirect_density"] = kinds.get("indirect", 0) * per_k
        out["speaker_density"] = len({s.attrs.get("speaker") for s in spans if s.attrs.get("speaker")}) * per_k
    if "statements" in layers:
        labels = Counter(s.label for s in layers["statements"])
        n = max(len(layers["statements"]), 1)
        out.update({f"{k}_share": labels.get(k, 0) / n for k in ("attributed", "hedged", "asserted")})
    if "quantities" in layers:
        out["quantity_density"] = len(layers["quantities"]) * per_k
    if "entities" in layers:
        types = Counter(s.label for s in layers["entities"])
        out["entity_density"] = len(layers["entities"]) * per_k
        out["person_density"] = types.get("PERSON", 0) * per_k
        out["org_density"] = types.get("ORG", 0) * per_k
        out["place_density"] = types.get("GPE", 0) * per_k
    if "claims" in layers:
        cw = [float(s.attrs.get("checkworthiness", s.score or 0.0)) for s in layers["claims"]]
        out["mean_checkworthiness"] = float(np.mean(cw)) if cw else 0.0
        out["checkworthy_share"] = float(np.mean([bool(s.attrs.get("checkworthy")) for s in layers["claims"]])) if cw else 0.0
    return np.array([out.get(f, np.nan) for f in LAYER_FEATURES], dtype=np.float64), missing


def genre_columns(names) -> list[int]:
    """Positions of the named features in the genre vector (:func:`genre_vector`)."""
    full = STYLE_FEATURES + LAYER_FEATURES
    return [full.index(n) for n in names]


def genre_vector(sentences: list[str], logits, text: str, layers: Mapping[str, list]) -> tuple[np.ndarray, list[str]]:
    """The genre head's input: style features and :func:`layer_features`, and the absent layers."""
    lf, missing = layer_features(text, layers)
    return np.concatenate([style_features(sentences, logits).astype(np.float64), lf]), missing
