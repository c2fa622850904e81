"""Quotations and who said them: the ``quotes`` layer.

One span per quotation, covering its *content* as PolNeAR annotates it
(direct quotations with their quote marks; reported speech from the
complementizer to the end of the clause, without the final full stop).
Labels and the ``kind`` attribute: ``direct`` (the content is a quotation in
quote marks), ``indirect`` (reported speech, thought or stance: "Keller said
the plan was dead", "according to X, ...", "X warned of ..."), ``mixed``
(reported speech with a quoted fragment: Keller said the plan was "dead").

Attributes: ``kind``; ``speaker`` (the canonical name from the ``entities``
layer, else the speaker's words, else None) with ``speaker_start`` and
``speaker_end`` (the speaker's mention: a pronoun, a name or a description);
``cue`` ("said", "according to") with ``cue_start`` and ``cue_end``. Quotes
sharing a cue belong to one statement ("“We won,” Keller said, “again.”").

How: quote marks are paired without the parse (:mod:`.quote_marks`); cue
words and their complements come from the dependency parse
(:mod:`.quote_cues`), accepted or rejected by a small learned cue model
(:mod:`.quote_model`, logistic regression trained on PolNeAR train, stacked
with the fine-tuned cue encoder of :mod:`.quote_encoder` when it is installed;
the cue lexicon alone decides when the model file is missing or ``model=None``); a
reported statement with the cue and source inside it is split around them
("The economy, | Keller said, | is in good shape": two spans, one cue); a
quotation takes the cue whose content holds it, else a speech verb in its
sentence or the verb of a dialogue tag right after it ("“Stay!” he yelled"),
else the cue that ends just before it ("Keller said:" / a previous quote of
the same speaker), else it stands alone when it is long (6 words) and is
dropped as a scare quote or a title when it is short or in title case. A
quotation of one or two words near a cue is a term the speaker used, not a
quotation of its own. Pronoun speakers go to the most
recent compatible speaker or subject of the last three sentences, else the
most recent compatible entity (he/she: PERSON; it: ORG; they: ORG, PERSON or
NORP); a description takes the name in apposition ("the company's chief
executive, Martin Holm") and is kept as written otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from ..model import Span
from .layers import doc_text, get_layer, set_layer
from .quote_cues import Cued, blocked_tokens, cue_span, find_cued, subject_of
from .quote_lexicon import SPEECH_CUES
from .quote_marks import QuoteSpan, find_quote_spans
from .quote_model import CueModel, default_model

#: a quotation with no cue and fewer words than this is a scare quote, not a quotation
MIN_FREE_WORDS = 6
#: a quotation near a cue but outside its content needs this many words to be that cue's quotation
MIN_CUED_WORDS = 3
_MINOR = frozenset("a an the of in on at to for and or but with from by as is vs via de la".split())
_PRONOUNS = {
    "he": ("PERSON",), "she": ("PERSON",), "him": ("PERSON",), "her": ("PERSON",),
    "it": ("ORG",), "they": ("ORG", "PERSON", "NORP"), "them": ("ORG", "PERSON", "NORP"),
}
_SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
#: determiners that go with a singular noun only
_SINGULAR_DETS = frozenset("a an another each every this that".split())
_SPEECH_VIA = ("clause", "parenthetical", "quote", "according", "colon")
_GLUE = set(" \t\r\n,;:.—–-()[]")
_EDGE = ",;:.—–-"
#: ``quote_spans(doc)`` without a ``model`` argument: the shipped cue model (the lexicon alone when it is missing)
SHIPPED = "shipped"


@dataclass
class _Quote:
    """One span of the layer before speakers are resolved."""

    start: int
    end: int
    kind: str
    cued: Cued | None = None


def _words(text: str) -> int:
    return sum(1 for w in text.split() if any(ch.isalnum() for ch in w))


def _is_title(quoted: str) -> bool:
    """Title case throughout: the name of a book, show or article, not a quotation."""
    words = [w.strip("“”\"'‘’«»„,.:!?()") for w in quoted.split()]
    words = [w for w in words if w and any(ch.isalpha() for ch in w)]
    major = [w for w in words if w.lower() not in _MINOR]
    return bool(major) and all(w[0].isupper() for w in major) and not quoted.rstrip("”\"'’»").endswith((".", "?", "!"))


def _only_glue(text: str) -> bool:
    return all(ch in _GLUE or ch in "“”\"'‘’«»„" for ch in text)


def _outside_words(text: str, content: tuple[int, int], marks: list[QuoteSpan], skip: frozenset[int]) -> list[str]:
    """The words of ``content`` outside every quotation in ``marks`` and not cue or source words."""
    inside = set(skip)
    for q in marks:
        inside.update(range(q.start, q.end))
    chars = [ch if i not in inside else " " for i, ch in enumerate(text[content[0]:content[1]], content[0])]
    return [w for w in "".join(chars).split() if any(ch.isalnum() for ch in w)]


def _speech_cue_near(doc: Doc, text: str, q: QuoteSpan, inside: set[int]) -> Token | None:
    """The nearest speech verb outside quotations in the sentence(s) the quotation touches; or the
    verb of a dialogue tag right after a quotation that ends in a comma, "!" or "?"
    ("“Stay there!” he yelled", "“Denver,” answered Keller")."""
    span = doc.char_span(q.start, q.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    first, last = span[0].sent, span[-1].sent
    best, best_dist = None, None
    for t in doc[first.start:last.end]:
        if t.i in inside or t.pos_ not in ("VERB", "AUX") or t.lemma_.lower() not in SPEECH_CUES:
            continue
        dist = q.start - t.idx if t.idx < q.start else t.idx - q.end
        if best_dist is None or dist < best_dist:
            best, best_dist = t, dist
    a, b = q.inner
    if text[a:b].rstrip().endswith((",", "!", "?")):
        end = span[-1].i + 1
        for t in doc[end:min(end + 4, span[-1].sent.end)]:
            if t.pos_ == "VERB" and t.i not in inside and any(c.dep_ == "nsubj" for c in t.children):
                if best_dist is None or t.idx - q.end < best_dist:
                    best = t
                break
    return best


def _segments(doc: Doc, text: str, c: Cued) -> list[tuple[int, int]]:
    """The content of a reported statement without the cue and source words inside it, as PolNeAR
    splits it: "The economy, | Keller said, | is in good shape" gives two segments. A first segment
    of connectives only ("And yet, aides say, ...") is left out."""
    a, b = c.content
    inner = sorted(i for i in c.skip if a < i < b)
    if not inner:
        return [c.content]
    trimmed = []
    for x, y in ((a, inner[0]), (inner[-1] + 1, b)):
        while x < y and (text[x].isspace() or text[x] in _EDGE):
            x += 1
        while y > x and (text[y - 1].isspace() or text[y - 1] in _EDGE):
            y -= 1
        if x < y and any(ch.isalnum() for ch in text[x:y]):
            trimmed.append((x, y))
    if len(trimmed) == 2:
        first = doc.char_span(*trimmed[0], alignment_mode="expand")
        if first is not None and all(t.pos_ in ("CCONJ", "ADV", "PUNCT", "SCONJ", "INTJ", "SPACE") for t in first):
            trimmed = trimmed[1:]
    return trimmed or [c.content]


def _cued_for_token(t: Token) -> Cued:
    return Cued(cue_span(t), (0, 0), subject_of(t), "quote", t.i)


def _assemble(doc: Doc, text: str, model: CueModel | None) -> list[_Quote]:
    marks = find_quote_spans(text)
    blocked = [(q.start, q.end) for q in marks]
    inside = blocked_tokens(doc, blocked)
    quotes: list[_Quote] = []
    by_cue: dict[int, _Quote] = {}
    for c in find_cued(doc, blocked, model):
        held = [q for q in marks if q.start < c.content[1] and c.content[0] < q.end]
        if not held:
            for a, b in _segments(doc, text, c):
                item = _Quote(a, b, "indirect", c)
                quotes.append(item)
        else:
            start = min([c.content[0]] + [q.start for q in held])
            end = max([c.content[1]] + [q.end for q in held])
            words = [w.lower() for w in _outside_words(text, (start, end), held, c.skip)]
            if not words or words == ["that"]:  # the content is quoted: one direct quote per quotation
                for q in held:
                    quotes.append(_Quote(q.start, q.end, "direct", c))
                if words:  # keep "that" with the first quotation, as PolNeAR does
                    quotes[-len(held)].start = start
                item = quotes[-1]
            else:
                item = _Quote(start, end, "mixed", c)
                quotes.append(item)
        by_cue[c.cue_token] = item
    taken = [(q.start, q.end) for q in quotes]
    for q in marks:
        if any(a <= q.start and q.end <= b for a, b in taken):
            continue
        owner = _attach(doc, text, q, quotes, inside, by_cue)
        words = _words(text[q.start:q.end])
        if owner is None and (words < MIN_FREE_WORDS or _is_title(text[q.start:q.end])):
            continue  # a scare quote or a title
        if owner is not None and words < MIN_CUED_WORDS:
            continue  # a term the speaker used ("described it as a 'political army'")
        quotes.append(_Quote(q.start, q.end, "direct", owner.cued if owner else None))
        taken.append((q.start, q.end))
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes


def _attach(doc: Doc, text: str, q: QuoteSpan, quotes: list[_Quote], inside: set[int],
            by_cue: dict[int, _Quote]) -> _Quote | None:
    """The quotation (or attribution) whose cue a free quotation shares, if any."""
    verb = _speech_cue_near(doc, text, q, inside)
    if verb is not None:
        if verb.i in by_cue:
            return by_cue[verb.i]
        holder = _Quote(q.start, q.end, "direct", _cued_for_token(verb))
        by_cue[verb.i] = holder
        return holder
    # the attribution that ends right before: "Keller said:", or a quotation of the same speaker
    before = [x for x in quotes if x.cued is not None and max(x.end, x.cued.cue[1]) <= q.start]
    if before:
        prev = max(before, key=lambda x: max(x.end, x.cued.cue[1]))
        side = doc[prev.cued.cue_token]
        if prev.cued.via in ("object", "prep", "infinitive") or (side.tag_ == "VBG" and side.dep_ in ("advcl", "xcomp")):
            # "..., she said, referring to X. '...'"
            said = [x for x in before if x.cued.via in _SPEECH_VIA and x.kind != "indirect"
                    and 0 <= prev.cued.cue[0] - x.cued.cue[0] < 200]
            if said:
                prev = said[-1]
        tail = max(prev.end, prev.cued.cue[1])
        if prev.cued.subject is not None:
            tail = max(tail, prev.cued.subject.idx + len(prev.cued.subject))
        if q.start - tail < 600:
            span = doc.char_span(tail - 1, tail, alignment_mode="expand") if tail > 0 else None
            sent_end = span[-1].sent.end_char if span is not None and len(span) else tail
            if _only_glue(text[tail:q.start]) or (sent_end <= q.start and _only_glue(text[sent_end:q.start])):
                return prev
    return None


# -- speakers ------------------------------------------------------------------
def _entity_at(ents: list[Span], start: int, end: int) -> Span | None:
    for e in ents:
        if e.start < end and start < e.end and e.label in _SPEAKER_LABELS:
            return e
    return None


def _np_range(tok: Token) -> tuple[int, int]:
    """The phrase ``tok`` heads, without edge punctuation."""
    words = [t for t in tok.subtree if not t.is_punct and not t.is_space] or [tok]
    return words[0].idx, words[-1].idx + len(words[-1])


def _description(tok: Token) -> tuple[int, int]:
    """The head noun with its left modifiers and an "of"-phrase: "the head of the agency".

    A plural head under a singular determiner ("..., a deal critics are calling ...") is a
    misparse that ran a preceding phrase into the subject: the description then starts after
    the last word of that phrase (the head keeps its own adjectives and numbers)."""
    start = tok.left_edge.idx
    if tok.tag_ in ("NNS", "NNPS") and any(c.dep_ == "det" and c.lower_ in _SINGULAR_DETS for c in tok.lefts):
        first = tok
        while first.i > 0 and first.doc[first.i - 1].head is tok and first.doc[first.i - 1].dep_ in ("amod", "nummod"):
            first = first.doc[first.i - 1]
        start = first.idx
    end = tok.idx + len(tok)
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "of" and c.i > tok.i:
            end = c.right_edge.idx + len(c.right_edge)
    return start, end


def _resolve_pronoun(tok: Token, ents: list[Span], history: list[tuple[int, Span]]) -> Span | None:
    """The most recent compatible speaker or subject of the last three sentences, else the most
    recent compatible entity (he/she: PERSON; it: ORG; they: ORG, PERSON or NORP)."""
    labels = _PRONOUNS[tok.lower_]
    doc = tok.doc
    sent = tok.sent
    for _ in range(2):  # back two sentences
        if sent.start > 0:
            sent = doc[sent.start - 1].sent
    window = sent.start_char
    cands = [e for e in ents if e.end <= tok.idx and e.label in labels]
    salient: list[tuple[int, Span]] = [(pos, e) for pos, e in history
                                       if window <= pos < tok.idx and e.label in labels]
    for e in cands:
        if e.start >= window:
            span = doc.char_span(e.start, e.end, alignment_mode="expand")
            if span is not None and len(span) and span.root.dep_ in ("nsubj", "nsubjpass"):
                salient.append((e.start, e))
    if salient:
        return max(salient, key=lambda pe: pe[0])[1]
    return cands[-1] if cands else None


def _speaker(text: str, subj: Token, ents: list[Span], history: list[tuple[int, Span]]):
    """(name, start, end, entity) for the source phrase headed by ``subj``."""
    if subj.lower_ in _PRONOUNS:
        ent = _resolve_pronoun(subj, ents, history)
        name = ent.attrs.get("canonical") if ent is not None else subj.text
        return name, subj.idx, subj.idx + len(subj), ent
    ent = _entity_at(ents, subj.idx, subj.idx + len(subj))
    if ent is None:
        for c in subj.children:
            if c.dep_ == "appos":
                ent = _entity_at(ents, *_np_range(c))
                if ent is not None:
                    break
    if ent is not None:
        return ent.attrs.get("canonical") or text[ent.start:ent.end], ent.start, ent.end, ent
    start, end = _description(subj)
    if end <= start:
        return None, None, None, None
    return " ".join(text[start:end].split()), start, end, None


def quote_spans(doc: Doc, model: CueModel | str | None = SHIPPED) -> list[Span]:
    """The ``quotes`` layer of a parsed ``Doc`` (entities layer read when present); ``model``: the
    cue model that accepts or rejects candidate cues (default: the shipped one; None: the lexicon alone)."""
    if isinstance(model, str):
        model = default_model()
    text = doc_text(doc)
    ents = [e for e in get_layer(doc, "entities") if e.label in _SPEAKER_LABELS]
    history: list[tuple[int, Span]] = []
    out: list[Span] = []
    for q in _assemble(doc, text, model):
        attrs: dict = {"kind": q.kind, "speaker": None, "speaker_start": None, "speaker_end": None,
                       "cue": None, "cue_start": None, "cue_end": None}
        if q.cued is not None:
            a, b = q.cued.cue
            attrs.update(cue=text[a:b], cue_start=a, cue_end=b)
            if q.cued.subject is not None:
                name, s, e, ent = _speaker(text, q.cued.subject, ents, history)
                attrs.update(speaker=name, speaker_start=s, speaker_end=e)
                if ent is not None:
                    history.append((q.start, ent))
        if q.end > q.start:
            out.append(Span(q.start, q.end, q.kind, attrs=attrs))
    return out


def marked_quote_spans(text: str) -> list[Span]:
    """Quotations from quote marks alone: the fallback when the parse cannot be used."""
    attrs = {"kind": "direct", "speaker": None, "speaker_start": None, "speaker_end": None,
             "cue": None, "cue_start": None, "cue_end": None}
    return [Span(q.start, q.end, "direct", attrs=dict(attrs)) for q in find_quote_spans(text)
            if _words(text[q.start:q.end]) >= MIN_FREE_WORDS]


@Language.component("unspin_quotes")
def add_quotes(doc: Doc) -> Doc:
    """Layer ``quotes``: direct, indirect and mixed quotations with speaker and cue.

    Needs a parsed ``Doc`` (it reads ``entities`` when that layer is there); a
    ``Doc`` without a dependency parse gets the quotations found from quote
    marks alone, without speakers."""
    if not doc.has_annotation("DEP"):
        spans = marked_quote_spans(doc_text(doc))
    else:
        spans = quote_spans(doc)
    set_layer(doc, "quotes", spans)
    return doc
