"""The shipped technique detector, run with onnxruntime (no training stack needed).

A model directory holds ``model.onnx`` (a token classifier: wordpiece ids,
attention mask and per-token features in, per-token sigmoid probabilities for
each technique out), ``tokenizer.json`` and ``config.json`` (labels, window
sizes, per-technique thresholds, score calibration, metrics).
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..model import Span
from . import calibration
from .decode import decode_spans
from .features import Encoded, build_batch, encode, window_starts

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
        self.max_gap = int(self.config.get("max_gap", 1))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or int(os.environ.get("UNSPIN_THREADS", "1"))
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.dir / onnx_file), opts, providers=["CPUExecutionProvider"])
        self.tokenizer_path = str(self.dir / "tokenizer.json")

    def encode(self, text: str) -> Encoded:
        return encode(text, self.tokenizer_path)

    def probabilities(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Per-token probabilities ``[n_tokens, n_labels]`` (averaged over overlapping
        windows) and the tokens' character offsets ``[n_tokens, 2]``."""
        enc = self.encode(text)
        n, n_labels = len(enc.ids), len(self.labels)
        if n == 0:
            return np.zeros((0, n_labels), dtype=np.float32), enc.offsets
        total = np.zeros((n, n_labels), dtype=np.float32)
        seen = np.zeros(n, dtype=np.float32)
        starts = window_starts(n, self.body, self.stride)
        for k in range(0, len(starts), self.batch):
            chunk = starts[k:k + self.batch]
            ids, mask, feats, lengths = build_batch(enc, chunk, self.body, self.config["cls_id"], self.config["sep_id"])
            (probs,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "features": feats})
            for row, (s, L) in enumerate(zip(chunk, lengths)):
                total[s:s + L] += probs[row, 1:L + 1]
                seen[s:s + L] += 1
        return total / seen[:, None], enc.offsets

    def predict(self, text: str) -> list[Span]:
        from .taxonomy import get

        probs, offsets = self.probabilities(text)
        spans = decode_spans(text, probs, offsets, self.labels, self.thresholds, max_gap=self.max_gap)
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
