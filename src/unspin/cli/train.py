"""``unspin train techniques|claims|framing|quotes``: rebuild a shipped model from ../shared/data."""
from __future__ import annotations

import argparse
import sys

from ..errors import UsageError

TASKS = ("techniques", "claims", "framing", "quotes")


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a shipped model from the labelled corpora",
                       description="Train a model from the corpora in $UNSPIN_DATA (default ../shared/data). "
                                   "Needs the training extra: pip install -e '.[train]'.")
    p.add_argument("task", choices=TASKS)
    p.add_argument("--data-dir", help="folder with the corpora (default: $UNSPIN_DATA or ../shared/data)")
    p.add_argument("--out", help="model directory to write (default: the shipped model's directory; quotes: "
                                 "a folder for quote_cue_model.json and quotes/)")
    p.add_argument("--exclude", action="append", default=[], metavar="CORPUS",
                   help="techniques only: leave a corpus out (repeatable): ptc2020, nlp4if2019, semeval2023, "
                        "semeval2021")
    p.add_argument("--steps", type=int, help="techniques: optimizer steps; framing: fitting steps of the heads")
    p.add_argument("--epochs", type=float, help="claims: passes over CheckThat! train (default 2); quotes: passes "
                                                "of the cue encoder over its candidates (default 2)")
    p.add_argument("--finetune", action=argparse.BooleanOptionalAction, default=None,
                   help="claims: fine-tune the whole encoder (the default); --no-finetune trains only the top "
                        "encoder layer and the head (faster, weaker). quotes: --no-finetune trains the cue "
                        "regression alone, without the cue encoder")
    p.add_argument("--encoder", help="framing: the sentence model directory (default: the shipped claims model)")
    p.add_argument("--layers", type=int, help="claims: encoder layers kept, the lowest N of MiniLM's 6 (default 6; "
                                              "fewer run faster)")
    p.add_argument("--teacher", metavar="MODEL_DIR",
                   help="claims: a sentence model whose probabilities on train are mixed into the targets "
                        "(distillation, e.g. into fewer --layers)")
    p.add_argument("--teacher-weight", type=float, help="claims: the teacher's share of each target (default 0.5)")
    p.add_argument("--seed", type=int, help="random seed")
    p.add_argument("--threads", type=int, help="CPU threads (default 2)")
    p.add_argument("--max-minutes", type=float, help="stop training early after this long (not reproducible)")
    p.add_argument("--swap-consistency", type=float, help="techniques: weight of the penalty on different outputs "
                                                          "for an article and its actor-swapped copy (default 1)")
    p.add_argument("--dropout-consistency", type=float,
                   help="techniques: batch each window without an actor-swapped twin with itself and add this weight "
                        "times the gap between the two dropout draws' outputs (R-Drop; default 0: off)")
    p.add_argument("--attention-dropout", type=float,
                   help="techniques: dropout on the attention probabilities (default 0.1, the encoder's own)")
    p.add_argument("--dropout-masks", choices=("torch", "numpy"),
                   help="techniques: who draws the dropout masks in training (default numpy, as the shipped model: the "
                        "dropout rates from numpy's random bytes, a step about 2x faster on CPU than torch's own masks, "
                        "bench/train_step.py; torch: the recipe of the models up to v5)")
    p.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=None,
                   help="techniques: bfloat16 forward passes (default: on where the CPU has avx512_bf16 or AMX, "
                        "about 1.9x faster than --no-bf16 there; off elsewhere, where torch emulates bfloat16 and "
                        "is about 13x slower)")
    p.add_argument("--order-seed", type=int,
                   help="techniques: seed of the dropout masks and batch order alone (default 202); the split and "
                        "the head's initial weights keep following --seed, so runs differing only here are comparable")
    p.add_argument("--lr", type=float,
                   help="techniques: the encoder's learning rate (default 8e-5; its top layer's with --layer-decay)")
    p.add_argument("--layer-decay", type=float,
                   help="techniques: each encoder layer learns at this times the rate of the layer above it "
                        "(default 1: one rate for the whole encoder)")
    p.add_argument("--neg-focus", type=float,
                   help="techniques: weigh each technique-free output's loss by its probability to this power "
                        "(asymmetric focal loss: easy negatives count less; default 0, plain weighted BCE)")
    p.add_argument("--neg-margin", type=float,
                   help="techniques: with --neg-focus, probabilities below this count as fully right for "
                        "technique-free outputs (default 0)")
    p.add_argument("--span-weight-power", type=float,
                   help="techniques: weigh a span's tokens by (its length in tokens) to minus this power in the loss, "
                        "rescaled to a mean of 1, so short spans count for more, as in the SemEval measures "
                        "(default 0.5, the shipped model's; 0: every token alike, as up to v7)")
    p.add_argument("--mask-entities", nargs="?", const="PERSON,GPE,NORP,ORG", metavar="TYPES",
                   help="techniques: name-blind model: spaCy's names of these types (comma-separated, of PERSON, "
                        "GPE, NORP, ORG; the flag alone: all four) replaced by neutral words (\"someone\", "
                        "\"country\", ...) in training and at run time, so swapping such actors cannot change its "
                        "input (default off, as the shipped model)")
    p.add_argument("--tie-pairs", action=argparse.BooleanOptionalAction, default=None,
                   help="techniques: opposite actors that are one wordpiece each (Obama / Trump, China / Japan, "
                        "Muslims / Christians, ...; of unspin.techniques.symmetry.PAIRS) share one input embedding, "
                        "so the model reads them alike and cannot see a technique on one side only (default on, as the "
                        "shipped model; --no-tie-pairs: each its own embedding, as models up to v8)")
    p.add_argument("--any-weight", type=float,
                   help="techniques: weight of the any-technique output (span finding, labels ignored) in the loss, "
                        "each technique's being 1 (default 1)")
    p.add_argument("--anchor-train-windows", action=argparse.BooleanOptionalAction, default=None,
                   help="techniques: cut the training windows at sentence starts too (each random cut moved to the "
                        "nearest sentence start within 48 wordpieces), as the runtime places its windows (the "
                        "default, as the shipped v7); --no-anchor-train-windows: cuts where they fall (up to v6)")
    p.add_argument("--decoding-from", metavar="MODEL_DIR",
                   help="techniques: train on the tune split too and take the decoding and score calibration from "
                        "MODEL_DIR, a model trained on the same split without it (e.g. the shipped one); only the "
                        "test split is measured")
    p.add_argument("--calibrate-only", action="store_true", default=None,
                   help="techniques: fit only the score calibration of the model in --out (default: the shipped "
                        "one) again, on its recorded tune split; weights and decoding kept (a few minutes)")
    p.add_argument("--support-only", action="store_true", default=None,
                   help="techniques: choose only the last decoding steps (how much any-technique output a span "
                        "needs, whether spans grow over any-technique runs) of the model in --out again on its "
                        "recorded tune split, then fit its calibration; weights and the rest of the decoding kept")
    p.add_argument("--retune", action="store_true", default=None,
                   help="techniques: choose the whole decoding of the model in --out again on its recorded tune split "
                        "and fit its calibration, with the model set to run one window at a time and its graph without the "
                        "attention mask (as models trained now are); weights kept")
    p.add_argument("--anchor-windows", action="store_true", default=None,
                   help="techniques: start each window of the model in --out after the first at a sentence start, "
                        "the last one short (as models trained now do), then measure its test split again; "
                        "weights, decoding and calibration kept")


