"""Named entities grouped per article under one canonical name each.

Layer ``entities``: ``start, end, label, canonical``. Mentions come from spaCy's
NER plus three cheap passes for names it missed (each only on words no entity
covers, token-aligned, proper nouns): a capitalised name after a title
("Chancellor Scholz"), further exact occurrences of names already found in the
article (full names, surnames and unambiguous first names of PERSON entities,
multi-word ORG names, acronyms defined in the text), and aliases of people,
organisations, seats of power and acting capitals from the alias table
(:mod:`unspin.extract.aliases`). A capitalised proper noun right before a
surname spaCy tagged alone is taken as that person's full name ("Ivanka Trump").

Each mention then resolves, in this order, to: the long form of an acronym
defined in the article; the full name of a person the article names (a surname,
a titled name, a possessive, an all-caps or transliterated variant, a first
name when only one person has it; the nearest full mention wins ties); the
alias table (countries, capitals acting for governments, seats of power,
demonyms, organisations, famous people's short names); an organisation the
article names (its initials, or its name without "Engineering", "Inc", ...).
In-article names are then normalised through the table too. Labels: mentions of
a country become GPE, of a table person PERSON; demonyms stay NORP; the other
mentions of one canonical name take the majority label of those that write it
in full (of all of them when none does).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import UsageError
from ..model import Span
from . import aliases as al
from .aliases import AliasTable, get_table
from .layers import doc_text, set_layer

#: spaCy labels kept as entities; numbers and dates go to the quantities layer.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART", "LANGUAGE"}
)

_SPACE = re.compile(r"[\s\u200b\u2060\ufeff]+")
_NAME_CHARS = re.compile(r"[\w.'’\- ]+")  # what a person's full name is written with
_WORD = re.compile(r"([A-Za-z][\w\-]*\.?)\s+(?=\S)")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ABBREVIATION = re.compile(r"(?:\b[A-Za-z]\.[A-Za-z]\.|\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Bros|Gen|Col)\.)$")


def _clean(text: str) -> str:
    text = _SPACE.sub(" ", text).strip(" \"'“”‘’«»()[],.;:")
    text = _POSSESSIVE.sub("", text).strip()
    if text.lower().startswith("the "):
        text = text[4:].lstrip(" \"'“”‘’«»([")
    return text


def _split_title(name: str) -> tuple[str, str]:
    """``("Tomas Keller", "Prime Minister")`` from "Prime Minister Tomas Keller"."""
    words = name.split(" ")
    i = 0
    while len(words) - i > 1 and words[i].lower().rstrip(".") in al.TITLES:
        i += 1
    return " ".join(words[i:]), " ".join(words[:i])


def _trim(doc_text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a trailing possessive and surrounding punctuation from the span."""
    m = _POSSESSIVE.search(doc_text[start:end])
    if m and end - start > len(m.group()):
        end -= len(m.group())
    while start < end and doc_text[start] in " \"'“”‘’«»([":
        start += 1
    while end > start and doc_text[end - 1] in " \"'“”‘’«»)],.;:":
        if doc_text[end - 1] == "." and _ABBREVIATION.search(doc_text, start, end):
            break  # "U.S.", "Corp.", "Jr." keep their full stop
        end -= 1
    return start, end


def canonical_names(mentions: list[tuple[str, str]]) -> list[str]:
    """Resolve ``(text, label)`` mentions of one article (no parse, no offsets) to canonical names."""
    found = []
    for i, (text, label) in enumerate(mentions):
        name, title = _split_title(_clean(text)) if label == "PERSON" else (_clean(text), "")
        found.append(Mention(i, i + 1, label, name, title))
    resolve_mentions(found, {}, get_table())
    return [m.canonical or text for m, (text, _) in zip(found, mentions, strict=True)]


