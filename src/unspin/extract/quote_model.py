"""The learned cue model of :mod:`.quote_cues`: is this word, with this complement, an attribution?

Fixed cue lists cannot tell "Cruz backed the bill" from "the data back the
claim", and most words PolNeAR annotates as cues are cues only some of the
time. So, when the model is there, :func:`.quote_cues.candidates` offers every
complement (clause, infinitive, object, each preposition, parenthetical) of
the verbs, nouns and adjectives in the model's vocabulary, and a logistic
regression over sparse string features of the candidate (the word and its
reading, the lexicon's own verdict, the source's entity type, tense, voice,
negation, the complement's shape and length, quote marks nearby, the word's
place in the sentence, how it nests with the lexicon's readings) and over the
context vectors spaCy's tok2vec gives the cue, complement and source tokens
(``doc.tensor``) gives the probability that its content is a PolNeAR
attribution content. Per cue word the likeliest reading is kept when it
reaches the model's threshold.

The weights live in ``unspin/data/quote_cue_model.json`` (trained by
``unspin train quotes`` on PolNeAR *train*, threshold chosen on a held-out
part of train); running it needs only spaCy and numpy. Without the file the
lexicon rules alone decide; a ``Doc`` without ``doc.tensor`` is scored on the
sparse features alone.

When the file has a ``stack`` entry and the cue encoder of
:mod:`.quote_encoder` is installed (``unspin/data/models/quotes``), each
candidate's logit is ``a * (this model's logit) + b * (the encoder's logit) + c``
with the stack's own threshold: the encoder reads the sentence, which the
regression cannot. ``UNSPIN_QUOTE_ENCODER=off`` (or a missing or mismatched
encoder, with a warning) leaves the regression alone with its own threshold.
"""
from __future__ import annotations

import functools
import json
import math
import os
import warnings
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Token

from .quote_lexicon import (
    CLAUSE_CUES,
    INFINITIVE_CUES,
    NAMED_OBJECT_CUES,
    NOUN_CUES,
    OBJECT_CUES,
    SPEECH_CUES,
)

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "quote_cue_model.json"
FORMAT = "unspin-quote-cue-model/1"

_PRONOUN = frozenset("i you he she it we they me him her us them this that who".split())
_WH = frozenset("what why how whether if who whom which when where".split())
_QUOTE_CHARS = frozenset("“”\"'‘’«»„‚`‹›")
_LEN_BUCKETS = ((1, "1"), (3, "2-3"), (7, "4-7"), (15, "8-15"), (30, "16-30"))


def _bucket(n: int) -> str:
    for top, name in _LEN_BUCKETS:
        if n <= top:
            return name
    return "31+"


def _subject_kind(subj: Token | None) -> str:
    if subj is None:
        return "none"
    if subj.lower_ in _PRONOUN:
        return "pron"
    if subj.ent_type_:
        return subj.ent_type_
    return subj.pos_


def _lists(lemma: str) -> str:
    """Which lexicon lists hold the lemma, as one short code."""
    return "".join(code for code, lex in (("C", CLAUSE_CUES), ("I", INFINITIVE_CUES), ("O", OBJECT_CUES),
                                          ("B", NAMED_OBJECT_CUES), ("S", SPEECH_CUES), ("N", NOUN_CUES))
                   if lemma in lex) or "-"


