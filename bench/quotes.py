"""Quotation and attribution extraction on PolNeAR: unspin against textacy.

    python bench/quotes.py [--split dev] [--limit N] [--no-textacy] [--lexicon]

Data: PolNeAR (``$UNSPIN_DATA/polnear`` or ``../shared/data/polnear``), the
**dev** split by default (use ``--split train`` while developing; dev only to
measure). One annotation file per article: the single annotator's ``.ann``, or
the first annotator's (in ``metadata.tsv`` order) when several annotated it.

Units. A *gold unit* is one PolNeAR attribution relation (``Attribution`` or
``Attribution-no-source`` event) with a Content: its content is the set of
characters of all its Content segments (PolNeAR splits a content around the
cue: “Judge,” Brafman said, “I have ...” is one unit of two segments), its
source the characters of its Source segments (empty for no-source
relations). A *predicted unit* is one statement: unspin's ``quotes`` spans
that share a cue (``cue_start``/``cue_end``) form one unit, the union of their
characters; a span without a cue is a unit of its own. textacy's
``direct_quotations`` triples are grouped by cue in the same way. Whitespace is
not counted in any character set.

Metrics (character sets, one class):

* **content overlap (IoU >= 0.5)**: a predicted unit matches a gold unit when
  |pred ∩ gold| / |pred ∪ gold| >= 0.5; matching is one-to-one, greedy by
  descending IoU. P = matched predictions / predictions, R = matched gold /
  gold, F1 their harmonic mean. This is the headline number.
* **partial overlap** (SemEval-2020 Task 11 span-identification style):
  P = mean over predictions of sum_g |p ∩ g| / |p|, R = mean over gold of
  sum_p |p ∩ g| / |g|; credit in proportion to the characters that overlap.
* **speaker accuracy**: over IoU-matched pairs whose gold unit has a Source,
  the share where the predicted speaker mention overlaps the gold Source
  characters, or the predicted speaker name's last word occurs in the gold
  Source text (a pronoun resolved to the same person counts). "speaker acc,
  shared" is the same over the gold units that both systems matched, the fair
  comparison (textacy only matches direct quotations, the easy ones).
* **R, direct gold / other gold**: recall over the gold units whose content
  opens with a quote mark (direct and mixed quotations) and over the rest
  (reported speech, thought, stance; most of PolNeAR).
* **articles lost**: articles where the extractor raised (textacy raises on an
  odd number of quote marks and returns nothing for the whole article).

textacy (``pip install textacy``) is optional and imported lazily; it only
finds direct quotations, so its recall is bounded by their share of gold.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from unspin.train.polnear import annotator_order, brat_attributions  # noqa: E402

IOU = 0.5
QUOTE_MARKS = "“”\"'‘’«»„‚`‹›"


@dataclass
class Unit:
    """A content as a set of character offsets, with its source/speaker."""

    chars: frozenset[int]
    source: frozenset[int] = frozenset()
    source_text: str = ""
    speaker: str | None = None
    extent: tuple[int, int] = (0, 0)
    direct: bool = False  # gold: the content opens with a quote mark


@dataclass
class Article:
    name: str
    text: str
    gold: list[Unit] = field(default_factory=list)


def data_root() -> Path:
    return Path(os.environ.get("UNSPIN_DATA", REPO.parent / "shared" / "data")) / "polnear"


def _chars(text: str, segments: list[tuple[int, int]]) -> frozenset[int]:
    return frozenset(i for a, b in segments for i in range(a, min(b, len(text))) if not text[i].isspace())


def parse_ann(path: Path, text: str) -> list[Unit]:
    """Gold units of one brat ``.ann`` file (lines starting ``T<n>``/``E<n>`` only)."""
    units = []
    with open(path, encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    for roles in brat_attributions(lines):
        content = _chars(text, roles.get("Content", []))
        if content:
            src = roles.get("Source", [])
            first = min(a for a, _ in roles["Content"])
            units.append(Unit(content, _chars(text, src), " ".join(text[a:b] for a, b in src),
                              direct=text[first:first + 1] in QUOTE_MARKS))
    return units


def load_polnear(split: str = "dev", limit: int | None = None, root: Path | None = None) -> list[Article]:
    root = root or data_root()
    ann_dir, text_dir = root / split / "attributions", root / split / "text"
    if not ann_dir.is_dir():
        raise SystemExit(f"PolNeAR {split} not found at {ann_dir}; set UNSPIN_DATA to the shared data folder")
    order = annotator_order(root)
    articles = []
    for txt in sorted(text_dir.glob("*.txt")):
        name = txt.stem
        anns = sorted(ann_dir.glob(f"{name}_*.ann"))
        if not anns:
            continue
        rank = {a: i for i, a in enumerate(order.get(name, []))}
        ann = min(anns, key=lambda p: (rank.get(p.stem.rsplit("_", 1)[1], 99), p.name))
        with open(txt, encoding="utf-8", newline="") as fh:
            text = fh.read()
        articles.append(Article(name, text, parse_ann(ann, text)))
        if limit and len(articles) >= limit:
            break
    return articles


# -- predictions ---------------------------------------------------------------
def unspin_nlp():
    """A fresh spaCy pipeline with the components quotes need: sentences, entities, quotes,
    statements (the cached pipeline of ``unspin.pipeline.load_nlp`` is left as it is)."""
    import unspin.extract.quotes  # noqa: F401  registers the components
    import unspin.extract.statements  # noqa: F401
    from unspin.pipeline import DEFAULT_MODEL, load_nlp

    return load_nlp.__wrapped__(DEFAULT_MODEL, ("unspin_sentences", "unspin_entities", "unspin_quotes",
                                                "unspin_statements"))


def group_units(text: str, items: list[tuple[tuple[int, int], tuple | None, tuple | None, str | None]]) -> list[Unit]:
    """``(content, cue, speaker span, speaker name)`` items grouped by cue into units."""
    groups: dict[object, list] = {}
    for k, (content, cue, spk, name) in enumerate(items):
        groups.setdefault(cue if cue else ("free", k), []).append((content, spk, name))
    units = []
    for members in groups.values():
        chars = _chars(text, [m[0] for m in members])
        if not chars:
            continue
        spk = next((m[1] for m in members if m[1]), None)
        name = next((m[2] for m in members if m[2]), None)
        units.append(Unit(chars, _chars(text, [spk]) if spk else frozenset(), speaker=name,
                          extent=(min(m[0][0] for m in members), max(m[0][1] for m in members))))
    return units


def unspin_units(doc, spans=None) -> list[Unit]:
    """Units of the ``quotes`` layer of ``doc`` (or of the given ``spans`` of that layer's kind)."""
    from unspin.extract.layers import get_layer

    items = []
    for s in get_layer(doc, "quotes") if spans is None else spans:
        a = s.attrs
        cue = (a["cue_start"], a["cue_end"]) if a.get("cue_start") is not None else None
        spk = (a["speaker_start"], a["speaker_end"]) if a.get("speaker_start") is not None else None
        items.append(((s.start, s.end), cue, spk, a.get("speaker")))
    return group_units(doc.text, items)


def textacy_units(doc, direct_quotations) -> list[Unit]:
    items = []
    for trip in direct_quotations(doc):
        c = trip.content
        cue = (min(t.idx for t in trip.cue), max(t.idx + len(t) for t in trip.cue))
        spk = (min(t.idx for t in trip.speaker), max(t.idx + len(t) for t in trip.speaker))
        items.append(((c.start_char, c.end_char), cue, spk, " ".join(t.text for t in trip.speaker)))
    return group_units(doc.text, items)


# -- scoring -------------------------------------------------------------------
@dataclass
class Tally:
    pred: int = 0
    gold: int = 0
    matched: int = 0
    part_p: float = 0.0
    part_r: float = 0.0
    spk_total: int = 0
    spk_ok: int = 0
    lost: int = 0
    gold_direct: int = 0
    matched_direct: int = 0
    speaker_by_gold: dict[tuple[str, int], bool] = field(default_factory=dict)

    def add(self, pred: list[Unit], gold: list[Unit], key: str) -> None:
        self.pred += len(pred)
        self.gold += len(gold)
        self.gold_direct += sum(g.direct for g in gold)
        for p in pred:
            self.part_p += sum(len(p.chars & g.chars) for g in gold) / len(p.chars)
        for g in gold:
            self.part_r += sum(len(p.chars & g.chars) for p in pred) / len(g.chars)
        pairs = []
        for i, p in enumerate(pred):
            for j, g in enumerate(gold):
                inter = len(p.chars & g.chars)
                if inter:
                    iou = inter / len(p.chars | g.chars)
                    if iou >= IOU:
                        pairs.append((iou, i, j))
        used_p, used_g = set(), set()
        for _iou, i, j in sorted(pairs, reverse=True):
            if i in used_p or j in used_g:
                continue
            used_p.add(i)
            used_g.add(j)
            self.matched += 1
            g, p = gold[j], pred[i]
            self.matched_direct += g.direct
            if g.source:
                ok = speaker_ok(p, g)
                self.spk_total += 1
                self.spk_ok += ok
                self.speaker_by_gold[(key, j)] = ok

    def scores(self) -> dict[str, float]:
        p = self.matched / self.pred if self.pred else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        pp = self.part_p / self.pred if self.pred else 0.0
        pr = self.part_r / self.gold if self.gold else 0.0
        return {
            "P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0,
            "partial_P": pp, "partial_R": pr, "partial_F1": 2 * pp * pr / (pp + pr) if pp + pr else 0.0,
            "speaker_acc": self.spk_ok / self.spk_total if self.spk_total else 0.0,
            "R_direct": self.matched_direct / self.gold_direct if self.gold_direct else 0.0,
            "R_other": ((self.matched - self.matched_direct) / (self.gold - self.gold_direct)
                        if self.gold > self.gold_direct else 0.0),
            "pred": self.pred, "gold": self.gold, "matched": self.matched, "speaker_n": self.spk_total,
            "articles_lost": self.lost,
        }


def speaker_ok(pred: Unit, gold: Unit) -> bool:
    if pred.source and pred.source & gold.source:
        return True
    if pred.speaker:
        last = pred.speaker.split()[-1].lower()
        return bool(re.search(rf"\b{re.escape(last)}\b", gold.source_text.lower()))
    return False


def evaluate(articles: list[Article], use_textacy: bool = True, nlp=None,
             lexicon: bool = False) -> dict[str, dict[str, float]]:
    """Scores of unspin (and textacy when installed; and, with ``lexicon``, unspin's cue lexicon
    without the learned cue model) on ``articles``: ``{system: scores}``. ``unspin`` also gets
    ``secs_parse`` (spaCy and the layers quotes needs) and ``secs_quotes`` (the quotes stage)."""
    from unspin.extract.quotes import quote_spans
    from unspin.pipeline import spacy_text

    nlp = nlp or unspin_nlp()
    dq = None
    if use_textacy:
        try:
            from textacy.extract.triples import direct_quotations as dq
        except ImportError:
            print("textacy is not installed: `.venv/bin/pip install textacy` to compare with it", file=sys.stderr)
    ours, theirs, lex = Tally(), Tally(), Tally()
    texts = (spacy_text(a.text) for a in articles)
    later = [n for n in ("unspin_quotes", "unspin_statements") if n in nlp.pipe_names]
    stages = [nlp.get_pipe(n) for n in later]
    docs = nlp.pipe(texts, batch_size=8, disable=later)
    secs_parse = secs_quotes = 0.0
    for art in articles:
        t0 = time.perf_counter()
        doc = next(docs)
        t1 = time.perf_counter()
        secs_parse += t1 - t0
        try:
            for k, stage in enumerate(stages):
                doc = stage(doc)
                if k == 0:
                    secs_quotes += time.perf_counter() - t1
            pred = unspin_units(doc)
        except Exception:  # noqa: BLE001 - counted, never expected
            ours.lost += 1
            pred = []
        ours.add(pred, art.gold, art.name)
        if lexicon:
            lex.add(unspin_units(doc, quote_spans(doc, model=None)), art.gold, art.name)
        if dq is not None:
            try:
                tpred = textacy_units(doc, dq)
            except Exception:  # noqa: BLE001 - textacy raises on unbalanced quote marks
                theirs.lost += 1
                tpred = []
            theirs.add(tpred, art.gold, art.name)
    out = {"unspin": ours.scores()}
    out["unspin"].update(secs_parse=secs_parse, secs_quotes=secs_quotes)
    if lexicon:
        out["lexicon"] = lex.scores()
    if dq is not None:
        out["textacy"] = theirs.scores()
        both = ours.speaker_by_gold.keys() & theirs.speaker_by_gold.keys()
        for name, tally in (("unspin", ours), ("textacy", theirs)):
            out[name]["speaker_acc_both"] = (sum(tally.speaker_by_gold[k] for k in both) / len(both)) if both else 0.0
            out[name]["speaker_n_both"] = len(both)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="dev", choices=("dev", "train"))
    ap.add_argument("--limit", type=int, default=None, help="first N articles only")
    ap.add_argument("--no-textacy", action="store_true")
    ap.add_argument("--lexicon", action="store_true",
                    help="also score unspin's cue lexicon alone (without the learned cue model)")
    args = ap.parse_args(argv)
    articles = load_polnear(args.split, args.limit)
    t0 = time.perf_counter()
    results = evaluate(articles, use_textacy=not args.no_textacy, lexicon=args.lexicon)
    secs = time.perf_counter() - t0
    print(f"PolNeAR {args.split}: {len(articles)} articles, {sum(len(a.gold) for a in articles)} gold attributions "
          f"({secs:.0f}s)")
    systems = list(results)
    rows = [("content IoU>=0.5 P", "P"), ("content IoU>=0.5 R", "R"), ("content IoU>=0.5 F1", "F1"),
            ("  R, direct gold", "R_direct"), ("  R, other gold", "R_other"),
            ("partial-overlap P", "partial_P"), ("partial-overlap R", "partial_R"),
            ("partial-overlap F1", "partial_F1"), ("speaker accuracy", "speaker_acc"),
            ("speaker acc, shared", "speaker_acc_both"),
            ("predicted units", "pred"), ("matched units", "matched"), ("speaker pairs", "speaker_n"),
            ("articles lost", "articles_lost")]
    print(f"{'metric':24s}" + "".join(f"{s:>10s}" for s in systems))
    for label, key in rows:
        if all(key not in results[s] for s in systems):
            continue
        vals = [results[s].get(key) for s in systems]
        print(f"{label:24s}" + "".join(f"{'-':>10s}" if v is None else f"{v:10.3f}" if isinstance(v, float)
                                       else f"{v:10d}" for v in vals))
    ours = results["unspin"]
    print(f"time: spaCy and the layers quotes needs {ours['secs_parse']:.1f}s, quotes stage "
          f"{ours['secs_quotes']:.2f}s ({100 * ours['secs_quotes'] / max(ours['secs_parse'], 1e-9):.1f}% of that)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
