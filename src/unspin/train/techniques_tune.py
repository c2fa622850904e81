"""Choose thresholds and calibration on the tune split; measure on the test split.

Every figure is measured with the runtime model (int8 ONNX through
:class:`~unspin.techniques.model.TechniqueModel`), so the card describes what
ships. FLC and SI follow the SemEval-2020 task 11 partial-overlap definitions
(:mod:`unspin.techniques.scoring`); the headline FLC is over the 14 PTC-2020
labels, scored against PTC-2020 gold spans where the test articles have them.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import UsageError
from ..hardware import cpu_summary
from ..techniques import calibration
from ..techniques.decode import DECODE_MODES, decode_spans
from ..techniques.model import TechniqueModel
from ..techniques.scoring import f1_interval, score_flc, score_si
from ..techniques.taxonomy import to_ptc

THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.96, 0.05))
#: gaps (in tokens) between above-threshold runs that decoding may bridge; chosen on tune
GAP_GRID = (0, 1, 2, 4, 8)
#: a technique whose best tune F1 stays below this is switched off (threshold > 1)
MIN_TUNE_F1 = 0.02


def _covered_share(span, gold: list[tuple[int, int]]) -> float:
    covered = set()
    for s, e in gold:
        lo, hi = max(span.start, s), min(span.end, e)
        if hi > lo:
            covered.update(range(lo, hi))
    return len(covered) / (span.end - span.start)


def correctness(pred, gold_by_label: dict[str, list[tuple[int, int]]]) -> list[int]:
    """1 when at least half of a predicted span's characters lie in gold spans of its label."""
    return [int(_covered_share(s, gold_by_label.get(s.label, [])) >= 0.5) for s in pred]


def _gold(rec, ptc: bool):
    if ptc:
        return [(s, e, orig) for s, e, _n, orig in rec.spans]
    return [(s, e, native) for s, e, native, _o in rec.spans]


def choose_decoding(model: TechniqueModel, tune, log=print) -> dict:
    """Per-technique thresholds, the decode gap, (with an any-technique channel) its
    threshold and the decode mode, whether sentence-scale spans grow to their sentence, and
    how far the thresholds move towards a common one: the settings that score best on ``tune``
    (``(record, probabilities, any-probabilities, offsets)`` tuples)."""
    labels = model.labels
    thresholds = {}
    for j, lab in enumerate(labels):
        gold = {r.id: [(s, e, lab) for s, e, n, _ in r.spans if n == lab] for r, *_ in tune}
        best = (0.0, 0.5)
        for t in THRESHOLD_GRID:
            th = np.full(len(labels), 2.0)
            th[j] = t
            pred = {r.id: decode_spans(r.text, p, o, labels, th) for r, p, _a, o in tune}
            f1 = score_flc(gold, pred)["f1"]
            if f1 > best[0] + 1e-9:
                best = (f1, t)
        thresholds[lab] = best[1] if best[0] >= MIN_TUNE_F1 else 1.01
        log(f"  threshold {lab}: {thresholds[lab]} (tune F1 {best[0]:.3f})")
    th = np.array([thresholds[lab] for lab in labels])
    gold_all = _all_gold(tune)

    def tune_scores(thresholds=None, **how) -> tuple[float, float]:
        # settings not chosen yet are off, whatever the model's config.json holds (a trained model's
        # own snapping or support must not steer the choices made before them)
        how = {"snap": False, "support": 0.0, **how}
        return _tune_f1(model, tune, gold_all, thresholds=th if thresholds is None else thresholds, **how)

    gap_f1 = {gap: tune_scores(max_gap=gap, mode="labels")[1] for gap in GAP_GRID}
    max_gap = max(GAP_GRID, key=lambda g: (gap_f1[g], -g))
    log(f"  max_gap {max_gap} (tune FLC by gap: {', '.join(f'{g}: {f:.3f}' for g, f in gap_f1.items())})")
    mode, any_threshold = "labels", 2.0
    if model.any_channel:
        si_by_t = {t: tune_scores(max_gap=max_gap, mode="any", any_threshold=t)[0] for t in THRESHOLD_GRID}
        any_threshold = max(THRESHOLD_GRID, key=lambda t: (si_by_t[t], t))
        by_mode = {m: tune_scores(max_gap=max_gap, mode=m, any_threshold=any_threshold) for m in DECODE_MODES}
        # SI and FLC are both headline figures: the mode with the best sum wins
        mode = max(DECODE_MODES, key=lambda m: (sum(by_mode[m]), m == "labels"))
        log(f"  any threshold {any_threshold} (tune SI {si_by_t[any_threshold]:.3f}); decode {mode} ("
            + ", ".join(f"{m}: SI {a:.3f} FLC {b:.3f}" for m, (a, b) in by_mode.items()) + ")")
    snap = False
    if model.sentence_labels:
        by_snap = {on: tune_scores(max_gap=max_gap, mode=mode, any_threshold=any_threshold, snap=on)
                   for on in (False, True)}
        snap = sum(by_snap[True]) > sum(by_snap[False])
        log(f"  snap sentence-scale spans to sentences: {snap} ("
            + ", ".join(f"{'on' if on else 'off'}: SI {a:.3f} FLC {b:.3f}" for on, (a, b) in by_snap.items()) + ")")
    how = {"max_gap": max_gap, "mode": mode, "any_threshold": any_threshold, "snap": snap}
    th, shrink, common = shrink_thresholds(th, lambda t: sum(tune_scores(thresholds=t, **how)))
    thresholds = {lab: round(float(t), 4) for lab, t in zip(labels, th)}
    log(f"  thresholds shrunk {shrink} of the way to the common {common}")
    decoding = {"thresholds": thresholds, "th": th, "shrink": {"shrink": shrink, "common": common}, **how}
    return choose_support(model, tune, decoding, log=log)


