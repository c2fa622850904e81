"""``unspin train techniques``: rebuild the shipped technique model from ../shared/data."""
from __future__ import annotations

import argparse
import sys

from ..errors import UsageError

TASKS = ("techniques",)


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a shipped model from the labelled corpora",
                       description="Train a model from the corpora in $UNSPIN_DATA (default ../shared/data). "
                                   "Needs the training extra: pip install -e '.[train]'.")
    p.add_argument("task", choices=TASKS)
    p.add_argument("--data-dir", help="folder with the corpora (default: $UNSPIN_DATA or ../shared/data)")
    p.add_argument("--out", help="model directory to write (default: the shipped model's directory)")
    p.add_argument("--exclude", action="append", default=[], metavar="CORPUS",
                   help="leave a corpus out (repeatable): ptc2020, nlp4if2019, semeval2023, semeval2021")
    p.add_argument("--steps", type=int, help="optimizer steps")
    p.add_argument("--seed", type=int, help="random seed")
    p.add_argument("--threads", type=int, help="CPU threads (default 2)")
    p.add_argument("--max-minutes", type=float, help="stop training early after this long (not reproducible)")


def run(args: argparse.Namespace) -> int:
    from ..train.techniques import TechniqueTrainConfig, train

    defaults = TechniqueTrainConfig()
    unknown = [c for c in args.exclude if c not in defaults.include and c != "nlp4if2019"]
    if unknown:
        raise UsageError(f"--exclude takes corpus names; unknown: {unknown}")
    fields = {"include": tuple(c for c in defaults.include if c not in args.exclude)}
    for name in ("data_dir", "seed", "steps", "threads", "max_minutes"):
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    if args.out:
        fields["out_dir"] = args.out
    cfg = TechniqueTrainConfig(**fields)
    train(cfg, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    return 0
