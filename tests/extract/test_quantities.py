"""Tests for unspin.extract.quantities: behaviours, the hand-written gold set gate, offsets, fuzzing."""
from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from unspin.errors import UsageError
from unspin.extract.quantities import LABELS, find_quantities
from unspin.model import Span

DATA = Path(__file__).parent / "data" / "quantities.jsonl"
#: Floor for value+unit accuracy on the gold set; do not lower it without saying why.
ACCURACY_FLOOR = 0.95
NBSP, THIN, HAIR, NNBSP, EN, EM, MINUS = "\u00a0", "\u2009", "\u200a", "\u202f", "\u2013", "\u2014", "\u2212"


def _rows() -> list[dict[str, Any]]:
    with DATA.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, (int, float)) and not isinstance(want, bool) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-6, abs_tol=0.006)
    return got == want


def _at(text: str, expr: str, **kw: Any) -> Span:
    """The span overlapping ``expr`` most (fails when none does)."""
    start = text.index(expr)
    end = start + len(expr)
    best, overlap = None, 0
    for s in find_quantities(text, **kw):
        o = min(end, s.end) - max(start, s.start)
        if o > overlap:
            best, overlap = s, o
    assert best is not None, f"no quantity found for {expr!r} in {text!r}"
    return best


def _check(span: Span, label: str, value: Any, unit: Any, **attrs: Any) -> None:
    assert span.label == label, span
    assert _same(span.attrs["value"], value), span
    assert span.attrs["unit"] == unit, span
    for key, want in attrs.items():
        assert _same(span.attrs[key], want), (key, span)


@pytest.mark.parametrize(
    "text,expr,value,unit",
    [
        ("The budget is $42.74 million this year.", "$42.74 million", 42_740_000, "USD"),
        ("Brussels pledged €3bn in aid.", "€3bn", 3e9, "EUR"),
        ("He was fined £1.2 billion.", "£1.2 billion", 1.2e9, "GBP"),
        ("The deal was worth 5 million rubles.", "5 million rubles", 5e6, "RUB"),
        ("It costs US$ 7.", "US$ 7", 7, "USD"),
        ("Noodles cost ¥300.", "¥300", 300, "JPY"),
        ("They set aside Rs 10 crore.", "Rs 10 crore", 1e8, "INR"),
        ("The bank lent 120 billion yuan.", "120 billion yuan", 1.2e11, "CNY"),
        ("Kyiv paid ₴18,500.", "₴18,500", 18500, "UAH"),
        ("Losses reached 3 trillion won.", "3 trillion won", 3e12, "KRW"),
        ("Fees of 2.5 mn euros were paid.", "2.5 mn euros", 2.5e6, "EUR"),
        ("It raised $250k.", "$250k", 250_000, "USD"),
        ("It made 1.5 tn yen.", "1.5 tn yen", 1.5e12, "JPY"),
        ("The fund holds 40 million Canadian dollars.", "40 million Canadian dollars", 4e7, "CAD"),
        ("Rent is 50 cents a day.", "50 cents", 0.5, "USD"),
        ("A bun costs 80p now.", "80p", 0.8, "GBP"),
        ("Profit of RUB 1.5 trillion.", "RUB 1.5 trillion", 1.5e12, "RUB"),
        ("A lump sum of 4.5 lakh rupees.", "4.5 lakh rupees", 450_000, "INR"),
    ],
)
def test_quantities_money(text: str, expr: str, value: float, unit: str) -> None:
    _check(_at(text, expr), "money", value, unit)


@pytest.mark.parametrize(
    "text,expr,value,unit",
    [
        ("Inflation rose to 9.1% in June.", "9.1%", 9.1, "%"),
        ("Unemployment is 3.5 percent.", "3.5 percent", 3.5, "%"),
        ("Turnout was 67 per cent.", "67 per cent", 67, "%"),
        ("Support fell 4 percentage points.", "4 percentage points", 4, "pp"),
        ("Rates rose 25 basis points.", "25 basis points", 25, "bp"),
        ("Half of the residents left.", "Half", 50, "%"),
        ("A third of homes lack heating.", "A third", 33.33, "%"),
        ("Two-thirds of the budget is spent.", "Two-thirds", 66.67, "%"),
        ("One in five children is poor.", "One in five", 20, "%"),
        ("8 out of 10 voters agree.", "8 out of 10", 80, "%"),
        (f"Wages fell {MINUS}2.3% in real terms.", f"{MINUS}2.3%", -2.3, "%"),
        ("Growth was revised to 1,5 % in March.", "1,5 %", 1.5, "%"),
    ],
)
def test_quantities_percent(text: str, expr: str, value: float, unit: str) -> None:
    _check(_at(text, expr), "percent", value, unit)


