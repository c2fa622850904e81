"""``unspin eval techniques``: score the shipped model on its held-out test split."""
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


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import ModelError
    from ..techniques.model import DEFAULT_MODEL_DIR, model_available
    from ..train.techniques import TechniqueTrainConfig, split_records
    from ..train.techniques_tune import evaluate_model, format_metrics

    model_dir = Path(args.model_dir or DEFAULT_MODEL_DIR)
    if not model_available(model_dir):
        raise ModelError(f"no technique model in {model_dir}; train one with 'unspin train techniques'")
    recorded = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))["train_config"]
    known = TechniqueTrainConfig.__dataclass_fields__
    cfg = TechniqueTrainConfig(**{k: v for k, v in recorded.items() if k in known})
    if args.data_dir:
        cfg.data_dir = args.data_dir
    _train, _tune, test = split_records(cfg)
    metrics = evaluate_model(model_dir, test, cfg, log=lambda m: None)
    print(json.dumps(metrics, indent=1) if args.json else format_metrics(metrics))
    return 0
