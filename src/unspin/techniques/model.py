"""The shipped technique detector, run with onnxruntime (no training stack needed).

A model directory holds ``model.onnx`` (a token classifier: wordpiece ids,
per-token features and, in models exported before the mask was dropped, an
attention mask in, per-token sigmoid probabilities for each technique out),
``tokenizer.json`` and ``config.json`` (labels, window sizes, per-technique
thresholds, score calibration, metrics). The windows of one article all have the
same length, so no batch is ever padded and the exported graph needs no mask
(:func:`unspin.train.onnx_export.drop_attention_mask`).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..hardware import threads_setting
from ..model import Span
from . import calibration
from .decode import combine, decode_any_spans, decode_spans, snap_to_sentences, supported_spans
from .features import Encoded, build_batch, encode, sentence_starts, window_starts
from .masking import masked_for

#: Windows per onnxruntime run in models trained (or retuned) since the mask was dropped: the int8
#: graph quantizes a run's activations with one scale, so one window at a time gives each window the
#: same output whatever windows share its article, and runs faster on CPUs whose caches hold one
#: window's attention (1.25x on the technique model alone, AMX Xeon). Older models recorded nothing
#: and keep the 8 their thresholds were chosen with.
INFERENCE_BATCH = 1
#: where models trained (or retuned, or given ``unspin train techniques --anchor-windows``) now place their
#: windows: each after the first at a sentence start (:func:`.features.window_starts`), so an edit that
#: changes an article's length in tokens moves only the windows it falls in; older models recorded nothing
#: and keep windows every ``stride`` tokens ("none")
WINDOW_ANCHOR = "sentence"
#: how models trained (or retuned, or given ``--anchor-windows``) now end an article: "short", a last
#: window that starts where the next window would and stops at the end (it used to be a whole window
#: ending with the article, "full", which repeated most of the window before it and moved with every
#: edit that changed the article's length)
TAIL_WINDOW = "short"

#: Where the shipped model lives (inside the package).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "models" / "techniques"


def model_available(model_dir: str | Path = DEFAULT_MODEL_DIR) -> bool:
    d = Path(model_dir)
    return (d / "model.onnx").is_file() and (d / "config.json").is_file() and (d / "tokenizer.json").is_file()


class TechniqueModel:
    """Loads once; :meth:`predict` gives technique spans with calibrated scores."""

    def __init__(self, model_dir: str | Path = DEFAULT_MODEL_DIR, threads: int | None = None,
                 onnx_file: str = "model.onnx"):
        self.dir = Path(model_dir)
        if not model_available(self.dir):
            raise ModelError(
                f"no technique model in {self.dir} (needs model.onnx, config.json, tokenizer.json); "
                "reinstall unspin or rebuild it with 'unspin train techniques'"
            )
        import onnxruntime as ort

        self.config = json.loads((self.dir / "config.json").read_text(encoding="utf-8"))
        self.labels: list[str] = list(self.config["labels"])
        self.thresholds = np.array([self.config["thresholds"].get(lab, 0.5) for lab in self.labels])
        self.body = int(self.config["max_len"]) - 2
        self.stride = int(self.config.get("stride", self.body * 3 // 4))
        self.batch = int(self.config.get("inference_batch", 8))
        # "sentence": windows start at sentence starts (features.window_starts); older models: every stride tokens
        self.window_anchor = str(self.config.get("window_anchor", "none"))
        # "short": the last window starts where the next would and ends with the article (shorter);
        # "full" (models up to v7): it is a whole window ending with the article
        self.tail_window = str(self.config.get("tail_window", "full"))
        if self.tail_window not in ("full", "short"):
            raise ModelError(f"{self.dir / 'config.json'}: tail_window must be 'full' or 'short', "
                             f"not {self.tail_window!r}")
        self.max_gap = int(self.config.get("max_gap", 1))
        # optional extra output column: "any technique here" (span finding apart from labelling)
        self.any_channel = bool(self.config.get("any_channel", False))
        self.any_threshold = float(self.config.get("any_threshold", 2.0))
        self.decode_mode = str(self.config.get("decode", "labels"))
        # a technique's span is kept only where the any-technique output reaches this somewhere in it (0: all)
        self.support_threshold = float(self.config.get("support_threshold", 0.0))
        # techniques whose spans are clauses or sentences: grown to their sentence when "snap" is on
        self.sentence_labels = frozenset(self.config.get("sentence_labels", ()))
        self.snap = bool(self.config.get("snap", False))
        # models trained with --mask-entities: entity type -> the word that replaces its names (masking.py)
        self.mask_words: dict[str, str] = dict(self.config.get("mask_entities") or {})
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or threads_setting()
        opts.inter_op_num_threads = 1
        self.onnx_path = self.dir / onnx_file
        self.session = ort.InferenceSession(str(self.onnx_path), opts, providers=["CPUExecutionProvider"])
        self.tokenizer_path = str(self.dir / "tokenizer.json")
        self.takes_mask = "attention_mask" in {i.name for i in self.session.get_inputs()}

    def encode(self, text: str, entities: list[tuple[int, int, str]] | None = None) -> Encoded:
        """The model's input for ``text``. A model trained name-blind reads it with the names of
        ``entities`` (``(start, end, spaCy label)``; found with spaCy's NER when not given) replaced
        (:mod:`.masking`); offsets always point into ``text``."""
        return encode(text, self.tokenizer_path, masked_for(text, self.mask_words, entities))

    def probabilities(self, text: str, entities: list[tuple[int, int, str]] | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Per-token probabilities ``[n_tokens, n_labels]`` (averaged over overlapping
        windows) and the tokens' character offsets ``[n_tokens, 2]``."""
        probs, _any, offsets = self.all_probabilities(text, entities)
        return probs, offsets

    def all_probabilities(self, text: str, entities: list[tuple[int, int, str]] | None = None
                          ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """``(technique probabilities, any-technique probabilities or None, offsets)``."""
        enc = self.encode(text, entities)
        n, n_labels = len(enc.ids), len(self.labels)
        width = n_labels + int(self.any_channel)
        if n == 0:
            empty = np.zeros((0, n_labels), dtype=np.float32)
            return empty, (np.zeros(0, dtype=np.float32) if self.any_channel else None), enc.offsets
        total = np.zeros((n, width), dtype=np.float32)
        seen = np.zeros(n, dtype=np.float32)
        anchors = sentence_starts(text, enc.offsets) if self.window_anchor == "sentence" else None
        short = self.tail_window == "short"
        starts = window_starts(n, self.body, self.stride, anchors, short_tail=short)
        whole = starts[:-1] if short and not self.takes_mask and len(starts) > 1 else starts
        runs = [whole[k:k + self.batch] for k in range(0, len(whole), self.batch)]
        if len(whole) < len(starts):  # a graph without a mask cannot take a padded batch: the short window runs alone
            runs.append(starts[-1:])
        for chunk in runs:
            ids, mask, feats, lengths = build_batch(enc, chunk, self.body, self.config["cls_id"], self.config["sep_id"])
            feed = {"input_ids": ids, "features": feats}
            if self.takes_mask:
                feed["attention_mask"] = mask
            elif not mask.all():  # window_starts gives one length per article; a graph without a mask must see that
                raise ModelError(f"{self.onnx_path} takes no attention mask, but a batch of windows was padded")
            (probs,) = self.session.run(None, feed)
            for row, (s, L) in enumerate(zip(chunk, lengths)):
                total[s:s + L] += probs[row, 1:L + 1]
                seen[s:s + L] += 1
        total /= seen[:, None]
        return total[:, :n_labels], (total[:, n_labels] if self.any_channel else None), enc.offsets

    def decode(self, text: str, probs: np.ndarray, any_probs: np.ndarray | None, offsets: np.ndarray,
               thresholds: np.ndarray | None = None, max_gap: int | None = None, mode: str | None = None,
               any_threshold: float | None = None, snap: bool | None = None,
               support: float | None = None) -> list[Span]:
        """Raw (uncalibrated) spans from probabilities, with this model's decoding
        settings unless others are given (the tuner tries others)."""
        th = self.thresholds if thresholds is None else thresholds
        gap = self.max_gap if max_gap is None else max_gap
        mode = self.decode_mode if mode is None else mode
        spans = decode_spans(text, probs, offsets, self.labels, th, max_gap=gap) if mode != "any" else []
        if any_probs is not None:
            spans = supported_spans(spans, any_probs, offsets, self.support_threshold if support is None else support)
        if any_probs is not None and mode != "labels":
            t_any = self.any_threshold if any_threshold is None else any_threshold
            extra = decode_any_spans(text, probs, any_probs, offsets, self.labels, th <= 1.0, t_any, max_gap=gap)
            spans = combine(spans, extra, mode)
        if self.snap if snap is None else snap:
            spans = snap_to_sentences(text, spans, self.sentence_labels)
        return spans

    def predict(self, text: str, entities: list[tuple[int, int, str]] | None = None) -> list[Span]:
        """Technique spans of ``text`` (``entities``: see :meth:`encode`)."""
        from .taxonomy import get

        probs, any_probs, offsets = self.all_probabilities(text, entities)
        spans = self.decode(text, probs, any_probs, offsets)
        knots = self.config.get("calibration")
        out = []
        for s in spans:
            tech = get(s.label)
            score = float(calibration.apply(knots, [s.score])[0]) if knots else s.score
            out.append(Span(s.start, s.end, s.label, score, {
                "category": tech.category, "raw_score": round(float(s.score), 4), "definition": tech.definition,
            }))
        return out


@lru_cache(maxsize=2)
def shared_model(model_dir: str = str(DEFAULT_MODEL_DIR)) -> TechniqueModel:
    """One loaded model per process and directory."""
    return TechniqueModel(model_dir)
