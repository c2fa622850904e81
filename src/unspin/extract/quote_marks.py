"""Direct quotations found from quote marks alone (no parse needed).

:func:`find_quote_spans` pairs opening and closing marks of every common
convention: English “…” and "…", ‘…’ and '…', German „…“ and »…«, French and
Swiss «…» and ‹…›, Swedish ”…”, and the typewriter ``…'' and ''…'' of older
wire copy. Each span runs from the opening mark to the closing mark
*inclusive* (the PolNeAR "Content" convention for direct quotes).

Robustness rules:

* apostrophes inside words (don't, Keller's, rock 'n' roll, the '90s) are
  not quote marks;
* a quotation may continue over paragraphs: a paragraph whose quotation is
  still open continues when the next paragraph starts with the same opening
  mark (and across a plain hard-wrapped line break); the span then covers
  every paragraph up to the closing mark;
* an unbalanced mark is dropped on its own: an opening mark followed by
  another opening mark of the same family is abandoned, a closing mark with
  nothing open is ignored, an open quotation dies at a blank line. Every
  other quotation in the article survives.

Double marks and single marks are paired independently; a single-quoted
span crossing a double-quoted one is dropped, and a span nested in another
(a quotation inside a quotation) is folded into the outer one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: every character sequence that may be a quote mark (two-character ones first)
_MARK = re.compile(r"''|``|[“”„‟«»‹›\"'‘’‚‛`]")
_DOUBLE = frozenset(['“', '”', '„', '‟', '«', '»', '"', "''", "``"])
_OPENERS = frozenset(["„", "‟", "‚", "‛", "``", "`"])  # never close a quotation
#: words written with a leading apostrophe ('em, 'n', 'til, '90s)
_ELISION = re.compile(r"(?:em|n|til|cause|tis|twas|bout|round|nuff|s)\b|\d\ds\b", re.IGNORECASE)
#: text that may separate two paragraphs of one running quotation
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_OPEN_PUNCT = "([{<—–-/\u2014\u2013"


@dataclass(frozen=True)
class QuoteSpan:
    """A quotation ``text[start:end]``, marks included."""

    start: int
    end: int
    open_mark: str
    close_mark: str

    @property
    def inner(self) -> tuple[int, int]:
        """Offsets of the words between the marks."""
        return self.start + len(self.open_mark), self.end - len(self.close_mark)


def _flanks(text: str, i: int, n: int) -> tuple[bool, bool]:
    """(left-flanking, right-flanking) of the mark ``text[i:i+n]``: can it open, can it close."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + n] if i + n < len(text) else " "
    prev_loose = prev.isspace() or prev in _OPEN_PUNCT or prev in "“‘„«‹\"'"
    next_loose = nxt.isspace() or (not nxt.isalnum() and nxt not in "$#@£€(")
    left = not nxt.isspace() and prev_loose
    right = not prev.isspace() and next_loose
    return left, right


def _is_apostrophe(text: str, i: int, mark: str) -> bool:
    """An apostrophe, not a quote mark: don't, Keller's, rock 'n' roll, 'em, the '90s."""
    if mark not in ("'", "’", "‘", "`"):
        return False
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if prev.isalnum() and nxt.isalnum():
        return True
    if not prev.isalnum() and _ELISION.match(text, i + 1):
        return True
    # the second mark of 'n'
    return prev in "nN" and i >= 2 and text[i - 2] in "'’‘" and not nxt.isalnum()


def _role(mark: str, left: bool, right: bool, pending: str | None) -> str:
    """``open``, ``close``, ``either`` or ``none`` for one mark, given the pending opener."""
    if mark in _OPENERS:
        return "open"
    if mark == "“":
        return "close" if pending == "„" else "open" if left or not right else "close"
    if mark in ("”", "’"):
        return "open" if pending is None and left and not right else "close"
    if mark == "‘":
        return "close" if pending == "‚" else "open" if left or not right else "close"
    if mark == "«":
        return "close" if pending == "»" else "open"
    if mark == "»":
        return "close" if pending == "«" else "open" if left and not right else "close"
    if mark == "‹":
        return "close" if pending == "›" else "open"
    if mark == "›":
        return "close" if pending == "‹" else "open" if left and not right else "close"
    # straight and typewriter marks: direction from the neighbouring characters
    if left and not right:
        return "open"
    if right and not left:
        return "close"
    return "either"


