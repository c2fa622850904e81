"""Attribution cues in the dependency parse: who says, thinks or reports what.

:func:`find_cued` reads a parsed ``Doc`` and returns one :class:`Cued` per
attribution cue: a cue verb or noun with its complement (the
*content*: a clause, an infinitive, an object or a prepositional object, as
the word licenses), "according to X", a reporting verb set off by commas
("The plan, Keller said, is dead"), raising verbs ("Trump seemed to ...") and
a line opening with a name and a colon ("Lynch: No outside influence"). Cues inside direct quotations and cues
inside the content of another cue are skipped (PolNeAR's univocal
convention: each word belongs to at most one attribution).

The cue words and the complements they license are listed in
:mod:`.quote_lexicon`.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from .quote_lexicon import (
    CLAUSE_CUES,
    INFINITIVE_CUES,
    NAMED_OBJECT_CUES,
    NOUN_CUES,
    NOUN_PREP_CUES,
    OBJECT_CUES,
    PARTICLE_CUES,
    PASSIVE_RAISING_CUES,
    PREP_CUES,
    RAISING_CUES,
    SPEECH_CUES,
)

_NAMED = frozenset({"PERSON", "ORG", "NORP", "GPE"})
_VERB_CUES = (CLAUSE_CUES | INFINITIVE_CUES | OBJECT_CUES | NAMED_OBJECT_CUES | SPEECH_CUES | RAISING_CUES
              | PASSIVE_RAISING_CUES | {verb for verb, _ in PREP_CUES})

_PUNCT_EDGE = " \t\r\n,;:.—–-"
#: comma-separated additions at the end of a content that PolNeAR leaves out ("..., a mass layoff")
_AFTERTHOUGHTS = frozenset({"appos", "npadvmod", "relcl"})
_RELATIVE = frozenset({"who", "that", "which", "whom"})
_PERSONAL = frozenset({"he", "she", "they", "i", "we"})
#: "did not respond to requests for comment" attributes nothing
_NO_COMMENT = frozenset({"request", "inquiry", "query", "message", "email", "call", "question"})


@dataclass
class Cued:
    """One attribution found in the parse. Offsets are character offsets."""

    cue: tuple[int, int]
    content: tuple[int, int]
    subject: Token | None  # the token heading the source phrase, if any
    via: str  # clause infinitive object prep according parenthetical raising noun colon | quote
    cue_token: int  # index of the cue's head token
    skip: frozenset[int] = frozenset()  # character offsets of cue and source words inside the content


def _edge(t: Token) -> bool:
    return all(ch in _PUNCT_EDGE for ch in t.text)


def _trim(tokens: list[Token]) -> tuple[int, int] | None:
    """Character range of ``tokens`` (in order, contiguous or not) without edge spaces and
    punctuation; a quote mark stays. None when nothing is left."""
    lo, hi = 0, len(tokens) - 1
    while lo <= hi and _edge(tokens[lo]):
        lo += 1
    while hi >= lo and _edge(tokens[hi]):
        hi -= 1
    if lo > hi:
        return None
    return tokens[lo].idx, tokens[hi].idx + len(tokens[hi])


def _has_mark(t: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ in ("that", "whether", "if") for c in t.children)


def _is_side_cue(t: Token) -> bool:
    """A second attribution hanging inside a complement: "..., telling reporters that ...",
    "... and he added that ..." (left out of the first one's content)."""
    lemma = t.lemma_.lower()
    if t.dep_ == "advcl" and t.tag_ == "VBG" and lemma in CLAUSE_CUES | OBJECT_CUES:
        return True
    if t.dep_ == "conj" and t.pos_ in ("VERB", "AUX") and not _has_mark(t):
        subj = next((c for c in t.children if c.dep_ == "nsubj"), None)
        if subj is None:
            return lemma in _VERB_CUES and t.head.dep_ == "ccomp"
        return subj.lower_ in _PERSONAL
    return False


def _afterthought(doc: Doc, comp: Token, t: Token) -> bool:
    """A comma-separated addition that ends the content: "..., a mass layoff", "..., which he denied"
    (not the next item of a list: "care, free college and other programs")."""
    if t.dep_ not in _AFTERTHOUGHTS or t.i < comp.i or t.left_edge.i == 0 or t.right_edge.i < comp.right_edge.i - 1:
        return False
    if doc[t.left_edge.i - 1].text != ",":
        return False
    return t.dep_ == "relcl" or not any(x.dep_ == "cc" for x in doc[t.head.i:t.right_edge.i + 1])


def _content(doc: Doc, comp: Token, cue: Token, exclude: set[int]) -> tuple[int, int] | None:
    """The character range of ``comp``'s subtree within the cue's sentence, minus side attributions
    and final afterthoughts; cue and source words are left out at the edges, bridged inside."""
    sent = cue.sent
    dropped: set[int] = set(exclude)
    for t in comp.subtree:
        if t.i in dropped or t is comp:
            continue
        if _is_side_cue(t) or _afterthought(doc, comp, t):
            dropped |= {x.i for x in t.subtree}
            if t.dep_ == "conj":
                dropped |= {c.i for c in t.head.children if c.dep_ == "cc" and c.i < t.i}
    keep = [t for t in comp.subtree if t.i not in dropped and sent.start <= t.i < sent.end]
    # cut where a dropped stretch follows the complement's head
    tail = [t.i for t in comp.subtree if t.i in dropped and t.i > comp.i and t.i not in exclude]
    if tail:
        keep = [t for t in keep if t.i < min(tail)]
    while keep and (keep[-1].dep_ == "cc" or (keep[-1].is_punct and keep[-1].text not in "”’\"'»")):
        keep.pop()
    return _trim(keep)


def _skip(tokens: list[Token]) -> frozenset[int]:
    return frozenset(i for t in tokens for i in range(t.idx, t.idx + len(t)))


def subject_of(verb: Token, depth: int = 0) -> Token | None:
    """The source of a cue verb: its subject, the noun a relative clause hangs on, or the
    subject of the verb it is coordinated with or subordinate to ("X stood and said",
    "X denied it, saying ..."). None for passives without an agent ("is expected to")."""
    for c in verb.children:
        if c.dep_ == "nsubj":
            if c.lower_ in _RELATIVE and verb.dep_ == "relcl":
                return verb.head
            return c
    for c in verb.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    if any(c.dep_ in ("nsubjpass", "csubj", "expl") for c in verb.children):
        return None
    if depth < 3 and verb.dep_ in ("conj", "xcomp", "advcl", "pcomp") and verb.head is not verb:
        return subject_of(verb.head, depth + 1)
    if verb.dep_ == "relcl":
        return verb.head
    if verb.dep_ == "acl" and verb.tag_ == "VBG":  # "officials saying ..."
        return verb.head
    return None


def _source_tokens(verb: Token, subj: Token | None) -> set[int]:
    """Token indices of the source phrase (without the cue's own clause when it hangs on it)."""
    if subj is None:
        return set()
    inside = {t.i for t in verb.subtree}
    return {t.i for t in subj.subtree if t.i not in inside or subj.head is verb} | {subj.i}


def cue_span(verb: Token) -> tuple[int, int]:
    """The verb plus its particle ("point out", "weigh in")."""
    end = verb.idx + len(verb)
    for c in verb.children:
        if c.dep_ == "prt" and c.i == verb.i + 1:
            end = c.idx + len(c)
    return verb.idx, end


def _raised(doc: Doc, v: Token, lemma: str, kids: list[Token], cue: tuple[int, int]) -> Cued | None:
    """"Trump seemed to ...", "Sanders is expected to ...": the subject and the infinitive are the
    content, there is no source."""
    passive = any(c.dep_ == "nsubjpass" for c in kids)
    if not ((lemma in RAISING_CUES and not passive) or (lemma in PASSIVE_RAISING_CUES and passive)):
        return None
    subj = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass")), None)
    comp = next((c for c in kids if c.dep_ == "xcomp"), None)
    if subj is None or comp is None or subj.i > v.i or subj.lower_ in ("it", "there"):
        return None
    aux = {c.i for c in kids if c.dep_ in ("aux", "auxpass", "neg", "advmod") and subj.i < c.i < v.i}
    first = _content(doc, subj, v, {v.i} | aux)
    second = _content(doc, comp, v, {v.i})
    if first is None or second is None:
        return None
    skip = _skip([doc[i] for i in aux | {v.i}])
    return Cued(cue, (first[0], second[1]), None, "raising", v.i, skip)


def _from_verb(doc: Doc, v: Token) -> Cued | None:
    """The attribution a cue verb heads, trying its complement types in turn."""
    lemma = v.lemma_.lower()
    if lemma not in _VERB_CUES:
        return None
    kids = list(v.children)
    prt = next((c.lower_ for c in kids if c.dep_ == "prt"), None)
    if prt is not None and (lemma, prt) not in PARTICLE_CUES:
        return None
    cue = cue_span(v)
    raised = _raised(doc, v, lemma, kids, cue)
    if raised is not None:
        return raised
    subj = subject_of(v)
    if subj is not None and (subj.dep_ == "expl" or (lemma in RAISING_CUES and subj.lower_ in ("it", "there"))):
        subj = None  # "It seems ...": no source
    cut = _source_tokens(v, subj) | {v.i}
    skip = _skip([doc[i] for i in cut])
    span = _complement(doc, v, lemma, kids, cut)
    if span is not None:
        return Cued(cue, span[1], subj, span[0], v.i, skip)
    if lemma in OBJECT_CUES or (lemma in NAMED_OBJECT_CUES and subj is not None and subj.ent_type_ in _NAMED):
        content = _object(doc, v, kids, cut)
        if content is not None:
            return Cued(cue, content, subj, "object", v.i, skip)
    for c in kids:
        if c.dep_ == "prep" and (lemma, c.lower_) in PREP_CUES:
            pobj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
            if pobj is not None and pobj.lemma_.lower() not in _NO_COMMENT:
                content = _content(doc, pobj, v, cut)
                if content is not None:
                    return Cued((cue[0], c.idx + len(c)), content, subj, "prep", v.i)
    if lemma in SPEECH_CUES and subj is not None:
        return _parenthetical(doc, v, kids, subj, cue)
    return None


def _complement(doc: Doc, v: Token, lemma: str, kids: list[Token], cut: set[int]) -> tuple[str, tuple[int, int]] | None:
    """("clause" | "infinitive", content) for "said (that) ...", "refused to ..."."""
    for dep, lex, via in (("ccomp", CLAUSE_CUES, "clause"), ("xcomp", INFINITIVE_CUES, "infinitive")):
        if lemma not in lex:
            continue
        if dep == "xcomp" and lemma in OBJECT_CUES and any(c.dep_ == "dobj" for c in kids):
            continue  # "called it a disgrace": an object
        for comp in (c for c in kids if c.dep_ == dep):
            content = _content(doc, comp, v, cut)
            if content is not None:
                return via, content
    return None


def _object(doc: Doc, v: Token, kids: list[Token], cut: set[int]) -> tuple[int, int] | None:
    """The direct object and what completes it: "called [the plan a disaster]", "accused [X of Y]"."""
    obj = next((c for c in kids if c.dep_ == "dobj"), None)
    if obj is None:
        return None
    span = _content(doc, obj, v, cut)
    for c in kids:
        if span is not None and c.i > obj.i and c.dep_ in ("oprd", "xcomp", "ccomp", "prep", "npadvmod"):
            extra = _content(doc, c, v, cut)
            if extra is not None:
                span = (min(span[0], extra[0]), max(span[1], extra[1]))
    return span


def _parenthetical(doc: Doc, v: Token, kids: list[Token], subj: Token, cue: tuple[int, int]) -> Cued | None:
    """"The plan, Keller said, is dead." / "The plan is dead, Keller said.": the clause the
    reporting verb hangs on is the content."""
    if v.dep_ not in ("parataxis", "ccomp", "advcl", "conj") or v.head.i == v.i or subj.head.i != v.i:
        return None
    if any(c.dep_ in ("dobj", "ccomp") for c in kids):
        return None
    own = {t.i for t in v.subtree}
    sent = v.sent
    span = _trim([t for t in v.head.subtree if t.i not in own and sent.start <= t.i < sent.end])
    if span is None:
        return None
    return Cued(cue, span, subj, "parenthetical", v.i, _skip(list(v.subtree)))


def _according(doc: Doc, t: Token) -> Cued | None:
    """"according to X, <content>" / "<content>, according to X"."""
    if t.lower_ != "according" or t.i + 1 >= len(doc) or doc[t.i + 1].lower_ != "to":
        return None
    to = doc[t.i + 1]
    pobj = next((g for g in to.children if g.dep_ == "pobj"), None)
    phrase = {x.i for x in t.subtree} | {x.i for x in to.subtree} | {t.i, to.i}
    span = _trim([x for x in t.sent if x.i not in phrase])
    if span is None:
        return None
    return Cued((t.idx, to.idx + len(to)), span, pobj, "according", t.i, _skip([doc[i] for i in phrase]))


def _from_noun(doc: Doc, n: Token) -> Cued | None:
    lemma = n.lemma_.lower()
    for c in n.children:
        if c.dep_ == "prep" and (lemma, c.lower_) in NOUN_PREP_CUES:
            pobj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
            subj = next((g for g in n.children if g.dep_ == "poss"), None)
            span = _content(doc, pobj, n, {n.i}) if pobj is not None else None
            if span:
                return Cued((n.idx, c.idx + len(c)), span, subj, "noun", n.i)
    if lemma not in NOUN_CUES:
        return None
    for c in n.children:
        if c.dep_ in ("acl", "ccomp") and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children):
            subj = next((g for g in n.children if g.dep_ == "poss"), None)
            cut = {n.i} | ({t.i for t in subj.subtree} if subj is not None else set())
            span = _content(doc, c, n, cut)
            if span:
                return Cued((n.idx, n.idx + len(n)), span, subj, "noun", n.i)
    return None


