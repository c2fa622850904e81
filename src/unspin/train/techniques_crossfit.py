"""A steadier estimate than one test split: ``unspin eval techniques --cross-fit``.

The shipped decoding (thresholds, gap, mode, snapping, calibration) is chosen on 47 tune
articles and measured on 46 test articles; both halves are small, so one figure moves by
several points with the articles drawn (and, through thresholds on knife edges, with the CPU's
int8 rounding). Here every held-out article (tune and test together) is scored once per
shuffle by a decoding chosen on the other folds, exactly as the trainer chooses it, and the
figures are averaged over shuffles. It measures the model and its tuning recipe, not the
one decoding shipped in ``config.json``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import UsageError
from ..techniques import calibration
from ..techniques.model import TechniqueModel
from ..techniques.scoring import score_flc, score_si
from .techniques_tune import (
    choose_decoding,
    correctness,
    decode_with,
    fit_calibration,
    gold_by_label,
    ptc_gold,
    ptc_pred,
    ptc_versions,
    seeded_folds,
)


def cross_fitted_estimate(model_dir: Path, held_recs, cfg, folds: int = 3, shuffles: int = 4, log=print) -> dict:
    """Mean SI / FLC F1 (PTC labels) and ECE over ``shuffles`` shuffles of ``held_recs`` cut into
    ``folds`` folds, each fold decoded with the settings (and calibration) chosen on the others."""
    if folds < 2 or shuffles < 1 or len(held_recs) < 2 * folds:
        raise UsageError(f"cross-fitting needs folds >= 2, shuffles >= 1 and at least two articles per fold; "
                         f"got folds={folds}, shuffles={shuffles}, {len(held_recs)} articles")
    model = TechniqueModel(model_dir)
    docs, is_ptc = ptc_versions(held_recs, cfg)
    rows = []
    for rec, doc in zip(held_recs, docs):
        fit_probs = model.all_probabilities(rec.text)  # the tuner sees the training corpus's copy
        rows.append((rec, doc, fit_probs, fit_probs if doc.text == rec.text else model.all_probabilities(doc.text)))
    quiet = lambda *_: None  # noqa: E731
    runs = []
    for shuffle in range(shuffles):
        gold, pred, scores, right = {}, {}, [], []
        for held, fit in seeded_folds(len(rows), folds, shuffle):
            tune = [(rows[i][0], *rows[i][2]) for i in fit]
            dec = choose_decoding(model, tune, log=quiet)
            knots, _raw, _right = fit_calibration(model, tune, cfg.seed)
            for i in held:
                _rec, doc, _fit, (probs, any_probs, offsets) = rows[i]
                spans = decode_with(model, doc.text, probs, any_probs, offsets, dec)
                gold[doc.id] = ptc_gold(doc, is_ptc)
                pred[doc.id] = ptc_pred(spans)
                scores += list(calibration.apply(knots, [s.score for s in spans]))
                right += correctness(spans, gold_by_label(doc))
        run = {"si": score_si(gold, pred)["f1"], "flc": score_flc(gold, pred)["f1"],
               "ece": calibration.expected_calibration_error(scores, right)}
        log(f"  shuffle {shuffle}: SI {run['si']:.3f}  FLC {run['flc']:.3f}  ECE {run['ece']:.4f}")
        runs.append(run)
    out = {key: float(np.mean([r[key] for r in runs])) for key in ("si", "flc", "ece")}
    return {**out, "articles": len(rows), "folds": folds, "shuffles": shuffles, "runs": runs,
            "gold": "PTC-2020" if is_ptc else "training corpus mapped to PTC"}


def format_cross_fit(m: dict) -> str:
    spread = {key: (min(r[key] for r in m["runs"]), max(r[key] for r in m["runs"])) for key in ("si", "flc", "ece")}
    return (f"cross-fitted over {m['articles']} held-out articles ({m['folds']} folds x {m['shuffles']} shuffles, "
            f"gold: {m['gold']}):\n"
            + "\n".join(f"  {name:4s} {m[key]:.4f}  (shuffles {spread[key][0]:.4f}-{spread[key][1]:.4f})"
                        for key, name in (("si", "SI"), ("flc", "FLC"), ("ece", "ECE"))))
