"""Read the technique corpora into one record type, deduplicate them, split them.

Corpora are read at training time from a data directory (never copied into the
repository; see ``../shared/data/README.md`` for their terms): ``data_dir``, else
the environment variable ``UNSPIN_DATA``, else ``../shared/data`` next to the
repository root. Every loader returns :class:`LabelledArticle` records whose span
offsets index ``text`` exactly as read with ``open(path, encoding="utf-8",
newline="")`` (no newline translation, a leading U+FEFF kept), with labels
converted to unspin's native techniques (:mod:`unspin.techniques.taxonomy`) and
the corpus label kept next to them.

Duplicates (:func:`load_technique_corpora`): PTC-2020 train, NLP4IF-2019 train and
the English SemEval-2023 train set are the same news articles. Records of
*different* corpora are copies when they have the same normalized text (blanks
collapsed, U+FEFF dropped), or when both are English news (PTC-2020, NLP4IF-2019,
SemEval-2023 ``en``) with the same normalized id. Of each set of copies only the
record of the corpus listed first in ``include`` is kept. So the default order
keeps PTC-2020's spans for the shared English articles; put ``"semeval2023"``
first to keep the 2023 relabelling (with the Obfuscation spans) instead, or
``"nlp4if2019"`` first for its finer labels.

Run ``python -m unspin.train.corpora`` for a summary of counts per corpus and label.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FormatError, UsageError
from ..techniques.taxonomy import from_nlp4if, from_ptc, from_semeval2021, from_semeval2023

#: Corpus names accepted by :func:`load_technique_corpora`, in the default order.
CORPORA: tuple[str, ...] = ("ptc2020", "nlp4if2019", "semeval2023", "semeval2021")

#: SemEval-2023 language folders and the ISO 639-1 code unspin records for them.
SEMEVAL2023_LANGUAGES: dict[str, str] = {"en": "en", "it": "it", "fr": "fr", "ge": "de", "po": "pl", "ru": "ru"}

_ENGLISH_NEWS = ("ptc2020", "nlp4if2019", "semeval2023")

#: A record's span: ``(start, end, native_label, original_label)``.
SpanTuple = tuple[int, int, str, str]


class DataDirError(UsageError):
    """The corpora directory is missing or lacks a corpus."""


@dataclass
class LabelledArticle:
    """One article (or meme text) with its technique spans, offsets into ``text``."""

    id: str
    corpus: str
    language: str
    text: str
    spans: list[SpanTuple] = field(default_factory=list)

    @property
    def key(self) -> str:
        """A key unique over all corpora: ``corpus:language:id``."""
        return f"{self.corpus}:{self.language}:{self.id}"


def resolve_data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The corpora directory: ``path``, else ``$UNSPIN_DATA``, else ``<repo>/../shared/data``."""
    if path is None:
        env = os.environ.get("UNSPIN_DATA")
        path = env if env else Path(__file__).resolve().parents[3].parent / "shared" / "data"
    found = Path(path)
    if not found.is_dir():
        raise DataDirError(
            f"corpora directory {str(found)!r} not found; set the environment variable UNSPIN_DATA to the "
            "folder holding ptc-semeval2020/, ptc-nlp4if2019/, semeval2023-task3/ and semeval2021-task6/ "
            "(e.g. UNSPIN_DATA=../shared/data) or pass data_dir="
        )
    return found


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _corpus_dir(root: Path, name: str) -> Path:
    d = root / name
    if not d.is_dir():
        raise DataDirError(f"corpus folder {str(d)!r} not found under the data directory {str(root)!r}")
    return d


def _tsv_rows(text: str) -> Iterable[list[str]]:
    for line in text.split("\n"):
        if line.strip():
            yield line.rstrip("\r").split("\t")


def _add_span(
    rec: LabelledArticle,
    start: int,
    end: int,
    original: str,
    convert: Callable[[str], str],
    stats: Counter,
    clip: bool = False,
) -> None:
    """Append a span after checking it lies inside the text (clip the end when ``clip``)."""
    n = len(rec.text)
    if clip and start < n < end:
        end = n
        stats[f"{rec.corpus}: spans clipped to the text end"] += 1
    if not (0 <= start < end <= n):
        stats[f"{rec.corpus}: spans skipped (outside the text)"] += 1
        return
    try:
        native = convert(original)
    except UsageError as exc:
        raise FormatError(f"{rec.corpus} article {rec.id}: {exc}") from exc
    rec.spans.append((start, end, native, original))