_NOT_SOURCES = frozenset("""
update updated note editor editors photo photos video watch read related abstract by correction source sources
via image credit caption breaking exclusive analysis opinion commentary live transcript warning spoiler
""".split())


def _from_colon(doc: Doc, sent) -> Cued | None:
    """"Lynch: No outside influence on FBI probe" / "FALLIN: Well, I think ...": a line that opens
    with a name and a colon; the rest of the line is the content."""
    if sent.start > 0 and "\n" not in doc[sent.start - 1].text_with_ws:
        return None  # not at the start of a line
    colon = next((t for t in sent[:9] if t.text == ":"), None)
    if colon is None or colon.i == sent.start:
        return None
    left = doc[sent.start:colon.i]
    words = [t for t in left if not t.is_punct]
    if not words or any(t.pos_ in ("VERB", "AUX") and not t.text.isupper() for t in words):
        return None
    if words[0].lower_.strip(".'’s") in _NOT_SOURCES or any(t.like_num for t in words):
        return None
    named = any(t.ent_type_ in _NAMED for t in words) or (len(words) == 1 and (words[0].text.isupper()))
    if not named:
        return None
    line = []
    for t in doc[colon.i + 1:]:
        if "\n" in t.text:
            break
        line.append(t)
        if "\n" in t.whitespace_:
            break
    span = _trim(line)
    if span is None or sum(1 for t in line if not t.is_punct) < 2:
        return None
    return Cued((colon.idx, colon.idx + 1), span, left.root, "colon", colon.i)