def cue_features(doc: Doc, c, blocked: list[tuple[int, int]]) -> list[str]:
    """Sparse string features of one candidate :class:`.quote_cues.Cued`; ``blocked`` are the
    character ranges of the direct quotations in the text."""
    t = doc[c.cue_token]
    lemma = t.lower_ if c.via in ("according", "colon") else t.lemma_.lower()
    via = c.via
    pos = t.pos_
    f = [f"v={via}", f"l={lemma}", f"lv={lemma}|{via}", f"vp={via}|{pos}", f"d={t.dep_}", f"dv={t.dep_}|{via}",
         f"t={t.tag_}", f"hp={t.head.pos_}|{t.dep_}", f"in={_lists(lemma)}|{via}"]
    if c.rule:
        f += ["rule", f"rule|{via}"]
    if c.prep:
        f += [f"pr={c.prep}|{via}", f"lpr={lemma}|{c.prep}"]
        if c.prep.startswith("+"):  # the completions of an alternative reading: "+for+ccomp"
            for part in c.prep[1:].split("+"):
                f += [f"ext={part}|{via}", f"lext={lemma}|{part}"]
    kind = _subject_kind(c.subject)
    if kind == "none" and t.tag_ == "VB" and t.dep_ == "ROOT":
        f.append("imperative")
    f += [f"s={kind}", f"sv={kind}|{via}", f"ls={lemma}|{kind}", f"ld={lemma}|{t.dep_}"]
    if c.subject is not None:
        f.append(f"sl={c.subject.lemma_.lower()}")
        if kind in ("NOUN", "pron"):
            f.append(f"sl={c.subject.lemma_.lower()}|{via}")
    for k in t.children:
        dep = k.dep_
        if dep == "nsubjpass":
            f += ["pass", f"lpass={lemma}"]
        elif dep == "neg":
            f += ["neg", f"lneg={lemma}"]
        elif dep == "aux" and k.tag_ == "MD":
            f.append(f"md={k.lower_}")
        elif dep == "prt":
            f.append(f"prt={lemma}|{k.lower_}")
    if 0 <= c.comp < len(doc):
        comp = doc[c.comp]
        cl = comp.lemma_.lower()
        f += [f"cp={comp.pos_}|{via}", f"ct={comp.tag_}", f"lcp={lemma}|{via}|{comp.pos_}", f"cl={cl}|{via}",
              f"lcl={lemma}|{cl}"]
        if comp.ent_type_:
            f.append(f"ce={comp.ent_type_}")
        if comp.pos_ == "PRON":
            f.append(f"cpr={comp.lower_}|{via}")
        for k in comp.children:
            if k.dep_ == "mark":
                f.append(f"mk={k.lower_}|{via}")
    a, b = c.content
    span = doc.char_span(a, b, alignment_mode="expand")
    n = len(span) if span is not None else 0
    f += [f"len={_bucket(n)}", f"lenv={_bucket(n)}|{via}"]
    if span is not None and n:
        first = span[0].lower_
        if first in _WH:
            f.append(f"wh={first}")
        if first in _QUOTE_CHARS or span[0].text[:1] in _QUOTE_CHARS:
            f.append("qfirst")
    f.append("after" if a >= t.idx else "before")
    held = [(qa, qb) for qa, qb in blocked if qa < b and a < qb]
    if held:
        covered = sum(min(qb, b) - max(qa, a) for qa, qb in held)
        f.append("q_all" if covered >= 0.8 * (b - a) else "q_part")
    sent = t.sent
    if any(qa < sent.end_char and sent.start_char < qb for qa, qb in blocked):
        f.append("q_sent")
    rel = (t.i - sent.start) / max(1, len(sent))
    f.append("sp=first" if t.i == sent.start else f"sp={int(rel * 4)}")
    if sent.start == 0:
        f.append("headline")
    return f


def nesting_features(doc: Doc, cands: list) -> list[list[str]]:
    """Per candidate, how it sits among the lexicon's own readings of the same sentence: inside the
    content of one ("said he [remembers] ..."), or holding one in its content."""
    out: list[list[str]] = [[] for _ in cands]
    by_sent: dict[int, list[int]] = {}
    for k, c in enumerate(cands):
        by_sent.setdefault(doc[c.cue_token].sent.start, []).append(k)
    for ks in by_sent.values():
        rules = [cands[k] for k in ks if cands[k].rule]
        if not rules:
            continue
        for k in ks:
            c = cands[k]
            for r in rules:
                if r.cue_token == c.cue_token:
                    continue
                if r.content[0] <= c.cue[0] < r.content[1]:
                    out[k].append(f"nest={r.via}|{c.via}")
                if c.content[0] <= r.cue[0] < c.content[1]:
                    out[k].append(f"holds={r.via}|{c.via}")
    return out


#: the tokens whose context vectors (spaCy's ``doc.tensor`` rows) feed the model: cue, complement, source
DENSE_SLOTS = ("cue", "comp", "subject")


def dense_rows(doc: Doc, c) -> list[int]:
    """Token indices of the :data:`DENSE_SLOTS` of a candidate (-1 where there is none)."""
    return [c.cue_token, c.comp if 0 <= c.comp < len(doc) else -1, c.subject.i if c.subject is not None else -1]