def _finish(records: list[LabelledArticle]) -> list[LabelledArticle]:
    for rec in records:
        rec.spans.sort()
    return sorted(records, key=lambda r: (r.language, r.id))


def load_ptc2020(data_dir: str | os.PathLike[str] | None = None, stats: Counter | None = None) -> list[LabelledArticle]:
    """PTC-2020 train (``ptc-semeval2020``): 371 articles, 14 labels."""
    stats = Counter() if stats is None else stats
    d = _corpus_dir(resolve_data_dir(data_dir), "ptc-semeval2020")
    recs = {
        p.stem[len("article") :]: LabelledArticle(p.stem[len("article") :], "ptc2020", "en", _read(p))
        for p in sorted((d / "train-articles").glob("article*.txt"))
    }
    for row in _tsv_rows(_read(d / "train-task-flc-tc.labels")):
        aid, label, start, end = row
        if aid not in recs:
            stats["ptc2020: spans skipped (no article)"] += 1
            continue
        _add_span(recs[aid], int(start), int(end), label, from_ptc, stats)
    return _finish(list(recs.values()))


def nlp4if_copy_of(article_id: str, known_ids: Container[str]) -> str | None:
    """The id an NLP4IF-2019 duplicate copy (id + trailing ``9``) repeats, or ``None``."""
    if len(article_id) == 10 and article_id.endswith("9") and article_id[:-1] in known_ids:
        return article_id[:-1]
    return None


def load_nlp4if2019(
    data_dir: str | os.PathLike[str] | None = None, stats: Counter | None = None
) -> list[LabelledArticle]:
    """NLP4IF-2019 train (``ptc-nlp4if2019``): 18 finer labels.

    Skips the duplicate copies stored under the id plus a trailing ``9`` when their
    text equals the original's; clips spans that run past the text end and skips
    those that start beyond it.
    """
    stats = Counter() if stats is None else stats
    d = _corpus_dir(resolve_data_dir(data_dir), "ptc-nlp4if2019")
    paths = {p.stem[len("article") :]: p for p in sorted((d / "train-articles").glob("article*.txt"))}
    recs: dict[str, LabelledArticle] = {}
    for aid, path in paths.items():
        text = _read(path)
        base = nlp4if_copy_of(aid, paths)
        if base is not None and _read(paths[base]) == text:
            stats["nlp4if2019: duplicate copies skipped"] += 1
            continue
        recs[aid] = LabelledArticle(aid, "nlp4if2019", "en", text)
    for aid, rec in recs.items():
        labels = d / "train-labels-FLC" / f"article{aid}.task-FLC.labels"
        if labels.exists():
            for row in _tsv_rows(_read(labels)):
                _add_span(rec, int(row[2]), int(row[3]), row[1], from_nlp4if, stats, clip=True)
    return _finish(list(recs.values()))


def crlf_newlines(text: str) -> list[int]:
    """Where each ``\\n`` of ``text`` lands once every ``\\n`` is written as ``\\r\\n``."""
    return [m.start() + k + 1 for k, m in enumerate(re.finditer("\n", text))]


def crlf_to_asis(offset: int, newlines: Sequence[int]) -> int:
    """Map an offset counted on the CRLF version of a text back to the text as read.

    ``newlines`` is :func:`crlf_newlines` of the text: the offset loses one for
    every ``\\n`` of the CRLF text before it.
    """
    return offset - bisect_left(newlines, offset)


def _conventions(d: Path) -> dict[tuple[str, str], str]:
    path = d / "span-offset-convention.tsv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {(r["lang"], r["article_id"]): r["convention"] for r in csv.DictReader(f, delimiter="\t")}


