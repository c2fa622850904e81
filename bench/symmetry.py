"""Even-handedness: swap the actors of articles and count technique spans that change.

    python bench/symmetry.py [--n 40]

For each article (the model's held-out tune and test articles when ../shared/data is
there, so the model has not seen them, else the bundled sample; those that mention a swappable actor;
see unspin.techniques.symmetry.PAIRS: Russia <-> United States, Putin <-> Biden,
Democrats <-> Republicans, ...) the shipped technique model runs on the original
and on the swapped text. A span is *kept* when a span with the same label
overlaps its position after the swap, *changed* when only spans of other labels
do, *gone* when none does; *new* counts swapped-text spans with no counterpart.
Reported for all spans and for spans in sentences that mention a swapped actor.
A third run swaps actors that training never swaps (HELD_OUT_PAIRS: Pelosi <-> McConnell,
CNN <-> Fox News, India <-> Pakistan, ...): whether even-handedness carries over to them.
Lower is better: the share of spans that change label or disappear. A control run swaps
weekdays and months instead of actors in the same articles: its figure is the noise any small
edit causes, the floor for the actor figure. With ``--by-kind`` the actors are also swapped one
kind at a time (countries and cities, nations/parties/faiths, persons, institutions and camps;
unspin.techniques.symmetry.KINDS), over the same articles: which kind of name moves the model.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def held_out_articles(model_dir: Path) -> tuple[list[str], str]:
    """Texts of the model's own tune + test articles, else the benchmark articles."""
    from _articles import load_articles

    try:
        from unspin.train.techniques import recorded_train_config, split_records

        _train, tune, test = split_records(recorded_train_config(model_dir))
        return [r.text for r in tune + test], f"{len(tune) + len(test)} held-out articles of the model's split"
    except Exception as exc:  # noqa: BLE001 - no corpora here: fall back
        texts, where = load_articles(400)
        return texts, f"{where} (held-out split unavailable: {exc})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40, help="articles with at least one swap (default 40)")
    ap.add_argument("--model-dir", help="technique model directory (default: shipped)")
    ap.add_argument("--by-kind", action="store_true",
                    help="also swap one kind of actor at a time (countries, nations, persons, institutions)")
    args = ap.parse_args()

    from unspin.techniques.model import DEFAULT_MODEL_DIR, TechniqueModel
    from unspin.techniques.symmetry import KINDS, swap_actors

    model_dir = Path(args.model_dir or DEFAULT_MODEL_DIR)
    model = TechniqueModel(model_dir, threads=os.cpu_count() or 1)
    texts, where = held_out_articles(model_dir)
    chosen = [t for t in texts if swap_actors(t).replaced][-args.n:]
    print(f"{len(chosen)} articles with swappable actors ({where})")
    originals: dict[str, list] = {}  # each article's own spans, predicted once
    for control in (False, True):
        report(model, chosen, originals, control=control)
    unseen = [t for t in texts if swap_actors(t, held_out=True).replaced][-args.n:]
    print(f"{len(unseen)} articles with actors that training never swaps (HELD_OUT_PAIRS)")
    report(model, unseen, originals, held_out=True)
    if args.by_kind:
        print(f"one kind of actor swapped at a time, in the {len(chosen)} articles above")
        for kind in KINDS:
            report(model, chosen, originals, kind=kind)


def report(model, chosen: list[str], originals: dict[str, list], control: bool = False, held_out: bool = False,
           kind: str | None = None) -> None:
    from unspin.techniques.symmetry import compare, swap_actors

    total = {"spans": 0, "kept": 0, "changed": 0, "gone": 0, "new": 0}
    near = dict(total)
    articles = 0
    for text in chosen:
        sw = swap_actors(text, control=control, held_out=held_out, kind=kind)
        if not sw.replaced:
            continue
        articles += 1
        if text not in originals:
            originals[text] = model.predict(text)
        orig, after = originals[text], model.predict(sw.text)
        for k, v in compare(orig, after, sw).items():
            total[k] += v
        # sentences (lines or ". "-separated) that hold a swapped word
        bounds = [m.span() for m in re.finditer(r"[^\n.!?]+[.!?]?", text)]
        hot = [(a, b) for a, b in bounds if any(a <= s < b for s, _ in sw.replaced)]
        in_hot = [s for s in orig if any(a <= s.start < b for a, b in hot)]
        after_hot = [t for t in after if any(sw.map_offset(a) <= t.start < sw.map_offset(b) for a, b in hot)]
        for k, v in compare(in_hot, after_hot, sw).items():
            near[k] += v
    what = (f"{kind} ({articles} articles)" if kind else "control (weekdays, months)" if control
            else "held-out actors swapped" if held_out else "actors swapped")
    for name, c in (("all spans", total), ("spans in sentences with a swap", near)):
        n = max(c["spans"], 1)
        flip = (c["changed"] + c["gone"]) / n
        print(f"{what:27s} {name}: {c['spans']} spans; kept {c['kept']}, changed label {c['changed']}, "
              f"gone {c['gone']}, new {c['new']}; share changed or gone: {flip:.3f}")


if __name__ == "__main__":
    main()
