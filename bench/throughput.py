"""Throughput of unspin's analysis against plain spaCy on the same articles, layer by layer.

    python bench/throughput.py [--n 60] [--threads 1]

Prints articles/s and words/s for spaCy alone (the same English pipeline) and for
unspin with its stages added one group at a time (JSON serialisation included),
then the overhead ratios:
* foundation layers (sentences, entities) over spaCy alone: budget 1.3;
* how much each later group slows the analysis before it: budget 25% for extraction layers
  (the technique model has its own speed target, see bench/speed.py);
* with ``--full``: full analysis (every stage) against full analysis without one layer at a time,
  and without the quotes layer's cue encoder (``UNSPIN_QUOTE_ENCODER=off``): how much each layer
  slows *full* analysis (budget 25% for the extraction layers).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

STAGES = (
    ("foundation (sentences, entities)", ("unspin_sentences", "unspin_entities")),
    ("+ quotes, statements", ("unspin_quotes", "unspin_statements")),
    ("+ quantities", ("unspin_quantities",)),
    ("+ techniques", ("unspin_techniques",)),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=60, help="articles (default 60)")
    ap.add_argument("--repeat", type=int, default=2, help="timed runs, best kept (default 2)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS/onnxruntime threads (default 1 = one core)")
    ap.add_argument("--full", action="store_true", help="also time full analysis without one layer at a time")
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "UNSPIN_THREADS"):
        os.environ[var] = str(args.threads)

    from _articles import load_articles
    from unspin.hardware import cpu_summary
    from unspin.pipeline import DEFAULT_MODEL, Engine, EngineConfig, load_spacy

    texts, where = load_articles(args.n)
    words = sum(len(t.split()) for t in texts)
    print(f"articles: {where}; {words:,} words, {words / len(texts):.0f} per article")
    print(f"CPU: {cpu_summary()}")

    def best(fn) -> float:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    nlp = load_spacy(DEFAULT_MODEL)  # as the engine loads it (numpy BLAS, not blis)
    list(nlp.pipe(texts[:4]))
    results = [("spaCy alone", best(lambda: list(nlp.pipe(texts, batch_size=16))))]
    components: tuple[str, ...] = ()
    for name, added in STAGES:
        components += added
        engine = Engine(EngineConfig(components=components))
        if any(c in engine.missing for c in added):
            print(f"{name}: skipped ({', '.join(engine.missing)} not installed)")
            continue
        list(engine.analyze_many(texts[:4]))
        results.append((name, best(lambda e=engine: [a.dumps() for a in e.analyze_many(texts)])))
    for name, t in results:
        print(f"{name:34s} {len(texts) / t:7.2f} articles/s  {words / t:9.0f} words/s")
    t_spacy, t_found = results[0][1], results[1][1]
    print(f"foundation overhead (foundation / spaCy time): {t_found / t_spacy:.3f}  (budget 1.30)")
    for (name, t), (_, prev) in zip(results[2:], results[1:]):
        print(f"{name:34s} slows the analysis before it by {100 * (t - prev) / prev:5.1f}%")
    if args.full:
        leave_one_out(texts, best)


#: layers left out one at a time for the full-analysis figures (statements read the quotes layer)
LEAVE_OUT = (
    ("quotes, statements", ("unspin_quotes", "unspin_statements")),
    ("quantities", ("unspin_quantities",)),
    ("claims", ("unspin_claims",)),
    ("techniques", ("unspin_techniques",)),
    ("framing", ("unspin_framing",)),
)


def leave_one_out(texts: list[str], best) -> None:
    from unspin.extract import quote_model
    from unspin.pipeline import DOC_COMPONENTS, Engine, EngineConfig

    def timed(components) -> float:
        engine = Engine(EngineConfig(components=components))
        list(engine.analyze_many(texts[:4]))
        return best(lambda: [a.dumps() for a in engine.analyze_many(texts)])

    full = timed(DOC_COMPONENTS)
    print(f"full analysis                      {len(texts) / full:7.2f} articles/s")
    for name, layer in LEAVE_OUT:
        t = timed(tuple(c for c in DOC_COMPONENTS if c not in layer))
        print(f"{name:34s} slows full analysis by {100 * (full - t) / t:5.1f}%  (without it {len(texts) / t:.2f}/s)")
    model = quote_model.default_model()
    if model is not None and model.stacked:
        encoder, model.encoder = model.encoder, None
        try:
            t = timed(DOC_COMPONENTS)
        finally:
            model.encoder = encoder
        print(f"{'quotes: the cue encoder alone':34s} slows full analysis by {100 * (full - t) / t:5.1f}%")


if __name__ == "__main__":
    main()