def load_semeval2023(
    data_dir: str | os.PathLike[str] | None = None, stats: Counter | None = None, languages: Iterable[str] | None = None
) -> list[LabelledArticle]:
    """SemEval-2023 task 3 subtask-3 spans, every language (folders ``en it fr ge po ru``).

    Offsets of articles marked ``crlf`` in ``span-offset-convention.tsv`` are mapped
    back to the text as read; spans outside the text are skipped. ``language`` is
    the ISO code (``ge`` -> ``de``, ``po`` -> ``pl``).
    """
    stats = Counter() if stats is None else stats
    d = _corpus_dir(resolve_data_dir(data_dir), "semeval2023-task3")
    conv = _conventions(d)
    out: list[LabelledArticle] = []
    for folder in languages or SEMEVAL2023_LANGUAGES:
        if folder not in SEMEVAL2023_LANGUAGES:
            raise UsageError(f"unknown SemEval-2023 language folder {folder!r}; use {list(SEMEVAL2023_LANGUAGES)}")
        lang_dir = d / folder
        if not lang_dir.is_dir():
            continue
        for path in sorted((lang_dir / "train-articles-subtask-3").glob("article*.txt")):
            aid = path.stem[len("article") :]
            rec = LabelledArticle(aid, "semeval2023", SEMEVAL2023_LANGUAGES[folder], _read(path))
            out.append(rec)
            labels = lang_dir / "train-labels-subtask-3-spans" / f"article{aid}-labels-subtask-3.txt"
            if not labels.exists():
                continue
            crlf = conv.get((folder, aid), "asis") == "crlf"
            newlines = crlf_newlines(rec.text) if crlf else []
            for row in _tsv_rows(_read(labels)):
                start, end = int(row[2]), int(row[3])
                if crlf:
                    start, end = crlf_to_asis(start, newlines), crlf_to_asis(end, newlines)
                    stats["semeval2023: spans converted from CRLF offsets"] += 1
                _add_span(rec, start, end, row[1], from_semeval2023, stats)
    return _finish(out)


def load_semeval2021(
    data_dir: str | os.PathLike[str] | None = None, stats: Counter | None = None
) -> list[LabelledArticle]:
    """SemEval-2021 task 6 meme texts with spans (subtask 2, train and dev JSON)."""
    stats = Counter() if stats is None else stats
    d = _corpus_dir(resolve_data_dir(data_dir), "semeval2021-task6")
    out: list[LabelledArticle] = []
    for name in ("training_set_task2.txt", "dev_set_task2.txt"):
        for item in json.loads(_read(d / name)):
            rec = LabelledArticle(str(item["id"]), "semeval2021", "en", item["text"])
            for lab in item.get("labels", []):
                _add_span(rec, int(lab["start"]), int(lab["end"]), lab["technique"], from_semeval2021, stats)
            out.append(rec)
    return _finish(out)


LOADERS: dict[str, Callable[..., list[LabelledArticle]]] = {
    "ptc2020": load_ptc2020,
    "nlp4if2019": load_nlp4if2019,
    "semeval2023": load_semeval2023,
    "semeval2021": load_semeval2021,
}


def text_key(text: str) -> str:
    """A hash of the text with U+FEFF dropped and blanks collapsed (finds re-saved copies)."""
    norm = " ".join(text.replace("\ufeff", "").split())
    return hashlib.sha1(norm.encode("utf-8", "surrogatepass")).hexdigest()


def _id_key(rec: LabelledArticle) -> str | None:
    """The shared-id key of English news records (``None`` for other records).

    NLP4IF-2019 ids of 10 digits ending in ``9`` are read as their 9-digit
    original (the release's duplicate copies).
    """
    if rec.corpus not in _ENGLISH_NEWS or rec.language != "en":
        return None
    rid = rec.id
    if rec.corpus == "nlp4if2019" and len(rid) == 10 and rid.endswith("9"):
        rid = rid[:-1]
    return "en-news:" + rid


def load_technique_corpora(
    include: Sequence[str] = CORPORA, data_dir: str | os.PathLike[str] | None = None, stats: Counter | None = None
) -> list[LabelledArticle]:
    """Load the corpora named in ``include`` and drop copies of one article across corpora.

    A record is dropped when a record of an *earlier* corpus in ``include`` has the
    same :func:`text_key`, or (English news only) the same id. Drop counts go into
    ``stats`` when given.
    """
    stats = Counter() if stats is None else stats
    include = (include,) if isinstance(include, str) else tuple(include)
    unknown = [c for c in include if c not in LOADERS]
    if unknown or len(set(include)) != len(include):
        raise UsageError(f"include must list distinct corpora from {CORPORA}, got {tuple(include)}")
    seen: dict[str, str] = {}  # key -> corpus that claimed it
    out: list[LabelledArticle] = []
    for corpus in include:
        for rec in LOADERS[corpus](data_dir, stats):
            keys = [k for k in ("text:" + text_key(rec.text), _id_key(rec)) if k]
            owner = next((seen[k] for k in keys if k in seen and seen[k] != corpus), None)
            if owner is not None:
                stats[f"{corpus}: articles dropped (copy kept from {owner})"] += 1
                continue
            for k in keys:
                seen.setdefault(k, corpus)
            out.append(rec)
    return out


