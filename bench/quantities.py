"""Benchmark: unspin's quantity extractor against quantulum3 on the hand-written gold set.

Run from the repository root::

    PYTHONPATH=src .venv/bin/python bench/quantities.py [--data tests/extract/data/quantities.jsonl]

quantulum3 is optional (``pip install quantulum3 stemming``; it is never a
runtime dependency of unspin). When its bundled unit classifier cannot be
loaded by the installed scikit-learn, the bench retrains it once from
quantulum3's own training set (offline) into the temp directory.

Matching, the same for both systems: for each gold expression take the
predicted quantity that overlaps its characters most.

* ``found``: some predicted quantity overlaps the gold expression.
* ``strict``: value (low end for ranges) within 1e-6 relative / 0.006 absolute
  and unit equal after mapping quantulum3 units to ours: currencies to ISO
  codes (``cent``/``penny`` to USD/GBP hundredths), ``percentage`` to "%",
  time units to plural names ("week" -> "weeks"), common measure units to our
  spellings ("kilometre" -> "km"), ``dimensionless`` to None. A quantulum3
  range (``value`` +- ``uncertainty``) is read as its low end.
* ``lenient``: as strict, but a count's unit is not compared (quantulum3 never
  names the counted noun, "people"), a plain number equal to a gold year
  counts for ``year`` rows, and a plain fraction counts for a percentage
  ("half" -> 0.5 for 50 %). Dates (ISO strings) need a date extractor and are
  failed by quantulum3 in both modes.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
try:
    from unspin.extract.quantities import find_quantities
except ImportError:  # run without PYTHONPATH=src
    sys.path.insert(0, str(ROOT / "src"))
    from unspin.extract.quantities import find_quantities

#: A prediction: (start, end, value, unit).
Pred = tuple[int, int, Any, Any]

_Q3_MEASURES = {
    "kilometre": "km", "metre": "m", "centimetre": "cm", "millimetre": "mm", "mile": "miles", "tonne": "tonnes",
    "ton": "tonnes", "kilogram": "kg", "gram": "g", "pound-mass": "lb", "foot": "ft", "inch": "inches",
    "litre": "l", "gallon": "gallons", "barrel": "barrels", "hectare": "ha", "acre": "acres", "megawatt": "MW",
    "gigawatt": "GW", "kilowatt": "kW", "degree Celsius": "°C", "degree fahrenheit": "°F", "degree Fahrenheit": "°F",
    "mile per hour": "mph", "kilometre per hour": "km/h", "cubic metre": "m³", "square kilometre": "km²",
    "degree angle": "degrees", "knot": "knots", "basis point": "bp", "percentage point": "pp",
}
_Q3_TIME = {"century": "centuries", "millennium": "millennia"}


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def unspin_predict(row: dict[str, Any]) -> list[Pred]:
    spans = find_quantities(row["sentence"], doc_date=row.get("doc_date"))
    return [(s.start, s.end, s.attrs["value"], s.attrs["unit"]) for s in spans]


def quantulum_predictor() -> tuple[Callable[[dict[str, Any]], list[Pred]] | None, str]:
    """quantulum3's parse mapped to our units, or (None, why) when it is not installed."""
    try:
        import quantulum3
        from quantulum3 import classifier, parser
    except ImportError:
        return None, "quantulum3 not installed: `.venv/bin/pip install quantulum3 stemming` to add its column"
    note = f"quantulum3 {getattr(quantulum3, '__version__', '?')}"
    try:
        classifier.classifier("en_US")  # load the bundled unit classifier now, not mid-run
    except Exception as exc:  # noqa: BLE001 - the bundled classifier pickle does not load here
        try:
            import sklearn

            clf_path = str(Path(tempfile.gettempdir()) / f"unspin-bench-q3-clf-sklearn{sklearn.__version__}.joblib")
            if not Path(clf_path).exists():
                print(f"[bench] quantulum3 classifier unusable ({type(exc).__name__}); retraining it once "
                      f"from quantulum3's training set into {clf_path}", file=sys.stderr)
                classifier.train_classifier(store=True, output_path=clf_path, n_jobs=1)
            trained = classifier.Classifier(lang="en_US", classifier_path=clf_path)
            classifier.classifier = lambda lang="en_US", classifier_path=None: trained  # every internal call
            parser.parse("warm up: 5 km and $3 million")
            note += " (unit classifier retrained for the installed scikit-learn)"
        except Exception as exc2:  # noqa: BLE001
            classifier.USE_CLF = False
            note += f" (unit classifier off: {type(exc2).__name__}: {exc2})"

    def predict(row: dict[str, Any]) -> list[Pred]:
        out: list[Pred] = []
        for q in parser.parse(row["sentence"]):
            value, unit = q.value, _map_q3_unit(q.unit)
            if q.unit.name in ("cent", "penny", "pence"):
                value /= 100
            if q.uncertainty:
                value -= q.uncertainty  # a range: mean +- half-width -> low end
            out.append((q.span[0], q.span[1], value, unit))
        return out

    return predict, note