class CueModel:
    """A logistic regression over :func:`cue_features` (sparse weights) and, when ``dense`` is
    given, over the context vectors of the cue, complement and source tokens (``doc.tensor``
    rows, one weight vector per slot), with the vocabulary of words it may consider (``verbs``,
    ``nouns``, ``adjs``) and the acceptance ``threshold``. With a ``stack``
    (``{"weights": [a, b], "bias": c, "threshold": t, "encoder_id": ...}``) and an ``encoder``
    (:class:`.quote_encoder.CueEncoder`) the candidates are scored by the stacked logit and
    accepted at ``t`` (:attr:`cutoff`)."""

    def __init__(self, weights: dict[str, float], bias: float, threshold: float,
                 verbs=frozenset(), nouns=frozenset(), adjs=frozenset(), meta: dict | None = None,
                 dense: list[list[float]] | None = None, stack: dict | None = None, encoder=None):
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.verbs = frozenset(verbs)
        self.nouns = frozenset(nouns)
        self.adjs = frozenset(adjs)
        self.meta = meta or {}
        self.dense = dense
        self._dense = np.asarray(dense, dtype=np.float32) if dense else None
        self.stack = stack
        self.encoder = encoder

    @property
    def stacked(self) -> bool:
        return self.stack is not None and self.encoder is not None

    @property
    def cutoff(self) -> float:
        """The probability a candidate must reach: the stack's threshold when the encoder is on."""
        return float(self.stack["threshold"]) if self.stacked else self.threshold

    def logit(self, feats: list[str], doc: Doc | None = None, rows: list[int] | None = None) -> float:
        w = self.weights
        z = self.bias + sum(w.get(x, 0.0) for x in feats)
        if self._dense is not None and doc is not None and rows is not None:
            tensor = doc.tensor
            if getattr(tensor, "shape", (0,))[0] == len(doc) and tensor.shape[1] == self._dense.shape[1]:
                for slot, i in enumerate(rows):
                    if i >= 0:
                        z += float(tensor[i] @ self._dense[slot])
        return z

    def score_all(self, doc: Doc, cands: list, blocked: list[tuple[int, int]],
                  extras: list[list[str]] | None = None) -> list[float]:
        """Probabilities of all candidates of a ``Doc`` (stacked with the encoder's when it is on)."""
        extras = extras if extras is not None else [[] for _ in cands]
        z = np.array([self.logit(cue_features(doc, c, blocked) + list(x), doc, dense_rows(doc, c))
                      for c, x in zip(cands, extras, strict=True)], dtype=np.float64)
        if self.stacked and len(cands):
            z = self._stacked(doc, cands, blocked, z)
        return [_sigmoid(float(v)) for v in z]

    def _stacked(self, doc: Doc, cands: list, blocked: list[tuple[int, int]], z: np.ndarray) -> np.ndarray:
        """The stacked logits. With a ``gate`` in the stack (``{"impute": [alpha, beta], "band": [lo, hi]}``)
        only the sentences holding a candidate whose probability, with the encoder's logit imputed from
        the regression's (``alpha * z + beta``), falls inside the band are encoded; the other
        candidates keep the imputed logit (the encoder would not change their fate)."""
        a, b = self.stack["weights"]
        bias = self.stack["bias"]
        gate = self.stack.get("gate")
        if not gate:
            return a * z + b * self.encoder.logits(doc, cands, blocked).astype(np.float64) + bias
        alpha, beta = gate["impute"]
        out = a * z + b * (alpha * z + beta) + bias
        lo, hi = (math.log(p / (1 - p)) for p in gate["band"])
        sents = {doc[c.cue_token].sent.start for c, v in zip(cands, out, strict=True) if lo <= v <= hi}
        idx = [k for k, c in enumerate(cands) if doc[c.cue_token].sent.start in sents]
        if idx:
            enc = self.encoder.logits(doc, [cands[k] for k in idx], blocked).astype(np.float64)
            out[idx] = a * z[idx] + b * enc + bias
        return out

    def to_json(self) -> dict:
        out = {"format": FORMAT, "threshold": self.threshold, "bias": self.bias,
               "verbs": sorted(self.verbs), "nouns": sorted(self.nouns), "adjs": sorted(self.adjs),
               "meta": self.meta, "weights": self.weights, "dense": self.dense}
        if self.stack is not None:
            out["stack"] = self.stack
        return out

    @classmethod
    def from_json(cls, data: dict, encoder=None) -> CueModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a quote cue model: format {data.get('format')!r}")
        return cls(dict(data["weights"]), float(data["bias"]), float(data["threshold"]),
                   data.get("verbs", ()), data.get("nouns", ()), data.get("adjs", ()), data.get("meta"),
                   data.get("dense"), data.get("stack"), encoder)

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH, encoder_dir: str | Path | None = None) -> CueModel:
        """The model in ``path``; with ``encoder_dir``, its stack's cue encoder from there (a
        :class:`~unspin.errors.ModelError` when it is missing or is not the one the stack was fitted with)."""
        with open(path, encoding="utf-8") as fh:
            model = cls.from_json(json.load(fh))
        if encoder_dir is not None and model.stack is not None:
            model.encoder = load_encoder(encoder_dir, model.stack)
        return model


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


def load_encoder(encoder_dir: str | Path, stack: dict):
    from ..errors import ModelError
    from .quote_encoder import CueEncoder

    enc = CueEncoder(encoder_dir)
    if stack.get("encoder_id") and enc.model_id != stack["encoder_id"]:
        raise ModelError(f"the cue encoder in {encoder_dir} ({enc.model_id}) is not the one the cue model was "
                         f"stacked with ({stack['encoder_id']}); retrain both with 'unspin train quotes'")
    return enc


def encoder_enabled() -> bool:
    return os.environ.get("UNSPIN_QUOTE_ENCODER", "on").strip().lower() not in ("off", "0", "no", "false")


@functools.lru_cache(maxsize=1)
def default_model() -> CueModel | None:
    """The shipped model, or None when its file is missing or unreadable (the lexicon decides). Its
    cue encoder is attached unless ``UNSPIN_QUOTE_ENCODER=off``; when the encoder cannot be loaded
    the regression decides alone, with a warning."""
    try:
        model = CueModel.load(MODEL_PATH)
    except (OSError, ValueError, KeyError):
        return None
    if model.stack is not None and encoder_enabled():
        from ..errors import ModelError
        from .quote_encoder import DEFAULT_DIR

        try:
            model.encoder = load_encoder(DEFAULT_DIR, model.stack)
        except (ModelError, OSError, ValueError, ImportError) as exc:
            warnings.warn(f"quotes: cue encoder not used ({exc}); the cue regression decides alone", stacklevel=2)
    return model