def _paragraph_break(text: str, a: int, b: int) -> str:
    """What lies between offsets ``a`` and ``b``: ``none``, ``line`` (a hard wrap) or ``blank``."""
    gap = text[a:b]
    if "\n" not in gap and "\r" not in gap:
        return "none"
    return "blank" if _BLANK_LINE.search(gap.replace("\r\n", "\n").replace("\r", "\n")) else "line"


def _starts_line(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t\f\v":
        j -= 1
    return j < 0 or text[j] in "\n\r"


def _pair(text: str, marks: list[tuple[int, str]]) -> list[QuoteSpan]:
    """Pair the marks of one family (double or single) into quotations.

    Open quotations form a stack, so a quotation nested in the same marks pairs
    inside-out and an unbalanced opener is simply left on the stack (and dropped
    at the next blank line) without shifting the pairs after it."""
    out: list[QuoteSpan] = []
    stack: list[tuple[int, str]] = []  # (start offset, mark) of open quotations
    last_end = 0  # end of the last mark seen: where paragraph breaks are looked for
    for i, mark in marks:
        left, right = _flanks(text, i, len(mark))
        if stack and _paragraph_break(text, last_end, i) != "none":
            gap = text[last_end:i]
            rest = gap[min(gap.find(c) for c in "\n\r" if c in gap):]
            if (not rest.strip() and _starts_line(text, i) and mark == stack[0][1]
                    and _role(mark, left, right, None) in ("open", "either")):
                stack = stack[:1]  # the next paragraph of the same quotation: keep the first opening mark
                last_end = i + len(mark)
                continue
            if _BLANK_LINE.search(gap.replace("\r\n", "\n").replace("\r", "\n")):
                stack = []
        last_end = i + len(mark)
        role = _role(mark, left, right, stack[-1][1] if stack else None)
        if role == "open" or (role == "either" and not stack):
            stack.append((i, mark))
        elif stack and role in ("close", "either"):
            start, opener = stack.pop()
            if i > start + len(opener):
                out.append(QuoteSpan(start, i + len(mark), opener, mark))
    return out


def _drop_nested(spans: list[QuoteSpan]) -> list[QuoteSpan]:
    """Keep outermost spans; of two crossing spans keep the double-quoted (else the earlier)."""
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    kept: list[QuoteSpan] = []
    for s in spans:
        clash = None
        for k in kept:
            if s.start < k.end and k.start < s.end:
                clash = k
                break
        if clash is None:
            kept.append(s)
        elif clash.start <= s.start and s.end <= clash.end:
            continue  # nested: part of the outer quotation
        elif s.open_mark in _DOUBLE and clash.open_mark not in _DOUBLE:
            kept.remove(clash)
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def _has_words(text: str, span: QuoteSpan) -> bool:
    a, b = span.inner
    inner = text[a:b]
    return sum(ch.isalnum() for ch in inner) >= 2 or any(ch.isalpha() for ch in inner) and len(inner.strip()) > 1


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """All quotations in ``text`` (marks included), sorted by offset; never raises."""
    double: list[tuple[int, str]] = []
    single: list[tuple[int, str]] = []
    for m in _MARK.finditer(text):
        mark, i = m.group(), m.start()
        if mark in _DOUBLE:
            double.append((i, mark))
        elif not _is_apostrophe(text, i, mark):
            single.append((i, mark))
    spans = [s for s in _pair(text, double) + _pair(text, single) if _has_words(text, s)]
    return _drop_nested(spans)
