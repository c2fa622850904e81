"""Full-analysis speed on one core, with and without the model stages.

    python bench/speed.py [--n 30] [--words 930] [--rounds 1] [--stages]

Articles of about ``--words`` words (PTC training articles of at least that
length when ../shared/data is there, else synthetic). One thread for every
library (spaCy's BLAS and onnxruntime). Prints articles/s for spaCy alone, full
analysis without techniques, without claims/genre/framing, full analysis, and the
ratios. Target of the techniques and claims issues: at least 2 articles/s for full analysis.
With ``--rounds N`` the four runs take turns N times and each figure is the median, with the range:
on a virtual machine whose speed drifts between runs, one round's figures can differ by more than
the change being measured.
With ``--stages``, also the milliseconds an article spends in each pipeline component (spaCy's
and unspin's), to see where the time goes on this CPU.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
os.environ["UNSPIN_THREADS"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--words", type=int, default=930)
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the four measurements in turn this many times; print medians and ranges")
    ap.add_argument("--stages", action="store_true", help="also print the time per article of each component")
    args = ap.parse_args()
    if args.rounds < 1 or args.n < 1:
        ap.error("--rounds and --n must be at least 1")

    from _articles import load_articles
    from unspin.hardware import cpu_summary
    from unspin.pipeline import DEFAULT_MODEL, DOC_COMPONENTS, Engine, EngineConfig, load_spacy

    texts, where = load_articles(args.n * 4, min_words=0)
    # trim or pad to about --words words so results compare across corpora
    sized = []
    for t in texts:
        words = t.split(" ")
        while len(words) < args.words:
            words += words
        sized.append(" ".join(words[: args.words]))
        if len(sized) >= args.n:
            break
    words = sum(len(t.split()) for t in sized)
    print(f"{len(sized)} articles of ~{words // len(sized)} words ({where})")
    print(f"CPU: {cpu_summary()}")

    nlp = load_spacy(DEFAULT_MODEL)  # as the engine loads it (numpy BLAS, not blis)
    without = Engine(EngineConfig(components=tuple(c for c in DOC_COMPONENTS if c != "unspin_techniques")))
    sentence_model = ("unspin_claims", "unspin_framing")
    no_claims = Engine(EngineConfig(components=tuple(c for c in DOC_COMPONENTS if c not in sentence_model)))
    full = Engine(EngineConfig())
    if full.missing:
        print(f"note: {full.missing} not installed; 'full' runs without them")
    for e in (without, no_claims, full):
        list(e.analyze_many(sized[:2]))
    list(nlp.pipe(sized[:2]))

    def rate(fn) -> float:
        t = time.perf_counter()
        fn()
        return len(sized) / (time.perf_counter() - t)

    runs = {
        "spaCy alone": lambda: list(nlp.pipe(sized)),
        "analysis w/o techniques": lambda: [a.dumps() for a in without.analyze_many(sized)],
        "analysis w/o claims and framing": lambda: [a.dumps() for a in no_claims.analyze_many(sized)],
        "full analysis": lambda: [a.dumps() for a in full.analyze_many(sized)],
    }
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, fn in runs.items():
            rates[name].append(rate(fn))
    for name, got in rates.items():
        spread = f"   (range {min(got):.2f}-{max(got):.2f} over {len(got)} rounds)" if len(got) > 1 else ""
        target = "   (target >= 2)" if name == "full analysis" else ""
        print(f"{name:31s} {statistics.median(got):6.2f} articles/s{target}{spread}")
    r_spacy, r_without, r_no_claims, r_full = (statistics.median(got) for got in rates.values())
    print(f"ratio full / without techniques (time): {r_without / r_full:.2f}x; full / without claims and framing: "
          f"{r_no_claims / r_full:.2f}x; full / spaCy: {r_spacy / r_full:.2f}x")
    if args.stages:
        print_stages(full, sized)


def stage_times(engine, texts: list[str]) -> dict[str, float]:
    """Seconds per article in each component of ``engine``'s pipeline, in pipeline order."""
    from unspin.hardware import blas_threads
    from unspin.pipeline import spacy_text

    totals = {name: 0.0 for name, _ in engine.nlp.pipeline}
    with blas_threads():
        for text in texts:
            doc = engine.nlp.make_doc(spacy_text(text))
            for name, proc in engine.nlp.pipeline:
                t = time.perf_counter()
                doc = proc(doc)
                totals[name] += time.perf_counter() - t
    return {name: t / len(texts) for name, t in totals.items()}


def print_stages(engine, texts: list[str]) -> None:
    times = stage_times(engine, texts)
    print("time per article by component (one at a time, not batched):")
    for name, t in times.items():
        print(f"  {name:24s} {1000 * t:7.1f} ms")
    print(f"  {'sum':24s} {1000 * sum(times.values()):7.1f} ms")


if __name__ == "__main__":
    main()
