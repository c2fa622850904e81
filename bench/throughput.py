"""Throughput of ``unspin analyze`` against plain spaCy on the same articles.

    python bench/throughput.py [--n 60] [--threads 1]

Prints articles/s and words/s for spaCy alone (the same English pipeline) and
for unspin's full analysis (including JSON serialisation), and the overhead
ratio. The foundation issue's budget: ratio under 1.3.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=60, help="articles (default 60)")
    ap.add_argument("--repeat", type=int, default=2, help="timed runs, best kept (default 2)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (default 1 = one core)")
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))

    import spacy

    from _articles import load_articles
    from unspin.pipeline import DEFAULT_MODEL, default_engine

    texts, where = load_articles(args.n)
    words = sum(len(t.split()) for t in texts)
    print(f"articles: {where}; {words:,} words, {words / len(texts):.0f} per article")

    nlp = spacy.load(DEFAULT_MODEL)
    engine = default_engine()
    list(nlp.pipe(texts[:4]))
    list(engine.analyze_many(texts[:4]))

    def best(fn) -> float:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    t_spacy = best(lambda: list(nlp.pipe(texts, batch_size=16)))
    t_unspin = best(lambda: [a.dumps() for a in engine.analyze_many(texts)])
    for name, t in (("spaCy alone", t_spacy), ("unspin analyze", t_unspin)):
        print(f"{name:16s} {len(texts) / t:7.2f} articles/s  {words / t:9.0f} words/s")
    print(f"overhead ratio (unspin / spaCy time): {t_unspin / t_spacy:.3f}  (budget 1.30)")


if __name__ == "__main__":
    main()
