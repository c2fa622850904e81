"""What names mean: the alias table, the words around names, and where table aliases appear.

The alias table lists names that mean the same real-world entity across articles.

A hand-editable TSV file (``alias<TAB>canonical<TAB>type``, ``#`` comments)
ships as ``unspin/data/aliases.tsv``; users extend or override it with their
own files named in ``$UNSPIN_ALIASES`` (``os.pathsep``-separated) or in the
``aliases_path`` setting of the ``unspin_entities`` component. A row in a later
file replaces every earlier row for the same alias; canonical ``-`` removes it.

Lookup keys ignore case, punctuation, spaces, diacritics, a leading "the", a
trailing possessive and common transliteration endings (:func:`alias_key`).
Tables are read lazily, once per process and list of files. This module also
holds the vocabulary of names (titles, suffixes, organisation words) and the
syntax test for a capital standing for its government (:func:`acts_as_government`).
"""
from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from ..errors import ModelError

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "aliases.tsv"
ENV_VAR = "UNSPIN_ALIASES"

#: Words before a name that are not part of it.
TITLES = frozenset("""
mr mrs ms mx miss dr prof sir dame lord lady president vice prime minister secretary senator sen rep
representative governor gov chancellor king queen prince princess pope general gen colonel col captain
capt lieutenant lt major maj sergeant sgt admiral adm commander judge justice chairman chairwoman chair ceo
director ambassador mayor premier leader sheikh emir ayatollah rev reverend father bishop archbishop cardinal
deputy foreign defense defence interior finance state former acting attorney spokesman spokeswoman spokesperson
speaker commissioner envoy congressman congresswoman councillor councilor mp mep rabbi imam emperor empress
chief executive monsieur mme herr frau fr secretary-general president-elect
""".split())
#: Titles after which a capitalised proper noun is a person's name ("Sen. Warren").
NAME_TITLES = frozenset(
    "mr mrs ms mx dr sen senator rep president chancellor premier minister governor gov mayor ambassador "
    "judge secretary congressman congresswoman".split()
)
ROYAL_TITLES = frozenset("king queen pope prince princess emperor empress".split())
NAME_SUFFIXES = frozenset("jr sr ii iii iv".split())
#: Last words that make a name an organisation, whatever spaCy says.
ORG_WORDS = frozenset("""
inc corp corporation ltd llc plc co company group holdings engineering industries motors airlines airways
technologies systems pharmaceuticals bank office ministry department agency council commission committee union
association institute university foundation fund organization organisation authority bureau service party
court parliament assembly police army navy force forces times post news
""".split())
COMPANY_WORDS = frozenset("""inc corp corporation ltd llc plc co company group holdings engineering industries
motors airlines airways technologies systems pharmaceuticals""".split())


#: Row types (what each means: the header of aliases.tsv; how they apply: :func:`resolve`).
TYPES = ("country", "capital", "seat", "demonym", "org", "person", "place")
#: Types whose canonical name is also an alias of itself.
_SELF_TYPES = ("country", "org", "person", "place")

_WORD_SPLIT = re.compile(r"[\W_]+")
_POSSESSIVE = re.compile(r"['’]s?$")
_BRITISH = (("organisation", "organization"), ("defence", "defense"), ("programme", "program"),
            ("centre", "center"))

#: Aliases that are also people's names: a PERSON mention written so stays a person.
PERSONAL_NAMES = frozenset({"sofia", "santiago", "lima", "paris", "victoria", "regina", "wellington", "georgia",
                            "jordan", "chad", "israel", "india", "kenya", "china", "washington", "langley",
                            "wagner", "amnesty", "trinidad", "antigua", "hamilton", "kingston", "florence"})


def _fold_word(word: str) -> str:
    if len(word) > 3:
        if word[-2:] in ("yy", "iy", "ij", "ii"):
            word = word[:-2] + "y"
        elif word.endswith("ski"):
            word = word[:-1] + "y"
    return word