@dataclass
class Mention:
    """One mention while it is resolved: offsets, label, the name it writes."""

    start: int
    end: int
    label: str
    name: str
    title: str = ""
    span: Any = None  # the spaCy span, for syntax
    source: str = "ner"  # ner | title | repeat | table | hidden
    canonical: str = ""
    via: str = ""  # how the canonical was found: acronym, person, a table row type, org, ""


@dataclass
class _Person:
    keys: list[str]
    names: Counter = field(default_factory=Counter)
    starts: list[int] = field(default_factory=list)
    canonical: str = ""


class PersonIndex:
    """Full names (two words or more) of the PERSON mentions of one article."""

    def __init__(self, mentions: list[Mention]):
        groups: dict[tuple[str, str], _Person] = {}
        for m in mentions:
            keys = [k for k in al.word_keys(m.name) if k not in al.NAME_SUFFIXES]
            if m.label != "PERSON" or len(keys) < 2 or m.name.split()[-1].lower() in al.ORG_WORDS \
                    or m.name.isupper() or not _NAME_CHARS.fullmatch(m.name):
                continue
            g = groups.setdefault((keys[0], keys[-1]), _Person(keys))
            g.names[m.name] += 1
            g.starts.append(m.start)
            if len(keys) > len(g.keys):
                g.keys = keys
        for g in groups.values():
            g.canonical = max(g.names, key=lambda n: (len(al.word_keys(n)), g.names[n]))
        self.groups = groups

    def resolve(self, name: str, pos: int, first_names: bool = True) -> str | None:
        """The full name ``name`` stands for at offset ``pos``, or None."""
        keys = [k for k in al.word_keys(name) if k not in al.NAME_SUFFIXES]
        if not keys:
            return None
        if len(keys) >= 2 and (keys[0], keys[-1]) in self.groups:
            return self.groups[(keys[0], keys[-1])].canonical
        n = len(keys)
        cands = [g for g in self.groups.values() if len(g.keys) > n and g.keys[-n:] == keys]
        if not cands and first_names:
            cands = [g for g in self.groups.values() if len(g.keys) > n and g.keys[:n] == keys]
            if len(cands) != 1:
                return None
        if not cands:
            return None

        def distance(g: _Person) -> tuple[int, int]:
            before = [pos - s for s in g.starts if s <= pos]
            return (0, min(before)) if before else (1, min(s - pos for s in g.starts))

        return min(cands, key=distance).canonical

    def written(self) -> dict[str, str]:
        """``{"Tomas Keller": "full", "Keller": "surname", "KELLER": "surname", "Tomas": "first"}``;
        first names only when one person has them."""
        out: dict[str, str] = {}
        firsts = Counter(g.keys[0] for g in self.groups.values())
        lasts = {g.keys[-1] for g in self.groups.values()}
        for g in self.groups.values():
            for name in g.names:
                out[name] = "full"
                words = [w for w in name.split() if w.lower().rstrip(".") not in al.NAME_SUFFIXES]
                for word, kind in ((words[-1], "surname"), (words[0], "first")):
                    if len(word) < 3 or not word[:1].isupper() or not word.replace("-", "").isalpha() \
                            or word.lower() in al.TITLES:
                        continue
                    if kind == "first" and (firsts[g.keys[0]] > 1 or g.keys[0] in lasts):
                        continue
                    out.setdefault(word, kind)
                    if kind == "surname":
                        out.setdefault(word.upper(), kind)
        return out


class OrgIndex:
    """Multi-word organisation names of one article, by initials and by short name."""

    def __init__(self, mentions: list[Mention]):
        self.initials: dict[str, set[str]] = {}
        self.short: dict[str, str] = {}
        for m in mentions:
            words = m.name.split()
            if m.label != "ORG" or len(words) < 2:
                continue
            self.initials.setdefault(al.initials(words), set()).add(m.name)
            if words[-1].lower().rstrip(".") in al.COMPANY_WORDS:
                self.short.setdefault(" ".join(words[:-1]), m.name)

    def resolve(self, name: str) -> str | None:
        if name.isupper() and 2 <= len(name) <= 6 and len(self.initials.get(name, ())) == 1:
            return next(iter(self.initials[name]))
        return self.short.get(name)


