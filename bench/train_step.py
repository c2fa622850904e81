"""Time of one technique-tagger training step on this CPU, by attention dropout and mask source.

    python bench/train_step.py [--steps 4] [--threads 2] [--batch 16] [--len 256]

Runs the training step of ``unspin train techniques`` (the shipped encoder and head, a
random batch of full windows, bfloat16 autocast where the CPU has it natively, AdamW, the
weight average) three ways: the shipped recipe (attention dropout 0.1, numpy's masks), the same
rates with torch's own masks (``--dropout-masks torch``, the recipe up to v5) and attention
dropout 0 (``--attention-dropout 0``); prints the median seconds per step (forward, backward,
optimizer), the minutes the default number of steps would take and each one's ratio to the
shipped recipe. Needs the training extra.
"""
from __future__ import annotations

import argparse
import time


def time_steps(attention_dropout: float, masks: str, args, bf16: bool) -> tuple[float, float, float]:
    import numpy as np
    import torch

    from unspin.train.techniques import N_FEATURES, WeightAverage, build_model

    torch.manual_seed(0)
    model, _ = build_model(22, attention_dropout)
    if masks == "numpy":
        from unspin.train.numpy_dropout import use_numpy_dropout

        use_numpy_dropout(model, 0)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    average = WeightAverage(model, 0.997)
    ids = torch.randint(1000, 20000, (args.batch, args.len))
    mask = torch.ones_like(ids)
    feats = torch.rand(args.batch, args.len, N_FEATURES)
    target = (torch.rand(args.batch, args.len, 22) < 0.05).float()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    times = []
    for k in range(args.steps + 1):  # the first step warms up and is not counted
        t0 = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(ids, mask, feats)
        loss = loss_fn(logits.float(), target)
        t1 = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        average.update()
        if k:
            times.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
    return tuple(float(x) for x in np.median(times, axis=0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--len", type=int, default=256)
    args = ap.parse_args()

    import torch

    from unspin.hardware import cpu_summary
    from unspin.train.techniques import TechniqueTrainConfig, native_bf16

    torch.set_num_threads(args.threads)
    bf16 = native_bf16()
    print(f"CPU: {cpu_summary()}; {args.threads} threads; bfloat16 autocast: {bf16}; "
          f"batch {args.batch} x {args.len} pieces, median of {args.steps} steps")
    shipped, steps = None, TechniqueTrainConfig().steps
    for p, masks in ((0.1, "numpy"), (0.1, "torch"), (0.0, "numpy")):
        fwd, bwd, opt = time_steps(p, masks, args, bf16)
        total = fwd + bwd + opt
        shipped = shipped or total
        print(f"attention dropout {p:.1f}, {masks} masks: {total:.2f} s/step (forward {fwd:.2f}, backward {bwd:.2f}, "
              f"optimizer {opt:.2f}); {steps} steps ~{total * steps / 60:.0f} min; {shipped / total:.2f}x the shipped recipe")


if __name__ == "__main__":
    main()
