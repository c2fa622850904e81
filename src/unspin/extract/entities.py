"""Named entities grouped per article under one canonical name each.

Layer ``entities``: ``start, end, label, canonical``. Within one article a
surname or a titled mention resolves to the fullest name seen ("Putin",
"President Putin" -> "Vladimir Putin"), and an acronym defined in the article
("the World Health Organization (WHO)") resolves to its long form.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from ..model import Span
from .layers import set_layer

#: spaCy labels kept as entities; numbers and dates go to the quantities layer.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART", "LANGUAGE"}
)

TITLES = frozenset("""
mr mrs ms miss dr prof sir dame lord lady president vice prime minister secretary senator sen rep
representative governor gov chancellor king queen prince princess pope general gen colonel col captain
capt lieutenant sergeant admiral judge justice chairman chairwoman chair ceo director ambassador mayor
premier leader sheikh emir ayatollah rev reverend father bishop archbishop deputy foreign defense
defence interior finance state former acting attorney spokesman spokeswoman spokesperson
""".split())

_SPACE = re.compile(r"[\s\u200b\u2060\ufeff]+")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def _clean(text: str) -> str:
    text = _SPACE.sub(" ", text).strip(" \"'“”‘’«»()[],.;:")
    text = _POSSESSIVE.sub("", text).strip()
    if text.lower().startswith("the "):
        text = text[4:]
    return text


def _strip_titles(name: str) -> str:
    words = name.split(" ")
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def _trim(doc_text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a trailing possessive and surrounding punctuation from the span."""
    m = _POSSESSIVE.search(doc_text[start:end])
    if m and end - start > len(m.group()):
        end -= len(m.group())
    while start < end and doc_text[start] in " \"'“”‘’«»([":
        start += 1
    while end > start and doc_text[end - 1] in " \"'“”‘’«»)],.;:":
        end -= 1
    return start, end


def canonical_names(mentions: list[tuple[str, str]]) -> list[str]:
    """Resolve ``(text, label)`` mentions of one article to canonical names."""
    cleaned = [(_strip_titles(_clean(t)) if lab == "PERSON" else _clean(t), lab) for t, lab in mentions]
    # acronyms defined in the article: "World Health Organization (WHO)" handled by caller via pairs
    persons = [c for c, lab in cleaned if lab == "PERSON" and " " in c]
    out = []
    for name, lab in cleaned:
        if lab == "PERSON" and " " not in name and name:
            # the longest multi-word person name ending with this surname (or starting with this first name)
            full = [p for p in persons if p.split(" ")[-1] == name]
            if not full:
                full = [p for p in persons if p.split(" ")[0] == name]
            if full:
                name = max(full, key=lambda p: (len(p.split(" ")), persons.count(p)))
        out.append(name)
    return out


_ACRONYM_DEF = re.compile(r"([A-Z][\w&.\-]*(?:\s+(?:of|for|and|the|on|de|du|la|&)?\s*[A-Z][\w&.\-]*)+)\s*\(([A-Z][A-Z0-9&.\-]{1,9})\)")


def acronym_definitions(text: str) -> dict[str, str]:
    """``{"WHO": "World Health Organization"}`` for definitions written in the article."""
    found = {}
    for m in _ACRONYM_DEF.finditer(text):
        long_form, short = m.group(1).strip(), m.group(2).replace(".", "")
        initials = "".join(w[0] for w in long_form.split() if w[0].isupper())
        if initials.endswith(short) or short in initials:
            found.setdefault(short, _clean(long_form))
    return found


def entity_spans(doc: Doc) -> list[Span]:
    text = doc.text
    raw = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        start, end = _trim(text, ent.start_char, ent.end_char)
        if end > start:
            raw.append((start, end, ent.label_))
    names = canonical_names([(text[s:e], lab) for s, e, lab in raw])
    acronyms = acronym_definitions(text)
    spans = []
    for (start, end, label), name in zip(raw, names):
        name = acronyms.get(name, name) or text[start:end]
        spans.append(Span(start, end, label, attrs={"canonical": name}))
    return spans


@Language.component("unspin_entities")
def add_entities(doc: Doc) -> Doc:
    """Layer ``entities`` from ``doc.ents`` with canonical names."""
    set_layer(doc, "entities", entity_spans(doc))
    return doc