class _Taken:
    """Characters already inside an entity: 1 for names and dates, 2 for bare numbers."""

    def __init__(self, n: int):
        self.mask = bytearray(n)

    def free(self, start: int, end: int, numbers_ok: bool = False) -> bool:
        """Nothing there (``numbers_ok``: bar a number the stretch covers, as in "Number 10")."""
        return self.mask.find(1, start, end) < 0 and (numbers_ok or self.mask.find(2, start, end) < 0)

    def mark(self, start: int, end: int, value: int = 1) -> None:
        self.mask[start:end] = bytes([value]) * (end - start)


def ner_mentions(doc: Doc, text: str, taken: _Taken) -> list[Mention]:
    out = []
    for ent in doc.ents:
        taken.mark(ent.start_char, ent.end_char, 2 if ent.label_ in ("CARDINAL", "ORDINAL") else 1)
        if ent.label_ not in ENTITY_LABELS:
            continue
        start, end = _trim(text, ent.start_char, ent.end_char)
        name = _clean(text[start:end])
        if end <= start or not name:
            continue
        title = ""
        if ent.label_ == "PERSON":  # the span leaves out titles: "Ms [Marsh]"
            while (w := _WORD.match(text, start, end)) and w.group(1).lower().rstrip(".") in al.TITLES:
                start = w.end()
            title = _SPACE.sub(" ", text[ent.start_char:start]).strip(" \"'“”‘’«»([")
            name, more = _split_title(_clean(text[start:end]))
            title = f"{title} {more}".strip() or _title_before(text, start)
            if title and title.split()[-1].lower() in al.ROYAL_TITLES and " " not in name:
                name = f"{title.split()[-1]} {name}"  # "Pope Francis", "King Charles": the title is the name
        out.append(Mention(start, end, ent.label_, name, title, ent))
    return out


def _title_before(text: str, start: int) -> str:
    """The title word right before ``start`` ("Pope" in "Pope [Francis]"), or ""."""
    m = re.search(r"([A-Za-z]+\.?)\s+$", text[max(0, start - 30):start])
    return m.group(1) if m and m.group(1).lower().rstrip(".") in al.TITLES else ""


def hidden_names(doc: Doc, words: list[str], mentions: list[Mention], persons: "PersonIndex") -> list[Mention]:
    """Full names spaCy missed before a lone surname it found ("Ivanka Trump" when it tagged only
    "Trump"); they resolve that surname, so the alias table does not take it for someone else."""
    lone = {m.name for m in mentions if m.label == "PERSON" and " " not in m.name
            and persons.resolve(m.name, m.start) is None}
    out = []
    for i in [i for i, w in enumerate(words) if i and w in lone] if lone else ():
        tok, prev = doc[i], doc[i - 1]
        if prev.pos_ == "PROPN" and al.capital_word(prev) and not prev.is_upper \
                and prev.lower_ not in STOP_WORDS and prev.lower_.rstrip(".") not in al.TITLES \
                and prev.ent_type_ in ("", "PERSON"):
            out.append(Mention(prev.idx, tok.idx + len(tok), "PERSON", f"{prev.text} {tok.text}", source="hidden"))
    return out