@pytest.mark.parametrize(
    "text,expr,value,unit",
    [
        ("Twenty-five soldiers were killed.", "Twenty-five soldiers", 25, "soldiers"),
        ("Three hundred families remain.", "Three hundred families", 300, "families"),
        ("Seven hundred and fifty delegates voted.", "Seven hundred and fifty delegates", 750, "delegates"),
        ("Two million Ukrainians fled.", "Two million Ukrainians", 2e6, "Ukrainians"),
        ("A dozen journalists were expelled.", "A dozen journalists", 12, "journalists"),
        ("One and a half million tourists came.", "One and a half million tourists", 1.5e6, "tourists"),
        ("Half a million people lack water.", "Half a million people", 5e5, "people"),
        ("The census counted 1,234,567 residents.", "1,234,567 residents", 1_234_567, "residents"),
        (f"It carried 2{THIN}345{THIN}000 passengers.", f"2{THIN}345{THIN}000 passengers", 2_345_000, "passengers"),
        (f"Some 1{NBSP}500 volunteers came.", f"1{NBSP}500 volunteers", 1500, "volunteers"),
        ("The plant bottles 1.234.567 litres.", "1.234.567 litres", 1_234_567, "l"),
        ("They built 50 new schools.", "50 new schools", 50, "schools"),
        ("The convoy drove 45 km.", "45 km", 45, "km"),
        ("A 300-metre stretch collapsed.", "300-metre", 300, "m"),
        ("It reached 41.5°C today.", "41.5°C", 41.5, "°C"),
        ("A 5m wall stands there.", "5m", 5, "m"),
        ("The firm sold 5m units.", "5m units", 5e6, "units"),
    ],
)
def test_quantities_counts_and_written_numbers(text: str, expr: str, value: float, unit: str) -> None:
    _check(_at(text, expr), "count", value, unit)


@pytest.mark.parametrize(
    "text,expr,approximate,bound",
    [
        ("About 12% of people agreed.", "About 12%", True, None),
        ("Some 4 million people were displaced.", "Some 4 million people", True, None),
        ("An estimated 500 civilians were trapped.", "An estimated 500 civilians", True, None),
        ("The virus infected ~200 people.", "~200 people", True, None),
        ("The camp holds 5,000 or so refugees.", "5,000 or so refugees", True, None),
        ("More than 50 people died.", "More than 50 people", False, "lower"),
        ("At least 37 people died.", "At least 37 people", False, "lower"),
        ("Over 10,000 refugees arrived.", "Over 10,000 refugees", False, "lower"),
        ("The ship carried 80-plus migrants.", "80-plus migrants", False, "lower"),
        ("Fewer than 100 doctors remain.", "Fewer than 100 doctors", False, "upper"),
        ("Up to 15,000 people left.", "Up to 15,000 people", False, "upper"),
        ("As many as 3,000 workers could go.", "As many as 3,000 workers", False, "upper"),
        ("Nearly half of voters agreed.", "Nearly half", True, "upper"),
        ("It held for just over a week.", "just over a week", True, "lower"),
        ("Dozens of protesters were held.", "Dozens of protesters", True, "lower"),
    ],
)
def test_quantities_approximate_and_bounds(text: str, expr: str, approximate: bool, bound: str | None) -> None:
    span = _at(text, expr)
    assert (span.attrs["approximate"], span.attrs["bound"]) == (approximate, bound), span


@pytest.mark.parametrize(
    "text,expr,label,low,high,unit",
    [
        (f"Growth of 10{EN}15% is expected.", f"10{EN}15%", "percent", 10, 15, "%"),
        (f"Rent takes 30{EM}40% of income.", f"30{EM}40%", "percent", 30, 40, "%"),
        ("Losses of between $3 and $5 billion.", "between $3 and $5 billion", "money", 3e9, 5e9, "USD"),
        ("Repairs cost $3-5 billion.", "$3-5 billion", "money", 3e9, 5e9, "USD"),
        ("Bids ranged from €200m to €250m.", "€200m to €250m", "money", 2e8, 2.5e8, "EUR"),
        ("Officials expect 10 to 20 arrests.", "10 to 20 arrests", "count", 10, 20, "arrests"),
        ("Between 3 and 5 million people moved.", "Between 3 and 5 million people", "count", 3e6, 5e6, "people"),
        ("Between two and three million fled.", "Between two and three million", "count", 2e6, 3e6, None),
        (f"Between 2{HAIR}000 and 3{HAIR}000 homes.", f"2{HAIR}000 and 3{HAIR}000 homes", "count", 2000, 3000, "homes"),
        ("It will take two to three years.", "two to three years", "duration", 2, 3, "years"),
        ("Output fell in 2019-20.", "2019-20", "year", 2019, 2020, "year"),
        ("The war lasted from 1914 to 1918.", "1914 to 1918", "year", 1914, 1918, "year"),
        ("Prices doubled in the 1990s.", "1990s", "year", 1990, 1999, "year"),
    ],
)
def test_quantities_ranges(text: str, expr: str, label: str, low: float, high: float, unit: str) -> None:
    _check(_at(text, expr), label, low, unit, value_max=high)


