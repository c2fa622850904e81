"""``unspin eval techniques``: score the shipped model on its held-out test split (or, with
``--cross-fit``, every held-out article by a decoding chosen on the others)."""
from __future__ import annotations

import argparse
import json

TASKS = ("techniques",)


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="measure a shipped model on held-out data",
                       description="Re-create the model's own article-level split from its recorded training "
                                   "config and score the test articles with the SemEval-2020 task 11 "
                                   "partial-overlap measures (SI and FLC) and per technique.")
    p.add_argument("task", choices=TASKS)
    p.add_argument("--model-dir", help="model directory (default: the shipped model)")
    p.add_argument("--data-dir", help="folder with the corpora (default: $UNSPIN_DATA or ../shared/data)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--cross-fit", action="store_true",
                   help="instead: every held-out article (tune and test) scored by a decoding chosen on the other "
                        "folds, averaged over shuffles; steadier than one test split (5-15 minutes on 2 cores)")
    p.add_argument("--folds", type=int, default=3, help="with --cross-fit: folds (default 3)")
    p.add_argument("--shuffles", type=int, default=4, help="with --cross-fit: shuffles (default 4)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import ModelError
    from ..techniques.model import DEFAULT_MODEL_DIR, model_available
    from ..train.techniques import recorded_train_config, split_records
    from ..train.techniques_tune import evaluate_model, format_metrics

    model_dir = Path(args.model_dir or DEFAULT_MODEL_DIR)
    if not model_available(model_dir):
        raise ModelError(f"no technique model in {model_dir}; train one with 'unspin train techniques'")
    cfg = recorded_train_config(model_dir, args.data_dir)
    _train, tune, test = split_records(cfg)
    if args.cross_fit:
        from ..train.techniques_crossfit import cross_fitted_estimate, format_cross_fit

        progress = (lambda m: None) if args.json else (lambda m: print(m, flush=True))
        metrics = cross_fitted_estimate(model_dir, tune + test, cfg, folds=args.folds, shuffles=args.shuffles,
                                        log=progress)
        print(json.dumps(metrics, indent=1) if args.json else format_cross_fit(metrics))
        return 0
    metrics = evaluate_model(model_dir, test, cfg, log=lambda m: None)
    print(json.dumps(metrics, indent=1) if args.json else format_metrics(metrics))
    return 0
