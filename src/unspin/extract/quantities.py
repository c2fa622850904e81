"""Quantity extraction: money, percentages, counts, durations, dates and years.

:func:`find_quantities` is rule based (no model; about 1 ms for a typical
1000-word article): one left-to-right pass, where a cheap trigger pattern
finds places a quantity can start and one precompiled pattern
(:data:`numbers.SCAN_RE`) reads the number, date or phrase there; short
anchored patterns then read what sits right before it (currency, "about",
"more than") and right after (scale, "%", currency name, time or measure
unit, the counted noun), join ranges, and finally resolve relative years.
A span covers the modifiers, currency, number, unit and counted noun
("about 6 protesters"), never leading or trailing spaces.

Labels (``Span.label``):

``money``     ``value`` in currency units, ``unit`` an ISO 4217 code
``percent``   ``value`` in percent; ``unit`` "%" (or "pp" percentage points,
              "bp" basis points). Fractions count: "half" -> 50, "a third" ->
              33.33, "one in five" -> 20, "8 out of 10" -> 80.
``count``     a plain number; ``unit`` is the counted noun ("people") or a
              normalised measure unit ("km", "tonnes", "MW"), else None
``duration``  ``unit`` a plural time unit ("years", "hours"); "10-year" counts
``date``      ``value`` an ISO string: "2022-03-03", "2015-03" (month), or
              "--06-15" when the year is unknown
``year``      ``value`` an int; decades ("1990s") and ranges set ``value_max``

A range is not a label of its own: ``value`` is the low end and ``value_max``
the high end (otherwise None). Every span has the attrs ``value``,
``value_max``, ``unit``, ``approximate`` (about, around, roughly, some, an
estimated, close to, ~, "or so", nearly, almost), ``bound`` (None, "lower":
more than, over, at least, upwards of, "or more", "-plus"; "upper": fewer/less
than, under, up to, as many as, no more than, nearly, almost) and ``measures``
("people displaced", "inflation", "budget") or None. ``date`` and ``year``
spans add ``relative`` (bool) and ``anchor_year`` (the year a relative
expression was resolved against, else None).

Choices: "nearly"/"almost" are approximate *and* an upper bound. Plural vague
amounts ("dozens of", "hundreds of thousands of") give the least they imply
(24, 200000) with ``approximate`` and ``bound="lower"``. Deictic expressions
("last year", "this year", "five years ago", a date without a year) resolve
against ``doc_date`` and otherwise the most recent explicit year before them;
anaphoric ones ("a year earlier", "the following year") resolve against the
most recent explicit year first. Skipped as names, not quantities: numbers
glued to letters ("COVID-19", "G7", "F-16", "4G"), numbers after a capitalised
word or a naming noun ("World War 2", "Article 5", "Boeing 737", "No. 10"),
ordinals, phone numbers, times, versions, fractions like "24/7", score-like
pairs ("won 3-1"), list markers at the start of a line and a bare "one".
A four-digit number from 1000 to 2100 is a ``year`` after "in", "since", "by",
"the", a month..., a ``count`` when a noun follows ("2000 people") or a
modifier precedes it ("more than 2000"), else a year. "X to Y" after a change
verb ("rose from 3 to 5 million") gives two quantities, not a range.
Defaults for ambiguous signs: "$" USD, "¥" JPY, "Rs" INR, "pesos" MXN,
"pounds" GBP (but "pounds of" is weight, "lb"); a glued "m" with no currency
is metres unless a noun follows ("5m units" = 5 million, "a 5m wall" = 5 m);
"03/04/2022" is month first unless the first number is over 12, dotted
"3.4.2022" is day first.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import UsageError
from ..model import Span
from . import numbers as N
from .numbers import SP

LABELS = ("money", "percent", "count", "duration", "date", "year")


@dataclass
class _Q:
    """A quantity being built (private): offsets plus the future span attrs."""

    start: int
    end: int
    label: str
    value: Any
    unit: str | None = None
    value_max: Any = None
    approximate: bool = False
    bound: str | None = None
    measures: str | None = None
    own_unit: bool = False  # unit came from text right after the number
    scale: int = 1
    yearish: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- public API
def find_quantities(
    text: str, sentences: Sequence[tuple[int, int] | Span] | None = None, doc_date: str | None = None
) -> list[Span]:
    """Quantities in ``text`` as spans (see the module docstring for labels and attrs).

    ``sentences`` (``(start, end)`` pairs or the ``sentences`` layer's spans) keep the
    look-back for ``measures`` inside one sentence; ``doc_date`` ("2024-02-10"
    or any string starting with a four-digit year) anchors "last year" and
    dates without a year. Never raises on odd text; raises :class:`UsageError`
    for arguments of the wrong type.
    """
    if not isinstance(text, str):
        raise UsageError(f"find_quantities needs text as a str, got {type(text).__name__}")
    doc_year = _doc_year(doc_date)
    starts = _sentence_starts(text, sentences)
    out: list[_Q] = []
    pos = 0
    for t in N.TRIGGER_RE.finditer(text):
        if t.start() < pos:
            continue
        m = N.SCAN_RE.match(text, t.start())
        if m is None:
            continue
        try:
            qs, end = _handle(text, m, starts)
        except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):  # a rule bug costs one match only
            qs, end = [], m.end()
        for q in qs:
            if out and q.start < out[-1].end:
                q.start = out[-1].end
            if q.start < q.end:
                out.append(q)
        pos = max(end, m.start() + 1)
    _resolve_years(out, doc_year)
    return [_to_span(q) for q in out]


def _doc_year(doc_date: str | None) -> int | None:
    if doc_date is None:
        return None
    m = re.match(r"\s*(\d{4})", str(doc_date))
    if not m:
        raise UsageError(f"doc_date must start with a four-digit year like '2024-02-10', got {doc_date!r}")
    return int(m.group(1))


def _sentence_starts(text: str, sentences: Sequence[tuple[int, int] | Span] | None) -> list[int]:
    if sentences is None:
        return [0] + [m.end() for m in re.finditer(r"[.!?;]['\"”’)]*\s+(?=\S)|\n\s*\n", text)]
    try:
        firsts = (x.start if isinstance(x, Span) else x[0] for x in sentences)  # pairs or sentence spans
        return sorted({0, *(max(0, min(int(s), len(text))) for s in firsts)})
    except (TypeError, ValueError) as exc:
        msg = f"sentences must be (start, end) pairs of ints, e.g. [(0, 42)]; got {sentences!r:.80}"
        raise UsageError(msg) from exc


def _to_span(q: _Q) -> Span:
    attrs: dict[str, Any] = {"value": q.value, "value_max": q.value_max, "unit": q.unit,
                             "approximate": q.approximate, "bound": q.bound, "measures": q.measures}
    if q.label in ("date", "year"):
        attrs["relative"] = bool(q.extra.get("relative"))
        attrs["anchor_year"] = q.extra.get("anchor_year")
    return Span(q.start, q.end, q.label, None, attrs)


# --------------------------------------------------------------------------- dispatch
def _handle(text: str, m: re.Match[str], starts: list[int]) -> tuple[list[_Q], int]:
    """Quantities for one scan match and where scanning continues."""
    g = m.lastgroup
    if g in ("iso", "ndate", "mdy", "dmy", "my"):
        q = _date(m, g)
        return ([q], m.end()) if q else _numbers_at(text, m.start(), starts)
    if g == "mask":
        return [], m.end()
    if g == "decade":
        y = int(m.group("dec_y") or 1900 + int(m.group("dec_s")))
        return [_Q(m.start(), m.end(), "year", y, "year", value_max=y + 9)], m.end()
    if g == "rel":
        return [_relative(m)], m.end()
    if g in ("half", "aand", "qmil", "aunit"):
        return _word_amount(text, m, g, starts)
    if g == "ratio":
        a, b = N.small_value(m.group("ra")), N.small_value(m.group("rb"))
        if a is None or b is None or not 0 < a < b or (b >= 1000 and " in" in m.group(0).lower()):
            return _numbers_at(text, m.start(), starts)
        q = _Q(m.start(), m.end(), "percent", Decimal(100 * a) / Decimal(b), "%", own_unit=True)
        q.value = Decimal(str(round(float(q.value), 2)))
        q.extra["ratio"] = True
        return _keep(_finish(text, q, starts)), m.end()
    if g == "frac":
        prev = (_prev_word(text, m.start()) or "").lower()
        if prev in ("first", "second", "last", "latter", "former", "other", "better"):
            return [], m.end()
        words = m.group("fw").lower().replace("-", " ").split()
        by = N.BY_OF_RE.search(text, max(0, m.start() - 30), m.start())
        if m.group("frac_of") is None and not by and not (words[-1].endswith("s") and words[0] != "half"):
            return [], m.end()  # "a third term", "half-time": not a share
        value = Decimal(str(round(N.FRAC[words[-1]] * N.SMALL.get(words[0], 1), 2)))
        q = _Q(m.start(), m.end(), "percent", value, "%", own_unit=True)
        return _keep(_finish(text, q, starts)), m.end()
    return _numbers_at(text, m.start(), starts)


def _keep(q: _Q | None) -> list[_Q]:
    return [q] if q is not None else []


def _prev_word(text: str, pos: int) -> str | None:
    pm = N.PREV_RE.search(text, max(0, pos - 30), pos)
    return pm.group("w") if pm else None


def _date(m: re.Match[str], g: str) -> _Q | None:
    """A date span, or None when the match is not a valid calendar date."""
    parts = N.date_parts(m, g)
    if parts is None:
        return None
    y, mo, d, d2 = parts
    q = _Q(m.start(), m.end(), "date", N.iso_date(y, mo, d), "date", value_max=N.iso_date(y, mo, d2) if d2 else None)
    q.extra.update(month=mo, day=d, day2=d2, year=y, relative=y is None, deictic=True, offset=0)
    return q


def _relative(m: re.Match[str]) -> _Q:
    """"last year", "a year earlier", "the following year": resolved later in :func:`_resolve_years`."""
    if m.group("rel_dx"):
        off, deictic = {"last": -1, "next": 1, "this": 0}[m.group("rel_dx").lower()], True
    elif m.group("rel_tx"):
        off, deictic = (-1 if m.group("rel_tx").lower() in ("previous", "prior") else 1), False
    elif m.group("rel_yx"):
        off, deictic = (-1 if m.group("rel_yx").lower() == "before" else 1), False
    else:
        n = (N.small_value(m.group("rel_n")) or 0) * (10 if m.group("rel_u").lower().startswith("decade") else 1)
        direction = m.group("rel_dir").lower()
        off, deictic = (n if direction in ("later", "after") else -n), direction == "ago"
    q = _Q(m.start(), m.end(), "year", None, "year")
    q.extra.update(relative=True, offset=off, deictic=deictic)
    return q


def _word_amount(text: str, m: re.Match[str], g: str, starts: list[int]) -> tuple[list[_Q], int]:
    """"half an hour", "a year and a half", "a quarter of a million", "for a year"."""
    unit_word = m.group(g + "_u").lower()
    value = {"half": Decimal("0.5"), "aand": Decimal("1.5"), "qmil": Decimal("0.25")}.get(g, Decimal(1))
    if g == "aunit":
        prev = (_prev_word(text, m.start()) or "").lower()
        if prev not in {"for", "within", "in", "after", "over", "nearly", "almost", "about", "around", "than",
                        "least", "under", "only", "just", "past", "lasted", "lasts", "took", "takes", "spent", "to"}:
            return [], m.end()
    if unit_word.startswith("percentage"):
        q = _Q(m.start(), m.end(), "percent", value, "pp", own_unit=True)
    elif unit_word in N.TIME_UNITS:
        q = _Q(m.start(), m.end(), "duration", value, N.time_unit(unit_word), own_unit=True)
    else:
        scale = 100 if unit_word == "hundred" else N.scale_value(unit_word)
        q = _Q(m.start(), m.end(), "count", value * scale, scale=scale)
    return _keep(_finish(text, q, starts)), m.end()


# --------------------------------------------------------------------------- numbers and ranges
def _numbers_at(text: str, start: int, starts: list[int]) -> tuple[list[_Q], int]:
    """Quantities starting with the number atom at ``start`` (one number or a range)."""
    m = N.NUMBER_RE.match(text, start)
    if m is None:
        return [], start + 1
    a = _atom(text, m)
    if a is None or a.extra.get("skip"):
        return [], max(m.end(), a.end if a else 0)
    rng = _range(text, a, starts)
    if rng is not None:
        return rng
    return _keep(_finish(text, a, starts)), a.end


def _atom(text: str, m: re.Match[str]) -> _Q | None:
    """One number with what is glued around it (currency, scale, modifiers, unit)."""
    s, e = m.start(), m.end()
    if m.group("vague"):
        v = Decimal(2 * N.VAGUE[m.group("vw").lower()]) * (N.VAGUE[m.group("vw2").lower()] if m.group("vw2") else 1)
        q = _Q(s, e, "count", v, approximate=True, bound="lower")
        q.extra["vague"] = True
    elif m.group("words"):
        wn, val = m.group("wn"), N.parse_number_words(m.group("wn"))
        scale = N.scale_value(m.group("wscale")) if m.group("wscale") else 1
        if val is None:  # "two five-year terms": keep the longest prefix that is one number
            for cut in reversed(list(re.finditer(SP + "+|-", wn))):
                val = N.parse_number_words(wn[: cut.start()])
                if val is not None:
                    wn, e, scale = wn[: cut.start()], m.start("wn") + cut.start(), 1
                    break
            else:
                return None
        elif m.group("whalf"):
            val += Decimal("0.5")
        inner = max((N.WORD_SCALES.get(w, 1) for w in wn.lower().replace("-", " ").split()), default=1)
        q = _Q(s, e, "count", val * scale, scale=max(scale, inner))  # "three million" has scale 10**6
        q.extra["bare_one"] = wn.lower() == "one" and scale == 1 and not m.group("whalf")
    else:
        val = N.parse_numeral(m.group("num"))
        if val is None:
            return None
        sc = m.group("gscale") or m.group("sscale")
        scale = N.scale_value(sc) if sc else 1
        digits = m.group("num")
        if len(digits) > 24:
            return None  # a digit run, not a quantity (and too big for JSON consumers)
        q = _Q(s, e, "count", val * scale, scale=scale)
        q.yearish = digits.isdigit() and len(digits) == 4 and 1000 <= int(digits) <= 2100 and scale == 1
        q.extra.update(raw=val, glued_m=m.group("gscale") in ("m", "M"), digits=digits)
        before = text[s - 1] if s else ""
        if "@" in (before, text[e : e + 1]):
            q.extra["skip"] = True  # part of an e-mail address or a handle
            return q
        if before.isalpha() and not N.CUR_PREFIX_RE.search(text, max(0, s - 6), s):
            q.extra["skip"] = True  # "G7", "MH17", "A320"
            return q
        if before in "-\u2010\u2011" and s >= 2 and text[s - 2].isalpha():
            if not N.GLUED_PREFIX_RE.search(text, max(0, s - 6), s):
                q.extra["skip"] = True  # "COVID-19", "F-16"
                return q
            q.extra["year_prefix"] = True  # "mid-2023"
    x = s
    cp = N.CUR_PREFIX_RE.search(text, max(0, s - 8), s)
    if cp and not q.extra.get("vague"):
        key = re.sub(SP + "+", " ", cp.group("cur") or cp.group("sym"))
        q.unit = N.CODE_ALIASES.get(key, N.CURRENCY_PREFIXES.get(key, key))
        q.label, q.yearish, x = "money", False, cp.start()
    minus = N.MINUS_RE.search(text, max(0, x - 7), x)
    if minus or (x >= 1 and text[x - 1] in "-\u2212" and (x < 2 or text[x - 2] in " \t\n(\u00a0")):
        q.value, x = -q.value, (minus.start() if minus else x - 1)
    q.start = x
    _left_mods(text, q)
    _suffix(text, q)
    return q


def _left_mods(text: str, q: _Q) -> None:
    """Apply "about", "more than", "nearly", ... right before the quantity (once)."""
    if q.extra.get("left_done"):
        return
    q.extra["left_done"] = True
    last = text[max(0, q.start - 16) : q.start].split()
    if not last or (last[-1].lower() not in N.MOD_LAST and last[-1][-1] not in "~≈"):
        return
    md = N.MOD_RE.search(text, max(0, q.start - 30), q.start)
    if md is None:
        return
    kind = N.MOD_KIND.get(" ".join(md.group("mod").lower().split()), "approx")
    q.approximate = q.approximate or kind in ("approx", "near_upper", "near_lower")
    q.bound = "lower" if kind in ("lower", "near_lower") else "upper" if kind in ("upper", "near_upper") else q.bound
    q.start, q.yearish = md.start(), False


def _suffix(text: str, q: _Q) -> None:
    """Read the unit right after the number (and decide whether a glued "m" is million or metres)."""
    e = q.end
    if q.extra.pop("glued_m", False) and q.unit is None and (
        not re.match(SP + r"+[a-z]", text[e : e + 3]) or (_prev_word(text, q.start) or "").lower() in ("a", "an")
    ):
        q.value, q.scale, q.unit, q.own_unit = q.extra["raw"], 1, "m", True  # "a 5m wall", "ran 100m": metres
        return
    sx = N.SUFFIX_RE.match(text, e)
    if sx is None:
        if e < len(text) and text[e].isalpha():
            q.extra["skip"] = True  # "4G", "3D", "5th"
        return
    grp = sx.lastgroup
    if grp in ("pct", "ppt", "bp"):
        q.label, q.unit = "percent", {"pct": "%", "ppt": "pp", "bp": "bp"}[grp]
    elif grp in ("cw", "cq"):
        word = " ".join(sx.group("cw").lower().split())
        rest = text[sx.end() : sx.end() + 5]
        if word == "won" and q.scale == 1 and not re.match(r"\s*[(,.;]", rest):
            return
        if word in ("pounds", "pound") and re.match(SP + "+of" + SP, rest) and q.unit is None:
            q.label, q.unit, q.own_unit, q.end, q.yearish = "count", "lb", True, sx.end(), False
            return
        code = N.currency_code(word, sx.group("cq"))
        if word in N.CURRENCY_HUNDREDTHS:
            q.value = q.value / 100
        q.label, q.unit = "money", (q.unit if q.unit and sx.group("cq") is None else code)
    elif grp == "code":
        q.label, q.unit = "money", N.CODE_ALIASES.get(sx.group("code"), sx.group("code"))
    elif grp == "pence":
        if q.unit is not None or q.scale != 1:
            q.extra["skip"] = True
            return
        q.label, q.unit, q.value = "money", "GBP", q.value / 100
    elif q.label == "money":
        return  # "$5 billion tonnes" is not a thing; keep the money reading
    elif grp in ("mu", "mu2"):  # "45 km", "a 300-metre wall"
        word = re.sub(SP + "+", " ", sx.group(grp))
        q.label, q.unit = "count", N.MEASURE_UNITS.get(word, N.MEASURE_UNITS.get(word.lower() + "s", word))
    else:
        q.label, q.unit = "duration", N.time_unit(sx.group("tu1") or sx.group("tu2"))
    q.own_unit, q.end, q.yearish = True, sx.end(), False


def _range(text: str, a: _Q, starts: list[int]) -> tuple[list[_Q], int] | None:
    """"10-15%", "between 3 and 5 million", "$3bn to $5bn", "2019-20"; None when A is not a range start."""
    if a.extra.get("vague") or a.label in ("date", "year"):
        return None
    c = N.CONN_RE.match(text, a.end)
    if c is None:
        return None
    kind = "dash" if c.group("dash") else c.group("word").lower()
    pre = N.BETWEEN_RE.search(text, max(0, a.start - 12), a.start)
    pre_word = pre.group("bw").lower() if pre else ""
    if (kind == "and" and pre_word != "between") or (kind == "to" and a.own_unit and pre_word != "from"):
        return None
    p = c.end()
    cp = N.CUR_FWD_RE.match(text, p)
    bm = N.NUMBER_RE.match(text, cp.end() if cp else p)
    if bm is None or bm.group("vague"):
        return None
    b = _atom(text, bm)
    if b is None or b.extra.get("skip") or (a.unit and b.unit and a.unit != b.unit):
        return None
    if a.yearish and kind == "dash" and len(b.extra.get("digits", "")) == 2 and b.unit is None:
        b.value, b.yearish = Decimal(int(a.value) // 100 * 100 + int(b.value)), True  # "2019-20"
    lo, hi = a.value, b.value
    if not a.own_unit and a.unit is None:
        a.label, a.unit, a.own_unit = b.label, b.unit, b.own_unit
    if a.scale == 1 and b.scale > 1 and (lo * b.scale <= hi or (pre_word == "from" and lo < 1000)):
        lo = a.value = lo * b.scale
    change = pre_word == "from" and N.CHANGE_RE.search(text, max(0, pre.start() - 40), pre.end()) is not None
    if change or (kind != "dash" and not lo < hi):
        if change and a.yearish != b.yearish:
            a.yearish = b.yearish = False
        return _keep(_finish(text, a, starts)) + _keep(_finish(text, b, starts)), b.end
    if not lo < hi:
        return [], b.end  # "won 3-1", "a 5-4 ruling": a score, not a range
    q = _Q(pre.start() if pre_word else a.start, b.end, a.label if a.label != "count" else b.label, lo,
           a.unit or b.unit, value_max=hi, approximate=a.approximate or b.approximate, bound=a.bound,
           own_unit=True if (a.unit or b.unit) else False, scale=b.scale)
    if a.yearish and b.yearish:
        q.label, q.unit, q.value, q.value_max = "year", "year", int(lo), int(hi)
    q.extra["left_done"] = True
    return _keep(_finish(text, q, starts)), q.end


# --------------------------------------------------------------------------- finishing touches
def _finish(text: str, q: _Q, starts: list[int]) -> _Q | None:
    """Right-hand modifiers, year-or-count, name filters, counted noun, ``measures``; None to drop."""
    if q.label != "year":
        _left_mods(text, q)
    if q.label not in ("date", "year"):
        if q.label == "count" and not q.own_unit and not q.extra.get("vague"):
            _suffix(text, q)
        rm = N.RIGHT_MOD_RE.match(text, q.end)
        if rm:
            q.end, q.yearish = rm.end(), False
            if rm.group("rm") == "so":
                q.approximate = True
            elif rm.group("rm") in ("fewer", "less", "under", "below"):
                q.bound = "upper"
            else:
                q.bound = "lower"
            if q.label == "count" and not q.own_unit:
                _suffix(text, q)
    if q.extra.get("skip"):
        return None
    prev = _prev_word(text, q.start)
    if q.yearish and q.label == "count" and q.unit is None:
        noun = _noun_after(text, q.end)
        prev_l = (prev or "").lower().rstrip(".")
        if prev_l in N.YEAR_PREPS or prev_l in N.WEEKDAYS_MONTHS or q.extra.get("year_prefix") or not (
            noun and noun[0].lower() not in N.YEAR_NOUNS
        ):
            q.label, q.unit, q.value = "year", "year", int(q.value)
    bare = q.unit in (None, "year") and not q.approximate and q.bound is None and not q.extra.get("vague")
    if bare and q.label in ("count", "year") and q.value_max is None:
        if prev and not prev.endswith("."):
            low = prev.lower()
            if (not prev.islower() and low not in N.FUNCTION_CAPS and low not in N.WEEKDAYS_MONTHS) or low in N.NAME_NOUNS:
                return None  # "World War 2", "Article 5", "Boeing 737", "Euro 2024"
        line_start = text.rfind("\n", 0, q.start) + 1
        if not text[line_start : q.start].strip() and text[q.end : q.end + 1] in (".", ")"):
            return None  # a list marker
        if q.extra.get("bare_one"):
            return None
    if q.label == "count" and q.unit is None:
        if q.extra.get("vague"):
            of = N.OF_RE.match(text, q.end)
            sx = N.SUFFIX_RE.match(text, of.end()) if of else None
            if sx is not None and sx.lastgroup in ("cw", "cq", "code", "mu"):
                q.end = of.end()
                _suffix(text, q)
            elif of:
                hit = _noun_after(text, of.end() - 1)
                if hit:
                    q.unit, q.end = hit
                    q.extra["noun"] = True
        else:
            hit = _noun_after(text, q.end)
            if hit:
                q.unit, q.end = hit
                q.extra["noun"] = True
    q.measures = _measures(text, q, starts)
    for key in ("value", "value_max"):
        v = getattr(q, key)
        if isinstance(v, Decimal):
            if not v.is_finite() or abs(v) >= Decimal("1e30"):
                return None
            setattr(q, key, N.to_number(v))
    return q


def _noun_after(text: str, pos: int) -> tuple[str, int] | None:
    """The counted noun right after ``pos`` ("people", "new schools" -> "schools") and its end."""
    nm = N.NOUN_RE.match(text, pos)
    if nm is None:
        return None
    noun = nm.group("noun")
    if N.is_counted_noun(noun):
        if noun.endswith(("al", "ic", "ive", "ous", "ful", "ary")):  # "306 electoral votes" -> "votes"
            nxt = N.NOUN_RE.match(text, nm.end())
            if nxt and not nxt.group("adj") and N.is_counted_noun(nxt.group("noun")):
                return nxt.group("noun"), nxt.end()
        return noun, nm.end()
    adj = nm.group("adj")
    if adj and N.is_counted_noun(adj):
        return adj, nm.start("adj") + len(adj)
    return None


def _phrase(w: re.Match[str], two: bool) -> str | None:
    w1, w2 = w.group("w1"), w.group("w2")
    if w1.lower() in N.STOP:
        return None
    if w2 and two and w2.lower() not in N.STOP and not w2.endswith(("ed", "ly", "ing")):
        return f"{w1} {w2}"
    return w1


def _measures(text: str, q: _Q, starts: list[int]) -> str | None:
    """What the quantity measures, when the sentence says so; None otherwise."""
    if q.label in ("date", "year"):
        return None
    if q.extra.get("noun"):
        pm = N.PART_RE.match(text, q.end)
        return f"{q.unit} {pm.group('pp')}" if pm else q.unit
    of = N.OF_RE.match(text, q.end)
    w = N.WORD_RE.match(text, of.end()) if of else None
    if w:
        hit = _phrase(w, w.group("w1").endswith(("'s", "’s")))
        if hit:
            return hit
    if q.extra.get("ratio"):
        hit = _noun_after(text, q.end)
        return hit[0] if hit else None
    if q.label == "money":
        im = N.IN_RE.match(text, q.end)
        w = N.WORD_RE.match(text, im.end()) if im else None
        if w and w.group("w1").islower():
            hit = _phrase(w, not w.group("w1").endswith("s"))
            if hit:
                return hit
    if q.label == "duration":
        return None
    lo = max(starts[bisect.bisect_right(starts, q.start) - 1], q.start - 80, 0)
    sm = N.OF_SUBJ_RE.search(text, lo, q.start)
    if sm and sm.group("subj").lower() not in N.STOP | {"total", "sum", "number", "out", "one", "most", "each", "none"}:
        return sm.group("subj").lower()
    vm = N.VERB_SUBJ_RE.search(text, lo, q.start)
    if vm:
        words = [x for x in vm.group("subj").split() if x.lower() not in N.DETERMINERS]
        if words and not any(x.lower() in N.STOP for x in words):
            return " ".join(x if x.isupper() else x.lower() for x in words)
    return None


def _resolve_years(out: list[_Q], doc_year: int | None) -> None:
    """Give relative years and year-less dates a value from ``doc_date`` or the latest explicit year."""
    ctx: int | None = None
    for q in out:
        if q.label not in ("date", "year"):
            continue
        if not q.extra.get("relative"):
            year = q.extra.get("year") if q.label == "date" else (q.value_max or q.value)
            ctx = year if isinstance(year, int) else ctx
            continue
        if q.extra.get("deictic"):
            anchor = doc_year if doc_year is not None else ctx
        else:
            anchor = ctx if ctx is not None else doc_year
        q.extra["anchor_year"] = anchor
        if q.label == "year":
            q.value = anchor + q.extra["offset"] if anchor is not None else None
        elif anchor is not None:
            q.value = N.iso_date(anchor, q.extra["month"], q.extra["day"])
            if q.extra.get("day2"):
                q.value_max = N.iso_date(anchor, q.extra["month"], q.extra["day2"])