@pytest.mark.parametrize(
    "text,expectations",
    [
        ("Prices rose from 3 to 5 dollars.", [("3", 3, "USD"), ("5 dollars", 5, "USD")]),  # a change, not a range
        ("Output rose 5% to 7%.", [("5%", 5, "%"), ("7%", 7, "%")]),
        ("It passed by 52 votes to 48.", [("52 votes", 52, "votes"), ("48", 48, None)]),
    ],
)
def test_quantities_changes_are_not_ranges(text: str, expectations: list[tuple[str, float, str | None]]) -> None:
    for expr, value, unit in expectations:
        span = _at(text, expr)
        assert span.attrs["value_max"] is None and _same(span.attrs["value"], value) and span.attrs["unit"] == unit


@pytest.mark.parametrize(
    "text,expr,value,unit",
    [
        ("The trial will last three weeks.", "three weeks", 3, "weeks"),
        ("He spent 18 months in jail.", "18 months", 18, "months"),
        ("They signed a 10-year lease.", "10-year", 10, "years"),
        ("An 80-year-old man died.", "80-year-old", 80, "years"),
        ("Half an hour later it ended.", "Half an hour", 0.5, "hours"),
        ("Voters have a year and a half.", "a year and a half", 1.5, "years"),
        ("It was his first visit in a decade.", "a decade", 1, "decades"),
    ],
)
def test_quantities_durations(text: str, expr: str, value: float, unit: str) -> None:
    _check(_at(text, expr), "duration", value, unit)


@pytest.mark.parametrize(
    "text,expr,label,value",
    [
        ("It began on February 24, 2022.", "February 24, 2022", "date", "2022-02-24"),
        ("Parliament voted on 3 March 2022.", "3 March 2022", "date", "2022-03-03"),
        ("Data published 2022-03-03 show it.", "2022-03-03", "date", "2022-03-03"),
        ("It was signed on 9th November 1989.", "9th November 1989", "date", "1989-11-09"),
        ("Founded in March 2015, it grew.", "March 2015", "date", "2015-03"),
        ("The deadline is 31/12/2024.", "31/12/2024", "date", "2024-12-31"),
        ("The law passed in 2021.", "2021", "year", 2021),
        ("Independent since 1991, it thrived.", "1991", "year", 1991),
        ("Growth slowed in mid-2023.", "2023", "year", 2023),
        ("The summit is on June 15.", "June 15", "date", "--06-15"),
    ],
)
def test_quantities_dates_and_years(text: str, expr: str, label: str, value: Any) -> None:
    span = _at(text, expr)
    assert (span.label, span.attrs["value"]) == (label, value), span


@pytest.mark.parametrize(
    "text,expr,doc_date,value,anchor",
    [
        ("In 2021 the mill closed. A year earlier it was busy.", "A year earlier", None, 2020, 2021),
        ("The bridge opened in 2015. Two years later it shut.", "Two years later", None, 2017, 2015),
        ("It was built in 1998 and expanded the following year.", "the following year", None, 1999, 1998),
        ("The plant closed in 2009; a decade later it reopened.", "a decade later", None, 2019, 2009),
        ("Sales rose 8% last year.", "last year", "2024-02-10", 2023, 2024),
        ("In 2019 sales fell. Last year they rose.", "Last year", None, 2018, 2019),
        ("In 2019 sales fell. Last year they rose.", "Last year", "2024-05-01", 2023, 2024),
        ("Five years ago the village had no school.", "Five years ago", "2020-06-01", 2015, 2020),
        ("Next year's budget is smaller.", "Next year", "2023", 2024, 2023),
        ("Last year was hard.", "Last year", None, None, None),
    ],
)
def test_quantities_relative_years(text: str, expr: str, doc_date: str | None, value: Any, anchor: Any) -> None:
    span = _at(text, expr, doc_date=doc_date)
    assert span.label == "year" and span.attrs["relative"] is True
    assert (span.attrs["value"], span.attrs["anchor_year"]) == (value, anchor), span


