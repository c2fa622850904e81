"""The shipped sentence model, run with onnxruntime (no training stack needed).

One int8 ONNX MiniLM serves three stages: for a batch of sentences it returns a
check-worthiness logit per sentence (the ``claims`` layer) and the sentence's
mean-pooled embedding (which the genre and framing heads of :mod:`unspin.framing`
average over the article). A model directory holds ``model.onnx`` (inputs
``input_ids``/``attention_mask``, outputs ``logit`` ``[batch]`` and ``embedding``
``[batch, dim]``), ``tokenizer.json`` and ``config.json`` (``max_len``, special
token ids, ``embedding_dim``, the Platt calibration ``{"a", "b"}`` of the logit and the
``threshold`` on the calibrated probability chosen on CheckThat! dev) and
``inference_batch``, the sentences per onnxruntime run: 1 in the shipped model, so no row is padded and
a sentence gets the same logit and embedding whatever article it stands in (the int8 graph quantizes
each run's activations with one scale for the whole batch, so batched sentences move each other's
outputs: a mean of 0.12 on the logit between batchings of PTC articles), and, with per-article batches
of very unequal sentences, faster (``bench/speed.py``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..hardware import threads_setting
from ..techniques.features import load_tokenizer

#: Where the shipped model lives (inside the package).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "models" / "claims"

_FILES = ("model.onnx", "config.json", "tokenizer.json")


def model_available(model_dir: str | Path = DEFAULT_MODEL_DIR) -> bool:
    d = Path(model_dir)
    return all((d / f).is_file() for f in _FILES)


def encode_texts(texts: list[str], tokenizer_path: str | Path, body: int) -> list[np.ndarray]:
    """Wordpiece ids of each text (blanks collapsed), at most ``body`` of them, no special tokens.
    Training and inference both encode sentences here."""
    tok = load_tokenizer(str(tokenizer_path))
    encs = tok.encode_batch([" ".join(t.split()) for t in texts], add_special_tokens=False)
    return [np.asarray(e.ids[:body], dtype=np.int64) for e in encs]


def build_batch(ids: list[np.ndarray], cls_id: int, sep_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Padded ``[CLS] ids [SEP]`` rows and their attention mask."""
    width = max((len(x) for x in ids), default=0) + 2
    out = np.zeros((len(ids), width), dtype=np.int64)
    mask = np.zeros_like(out)
    for row, x in enumerate(ids):
        out[row, 0] = cls_id
        out[row, 1:len(x) + 1] = x
        out[row, len(x) + 1] = sep_id
        mask[row, :len(x) + 2] = 1
    return out, mask


def platt(logits, calibration: dict | None) -> np.ndarray:
    """Calibrated probability ``sigmoid(a * logit + b)`` (plain sigmoid without calibration)."""
    z = np.asarray(logits, dtype=np.float64)
    if calibration:
        z = float(calibration["a"]) * z + float(calibration["b"])
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class SentenceOutputs:
    """Per sentence: the check-worthiness logit and the sentence embedding."""

    logits: np.ndarray      # float32 [n]
    embeddings: np.ndarray  # float32 [n, dim]


class ClaimModel:
    """Loads once; :meth:`run` scores and embeds sentences, :meth:`checkworthiness` calibrates."""

    def __init__(self, model_dir: str | Path = DEFAULT_MODEL_DIR, threads: int | None = None):
        self.dir = Path(model_dir)
        if not model_available(self.dir):
            raise ModelError(
                f"no claim model in {self.dir} (needs {', '.join(_FILES)}); "
                "reinstall unspin or rebuild it with 'unspin train claims'"
            )
        import onnxruntime as ort

        self.config = json.loads((self.dir / "config.json").read_text(encoding="utf-8"))
        self.body = int(self.config["max_len"]) - 2
        self.batch = int(self.config.get("inference_batch", 1))
        self.threshold = float(self.config.get("threshold", 0.5))
        self.calibration = self.config.get("calibration")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or threads_setting()
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.dir / "model.onnx"), opts, providers=["CPUExecutionProvider"])
        self.dim = int(self.config["embedding_dim"])
        self.tokenizer_path = str(self.dir / "tokenizer.json")

    def run(self, texts: list[str]) -> SentenceOutputs:
        """Logits and embeddings for ``texts``, in order (``inference_batch`` at a time, shortest first)."""
        ids = encode_texts(texts, self.tokenizer_path, self.body)
        logits = np.zeros(len(ids), dtype=np.float32)
        emb = np.zeros((len(ids), self.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for k in range(0, len(order), self.batch):
            rows = order[k:k + self.batch]
            x, mask = build_batch([ids[i] for i in rows], self.config["cls_id"], self.config["sep_id"])
            out = dict(zip(("logit", "embedding"), self.session.run(["logit", "embedding"],
                                                                     {"input_ids": x, "attention_mask": mask})))
            logits[rows] = out["logit"].reshape(-1)
            emb[rows] = out["embedding"]
        return SentenceOutputs(logits, emb)

    def checkworthiness(self, logits) -> np.ndarray:
        return platt(logits, self.calibration)


@lru_cache(maxsize=2)
def shared_model(model_dir: str = str(DEFAULT_MODEL_DIR)) -> ClaimModel:
    """One loaded model per process and directory."""
    return ClaimModel(model_dir)
