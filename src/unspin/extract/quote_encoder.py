"""The cue encoder: a fine-tuned MiniLM that reads each cue candidate in its sentence.

The logistic regression of :mod:`.quote_model` sees a candidate through string
features and spaCy's small context vectors; it cannot read the sentence. The cue
encoder does: each sentence that holds candidates is encoded once (at most
``max_len - 2`` wordpieces), and per candidate the ``[CLS]`` state and the mean
token states of its cue, its content and its source (zeros where a part lies
outside the encoded sentence or is missing) go through a two-layer head
(``4*dim -> hidden -> 1``, tanh-GELU) to a logit. :class:`.quote_model.CueModel`
adds that logit to its own with two stacking weights fitted on held-out
PolNeAR train articles.

A model directory holds ``model.onnx`` (int8; inputs ``input_ids`` and
``attention_mask``, output ``states`` ``[batch, seq, dim]``), ``tokenizer.json``,
``head.npz`` (``w1``, ``b1``, ``w2``, ``b2``) and ``config.json`` (``inference_batch``: sentences per
run, 1 in the shipped model, for the reasons :mod:`unspin.claims.model` gives). Trained by
``unspin train quotes`` (:mod:`unspin.train.quote_encoder`); running it needs
onnxruntime, tokenizers and numpy only.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from ..claims.model import build_batch
from ..errors import ModelError
from ..hardware import threads_setting
from .layers import doc_text

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "data" / "models" / "quotes"
_FILES = ("model.onnx", "config.json", "tokenizer.json", "head.npz")

Range = tuple[int, int] | None  # wordpiece positions [a, b) in the encoded row ([CLS] at 0), or None


def encoder_available(model_dir: str | Path = DEFAULT_DIR) -> bool:
    d = Path(model_dir)
    return all((d / f).is_file() for f in _FILES)


def as_unit(content: tuple[int, int], blocked: list[tuple[int, int]]) -> tuple[int, int]:
    """A candidate's content as the quotes layer reports it: grown to the quotations it touches."""
    a, b = content
    held = [q for q in blocked if q[0] < b and a < q[1]]
    if held:
        a, b = min([a] + [q[0] for q in held]), max([b] + [q[1] for q in held])
    return a, b


@dataclass
class SentenceRow:
    """One encoded sentence and, per candidate in it, ``(index, cue, content, source)`` ranges."""

    ids: list[int]
    cands: list[tuple[int, Range, Range, Range]]


def _range(starts: list[int], ends: list[int], a: int, b: int) -> Range:
    """Row positions of the wordpieces overlapping characters [a, b) (offsets sorted, as a tokenizer gives)."""
    first = bisect.bisect_right(ends, a)
    last = bisect.bisect_left(starts, b) - 1
    return (first + 1, last + 2) if first <= last else None


def candidate_rows(doc: Doc, cands: list, blocked: list[tuple[int, int]], tokenizer_path: str | Path,
                   body: int) -> list[SentenceRow]:
    """The sentences of ``doc`` holding the cue of a candidate (a :class:`.quote_cues.Cued`), tokenized
    once each, with the wordpiece ranges of every candidate's cue, content (:func:`as_unit`) and source.
    Training and inference both build their inputs here."""
    from ..techniques.features import load_tokenizer

    by_sent: dict[tuple[int, int], list[int]] = {}
    for k, c in enumerate(cands):
        sent = doc[c.cue_token].sent
        by_sent.setdefault((sent.start_char, sent.end_char), []).append(k)
    if not by_sent:
        return []
    keys = list(by_sent)
    tok = load_tokenizer(str(tokenizer_path))
    text = doc_text(doc)
    encs = tok.encode_batch([text[a:b] for a, b in keys], add_special_tokens=False)
    rows = []
    for key, enc in zip(keys, encs, strict=True):
        offs = enc.offsets[:body]
        starts = [s + key[0] for s, _ in offs]
        ends = [t + key[0] for _, t in offs]
        items = []
        for k in by_sent[key]:
            c = cands[k]
            subj = c.subject
            src = _range(starts, ends, subj.idx, subj.idx + len(subj.text)) if subj is not None else None
            items.append((k, _range(starts, ends, *c.cue), _range(starts, ends, *as_unit(c.content, blocked)), src))
        rows.append(SentenceRow(list(enc.ids[:body]), items))
    return rows


def pool(states: np.ndarray, ranges: tuple[Range, ...]) -> np.ndarray:
    """``[CLS]`` state plus the mean state of each range (zeros for None): ``(1 + len(ranges)) * dim``."""
    dim = states.shape[-1]
    parts = [states[0]] + [states[r[0]:r[1]].mean(0) if r else np.zeros(dim, states.dtype) for r in ranges]
    return np.concatenate(parts)


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    # x * x * x, not x ** 3: numpy's float32 power takes ~200x as long (2.3 ms for a 113 x 256 array)
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * (x * x * x))))


class CueEncoder:
    """Loads once; :meth:`logits` scores the candidates of one ``Doc``."""

    def __init__(self, model_dir: str | Path = DEFAULT_DIR, threads: int | None = None):
        self.dir = Path(model_dir)
        if not encoder_available(self.dir):
            raise ModelError(f"no cue encoder in {self.dir} (needs {', '.join(_FILES)}); "
                             "reinstall unspin or rebuild it with 'unspin train quotes'")
        import onnxruntime as ort

        self.config = json.loads((self.dir / "config.json").read_text(encoding="utf-8"))
        self.body = int(self.config["max_len"]) - 2
        self.batch = int(self.config.get("inference_batch", 1))
        self.model_id = self.config.get("model_id")
        with np.load(self.dir / "head.npz") as head:
            self.head = {k: head[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2")}
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or threads_setting()
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.dir / "model.onnx"), opts, providers=["CPUExecutionProvider"])
        self.tokenizer_path = self.dir / "tokenizer.json"

    def features(self, rows: list[SentenceRow], n: int) -> np.ndarray:
        """Pooled features ``[n, 4*dim]`` of the ``n`` candidates laid out in ``rows``."""
        dim = int(self.config["dim"])
        out = np.zeros((n, 4 * dim), dtype=np.float32)
        order = sorted(range(len(rows)), key=lambda r: len(rows[r].ids))
        for b in range(0, len(order), self.batch):
            part = [rows[r] for r in order[b:b + self.batch]]
            x, mask = build_batch([r.ids for r in part], self.config["cls_id"], self.config["sep_id"])
            states = self.session.run(["states"], {"input_ids": x, "attention_mask": mask})[0]
            for row, st in zip(part, states, strict=True):
                for k, cue, content, source in row.cands:
                    out[k] = pool(st, (cue, content, source))
        return out

    def head_logits(self, feats: np.ndarray) -> np.ndarray:
        h = self.head
        return (gelu_tanh(feats @ h["w1"] + h["b1"]) @ h["w2"] + h["b2"]).reshape(-1)

    def logits(self, doc: Doc, cands: list, blocked: list[tuple[int, int]]) -> np.ndarray:
        """One logit per candidate, in order."""
        if not cands:
            return np.zeros(0, dtype=np.float32)
        rows = candidate_rows(doc, cands, blocked, self.tokenizer_path, self.body)
        return self.head_logits(self.features(rows, len(cands)))