@functools.lru_cache(maxsize=65536)
def alias_key(text: str) -> str:
    """The lookup key of a name: ``alias_key("the U.S.'s") == alias_key("US") == "us"``."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold().strip()
    t = _POSSESSIVE.sub("", t.replace("&", " and "))
    if t.startswith("the "):
        t = t[4:]
    for british, american in _BRITISH:
        t = t.replace(british, american)
    return "".join(_fold_word(w) for w in _WORD_SPLIT.split(t) if w)


@functools.lru_cache(maxsize=65536)
def word_keys(name: str) -> tuple[str, ...]:
    """Per-word keys of a person's name (hyphens split words: "Jong-un" -> "jong", "un")."""
    return tuple(k for k in (alias_key(w) for w in re.split(r"[\s\-‐‑]+", name)) if k)


@dataclass
class AliasTable:
    """Rows keyed by :func:`alias_key`: ``entries[key][type] = canonical``."""

    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)  # key -> alias as first written
    countries: frozenset[str] = frozenset()
    spots: set[str] = field(default_factory=set)  # aliases as written (case-sensitive), to find in text
    spot_heads: set[str] = field(default_factory=set)  # their first words

    def __len__(self) -> int:
        return sum(len(v) for v in self.entries.values())

    def get(self, name: str, typ: str) -> str | None:
        """The canonical name of ``name`` as a row of type ``typ``, or None."""
        return self.entries.get(alias_key(name), {}).get(typ)

    def types(self, name: str) -> dict[str, str]:
        return self.entries.get(alias_key(name), {})

    def normalise(self, name: str, types: tuple[str, ...]) -> str:
        """``name`` through the rows of ``types`` ("Volodymyr Zelensky" -> "Volodymyr Zelenskyy"), else itself."""
        rows = self.types(name)
        return next((rows[t] for t in types if t in rows), name)


def _read_rows(path: str) -> list[tuple[str, str, str, int]]:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise ModelError(
            f"cannot read the alias table {path!r}: {exc}; fix the path in ${ENV_VAR} or in the "
            "unspin_entities setting aliases_path, or unset it to use the shipped table"
        ) from exc
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) != 3 or not cols[0] or not cols[1]:
            raise ModelError(
                f"{path}:{number}: expected alias<TAB>canonical<TAB>type, got {line!r}; "
                "separate the three columns with one TAB each"
            )
        if cols[2] not in TYPES:
            raise ModelError(f"{path}:{number}: unknown type {cols[2]!r}; use one of {', '.join(TYPES)}")
        rows.append((cols[0], cols[1], cols[2], number))
    return rows


@functools.lru_cache(maxsize=8)
def load_table(paths: tuple[str, ...]) -> AliasTable:
    """The merged table of ``paths`` (later files override earlier ones); cached."""
    table = AliasTable()
    surfaces: list[tuple[str, str, str]] = []
    for path in paths:
        own: dict[str, dict[str, str]] = {}
        for alias, canonical, typ, _ in _read_rows(path):
            names = [alias] + ([canonical] if typ in _SELF_TYPES and canonical != "-" else [])
            for i, name in enumerate(names):
                key = alias_key(name)
                if not key or (i and typ in own.get(key, {})):  # an explicit row beats the implicit one
                    continue
                own.setdefault(key, {})[typ] = canonical
                table.display.setdefault(key, name)
                surfaces.append((name, typ, canonical))
        for key, rows in own.items():  # a file's rows for an alias replace all earlier ones
            kept = {t: c for t, c in rows.items() if c != "-"}
            if kept:
                table.entries[key] = kept
            else:
                table.entries.pop(key, None)
    for name, typ, canonical in surfaces:
        if table.entries.get(alias_key(name), {}).get(typ) == canonical:
            table.spots.add(name)
            table.spot_heads.add(re.match(r"[\w.']*", name).group())
    table.countries = frozenset(
        c for rows in table.entries.values() for t, c in rows.items() if t == "country"
    )
    return table