def title_mentions(doc: Doc, text: str, words: list[str], taken: _Taken) -> list[Mention]:
    """Capitalised proper nouns right after a title spaCy did not tag: "Chancellor Scholz"."""
    out, n, after = [], len(doc), 0
    for i in [i for i, w in enumerate(words) if w[:1].isupper() and w.lower().rstrip(".") in al.NAME_TITLES]:
        if i < after:
            continue
        tok, j = doc[i], i + 1
        while j < n and doc[j].lower_.rstrip(".") in al.TITLES and doc[j].text[:1].isupper():
            j += 1
        k = j
        while k < n and k - j < 3 and doc[k].pos_ == "PROPN" and al.capital_word(doc[k]) \
                and doc[k].lower_ not in al.TITLES:
            k += 1
        if k > j:
            start, end = doc[j].idx, doc[k - 1].idx + len(doc[k - 1].text)
            if taken.free(start, end):
                taken.mark(start, end)
                out.append(Mention(start, end, "PERSON", text[start:end], tok.text, doc[j:k], "title"))
            after = k
    return out


def repeat_mentions(doc: Doc, text: str, taken: _Taken, persons: PersonIndex, orgs: OrgIndex,
                    acronyms: dict[str, str]) -> list[Mention]:
    """Further exact occurrences of names the article already has that spaCy missed ("Ruiz")."""
    wanted = {s: ("PERSON", kind) for s, kind in persons.written().items()}
    for names in orgs.initials.values():
        wanted.update({s: ("ORG", "full") for s in names})
    wanted.update({s: ("ORG", "full") for s in acronyms})
    wanted = {s: v for s, v in wanted.items() if s[:1].isalnum() and s[-1:].isalnum() or s.endswith(".")}
    if not wanted:
        return []
    alts = "|".join(re.escape(s) for s in sorted(wanted, key=len, reverse=True))
    out = []
    for m in re.finditer(rf"(?<![\w\-’'])(?:{alts})(?![\w\-])", text):
        start, end = m.span()
        sp = doc.char_span(start, end)
        if sp is None or not len(sp) or not taken.free(start, end):
            continue
        label, kind = wanted[m.group()]
        if kind in ("surname", "first"):
            tok = sp[0]
            if len(sp) > 1 or tok.lower_ in STOP_WORDS or not al.isolated(doc, sp) or not (
                    tok.pos_ == "PROPN" or kind == "surname" and (tok.is_upper or tok.is_sent_start)):
                continue
        taken.mark(start, end)
        name = m.group() if label != "PERSON" else _split_title(m.group())[0]
        out.append(Mention(start, end, label, name, "", sp, "repeat"))
    return out


def resolve_mentions(mentions: list[Mention], acronyms: dict[str, str], table: AliasTable,
                     hidden: list[Mention] = ()) -> None:
    """Set ``canonical`` and ``via`` of every mention (see the module docstring for the order);
    ``hidden``: more full names that only help resolve surnames."""
    persons, orgs = PersonIndex(mentions + list(hidden)), OrgIndex(mentions)
    for m in mentions:
        name = m.name
        if name in acronyms:
            m.canonical, m.via = table.normalise(acronyms[name], ("org", "country")), "acronym"
            continue
        person = m.label == "PERSON"
        full = persons.resolve(name, m.start, first_names=person)
        hit = None
        if not (person and full):
            hit = al.resolve(table, name, m.label, al.acts_as_government(m.span), person_ok=full is None, strict=person)
        if hit and hit[1] != "person":  # countries, seats, organisations, places beat a mislabelled surname
            m.canonical, m.via = hit
        elif full:
            m.canonical, m.via = table.normalise(full, ("person",)), "name"
        elif hit:
            m.canonical, m.via = hit
        elif org := orgs.resolve(name):
            m.canonical, m.via = table.normalise(org, ("org", "country")), "org"
        else:
            m.canonical = name


def _keeps_norp(m: Mention) -> bool:
    """Demonyms and party members stay NORP: "Russians" -> Russia, "Democrats" -> Democratic Party."""
    return m.label == "NORP" and m.via in ("demonym", "org")


def _forced_label(m: Mention, table: AliasTable) -> str | None:
    if m.via in ("country", "seat", "capital") and m.canonical in table.countries:
        return "GPE"
    if m.via == "place" and m.label in ("PERSON", "ORG", "NORP"):
        return "GPE"
    if m.via == "person":
        return "PERSON"
    return None