def test_quantities_yearless_date_uses_doc_date() -> None:
    span = _at("The summit is on June 15.", "June 15", doc_date="2023-05-02")
    assert span.attrs["value"] == "2023-06-15" and span.attrs["anchor_year"] == 2023


@pytest.mark.parametrize(
    "text",
    [
        "World War 2 ended.",
        "NATO's Article 5 applies.",
        "COVID-19 spread and H5N1 too.",
        "The G7 and G20 met.",
        "The F-16 and Su-27 flew; MH17 was downed; the A320 landed.",
        "Call +1 202-555-0143 or (020) 7946 0958 now.",
        "Visit https://example.com/2023/05/item-42 today.",
        "Python 3.11.2 runs on 192.168.1.1.",
        "We meet at 5pm or 10:30 a.m.; open 24/7.",
        "The Boeing 737 and the iPhone 15 sold.",
        "He lives at No. 10 and is the #5 seed.",
        "It was the 5th time in the 21st century.",
        "Q3 results, 5G and 3D films.",
        "One of them said no one came.",
        "The team won 3-1 after a 5-4 ruling.",
        "1. First item\n2) Second item",
        "He won a third term in the second half of the year.",
        "Write to a1@b2.com for details.",
    ],
)
def test_quantities_skips_names_and_codes(text: str) -> None:
    assert find_quantities(text) == [], [text[s.start : s.end] for s in find_quantities(text)]


@pytest.mark.parametrize(
    "text,measures",
    [
        ("Some 4 million people were displaced by the fighting.", "people displaced"),
        ("At least 37 people died in the floods.", "people died"),
        ("The city approved a budget of $42.74 million.", "budget"),
        ("Inflation rose to 9.1% in June.", "inflation"),
        ("About 12% of respondents said so.", "respondents"),
        ("The fund has more than $1.3tn in assets.", "assets"),
        ("Police seized 2.5 tonnes of cocaine.", "cocaine"),
        ("The population of the district is 5 million.", "population"),
        ("It reached 95% on Monday.", None),
    ],
)
def test_quantities_measures(text: str, measures: str | None) -> None:
    spans = find_quantities(text)
    assert len(spans) == 1 and spans[0].attrs["measures"] == measures, spans


def test_quantities_attrs_schema_and_json() -> None:
    text = "In 2021 some 4 million people, or 12%, paid $3-5bn over three weeks; a year earlier, on 3 May 2020, none."
    spans = find_quantities(text)
    assert {s.label for s in spans} == set(LABELS)
    for s in spans:
        assert {"value", "value_max", "unit", "approximate", "bound", "measures"} <= set(s.attrs)
        assert isinstance(s.attrs["approximate"], bool) and s.attrs["bound"] in (None, "lower", "upper")
        if s.label in ("date", "year"):
            assert {"relative", "anchor_year"} <= set(s.attrs)
        assert Span.from_json(json.loads(json.dumps(s.to_json()))) == s


def test_quantities_offsets_exact_on_tricky_unicode() -> None:
    pieces = [
        f"\ufeffRevenue rose 12{NNBSP}% to €{NBSP}1{NBSP}234{NBSP}567 \U0001f4c8 ",
        f"while 2{THIN}345{THIN}000 people (≈ 1{HAIR}000 km) paid ₴18,500 — between 10{EN}15% ",
        f"or 30{EM}40 per cent of 1.234.567 roubles; e\u0301lite costs ¥300, ",
        f"{MINUS}2.3% in 2019{EN}20, at least 5 bn zlotys and 3{EN}5 June 2022.",
    ]
    text = "".join(pieces)
    spans = find_quantities(text)
    assert len(spans) >= 12
    prev_end = 0
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.start >= prev_end, "spans must not overlap"
        prev_end = s.end
        piece = text[s.start : s.end]
        assert piece == piece.strip(" \u00a0\u2009\u200a\u202f"), f"span {piece!r} has untrimmed spaces"
    found = {text[s.start : s.end] for s in spans}
    for expected in (f"12{NNBSP}%", f"€{NBSP}1{NBSP}234{NBSP}567", f"30{EM}40 per cent", "¥300",
                     f"between 10{EN}15%", f"{MINUS}2.3%", f"2019{EN}20", f"3{EN}5 June 2022", "at least 5 bn zlotys"):
        assert expected in found, (expected, sorted(found))