def choose_support(model: TechniqueModel, tune, decoding: dict, log=print) -> dict:
    """The last two decoding steps, on top of ``decoding`` (the others' choices kept): how
    much any-technique output a technique's span needs somewhere in it to stay (0: none), and
    whether spans grow over the any-technique runs they overlap (mode ``extend``, with its own
    run threshold). Each is taken only where it raises tune SI + FLC. Without an any-technique
    channel, ``decoding`` comes back with support 0."""
    decoding = {**decoding, "support": 0.0}
    if not model.any_channel or decoding["mode"] == "any":
        return decoding
    gold_all = _all_gold(tune)

    def tune_sum(**change) -> float:
        return sum(_tune_f1(model, tune, gold_all, **decode_args({**decoding, **change})))

    by_support = {t: tune_sum(support=t) for t in (0.0, *THRESHOLD_GRID)}
    support = max(by_support, key=lambda t: (by_support[t], t))
    decoding["support"] = support
    log(f"  any-technique support needed by a span: {support} (tune SI + FLC {by_support[support]:.3f}, "
        f"without {by_support[0.0]:.3f})")
    by_run = {t: tune_sum(mode="extend", any_threshold=t) for t in THRESHOLD_GRID}
    run = max(THRESHOLD_GRID, key=lambda t: (by_run[t], t))
    if by_run[run] > by_support[support] + 1e-12:
        decoding.update(mode="extend", any_threshold=run)
    log(f"  extend spans over any-technique runs: {decoding['mode'] == 'extend'} (run threshold {run}: tune SI + FLC "
        f"{by_run[run]:.3f} against {by_support[support]:.3f})")
    return decoding


#: how far per-technique thresholds may move towards one common threshold (chosen on tune)
SHRINK_GRID = (0.0, 0.5, 1.0)


def shrink_thresholds(th: np.ndarray, objective) -> tuple[np.ndarray, float, float]:
    """Per-technique thresholds moved part of the way towards one common threshold, the
    pair ``(shrink, common)`` that maximises ``objective(thresholds)`` (ties: more shrinkage).

    A threshold picked per technique on a few dozen articles fits their accidents, most of
    all for rare techniques; a common one has a single degree of freedom. Techniques switched
    off (threshold > 1) stay off."""
    on = th <= 1.0
    if not on.any():
        return th, 0.0, 0.5
    best = (objective(th), 0.0, 0.5, th)
    for shrink in SHRINK_GRID[1:]:
        for common in THRESHOLD_GRID:
            cand = np.where(on, np.round(shrink * common + (1 - shrink) * th, 4), th)
            value = objective(cand)
            if value >= best[0] - 1e-12:
                best = (value, shrink, common, cand)
    return best[3], best[1], best[2]