_TECHNIQUES_ONLY = {"swap_consistency": "--swap-consistency", "bf16": "--bf16", "calibrate_only": "--calibrate-only",
                    "support_only": "--support-only", "retune": "--retune",
                    "anchor_windows": "--anchor-windows",
                    "attention_dropout": "--attention-dropout", "dropout_masks": "--dropout-masks",
                    "order_seed": "--order-seed", "lr": "--lr", "layer_decay": "--layer-decay",
                    "any_weight": "--any-weight", "anchor_train_windows": "--anchor-train-windows",
                    "decoding_from": "--decoding-from", "neg_focus": "--neg-focus", "neg_margin": "--neg-margin",
                    "mask_entities": "--mask-entities", "span_weight_power": "--span-weight-power",
                    "tie_pairs": "--tie-pairs", "dropout_consistency": "--dropout-consistency"}
#: the training settings among them (all but the refits: --calibrate-only, --support-only, --retune and
#: --anchor-windows): what a technique run passes on and what the refits, which keep a model's recorded
#: settings, refuse
_REFITS = ("calibrate_only", "support_only", "retune", "anchor_windows")
_TECHNIQUE_SETTINGS = {name: flag for name, flag in _TECHNIQUES_ONLY.items() if name not in _REFITS}


#: options of ``unspin train claims`` alone
_CLAIMS_ONLY = {"layers": "--layers", "teacher": "--teacher", "teacher_weight": "--teacher-weight"}


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _fields(args: argparse.Namespace, names: tuple[str, ...]) -> dict:
    fields = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    if args.out:
        fields["out_dir"] = args.out
    return fields


