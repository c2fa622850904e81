"""Full-analysis speed on one core, with and without the model stages.

    python bench/speed.py [--n 30] [--words 930]

Articles of about ``--words`` words (PTC training articles of at least that
length when ../shared/data is there, else synthetic). One thread for every
library (spaCy's BLAS and onnxruntime). Prints articles/s for spaCy alone, full
analysis without techniques, without claims/genre/framing, full analysis, and the
ratios. Target of the techniques and claims issues: at least 2 articles/s for full analysis.
"""
from __future__ import annotations

import argparse
import os
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
    args = ap.parse_args()


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

    r_spacy = rate(lambda: list(nlp.pipe(sized)))
    r_without = rate(lambda: [a.dumps() for a in without.analyze_many(sized)])
    r_no_claims = rate(lambda: [a.dumps() for a in no_claims.analyze_many(sized)])
    r_full = rate(lambda: [a.dumps() for a in full.analyze_many(sized)])
    print(f"spaCy alone                     {r_spacy:6.2f} articles/s")
    print(f"analysis w/o techniques         {r_without:6.2f} articles/s")
    print(f"analysis w/o claims and framing {r_no_claims:6.2f} articles/s")
    print(f"full analysis                   {r_full:6.2f} articles/s   (target >= 2)")
    print(f"ratio full / without techniques (time): {r_without / r_full:.2f}x; full / without claims and framing: "
          f"{r_no_claims / r_full:.2f}x; full / spaCy: {r_spacy / r_full:.2f}x")


if __name__ == "__main__":
    main()