def recorded_decoding(model: TechniqueModel) -> dict:
    """The decoding a model's config.json holds, as :func:`choose_decoding` returns it."""
    return {"thresholds": {lab: float(t) for lab, t in zip(model.labels, model.thresholds)}, "th": model.thresholds,
            "max_gap": model.max_gap, "mode": model.decode_mode, "any_threshold": model.any_threshold,
            "snap": model.snap, "support": model.support_threshold}


def decode_args(decoding: dict) -> dict:
    """The keyword arguments of :meth:`TechniqueModel.decode` for the settings of :func:`choose_decoding`."""
    return {"thresholds": decoding["th"], "max_gap": decoding["max_gap"], "mode": decoding["mode"],
            "any_threshold": decoding["any_threshold"], "snap": decoding.get("snap", False),
            "support": decoding.get("support", 0.0)}


def decode_with(model: TechniqueModel, text: str, probs, any_probs, offsets, decoding: dict):
    """Raw spans of ``text`` decoded with the settings of :func:`choose_decoding`."""
    return model.decode(text, probs, any_probs, offsets, **decode_args(decoding))


def _all_gold(tune) -> dict:
    """Gold spans (all labels) of the tune tuples' records, by record id."""
    return {r.id: [(s, e, n) for s, e, n, _ in r.spans] for r, *_ in tune}


def _tune_f1(model: TechniqueModel, tune, gold: dict, **how) -> tuple[float, float]:
    """SI and FLC F1 of ``tune`` decoded with ``model.decode(..., **how)``."""
    pred = {r.id: model.decode(r.text, p, a, o, **how) for r, p, a, o in tune}
    return score_si(gold, pred)["f1"], score_flc(gold, pred)["f1"]


def scored_spans(model: TechniqueModel, tune, decoding: dict) -> tuple[list[float], list[int]]:
    """Raw scores of the spans decoded on ``tune`` with ``decoding``, and whether each is right."""
    raw, right = [], []
    for r, p, a, o in tune:
        pred = decode_with(model, r.text, p, a, o, decoding)
        raw += [s.score for s in pred]
        right += correctness(pred, gold_by_label(r))
    return raw, right


#: calibration data: the tune split cut into this many folds, each decoded with the settings
#: chosen on the others, repeated over this many seeded shuffles and pooled. One two-way split
#: left the calibration at the mercy of where two 23-article halves put their thresholds (model
#: v5's test ECE 0.025-0.042 over four seeds, 0.0505 as first shipped); four folds decode with
#: settings chosen on three quarters of tune, nearer the shipped ones, and two shuffles average
#: the knife edges out (0.020-0.029 over four seed pairs).
CALIBRATION_FOLDS = 4
CALIBRATION_SHUFFLES = 2
#: the fewest spans behind one isotonic knot
CALIBRATION_MIN_BIN = 20


def cross_fitted_scores(model: TechniqueModel, tune, seed: int, folds: int = CALIBRATION_FOLDS,
                        shuffles: int = CALIBRATION_SHUFFLES) -> tuple[list[float], list[int]]:
    """Calibration data that the decoding was not chosen on: the tune split cut into ``folds``
    seeded folds, each decoded with the settings chosen on the others; repeated ``shuffles``
    times (seeds ``seed``, ``seed + 1``, ...) and pooled. Spans decoded with thresholds tuned on
    the same articles are right more often than on unseen ones (the thresholds were picked where
    they happened to work), and a calibration fit on them over-states every score."""
    if folds < 2 or shuffles < 1:
        raise UsageError(f"cross-fitted calibration needs folds >= 2 and shuffles >= 1; got folds={folds}, "
                         f"shuffles={shuffles}")
    folds = max(2, min(folds, len(tune)))  # a tiny tune split: no more folds than articles
    raw, right = [], []
    for shuffle in range(shuffles):
        for held, fit in seeded_folds(len(tune), folds, seed + shuffle):
            decoding = choose_decoding(model, [tune[i] for i in sorted(fit)], log=lambda *_: None)
            r, y = scored_spans(model, [tune[i] for i in sorted(held)], decoding)
            raw += r
            right += y
    return raw, right