def _group_keys(rec: LabelledArticle) -> list[str]:
    """Keys that tie copies together: the text hash and a normalized id."""
    return ["text:" + text_key(rec.text), _id_key(rec) or "id:" + rec.key]


def split_by_article(
    records: Sequence[LabelledArticle], dev_fraction: float = 0.1, seed: int = 0
) -> tuple[list[LabelledArticle], list[LabelledArticle]]:
    """Split into ``(train, dev)`` deterministically, keeping copies of an article together.

    Records sharing a normalized text hash or (English news) an id form one group:
    one article. Strata are English news (PTC-2020, NLP4IF-2019, SemEval-2023
    ``en``, together) and otherwise ``(corpus, language)``. In each stratum the
    groups are ordered by a hash of ``seed`` and the group's smallest key, and the
    first ``round(dev_fraction * number_of_groups)`` go to dev. So the result
    depends only on the records' ids and texts, not on their order, and for the
    same set of English news articles the split does not depend on which corpus's
    copy of each was kept. Both lists keep the input order.
    """
    if not 0.0 <= dev_fraction < 1.0:
        raise UsageError(f"dev_fraction must be in [0, 1), got {dev_fraction!r}")
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, rec in enumerate(records):
        for k in _group_keys(rec):
            if k in first:
                parent[find(i)] = find(first[k])
            else:
                first[k] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(records)):
        groups.setdefault(find(i), []).append(i)
    strata: dict[tuple[str, str], list[tuple[str, list[int]]]] = {}
    for members in groups.values():
        name = min(k for i in members for k in _group_keys(records[i]))
        lead = min((records[i] for i in members), key=lambda r: r.key)
        stratum = ("en-news", "en") if _id_key(lead) else (lead.corpus, lead.language)
        order = hashlib.sha256(f"{seed}\0{name}".encode()).hexdigest()
        strata.setdefault(stratum, []).append((order, members))
    dev: set[int] = set()
    for ranked in strata.values():
        ranked.sort()
        for _, members in ranked[: round(dev_fraction * len(ranked))]:
            dev.update(members)
    train = [r for i, r in enumerate(records) if i not in dev]
    return train, [r for i, r in enumerate(records) if i in dev]


def summary(records: Iterable[LabelledArticle], original: bool = False) -> str:
    """A plain-text table of articles, spans and labels per corpus and language."""
    by: dict[tuple[str, str], list[LabelledArticle]] = {}
    for rec in records:
        by.setdefault((rec.corpus, rec.language), []).append(rec)
    lines = []
    for (corpus, lang), recs in sorted(by.items()):
        labels = Counter(s[3] if original else s[2] for r in recs for s in r.spans)
        with_spans = sum(1 for r in recs if r.spans)
        lines.append(f"{corpus} [{lang}]: {len(recs)} articles ({with_spans} with spans), {sum(labels.values())} spans")
        lines.extend(f"    {n:6d}  {label}" for label, n in labels.most_common())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m unspin.train.corpora [--data-dir D] [--include a,b] [--original]``."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m unspin.train.corpora", description=main.__doc__)
    ap.add_argument("--data-dir", default=None, help="corpora folder (default: $UNSPIN_DATA or ../shared/data)")
    ap.add_argument("--include", default=",".join(CORPORA), help="comma-separated corpora, in preference order")
    ap.add_argument("--original", action="store_true", help="count the corpora's own labels, not native ones")
    args = ap.parse_args(argv)
    include = [c.strip() for c in args.include.split(",") if c.strip()]
    stats: Counter = Counter()
    raw = [rec for c in include for rec in LOADERS[c](args.data_dir, stats)]
    print("== each corpus as loaded ==")
    print(summary(raw, original=args.original))
    dropped: Counter = Counter()
    deduped = load_technique_corpora(include, args.data_dir, dropped)
    print("\n== after removing copies across corpora ==")
    print(summary(deduped, original=args.original))
    print("\n== notes ==")
    notes = stats + Counter({k: v for k, v in dropped.items() if "dropped" in k})
    for note, n in sorted(notes.items()):
        print(f"{n:6d}  {note}")
    train, dev = split_by_article(deduped, 0.1, 0)
    print(f"\nsplit_by_article(0.1, seed=0): {len(train)} train / {len(dev)} dev records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