def test_quantities_fuzz_never_crashes() -> None:
    rng = random.Random(20240229)
    alphabet = list("0123456789 ,.-%$€£¥₹₽₴~+()/:'’\n")
    alphabet += [NBSP, THIN, HAIR, NNBSP, EN, EM, MINUS, "\ufeff", "\u0301"]
    words = ["million", "bn", "m", "k", "per cent", "between", "and", "to", "from", "about", "more than", "half",
             "a", "third", "of", "years", "ago", "earlier", "last year", "March", "3rd", "2021", "1990s", "Rs",
             "US$", "dollars", "won", "p", "minus", "dozens", "one", "twenty-five", "hundred", "and a half",
             "or so", "-plus", "km", "°C", "-year", "No.", "#", "24/7", "1.234.567", "1,234", "12:30", "people"]
    for _ in range(1500):
        if rng.random() < 0.25:
            text = "".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(rng.randint(0, 60)))
        else:
            parts: list[str] = []
            for _ in range(rng.randint(0, 30)):
                r = rng.random()
                parts.append(rng.choice(words) if r < 0.5 else str(rng.randint(0, 10**rng.randint(1, 7)))
                             if r < 0.8 else "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))))
                parts.append(rng.choice([" ", "", THIN, "-", "\n"]))
            text = "".join(parts)
        spans = find_quantities(text, doc_date=rng.choice([None, "2024-01-01"]))
        prev_end = 0
        for s in spans:
            assert prev_end <= s.start < s.end <= len(text), (text, s)
            assert s.label in LABELS
            json.dumps(s.to_json(), allow_nan=False)
            prev_end = s.end


def test_quantities_huge_numbers_stay_json_safe() -> None:
    text = "It cost $" + "9" * 5000 + " and " + "1" * 400 + ".5 trillion euros, " + "7" * 30 + " people."
    for s in find_quantities(text):
        json.dumps(s.to_json(), allow_nan=False)


def test_quantities_usage_errors() -> None:
    with pytest.raises(UsageError, match="str"):
        find_quantities(b"12%")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="doc_date"):
        find_quantities("12%", doc_date="last Tuesday")
    with pytest.raises(UsageError, match="sentences"):
        find_quantities("12%", sentences=[("a", "b")])  # type: ignore[list-item]


def test_quantities_sentences_limit_measures_lookback() -> None:
    text = "Inflation rose to 9.1% in June."
    assert find_quantities(text)[0].attrs["measures"] == "inflation"
    cut = text.index("9.1%")  # pretend a sentence boundary sits right before the number
    assert find_quantities(text, sentences=[(0, cut), (cut, len(text))])[0].attrs["measures"] is None
    layer = [Span(0, cut, "sentence"), Span(cut, len(text), "sentence")]
    assert find_quantities(text, sentences=layer)[0].attrs["measures"] is None


def test_quantities_gold_set_is_large_and_varied() -> None:
    rows = _rows()
    assert len(rows) >= 170
    assert {r["label"] for r in rows} == set(LABELS)
    assert len({r["unit"] for r in rows if r["label"] == "money"}) >= 8
    assert sum("value_max" in r for r in rows) >= 15 and sum("bound" in r for r in rows) >= 15
    assert all(r["span"] in r["sentence"] for r in rows)


def test_quantities_gold_set_accuracy() -> None:
    """Gate: value+unit accuracy on the hand-written set must stay >= ACCURACY_FLOOR."""
    rows = _rows()
    failures = []
    for r in rows:
        sent, expr = r["sentence"], r["span"]
        start = sent.index(expr)
        end = start + len(expr)
        spans = find_quantities(sent, doc_date=r.get("doc_date"))
        best = max(spans, key=lambda s: min(end, s.end) - max(start, s.start), default=None)
        if best is None or min(end, best.end) <= max(start, best.start):
            failures.append(f"{expr!r}: nothing found in {sent!r}")
        elif not (_same(best.attrs["value"], r["value"]) and best.attrs["unit"] == r["unit"]):
            failures.append(f"{expr!r}: got {best.attrs['value']!r} {best.attrs['unit']!r}, "
                            f"want {r['value']!r} {r['unit']!r} in {sent!r}")
    accuracy = 1 - len(failures) / len(rows)
    print(f"\nquantities gold set: value+unit accuracy {accuracy:.3f} on {len(rows)} expressions")
    for line in failures:
        print("  FAIL", line)
    assert accuracy >= ACCURACY_FLOOR, f"accuracy {accuracy:.3f} < floor {ACCURACY_FLOOR}"
