"""Even-handedness: swap the actors of articles and count technique spans that change.

    python bench/symmetry.py [--n 40]

For each article (PTC-2020 training articles that mention a swappable actor;
see unspin.techniques.symmetry.PAIRS: Russia <-> United States, Putin <-> Biden,
Democrats <-> Republicans, ...) the shipped technique model runs on the original
and on the swapped text. A span is *kept* when a span with the same label
overlaps its position after the swap, *changed* when only spans of other labels
do, *gone* when none does; *new* counts swapped-text spans with no counterpart.
Reported for all spans and for spans in sentences that mention a swapped actor.
Lower is better: the share of spans that change label or disappear.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40, help="articles with at least one swap (default 40)")
    ap.add_argument("--model-dir", help="technique model directory (default: shipped)")
    args = ap.parse_args()

    from _articles import load_articles
    from unspin.techniques.model import DEFAULT_MODEL_DIR, TechniqueModel
    from unspin.techniques.symmetry import compare, swap_actors

    model = TechniqueModel(args.model_dir or DEFAULT_MODEL_DIR, threads=os.cpu_count() or 1)
    texts, where = load_articles(400)
    chosen = [t for t in texts if swap_actors(t).replaced][-args.n:]
    print(f"{len(chosen)} articles with swappable actors ({where})")
    total = {"spans": 0, "kept": 0, "changed": 0, "gone": 0, "new": 0}
    near = dict(total)
    for text in chosen:
        sw = swap_actors(text)
        orig, after = model.predict(text), model.predict(sw.text)
        for k, v in compare(orig, after, sw).items():
            total[k] += v
        # sentences (lines or ". "-separated) that hold a swapped name
        bounds = [m.span() for m in re.finditer(r"[^\n.!?]+[.!?]?", text)]
        hot = [(a, b) for a, b in bounds if any(a <= s < b for s, _ in sw.replaced)]
        in_hot = [s for s in orig if any(a <= s.start < b for a, b in hot)]
        after_hot = [t for t in after if any(sw.map_offset(a) <= t.start < sw.map_offset(b) for a, b in hot)]
        for k, v in compare(in_hot, after_hot, sw).items():
            near[k] += v
    for name, c in (("all spans", total), ("spans in sentences naming a swapped actor", near)):
        n = max(c["spans"], 1)
        flip = (c["changed"] + c["gone"]) / n
        print(f"{name}: {c['spans']} spans; kept {c['kept']}, changed label {c['changed']}, gone {c['gone']}, "
              f"new {c['new']}; share changed or gone: {flip:.3f}")


if __name__ == "__main__":
    main()
