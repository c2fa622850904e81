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
:mod:`.quote_lexicon`. With a learned cue model (:mod:`.quote_model`, the
default of the ``quotes`` layer) the lexicon no longer decides alone:
:func:`candidates` also offers every complement of the verbs, nouns and
adjectives in the model's vocabulary (clause, infinitive, the object alone or
with its completion, each preposition, parenthetical, passive subject, the
noun a relative clause hangs on, adjective complements), the model scores
each, the likeliest reading per cue word is kept when it reaches the model's
threshold, and the univocal rule then prefers the likelier attribution.
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
#: prepositions of time, place and means after an object: "endorsed [Clinton] during a call", not a completion
_ADJUNCT_PREPS = frozenset("""
during through at in after before since amid until despite throughout via following across near inside outside
""".split())
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
    comp: int = -1  # index of the token heading the content (the object of the preposition for "prep")
    prep: str = ""  # the preposition of a "prep"/"noun" cue ("talked about"), or "+..." for a reading's extension
    rule: bool = True  # the lexicon's own reading of this cue word (else an alternative the model weighs)
    score: float = 1.0  # the cue model's probability that this is an attribution (1.0 without a model)


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


def _raised(doc: Doc, v: Token, lemma: str, kids: list[Token], cue: tuple[int, int],
            open_: bool = False) -> Cued | None:
    """"Trump seemed to ...", "Sanders is expected to ...": the subject and the infinitive are the
    content, there is no source (``open_``: any passive verb with an infinitive, for the model)."""
    passive = any(c.dep_ == "nsubjpass" for c in kids)
    if not ((lemma in RAISING_CUES and not passive) or (lemma in PASSIVE_RAISING_CUES and passive)
            or (open_ and passive)):
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
    return Cued(cue, (first[0], second[1]), None, "raising", v.i, skip, comp=comp.i)


def _verb_candidates(doc: Doc, v: Token, open_: bool) -> list[Cued]:
    """The attributions a cue verb may head. Lexicon mode (``open_`` false): the first complement
    the lexicon licenses for the word, if any. Open mode (a cue model decides): every complement
    the parse offers (clause, infinitive, object, each preposition, parenthetical), the lexicon's
    own reading flagged ``rule``."""
    lemma = v.lemma_.lower()
    listed = lemma in _VERB_CUES
    if not listed and not open_:
        return []
    kids = list(v.children)
    prt = next((c.lower_ for c in kids if c.dep_ == "prt"), None)
    if prt is not None and (lemma, prt) not in PARTICLE_CUES:
        if not open_:
            return []
        listed = False
    cue = cue_span(v)
    out: list[Cued] = []
    if listed:
        raised = _raised(doc, v, lemma, kids, cue)
        if raised is not None:
            return [raised]
    if open_:
        raised = _raised(doc, v, lemma, kids, cue, open_=True)
        if raised is not None:
            raised.rule = False
            out.append(raised)
    subj = subject_of(v)
    if subj is not None and (subj.dep_ == "expl" or (lemma in RAISING_CUES and subj.lower_ in ("it", "there"))):
        subj = None  # "It seems ...": no source
    cut = _source_tokens(v, subj) | {v.i}
    skip = _skip([doc[i] for i in cut])
    has_dobj = any(c.dep_ == "dobj" for c in kids)
    # (via, content, complement token, preposition, licensed by the lexicon), in the lexicon's order
    options: list[tuple[str, tuple[int, int], int, str, bool]] = []
    for dep, lex, via in (("ccomp", CLAUSE_CUES, "clause"), ("xcomp", INFINITIVE_CUES, "infinitive")):
        licensed = listed and lemma in lex and not (dep == "xcomp" and lemma in OBJECT_CUES and has_dobj)
        if not (licensed or open_):
            continue
        for comp in (c for c in kids if c.dep_ == dep):
            content = _content(doc, comp, v, cut)
            if content is not None and dep == "ccomp":
                content = _with_conjuncts(doc, v, comp, kids, content, cut, marked=True) or content
            if content is not None:
                options.append((via, content, comp.i, "", licensed))
                if open_ and dep == "ccomp":
                    more = _with_conjuncts(doc, v, comp, kids, content, cut)
                    if more is not None:
                        options.append((via, more, comp.i, "+conj", False))
                break
    licensed = listed and (lemma in OBJECT_CUES
                           or (lemma in NAMED_OBJECT_CUES and subj is not None and subj.ent_type_ in _NAMED))
    if has_dobj and (licensed or open_):
        obj = next(c for c in kids if c.dep_ == "dobj")
        bare, full, extra = _object(doc, v, obj, kids, cut)
        if full is not None:
            options.append(("object", full, obj.i, extra, licensed))
        if open_ and bare is not None and bare != full:
            options.append(("object", bare, obj.i, "", False))
    for c in kids:
        if c.dep_ != "prep":
            continue
        licensed = listed and (lemma, c.lower_) in PREP_CUES
        if not (licensed or (open_ and c.i > v.i)):
            continue
        pobj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
        if pobj is None or (licensed and pobj.lemma_.lower() in _NO_COMMENT):
            continue
        content = _content(doc, pobj, v, cut)
        if content is not None:
            options.append(("prep", content, pobj.i, c.lower_, licensed))
    rule_done = False
    for via, content, comp, prep, licensed in options:
        rule = licensed and not rule_done
        rule_done = rule_done or rule
        if not (rule or open_):
            continue
        cue_here = (cue[0], doc[comp].head.idx + len(doc[comp].head)) if via == "prep" else cue
        out.append(Cued(cue_here, content, subj, via, v.i, skip if via != "prep" else frozenset(),
                        comp=comp, prep=prep, rule=rule))
        if not open_:
            return out
    licensed = listed and lemma in SPEECH_CUES
    if subj is not None and (licensed or open_):
        par = _parenthetical(doc, v, kids, subj, cue)
        if par is not None:
            par.rule = licensed and not rule_done
            if par.rule or open_:
                out.append(par)
    if open_:
        out.extend(_passive(doc, v, kids, subj, cue))
        rel = _relative_object(doc, v, kids, subj, cue)
        if rel is not None:
            out.append(rel)
    return out


