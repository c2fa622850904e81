"""The article vector the genre and framing heads read; training and runtime both build it here.

``[mean of the L2-normalised sentence embeddings, style features]``. The style
features are cheap counts the embedding average loses: how much of the article
is quoted or reported speech (reporting), first and second person, questions
and exclamations (opinion), sentence and article length, and how check-worthy
its sentences are on average.
"""
from __future__ import annotations

import re

import numpy as np

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
