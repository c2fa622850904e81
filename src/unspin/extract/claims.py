"""Claims worth checking: the ``claims`` layer.

One span per sentence of the ``sentences`` layer that has at least
:data:`MIN_WORDS` words, labelled ``checkworthy`` or ``not_checkworthy``:

* ``score`` and ``checkworthiness``: calibrated probability that a fact-checker
  would want to check the sentence (the shipped sentence model,
  :mod:`unspin.claims.model`, trained on CheckThat! 2024 task 1 English);
* ``checkworthy``: ``checkworthiness >= threshold`` (threshold chosen on dev);
* ``rank``: 1 for the most check-worthy claim of the article, 2 for the next, ...;
* ``quantity_ids``, ``entity_ids``, ``quote_ids``: indices into the
  ``quantities``, ``entities`` and ``quotes`` layers of the spans that overlap
  the claim (relations point at spans, they do not copy text);
* ``statement`` (``attributed`` / ``hedged`` / ``asserted``), ``source`` and
  ``hedges``: the sentence's entry of the ``statements`` layer, so the
  ``unspin_statements`` and ``unspin_quantities`` components must run first.

The component also leaves the sentence embeddings in ``doc.user_data`` for the
genre and framing heads (:mod:`unspin.framing`), so the encoder runs once.
"""
import re
from bisect import bisect_left

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..claims.model import DEFAULT_MODEL_DIR, shared_model
from ..model import Span
from .layers import doc_text, get_layer, set_layer

#: sentences with fewer words ("Photo: Reuters") are no claims
MIN_WORDS = 3
#: where the component leaves ``(sentence indices, logits, embeddings)`` for later stages
EMBEDDINGS_KEY = "unspin_sentence_embeddings"

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def candidate_sentences(text: str, sentences: list[Span]) -> list[int]:
    """Indices of the sentences that can hold a claim (at least :data:`MIN_WORDS` words)."""
    return [i for i, s in enumerate(sentences) if len(_WORD.findall(text[s.start:s.end])) >= MIN_WORDS]


def overlapping(spans: list[Span], start: int, end: int) -> list[int]:
    """Indices of the spans (sorted by start) that overlap ``[start, end)``."""
    starts = [s.start for s in spans]
    hi = bisect_left(starts, end)
    return [k for k in range(hi) if spans[k].end > start]


def claim_spans(text: str, sentences: list[Span], probs, threshold: float,
                layers: dict[str, list[Span]]) -> list[Span]:
    """The ``claims`` layer for ``sentences`` with check-worthiness ``probs`` (one per
    sentence), linked to the spans of ``layers`` (``quantities``, ``entities``,
    ``quotes``, ``statements``; any may be missing)."""
    probs = [float(p) for p in probs]
    if len(probs) != len(sentences):
        raise ValueError(f"need one probability per sentence, got {len(probs)} for {len(sentences)}")
    order = sorted(range(len(sentences)), key=lambda i: (-probs[i], sentences[i].start))
    rank = {i: r + 1 for r, i in enumerate(order)}
    statements = {(s.start, s.end): s for s in layers.get("statements", [])}
    out = []
    for i, (sent, p) in enumerate(zip(sentences, probs)):
        a, b = sent.start, sent.end
        st = statements.get((a, b))
        attrs = {
            "checkworthiness": round(p, 4),
            "checkworthy": p >= threshold,
            "rank": rank[i],
            "quantity_ids": overlapping(layers.get("quantities", []), a, b),
            "entity_ids": overlapping(layers.get("entities", []), a, b),
            "quote_ids": overlapping(layers.get("quotes", []), a, b),
            "statement": st.label if st else None,
            "source": st.attrs.get("source") if st else None,
            "hedges": list(st.attrs.get("hedges", [])) if st else [],
        }
        out.append(Span(a, b, "checkworthy" if p >= threshold else "not_checkworthy", p, attrs))
    return out


def ranked(claims: list[Span]) -> list[Span]:
    """Claims from the most to the least check-worthy."""
    return sorted(claims, key=lambda s: (s.attrs.get("rank", 0) or 0, s.start))


class ClaimFinder:
    def __init__(self, model_dir: str = str(DEFAULT_MODEL_DIR)):
        self.model_dir = model_dir
        self._model = None  # loaded on first use, so adding the component costs nothing

    def __call__(self, doc: Doc) -> Doc:
        if self._model is None:
            self._model = shared_model(self.model_dir)
        text = doc_text(doc)
        sentences = get_layer(doc, "sentences")
        keep = candidate_sentences(text, sentences)
        out = self._model.run([text[sentences[i].start:sentences[i].end] for i in keep])
        doc.user_data[EMBEDDINGS_KEY] = (keep, out.logits, out.embeddings)
        probs = self._model.checkworthiness(out.logits) if keep else np.zeros(0)
        layers = {name: get_layer(doc, name) for name in ("quantities", "entities", "quotes", "statements")}
        set_layer(doc, "claims", claim_spans(text, [sentences[i] for i in keep], probs, self._model.threshold, layers))
        return doc


@Language.factory("unspin_claims", default_config={"model_dir": str(DEFAULT_MODEL_DIR)})
def make_claim_finder(nlp: Language, name: str, model_dir: str) -> ClaimFinder:
    """Layer ``claims`` (after ``unspin_statements`` and ``unspin_quantities``)."""
    return ClaimFinder(model_dir)
