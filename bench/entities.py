"""Canonical-name accuracy and the time cost of the ``unspin_entities`` stage.

    python bench/entities.py [--n 30] [--repeat 3]

Prints the canonical accuracy on tests/extract/data/canonical_cases.jsonl (the gate's
measure), then, per article, the time spaCy takes to parse and the time the entities
stage takes on the parsed doc, and their ratio, on: the bundled sample article,
synthetic articles dense with names, countries and organisations, and the benchmark
articles of bench/_articles.py (PTC articles when ../shared/data is there). The issue's
budget: all of unspin's layers together add at most 25% to full analysis.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "extract" / "data" / "canonical_cases.jsonl"

PEOPLE = ["Tomas Keller", "Ana Ruiz", "Martin Holm", "Helga Brandt", "Samuel Okafor", "Rosa Delgado",
          "Arjun Mehta", "Ingrid Vass", "Marek Kowalski", "Fatima Haddad"]
PLACES = ["Moscow", "Washington", "Beijing", "Kyiv", "the Kremlin", "the White House", "Brussels", "Pyongyang",
          "the U.S.", "Britain", "the EU", "NATO", "the IMF", "the Fed", "Russian", "Chinese", "Israeli",
          "Putin", "Xi", "Zelensky", "the Tories", "Labour", "the UN Security Council", "Castellan Engineering"]
TEMPLATES = [
    "{p} said on Tuesday that {x} had not been consulted about the plan.",
    "According to {s}, {x} will respond within days, and {y} has promised to follow.",
    "Talks between {x} and {y} stalled last week, {p} told reporters in {z}.",
    "{s} accused {x} of \"reckless\" spending, a charge {y} officials denied.",
    "Protesters gathered in {z} as {p} met the leaders of {x}.",
    "The Norland Infrastructure Audit Office (NIAO) said {s} had ignored warnings from {x}.",
]


def synthetic_articles(n: int, paragraphs: int = 24, seed: int = 7) -> list[str]:
    """``n`` invented articles of about 700 words, dense with entities."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lines = []
        for _ in range(paragraphs):
            p = rng.choice(PEOPLE)
            lines.append(" ".join(
                rng.choice(TEMPLATES).format(p=p, s=p.split()[-1], x=rng.choice(PLACES), y=rng.choice(PLACES),
                                             z=rng.choice(PLACES).replace("the ", ""))
                for _ in range(2)))
        out.append("\n\n".join(lines))
    return out


def mention_offsets(case: dict) -> tuple[int, int]:
    text, mention, at = case["text"], case["mention"], -1
    for _ in range(case.get("occurrence", 1)):
        at = text.index(mention, at + 1)
    return at, at + len(mention)


def canonical_accuracy(engine) -> tuple[float, int, list[str]]:
    """Accuracy on the gate's cases, as tests/extract/test_entities.py counts it."""
    with open(CASES, encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh if line.strip()]
    failures = []
    for case, an in zip(cases, engine.analyze_many([c["text"] for c in cases]), strict=True):
        start, end = mention_offsets(case)
        got = None
        for span in an.layer("entities"):
            if span.end == end and (span.start == start or an.text[span.start:start].lower() == "the "):
                got = span.attrs["canonical"]
        if got != case["canonical"]:
            failures.append(f"  {case['mention']!r} -> {got!r} (expected {case['canonical']!r})")
    return 1 - len(failures) / len(cases), len(cases), failures


def time_stage(engine, texts: list[str], repeat: int) -> tuple[float, float]:
    """Seconds per article: spaCy's parse (unspin's doc-level stages off) and the entities stage."""
    from unspin.extract.entities import entity_spans
    from unspin.pipeline import spacy_text

    disable = list(engine.config.components)
    clean = [spacy_text(t) for t in texts]
    best_parse = best_ents = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        docs = list(engine.nlp.pipe(clean, disable=disable, batch_size=16))
        best_parse = min(best_parse, time.perf_counter() - t)
        t = time.perf_counter()
        for doc in docs:
            entity_spans(doc)
        best_ents = min(best_ents, time.perf_counter() - t)
    return best_parse / len(texts), best_ents / len(texts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=30, help="synthetic and benchmark articles (default 30)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs, best kept (default 3)")
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")

    from _articles import SAMPLE, load_articles
    from unspin.extract.aliases import load_table, table_paths
    from unspin.pipeline import default_engine

    t = time.perf_counter()
    table = load_table.__wrapped__(table_paths())
    print(f"alias table: {len(table)} rows, {len(table.countries)} countries and territories; "
          f"read in {1000 * (time.perf_counter() - t):.0f} ms (once per process)")

    engine = default_engine()
    accuracy, n, failures = canonical_accuracy(engine)
    print(f"canonical accuracy: {accuracy:.3f} on {n} cases (gate 0.90)")
    print("\n".join(failures))

    bench, where = load_articles(args.n)
    sets = [("bundled sample", [SAMPLE.read_text(encoding="utf-8")] * 8),
            ("synthetic, entity-dense", synthetic_articles(args.n)),
            (where, bench)]
    print(f"\n{'articles':58s} {'words':>6s} {'parse ms':>9s} {'entities ms':>12s} {'ratio':>7s}")
    for name, texts in sets:
        parse, ents = time_stage(engine, texts, args.repeat)
        words = sum(len(t.split()) for t in texts) / len(texts)
        print(f"{name[:58]:58s} {words:6.0f} {1000 * parse:9.1f} {1000 * ents:12.2f} {ents / parse:7.1%}")
    print("ratio = entities stage time / spaCy parse time, per article (issue budget: all layers <= 25%)")


if __name__ == "__main__":
    main()