def _passive(doc: Doc, v: Token, kids: list[Token], subj: Token | None, cue: tuple[int, int]) -> list[Cued]:
    """"The plan was widely condemned (by X)": the passive subject is the content, alone or with the
    rest of the clause ("Clinton has been pushed to these positions"); the agent is the source."""
    target = next((c for c in kids if c.dep_ == "nsubjpass"), None)
    if target is None or target.i > v.i:
        return []
    aux = {c.i for c in kids if c.dep_ in ("aux", "auxpass", "neg", "advmod") and target.i < c.i < v.i}
    agent = next((c for c in kids if c.dep_ == "agent"), None)
    cut = aux | {v.i} | ({t.i for t in agent.subtree} if agent is not None else set())
    first = _content(doc, target, v, cut)
    if first is None:
        return []
    out = [Cued(cue, first, subj, "passive", v.i, comp=target.i, rule=False)]
    rest = [t for t in v.subtree if t.i > v.i and t.i not in cut and v.sent.start <= t.i < v.sent.end
            and not (agent is not None and t.i > agent.i)]
    tail = _trim(rest)
    if tail is not None and tail[1] > first[1]:
        out.append(Cued(cue, (first[0], tail[1]), subj, "passive", v.i, _skip([doc[i] for i in aux | {v.i}]),
                        comp=target.i, prep="+rest", rule=False))
    return out


_REL_OBJECT = frozenset({"that", "which", "whom", "who", "what"})


def _relative_object(doc: Doc, v: Token, kids: list[Token], subj: Token | None,
                     cue: tuple[int, int]) -> Cued | None:
    """"the deal (that) Cruz once supported": the noun a relative clause hangs on is the object
    of its cue verb, so the content."""
    if v.dep_ != "relcl" or subj is None or subj.i == v.head.i or v.head.pos_ not in ("NOUN", "PROPN", "PRON"):
        return None
    obj = next((c for c in kids if c.dep_ in ("dobj", "ccomp", "xcomp")), None)
    if obj is not None and not (obj.dep_ == "dobj" and obj.lower_ in _REL_OBJECT):
        return None
    own = {t.i for t in v.subtree}
    head = v.head
    span = _trim([t for t in head.subtree if t.i not in own and t.i <= v.i and head.sent.start <= t.i])
    if span is None:
        return None
    return Cued(cue, span, subj, "relobj", v.i, comp=head.i, rule=False)


def _with_conjuncts(doc: Doc, v: Token, comp: Token, kids: list[Token], content: tuple[int, int],
                    cut: set[int], marked: bool = False) -> tuple[int, int] | None:
    """"said [she got a scholarship], but [her parents earned too much]": the clauses coordinated
    with the cue verb after its complement, read as more of the content (``marked``: only those
    opening with "that": "said X, but that Y")."""
    end = content[1]
    for c in kids:
        if c.dep_ == "conj" and c.i > comp.i and c.pos_ in ("VERB", "AUX"):
            deps = {g.dep_ for g in c.children if g.i < c.i}
            if marked and not any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children):
                continue
            if not deps & {"nsubj", "nsubjpass", "mark"}:
                continue  # "said X and left": the same source doing something else
            more = _content(doc, c, v, cut)
            if more is not None:
                end = max(end, more[1])
    return (content[0], end) if end > content[1] else None