def seeded_folds(n: int, folds: int, seed: int) -> list[tuple[list[int], list[int]]]:
    """``(held, fit)`` index lists of ``n`` items cut into ``folds`` seeded folds: each fold
    held out once, the others (in fold order) to fit on."""
    order = np.random.default_rng(seed).permutation(n)
    parts = [[int(i) for i in order[k::folds]] for k in range(folds)]
    return [(parts[k], [i for j in range(folds) if j != k for i in parts[j]]) for k in range(folds)]


def fit_calibration(model: TechniqueModel, tune, seed: int) -> tuple[dict, list[float], list[int]]:
    """Isotonic knots mapping raw span scores to the chance a span is right, fit on
    :func:`cross_fitted_scores` of ``tune``; with those scores and outcomes."""
    raw, right = cross_fitted_scores(model, tune, seed)
    return calibration.fit_isotonic(raw, right, min_bin=CALIBRATION_MIN_BIN), raw, right


CALIBRATION_DATA = (f"cross-fitted tune folds ({CALIBRATION_FOLDS} folds x {CALIBRATION_SHUFFLES} shuffles, "
                    f"at least {CALIBRATION_MIN_BIN} spans per knot)")


#: what :func:`tune_and_evaluate` chooses again: every decoding setting (training), only the
#: any-technique support and extend steps on top of the model's decoding, none (calibration alone),
#: or nothing at all ("keep": the test split measured again, e.g. after a runtime setting changed)
RETUNE = ("all", "support", "none", "keep")