def table_paths(aliases_path: str | None = None) -> tuple[str, ...]:
    """The shipped table, then ``$UNSPIN_ALIASES`` files, then ``aliases_path``."""
    paths = [str(SHIPPED)]
    paths += [p for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    if aliases_path:
        paths.append(str(aliases_path))
    return tuple(paths)


def get_table(aliases_path: str | None = None) -> AliasTable:
    """The alias table in use (loaded on first call, then cached)."""
    return load_table(table_paths(aliases_path))


# -- when a row applies -----------------------------------------------------------------------

#: Prepositions after which a city is a place, not a government.
PLACE_PREPS = frozenset("""in at to into near outside inside across around through throughout within via from
toward towards over beyond off onto past above under below""".split())
#: Verbs whose object (or passive subject) is a place.
PLACE_VERBS = frozenset("""visit leave reach enter arrive fly travel return flee tour shell bomb bombard strike hit
attack capture besiege encircle surround evacuate liberate occupy storm target approach host move relocate
base locate rebuild destroy damage flood""".split())
#: Nouns that a city (not a government) possesses: "Moscow's mayor", "Kyiv's metro".
CITY_NOUNS = frozenset("""mayor resident residents street streets airport suburb suburbs skyline metro subway
population district districts neighbourhood neighborhood hospital hospitals university zoo museum club team fan
fans weather traffic landmark centre center outskirts river port station council police transport housing
building buildings square park parks church cathedral restaurant restaurants market markets""".split())


def acts_as_government(span: Any) -> bool:
    """True when a place-name mention acts ("Moscow denied", "sanctions on Beijing") rather
    than locates ("in Moscow", "visited Beijing"). Needs a parsed spaCy span; False without one."""
    if span is None or not len(span) or not span.doc.has_annotation("DEP"):
        return False
    tok = span.root
    while tok.dep_ == "conj" and tok.head is not tok:
        tok = tok.head
    dep, head = tok.dep_, tok.head
    if dep in ("nsubj", "agent", "csubj"):
        return True
    if dep == "nsubjpass":
        return head.lemma_.lower() not in PLACE_VERBS
    if dep == "poss":
        return head.lemma_.lower() not in CITY_NOUNS
    if dep == "dobj":
        return head.lemma_.lower() not in PLACE_VERBS
    if dep == "pobj":
        prep = head.lower_
        if prep in PLACE_PREPS:
            return False
        if prep == "of":
            return head.head.lemma_.lower() not in CITY_NOUNS
        return True
    return False


def resolve(table: AliasTable, name: str, label: str, acting: bool, *, person_ok: bool = True,
            strict: bool = False) -> tuple[str, str] | None:
    """``(canonical, row type)`` for a mention ``name`` labelled ``label`` by spaCy, or None.

    ``acting``: the mention acts (see :func:`acts_as_government`); capitals stand
    for their government only then, and are places otherwise. ``person_ok``:
    person rows may apply (False when the article names someone with this name).
    ``strict`` (PERSON mentions): person rows first, and no row at all for a plain
    word that is also a personal name (:data:`PERSONAL_NAMES`: "Sofia", "Jordan").
    """
    key = alias_key(name)
    rows = table.entries.get(key)
    if label == "NORP" and not (rows and "demonym" in rows) and key.endswith("s"):
        rows = table.entries.get(key[:-1]) or rows
    if not rows:
        return None
    if strict:
        if "person" in rows and person_ok:
            return rows["person"], "person"
        if key in PERSONAL_NAMES and name[:1].isupper() and not name.isupper():
            return None
    order = ("demonym", "org", "country", "seat", "capital") if label == "NORP" else (
        "country", "seat", "capital", "org")
    for typ in order:
        if typ not in rows or (typ == "capital" and not acting):
            continue
        return rows[typ], typ
    if "person" in rows and person_ok:
        return rows["person"], "person"
    if "place" in rows:
        return rows["place"], "place"
    if "capital" in rows:  # a capital used as a place: itself, as the table spells it
        return table.display.get(key, name), "place"
    return None


# -- acronyms defined in a text ------------------------------------------------------------

_ACRONYM_DEF = re.compile(
    r"([A-Z][\w&.\-’']*(?:\s+(?:of|for|and|the|on|in|de|du|la|&)?\s*[A-Z][\w&.\-’']*)+)\s*\(([A-Z][A-Za-z0-9&.\-]{1,9})\)"
)


def initials(words: list[str]) -> str:
    """``"NIAO"`` from ``["Norland", "Infrastructure", "Audit", "Office"]`` (capitalised words only)."""
    return "".join(w[0] for w in words if w[:1].isupper()).upper()


def acronym_definitions(text: str) -> dict[str, str]:
    """``{"WHO": "World Health Organization"}`` for definitions written in the article."""
    found: dict[str, str] = {}
    for m in _ACRONYM_DEF.finditer(text):
        words, short = m.group(1).split(), m.group(2).replace(".", "")
        for k in range(len(words) - 1):  # the longest tail whose initials spell the acronym
            if words[k][:1].isupper() and initials(words[k:]) == short.upper():
                found.setdefault(short, " ".join(words[k:]).strip(".’'"))
                break
    return found


# -- table aliases spaCy missed ----------------------------------------------------------------

def capital_word(tok: Any) -> bool:
    return tok.text[:1].isupper() and tok.text.replace("-", "").isalpha()


def isolated(doc: Any, sp: Any) -> bool:
    """No capitalised word right before (bar a title or "The") and no proper noun right after:
    ``sp`` is not part of a longer name. All-capital words (headlines) always pass."""
    if sp.text.isupper():
        return True
    if sp.start > 0:
        prev = doc[sp.start - 1]
        if capital_word(prev) and prev.lower_ not in STOP_WORDS and prev.lower_.rstrip(".") not in TITLES:
            return False
    return not (sp.end < len(doc) and doc[sp.end].pos_ == "PROPN" and doc[sp.end].text[:1].isupper())


def _headline(doc: Any, i: int) -> bool:
    near = [doc[k] for k in (i - 1, i + 1) if 0 <= k < len(doc) and doc[k].is_alpha]
    return doc[i].is_upper and any(t.is_upper and len(t) > 1 for t in near)


def spot_aliases(doc: Any, text: str, words: list[str], table: AliasTable,
                 free: Callable[[int, int, bool], bool]) -> list[tuple[int, int, str, Any]]:
    """``(start, end, label, span)`` of table aliases of people, organisations, seats of power and
    acting capitals written exactly as in the table where ``free(start, end, numbers_ok)``
    (``words``: the doc's token texts). A single
    word must be a name here: 3+ letters, not a stop word, not in an all-capital headline, not part
    of a longer name, and not first in its sentence if an organisation ("Fed up ...", "Labour costs")."""
    out, n, heads = [], len(doc), table.spot_heads
    for i in [i for i, w in enumerate(words) if w in heads]:
        tok = doc[i]
        if not (tok.text[:1].isupper() or tok.text[:1].isdigit()) or not free(tok.idx, tok.idx + 1, True):
            continue
        for j in range(min(n, i + 5), i, -1):
            start, end = tok.idx, doc[j - 1].idx + len(doc[j - 1].text)
            surface = text[start:end]
            rows = table.types(surface) if surface in table.spots else {}
            typ = next((t for t in ("seat", "org", "person", "capital") if t in rows), None)
            if typ is None or not free(start, end, j > i + 1) or typ == "capital" and (
                    alias_key(surface) in PERSONAL_NAMES or not acts_as_government(doc[i:j])):
                continue
            if j == i + 1 and (len(tok.text) < 3 or tok.lower_ in STOP_WORDS or _headline(doc, i)
                               or (tok.is_sent_start and typ in ("org", "seat") and not tok.is_upper)
                               or not isolated(doc, doc[i:j])):
                break
            label = {"person": "PERSON", "org": "ORG"}.get(typ) or ("GPE" if rows[typ] in table.countries else "ORG")
            out.append((start, end, label, doc[i:j]))
            break
    return out