def _adjunct(prep: Token) -> bool:
    """A preposition of time, place or means ("during a call", "on Monday"), not a completion."""
    if prep.lower_ in _ADJUNCT_PREPS:
        return True
    return any(g.dep_ == "pobj" and g.ent_type_ in ("DATE", "TIME") for g in prep.children)


def _object(doc: Doc, v: Token, obj: Token, kids: list[Token], cut: set[int]):
    """The direct object alone, and with what completes it ("called [the plan a disaster]",
    "accused [X of Y]"), with a label of the completion ("+of", "+oprd"; "" when there is none)."""
    bare = span = _content(doc, obj, v, cut)
    extra = []
    for c in kids:
        if span is not None and c.i > obj.i and c.dep_ in ("oprd", "xcomp", "ccomp", "prep") \
                and not (c.dep_ == "prep" and _adjunct(c)):
            more = _content(doc, c, v, cut)
            if more is not None:
                span = (min(span[0], more[0]), max(span[1], more[1]))
                extra.append("+" + (c.lower_ if c.dep_ == "prep" else c.dep_))
    return bare, span, "".join(extra[:3])


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
    return Cued(cue, span, subj, "parenthetical", v.i, _skip(list(v.subtree)), comp=v.head.i)


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
    return Cued((t.idx, to.idx + len(to)), span, pobj, "according", t.i, _skip([doc[i] for i in phrase]),
                comp=t.head.i if t.head.i != t.i else -1)


def _according_clause(doc: Doc, whole: Cued) -> Cued | None:
    """"..., because, according to Trump, the media would call him ...": the clause the phrase
    hangs on rather than the whole sentence (an alternative reading for the model)."""
    t = doc[whole.cue_token]
    head = t.head
    if head.i == t.i or head.dep_ == "ROOT":
        return None
    phrase = {x.i for x in t.subtree} | {x.i for x in doc[t.i + 1].subtree} | {t.i, t.i + 1}
    span = _trim([x for x in head.subtree if x.i not in phrase and t.sent.start <= x.i < t.sent.end])
    if span is None or span == whole.content:
        return None
    return Cued(whole.cue, span, whole.subject, "according", t.i, whole.skip, comp=head.i, prep="+clause",
                rule=False)


def _noun_candidates(doc: Doc, n: Token, open_: bool) -> list[Cued]:
    """"her criticism of the plan", "his claim that ...": as :func:`_verb_candidates`, for nouns
    (open mode: every preposition after the noun and every "that"-clause)."""
    lemma = n.lemma_.lower()
    out: list[Cued] = []
    subj = None
    rule_done = False
    for c in n.children:
        if c.dep_ != "prep":
            continue
        licensed = (lemma, c.lower_) in NOUN_PREP_CUES
        if not (licensed or (open_ and c.i > n.i)):
            continue
        pobj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
        subj = next((g for g in n.children if g.dep_ == "poss"), None)
        span = _content(doc, pobj, n, {n.i}) if pobj is not None else None
        if span:
            rule = licensed and not rule_done
            rule_done = rule_done or rule
            out.append(Cued((n.idx, c.idx + len(c)), span, subj, "noun", n.i, comp=pobj.i, prep=c.lower_, rule=rule))
            if rule and not open_:
                return out
    if lemma not in NOUN_CUES and not open_:
        return out
    for c in n.children:
        if c.dep_ in ("acl", "ccomp") and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children):
            subj = next((g for g in n.children if g.dep_ == "poss"), None)
            cut = {n.i} | ({t.i for t in subj.subtree} if subj is not None else set())
            span = _content(doc, c, n, cut)
            if span:
                rule = lemma in NOUN_CUES and not rule_done
                out.append(Cued((n.idx, n.idx + len(n)), span, subj, "noun", n.i, comp=c.i, rule=rule))
                break
    return out