def tune_and_evaluate(model_dir: Path, tune_recs, test_recs, cfg, log=print, decoding: str = "all") -> dict:
    """Choose per-technique thresholds, the decode gap, (with an any-technique
    channel) its threshold, the decode mode and the spans' support on the tune split; fit the score
    calibration on cross-fitted folds of it (:func:`cross_fitted_scores`); write them to
    config.json and measure the test split. With ``decoding="support"`` the model's decoding is
    kept but for the support and extend steps (:func:`choose_support`; ``unspin train techniques
    --support-only``); with ``"none"`` it is kept whole and only the calibration is fit again
    (``--calibrate-only``); with ``"keep"`` the calibration is kept too and only the test split is
    measured (``--anchor-windows``)."""
    if decoding not in RETUNE:
        raise UsageError(f"decoding must be one of {RETUNE}, got {decoding!r}")
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    tune_metrics = config.get("metrics", {}).get("tune")  # "keep": the calibration's own figures stay
    if decoding != "keep":
        model = TechniqueModel(model_dir)
        tune = [(r, *model.all_probabilities(r.text)) for r in tune_recs]
        if decoding != "none":
            dec = choose_decoding(model, tune, log=log) if decoding == "all" else choose_support(
                model, tune, recorded_decoding(model), log=log)
            config.update(thresholds=dec["thresholds"], max_gap=dec["max_gap"], decode=dec["mode"],
                          snap=dec["snap"], support_threshold=dec["support"], support_refit=decoding == "support")
            if decoding == "all":
                config["threshold_shrink"] = dec["shrink"]
            if model.any_channel:
                config["any_threshold"] = dec["any_threshold"]
        knots, raw, right = fit_calibration(model, tune, cfg.seed)
        log(f"  calibration: {len(right)} cross-fitted tune spans, {np.mean(right) if right else 0:.3f} right")
        config.update(calibration=knots, calibration_data=CALIBRATION_DATA, calibration_refit=decoding != "all")
        (model_dir / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
        tune_metrics = {"articles": len(tune_recs), "ece_on_tune": calibration.expected_calibration_error(
            calibration.apply(knots, raw), right)}
    metrics = evaluate_model(model_dir, test_recs, cfg, log=log)
    if tune_metrics is not None:
        metrics["tune"] = tune_metrics
    config["metrics"] = metrics
    (model_dir / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    return metrics


def ptc_versions(test_recs, cfg) -> tuple[list, bool]:
    """The PTC-2020 copies of the test articles (PTC gold), when PTC-2020 is available."""
    if "ptc2020" not in cfg.include:
        return test_recs, False
    from .corpora import load_ptc2020

    try:
        ptc = {r.id: r for r in load_ptc2020(cfg.data_dir)}
    except Exception:  # noqa: BLE001 - PTC missing: score on the records themselves
        return test_recs, False
    out = [ptc.get(r.id) for r in test_recs]
    if any(r is None for r in out):
        return test_recs, False
    return out, True


def ptc_gold(doc, is_ptc: bool) -> list[tuple[int, int, str]]:
    """A document's gold spans under the 14 PTC-2020 labels: its own PTC labels when it is a
    PTC-2020 record, else its native labels mapped (spans without a PTC label dropped)."""
    return [(s, e, o if is_ptc else to_ptc(n)) for s, e, n, o in doc.spans if (o if is_ptc else to_ptc(n))]


def ptc_pred(spans) -> list[tuple[int, int, str]]:
    """Predicted spans under the 14 PTC-2020 labels (techniques without one dropped)."""
    return [(s.start, s.end, to_ptc(s.label)) for s in spans if to_ptc(s.label)]


def gold_by_label(doc) -> dict[str, list[tuple[int, int]]]:
    """Native label -> gold intervals (what :func:`correctness` compares with)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for s, e, n, _ in doc.spans:
        out.setdefault(n, []).append((s, e))
    return out


def evaluate_model(model_dir: Path, test_recs, cfg, log=print) -> dict:
    """SI/FLC on the test split (PTC-14 labels), per technique, native FLC, ECE."""
    model = TechniqueModel(model_dir)
    docs, is_ptc = ptc_versions(test_recs, cfg)
    preds, gold_native, gold_ptc, pred_ptc = {}, {}, {}, {}
    raw, calib, right = [], [], []
    for r in docs:
        spans = model.predict(r.text)
        preds[r.id] = spans
        gold_native[r.id] = [(s, e, n) for s, e, n, _ in r.spans]
        gold_ptc[r.id] = ptc_gold(r, is_ptc)
        pred_ptc[r.id] = ptc_pred(spans)
        calib += [s.score for s in spans]
        raw += [s.attrs["raw_score"] for s in spans]
        right += correctness(spans, gold_by_label(r))
    si = score_si(gold_ptc, pred_ptc)
    flc = score_flc(gold_ptc, pred_ptc)
    # how far a figure on a few dozen articles can be trusted: an article-level bootstrap
    si["f1_interval"] = [round(x, 4) for x in f1_interval(gold_ptc, pred_ptc, labelled=False)]
    flc["f1_interval"] = [round(x, 4) for x in f1_interval(gold_ptc, pred_ptc, labelled=True)]
    native = score_flc(gold_native, {k: [(s.start, s.end, s.label) for s in v] for k, v in preds.items()})
    metrics = {
        "test_articles": len(docs), "gold": "PTC-2020" if is_ptc else "training corpus mapped to PTC",
        "si": si, "flc": {k: v for k, v in flc.items() if k != "per_technique"},
        "per_technique_ptc": {k: round(v["f1"], 4) for k, v in flc["per_technique"].items()},
        "flc_native": {k: v for k, v in native.items() if k != "per_technique"},
        "ece": calibration.expected_calibration_error(calib, right),
        "ece_raw": calibration.expected_calibration_error(raw, right),
        "spans_scored": len(right),
        "cpu": cpu_summary(),  # int8 kernels differ by CPU: so do the probabilities, slightly
    }
    log(format_metrics(metrics))
    return metrics


def format_metrics(m: dict) -> str:
    lines = [f"test articles: {m['test_articles']} (gold: {m['gold']})"
             + (f"; measured on {m['cpu']}" if m.get("cpu") else "")]
    for key, name in (("si", "SI  (spans, labels ignored)"), ("flc", "FLC (14 PTC labels)"),
                      ("flc_native", "FLC (native labels)")):
        r = m[key]
        interval = (f"  95% interval {r['f1_interval'][0]:.3f}-{r['f1_interval'][1]:.3f}"
                    if r.get("f1_interval") else "")
        lines.append(f"{name:30s} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}  "
                     f"(pred {r['n_pred']}, gold {r['n_gold']}){interval}")
    lines.append(f"span score ECE (10 bins): {m['ece']:.4f} calibrated, {m['ece_raw']:.3f} raw, "
                 f"{m['spans_scored']} spans")
    lines.append("per technique F1 (PTC labels):")
    for lab, f1 in sorted(m["per_technique_ptc"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {f1:.3f}  {lab}")
    return "\n".join(lines)