def _map_q3_unit(unit: Any) -> str | None:
    name, entity = unit.name, unit.entity.name
    if entity == "currency":
        return getattr(unit, "currency_code", None) or {"cent": "USD", "penny": "GBP", "pence": "GBP"}.get(name, name)
    if name in ("percentage", "per cent", "percent"):
        return "%"
    if name == "dimensionless":
        return None
    if entity == "time":
        return _Q3_TIME.get(name, name + "s")
    return _Q3_MEASURES.get(name, name)


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, (int, float)) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return math.isclose(got, want, rel_tol=1e-6, abs_tol=0.006)
    return got == want


def score(rows: list[dict[str, Any]], predict: Callable[[dict[str, Any]], list[Pred]]) -> dict[str, Any]:
    """Found / strict / lenient hits per label, plus seconds per sentence."""
    predictions, t0 = [], time.perf_counter()
    for row in rows:
        predictions.append(predict(row))
    per_sentence = (time.perf_counter() - t0) / len(rows)
    res: dict[str, Any] = {"n": {}, "found": {}, "strict": {}, "lenient": {}, "sec": per_sentence}
    for row, preds in zip(rows, predictions, strict=True):
        start = row["sentence"].index(row["span"])
        end = start + len(row["span"])
        best = max(preds, key=lambda p: min(end, p[1]) - max(start, p[0]), default=None)
        found = best is not None and min(end, best[1]) > max(start, best[0])
        strict = found and _same(best[2], row["value"]) and best[3] == row["unit"]
        lenient = strict or (found and _same(best[2], row["value"]) and (
            (row["label"] == "count" and row["unit"] not in _Q3_MEASURES.values()) or row["label"] == "year"))
        if found and not lenient and row["label"] == "percent" and best[3] is None and isinstance(best[2], float):
            lenient = _same(best[2] * 100, row["value"])  # "half" read as the fraction 0.5
        for key, hit in (("n", True), ("found", found), ("strict", strict), ("lenient", lenient)):
            for label in (row["label"], "all"):
                res[key][label] = res[key].get(label, 0) + int(hit)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "tests" / "extract" / "data" / "quantities.jsonl")
    args = ap.parse_args(argv)
    rows = load(args.data)
    systems = {"unspin": score(rows, unspin_predict)}
    q3, note = quantulum_predictor()
    if q3 is not None:
        systems["quantulum3"] = score(rows, q3)
    print(f"gold set: {args.data} ({len(rows)} expressions); {note}\n")
    names = list(systems)
    print(f"{'metric':34s}" + "".join(f"{n:>14s}" for n in names))
    labels = ["all"] + sorted({r["label"] for r in rows})
    for metric in ("strict", "lenient", "found"):
        title = {"strict": "value+unit accuracy", "lenient": "value+unit, lenient units", "found": "span found rate"}
        for label in labels:
            n = systems["unspin"]["n"][label]
            row_name = title[metric] if label == "all" else f"  {label} (n={n})"
            print(f"{row_name:34s}" + "".join(f"{systems[s][metric].get(label, 0) / n:14.3f}" for s in names))
    print(f"{'time per sentence (ms)':34s}" + "".join(f"{systems[s]['sec'] * 1000:14.3f}" for s in names))
    if q3 is None:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