def _adj_candidates(doc: Doc, a: Token) -> list[Cued]:
    """"was unsure why ...", "is eager to ...", "are critical of ..." (open mode only): an adjective
    complement with a clause, an infinitive or a prepositional object; the source is the subject
    of the verb it completes."""
    if a.dep_ != "acomp":
        return []
    subj = subject_of(a.head)
    cut = _source_tokens(a.head, subj) | {a.i, a.head.i}
    out: list[Cued] = []
    for c in a.children:
        if c.i < a.i:
            continue
        if c.dep_ in ("ccomp", "xcomp"):
            span = _content(doc, c, a, cut)
            if span:
                out.append(Cued((a.idx, a.idx + len(a)), span, subj, "adj", a.i, comp=c.i, rule=False))
        elif c.dep_ == "prep":
            pobj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
            span = _content(doc, pobj, a, cut) if pobj is not None else None
            if span:
                out.append(Cued((a.idx, c.idx + len(c)), span, subj, "adj", a.i, comp=pobj.i, prep=c.lower_,
                                rule=False))
    return out


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


def _cut_before(doc: Doc, outer: Cued, side: Token) -> bool:
    """Cut ``outer``'s content before the side clause ``side``; False when nothing is left."""
    first = doc.char_span(outer.content[0], outer.content[1], alignment_mode="expand")
    head = list(doc[first.start:side.left_edge.i]) if first is not None else []
    span = _trim(head)
    if span is None:
        return False
    outer.content = span
    return True


def _univocal(doc: Doc, found: list[Cued], scored: bool = False) -> list[Cued]:
    """Each word in at most one attribution: a cue inside another's content is dropped, unless it
    heads a side clause at the end of that content, which is then cut before the clause. Without
    scores the longest content wins; with them (``scored``) the likelier attribution does."""
    if scored:
        found = sorted(found, key=lambda c: (-c.score, c.content[0] - c.content[1]))
    else:
        found = sorted(found, key=lambda c: c.content[0] - c.content[1])  # longest content first
    kept: list[Cued] = []
    for c in found:
        ok = True
        for k in kept:
            if k.content[0] <= c.cue[0] < k.content[1]:
                side = _side_root(k, c, doc)
                if side is None or not _cut_before(doc, k, side):
                    ok = False
                    break
            elif scored and c.content[0] <= k.cue[0] < c.content[1]:
                side = _side_root(c, k, doc)
                if side is None or not _cut_before(doc, c, side):
                    ok = False
                    break
        if ok:
            kept.append(c)
    return sorted(kept, key=lambda c: c.cue[0])


def candidates(doc: Doc, blocked: list[tuple[int, int]], model=None) -> list[Cued]:
    """Every attribution the parse offers, before the univocal rule. Without a ``model``: the
    lexicon's readings only. With one (a :class:`.quote_model.CueModel`): also every complement of
    the verbs, nouns and adjectives in the model's vocabulary, each for the model to accept or reject."""
    found: list[Cued] = []
    inside = blocked_tokens(doc, blocked)
    verbs = model.verbs if model is not None else frozenset()
    nouns = model.nouns if model is not None else frozenset()
    adjs = model.adjs if model is not None else frozenset()
    for t in doc:
        if t.i in inside:
            continue
        pos = t.pos_
        if t.lower_ == "according":
            item = _according(doc, t)
            if item is not None:
                found.append(item)
                if model is not None:
                    alt = _according_clause(doc, item)
                    if alt is not None:
                        found.append(alt)
        elif pos in ("VERB", "AUX"):
            found.extend(_verb_candidates(doc, t, t.lemma_.lower() in verbs))
        elif pos == "NOUN":
            found.extend(_noun_candidates(doc, t, t.lemma_.lower() in nouns))
        elif pos == "ADJ" and adjs and t.lemma_.lower() in adjs:
            found.extend(_adj_candidates(doc, t))
    for sent in doc.sents:
        item = _from_colon(doc, sent)
        if item is not None and item.cue_token not in inside:
            found.append(item)
    return found


def find_cued(doc: Doc, blocked: list[tuple[int, int]], model=None) -> list[Cued]:
    """Attributions from the parse, sorted by cue; ``blocked`` are character ranges
    (direct quotations) whose words are never cues. With a cue ``model``, each candidate gets
    the model's probability (``score``) and, per cue word, the likeliest reading is kept when it
    reaches the model's threshold."""
    found = candidates(doc, blocked, model)
    if model is not None:
        from .quote_model import nesting_features

        best: dict[int, Cued] = {}
        cutoff = model.cutoff
        for c, score in zip(found, model.score_all(doc, found, blocked, nesting_features(doc, found)), strict=True):
            c.score = score
            if c.score >= cutoff and (c.cue_token not in best or c.score > best[c.cue_token].score):
                best[c.cue_token] = c
        found = list(best.values())
    return _univocal(doc, found, scored=model is not None)