def fix_labels(mentions: list[Mention], table: AliasTable) -> None:
    """Countries -> GPE, table people -> PERSON, demonyms keep NORP; the others take the majority label
    of the mentions of their canonical name that write it in full, else of all of them."""
    votes: dict[str, Counter] = {}
    full: dict[str, Counter] = {}
    for m in mentions:
        if _keeps_norp(m):
            continue
        forced = _forced_label(m, table)
        if forced:
            m.label = forced
        if forced or m.source == "ner" and m.via not in ("capital", "seat"):  # "Brussels" is no vote for the EU
            votes.setdefault(m.canonical, Counter())[m.label] += 1
            if m.name == m.canonical:
                full.setdefault(m.canonical, Counter())[m.label] += 1
    votes.update(full)  # the mentions that write the name out in full decide, when there are any
    winners = {}
    for canonical, counts in votes.items():
        top = max(counts.values())
        tied = [lab for lab, c in counts.items() if c == top]
        if len(tied) > 1:  # the mention that writes the canonical name out decides
            tied = [x.label for x in mentions if x.name == canonical and x.label in tied][:1] or tied
        winners[canonical] = "ORG" if tied[0] == "PERSON" and canonical.split()[-1].lower() in al.ORG_WORDS \
            else tied[0]
    for m in mentions:
        if m.canonical in winners and not _keeps_norp(m) and not _forced_label(m, table):
            m.label = winners[m.canonical]


def entity_spans(doc: Doc, table: AliasTable | None = None) -> list[Span]:
    """The ``entities`` layer of a parsed ``doc`` (``table``: the alias table, default :func:`get_table`)."""
    table = table if table is not None else get_table()
    text, words = doc_text(doc), [t.text for t in doc]
    taken = _Taken(len(text))
    mentions = ner_mentions(doc, text, taken)
    mentions += title_mentions(doc, text, words, taken)
    acronyms = al.acronym_definitions(text)
    persons = PersonIndex(mentions)
    hidden = hidden_names(doc, words, mentions, persons)
    if hidden:
        persons = PersonIndex(mentions + hidden)
    mentions += repeat_mentions(doc, text, taken, persons, OrgIndex(mentions), acronyms)
    for start, end, label, sp in al.spot_aliases(doc, text, words, table, taken.free):
        taken.mark(start, end)
        mentions.append(Mention(start, end, label, _clean(sp.text), "", sp, "table"))
    mentions.sort(key=lambda m: m.start)
    resolve_mentions(mentions, acronyms, table, hidden)
    fix_labels(mentions, table)
    return [Span(m.start, m.end, m.label, attrs={"canonical": m.canonical or text[m.start:m.end]})
            for m in mentions]


class EntitiesComponent:
    """The ``unspin_entities`` pipeline component."""

    def __init__(self, aliases_path: str | None = None):
        if aliases_path and not Path(aliases_path).is_file():
            raise UsageError(
                f"unspin_entities: aliases_path {aliases_path!r} is not a file; give the path of a "
                "TSV alias table (alias<TAB>canonical<TAB>type) or leave it unset"
            )
        self.aliases_path = aliases_path

    def __call__(self, doc: Doc) -> Doc:
        # the default table is looked up inside entity_spans (tests replace that function)
        spans = entity_spans(doc) if not self.aliases_path else entity_spans(doc, get_table(self.aliases_path))
        set_layer(doc, "entities", spans)
        return doc


@Language.factory("unspin_entities", default_config={"aliases_path": None})
def add_entities(nlp: Language, name: str, aliases_path: Optional[str]) -> EntitiesComponent:  # noqa: UP045
    """Layer ``entities`` from ``doc.ents`` with canonical names (``aliases_path``: your own alias table)."""
    return EntitiesComponent(aliases_path)