def _only(args: argparse.Namespace, task: str, options: dict[str, str]) -> None:
    given = [flag for name, flag in options.items() if getattr(args, name, None) not in (None, [])]
    if given:
        raise UsageError(f"{', '.join(given)} do(es) not apply to 'unspin train {task}'; see unspin train --help")


def run(args: argparse.Namespace) -> int:
    if args.task == "quotes":
        return _train_quotes(args)
    if args.task == "claims":
        from ..train.claims import ClaimTrainConfig
        from ..train.claims import train as train_claims

        _only(args, "claims", {"exclude": "--exclude", "steps": "--steps", "encoder": "--encoder", **_TECHNIQUES_ONLY})
        fields = _fields(args, ("data_dir", "seed", "epochs", "threads", "max_minutes", "finetune", "layers",
                                "teacher_weight"))
        if args.teacher:
            fields["teacher_dir"] = args.teacher
        train_claims(ClaimTrainConfig(**fields), log=_log)
        return 0
    if args.task == "framing":
        from ..train.framing import FramingTrainConfig
        from ..train.framing import train as train_framing

        _only(args, "framing", {"exclude": "--exclude", "epochs": "--epochs", "max_minutes": "--max-minutes",
                                "finetune": "--finetune", **_CLAIMS_ONLY, **_TECHNIQUES_ONLY})
        fields = _fields(args, ("data_dir", "seed", "steps", "threads"))
        if args.encoder:
            fields["encoder_dir"] = args.encoder
        train_framing(FramingTrainConfig(**fields), log=_log)
        return 0
    _only(args, "techniques", {"epochs": "--epochs", "encoder": "--encoder", "finetune": "--finetune", **_CLAIMS_ONLY})
    from ..train.techniques import TechniqueTrainConfig, train

    chosen = [name for name in _REFITS if getattr(args, name, None)]
    if chosen:
        from ..techniques.model import DEFAULT_MODEL_DIR
        from ..train.techniques import calibrate_only

        flags = [_TECHNIQUES_ONLY[name] for name in chosen]
        # the recorded training settings are kept: none of these may change them
        _only(args, f"techniques {flags[0]}", {"exclude": "--exclude", "steps": "--steps", "seed": "--seed",
                                               "threads": "--threads", "max_minutes": "--max-minutes",
                                               **_TECHNIQUE_SETTINGS})
        if len(chosen) > 1:
            raise UsageError(f"{' and '.join(flags)} exclude each other: --support-only and --retune also fit the "
                             "calibration, --retune also chooses the support step and places the windows")
        calibrate_only(args.out or DEFAULT_MODEL_DIR, data_dir=args.data_dir, log=_log,
                       support=bool(args.support_only), retune=bool(args.retune), anchor=bool(args.anchor_windows))
        return 0
    defaults = TechniqueTrainConfig()
    unknown = [c for c in args.exclude if c not in defaults.include and c != "nlp4if2019"]
    if unknown:
        raise UsageError(f"--exclude takes corpus names; unknown: {unknown}")
    fields = {"include": tuple(c for c in defaults.include if c not in args.exclude),
              **_fields(args, ("data_dir", "seed", "steps", "threads", "max_minutes", *_TECHNIQUE_SETTINGS))}
    cfg = TechniqueTrainConfig(**fields)
    train(cfg, log=_log)
    return 0


def _train_quotes(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..extract.quote_encoder import DEFAULT_DIR
    from ..extract.quote_model import MODEL_PATH
    from ..train.quote_encoder import CueEncoderConfig
    from ..train.quotes import QuoteTrainConfig
    from ..train.quotes import run as train_quotes

    _only(args, "quotes", {"exclude": "--exclude", "steps": "--steps", "encoder": "--encoder",
                           "max_minutes": "--max-minutes", **_CLAIMS_ONLY, **_TECHNIQUES_ONLY})
    fields = {name: getattr(args, name) for name in ("seed", "threads") if getattr(args, name) is not None}
    ecfg = CueEncoderConfig(**({"epochs": args.epochs} if args.epochs is not None else {}))
    cfg = QuoteTrainConfig(encoder=args.finetune is not False, encoder_cfg=ecfg, **fields)
    out, enc_out = MODEL_PATH, DEFAULT_DIR
    if args.out:
        out, enc_out = Path(args.out) / MODEL_PATH.name, Path(args.out) / DEFAULT_DIR.name
    train_quotes(cfg, args.data_dir, out, None, enc_out, log=_log)
    return 0