def blocked_tokens(doc: Doc, ranges: list[tuple[int, int]]) -> set[int]:
    """Indices of the tokens that start inside any of the character ``ranges``."""
    out: set[int] = set()
    for a, b in ranges:
        span = doc.char_span(a, b, alignment_mode="contract")
        if span is None:
            span = doc.char_span(a, b, alignment_mode="expand")
        if span is not None:
            out.update(t.i for t in span if a <= t.idx < b)
    return out


def _side_root(outer: Cued, inner: Cued, doc: Doc) -> Token | None:
    """The clause of ``outer``'s content that is a separate attribution: a coordinated clause
    with its own subject and cue ("A said X, and nine in 10 said Y"), not "that A and that B"."""
    t = doc[inner.cue_token]
    if t.dep_ == "conj" and inner.subject is not None and inner.subject.head.i == t.i \
            and t.left_edge.idx > outer.content[0] and not _has_mark(t):
        return t
    return None


def _univocal(doc: Doc, found: list[Cued]) -> list[Cued]:
    """Each word in at most one attribution: a cue inside another's content is dropped, unless it
    heads a side clause at the end of that content, which is then cut before the clause."""
    found = sorted(found, key=lambda c: c.content[0] - c.content[1])  # longest content first
    kept: list[Cued] = []
    for c in found:
        ok = True
        for k in kept:
            if k.content[0] <= c.cue[0] < k.content[1]:
                side = _side_root(k, c, doc)
                if side is None:
                    ok = False
                    break
                first = doc.char_span(k.content[0], k.content[1], alignment_mode="expand")
                head = list(doc[first.start:side.left_edge.i]) if first is not None else []
                span = _trim(head)
                if span is None:
                    ok = False
                    break
                k.content = span
        if ok:
            kept.append(c)
    return sorted(kept, key=lambda c: c.cue[0])


def find_cued(doc: Doc, blocked: list[tuple[int, int]]) -> list[Cued]:
    """Attributions from the parse, sorted by cue; ``blocked`` are character ranges
    (direct quotations) whose words are never cues."""
    found: list[Cued] = []
    inside = blocked_tokens(doc, blocked)
    for t in doc:
        if t.i in inside:
            continue
        item = None
        if t.lower_ == "according":
            item = _according(doc, t)
        elif t.pos_ in ("VERB", "AUX"):
            item = _from_verb(doc, t)
        elif t.pos_ == "NOUN":
            item = _from_noun(doc, t)
        if item is not None:
            found.append(item)
    for sent in doc.sents:
        item = _from_colon(doc, sent)
        if item is not None and item.cue_token not in inside:
            found.append(item)
    return _univocal(doc, found)
