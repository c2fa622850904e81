"""Swap the actors of an article (Russia <-> United States, Putin <-> Biden, ...) and
compare technique spans before and after: a detector that analysts trust must not
see propaganda on one side only.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

#: Pairs of opposite actors; every form is swapped with its counterpart, longest first.
PAIRS: tuple[tuple[str, str], ...] = (
    ("Russia", "the United States"), ("Russian Federation", "United States of America"),
    ("Russians", "Americans"), ("Russian", "American"), ("Moscow", "Washington"),
    ("the Kremlin", "the White House"), ("Kremlin", "White House"),
    ("Vladimir Putin", "Joe Biden"), ("Putin", "Biden"), ("Sergei Lavrov", "Antony Blinken"),
    ("Lavrov", "Blinken"),
    ("China", "Japan"), ("Chinese", "Japanese"), ("Beijing", "Tokyo"), ("Xi Jinping", "Fumio Kishida"),
    ("Iran", "Israel"), ("Iranian", "Israeli"), ("Iranians", "Israelis"), ("Tehran", "Jerusalem"),
    ("Democrats", "Republicans"), ("Democrat", "Republican"), ("Democratic", "Republican"),
    ("Obama", "Trump"), ("Barack Obama", "Donald Trump"), ("Hillary Clinton", "Mike Pence"),
    ("Clinton", "Pence"), ("liberals", "conservatives"), ("liberal", "conservative"),
    ("Muslims", "Christians"), ("Muslim", "Christian"), ("Islam", "Christianity"), ("Islamic", "Christian"),
)


#: The kind of actor each pair of :data:`PAIRS` names (by its first form), as spaCy mostly tags them:
#: ``bench/symmetry.py --by-kind`` swaps one kind at a time to show which kind moves the model.
KINDS: dict[str, tuple[str, ...]] = {
    "country or city": ("Russia", "Russian Federation", "Moscow", "China", "Beijing", "Iran", "Tehran"),
    "nation, party or faith": ("Russians", "Russian", "Chinese", "Iranian", "Iranians", "Democrats", "Democrat",
                               "Democratic", "Muslims", "Muslim", "Islam", "Islamic"),
    "person": ("Vladimir Putin", "Putin", "Sergei Lavrov", "Lavrov", "Xi Jinping", "Obama", "Barack Obama",
               "Hillary Clinton", "Clinton"),
    "institution or camp": ("the Kremlin", "Kremlin", "liberals", "liberal"),
}


#: Pairs that training never swaps (``swapped_copies`` uses :data:`PAIRS` only): the
#: benchmark's check that even-handedness learnt from the augmentation carries over to
#: actors the model was not shown on both sides.
HELD_OUT_PAIRS: tuple[tuple[str, str], ...] = (
    ("Nancy Pelosi", "Mitch McConnell"), ("Pelosi", "McConnell"), ("Chuck Schumer", "Paul Ryan"),
    ("Schumer", "Ryan"), ("Bernie Sanders", "Ted Cruz"), ("Sanders", "Cruz"), ("CNN", "Fox News"),
    ("North Korea", "South Korea"), ("North Korean", "South Korean"), ("Pyongyang", "Seoul"),
    ("Kim Jong Un", "Moon Jae-in"), ("India", "Pakistan"), ("Indian", "Pakistani"), ("New Delhi", "Islamabad"),
    ("Hamas", "Fatah"), ("Syria", "Turkey"), ("Syrian", "Turkish"),
    ("Assad", "Erdogan"), ("Damascus", "Ankara"), ("leftists", "right-wingers"), ("Antifa", "the Proud Boys"),
)

#: A control: swaps that change no actor (weekdays, months). Spans that change under
#: these show how much any small edit moves the model - the floor for the actor figure.
CONTROL_PAIRS: tuple[tuple[str, str], ...] = (
    ("Monday", "Tuesday"), ("Wednesday", "Thursday"), ("Friday", "Saturday"), ("January", "February"),
    ("March", "April"), ("June", "July"), ("September", "October"), ("November", "December"),
    ("morning", "evening"), ("week", "month"),
)


def _table(pairs=PAIRS) -> dict[str, str]:
    table: dict[str, str] = {}
    for a, b in pairs:
        table.setdefault(a, b)
        table.setdefault(b, a)
    for key, value in list(table.items()):  # "The Kremlin" at the start of a sentence
        if key.startswith("the "):
            table.setdefault("The " + key[4:], value[0].upper() + value[1:])
    return table


def _pattern(table: dict[str, str]) -> re.Pattern:
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")\b")


_TABLE = _table()
_PATTERN = _pattern(_TABLE)
_CONTROL = _table(CONTROL_PAIRS)
_CONTROL_PATTERN = _pattern(_CONTROL)
_HELD = _table(HELD_OUT_PAIRS)
_HELD_PATTERN = _pattern(_HELD)


def kind_pairs(kind: str) -> tuple[tuple[str, str], ...]:
    """The pairs of :data:`PAIRS` of one kind of :data:`KINDS`."""
    if kind not in KINDS:
        raise ValueError(f"unknown actor kind {kind!r}; choose from {', '.join(KINDS)}")
    return tuple(p for p in PAIRS if p[0] in KINDS[kind])


@cache
def _kind_table(kind: str) -> tuple[dict[str, str], re.Pattern]:
    table = _table(kind_pairs(kind))
    return table, _pattern(table)


@dataclass
class Swapped:
    text: str
    #: (original offset, new offset) at the start of every changed stretch and after it
    anchors: list[tuple[int, int]]
    replaced: list[tuple[int, int]]  # original spans that were swapped

    def map_offset(self, pos: int) -> int:
        """Where an original offset lies in the swapped text (offsets inside a swapped
        name map to its start)."""
        keys = [a for a, _ in self.anchors]
        k = bisect_right(keys, pos) - 1
        if k < 0:
            return pos
        o, n = self.anchors[k]
        return n + (pos - o) if k % 2 == 1 or pos == o else n


def swap_actors(text: str, control: bool = False, held_out: bool = False, kind: str | None = None) -> Swapped:
    """Swap every actor name with its counterpart (``control=True``: swap weekdays and
    months instead, the noise floor; ``held_out=True``: swap the actors of
    :data:`HELD_OUT_PAIRS`, which training never swaps; ``kind``: only the pairs of that
    kind of :data:`KINDS`)."""
    if sum((control, held_out, kind is not None)) > 1:
        raise ValueError("swap_actors: choose one of control=True, held_out=True or kind, not several")
    if kind is not None:
        table, pattern = _kind_table(kind)
    else:
        table, pattern = (_CONTROL, _CONTROL_PATTERN) if control else (_HELD, _HELD_PATTERN) if held_out else (_TABLE, _PATTERN)
    out, anchors, replaced, last, shift = [], [], [], 0, 0
    for m in pattern.finditer(text):
        out.append(text[last:m.start()])
        new = table[m.group(1)]
        before = text[:m.start()].rstrip()
        if not before or before[-1] in ".!?\n\"“":  # sentence start: capitalise "the ..."
            new = new[0].upper() + new[1:]
        anchors.append((m.start(), m.start() + shift))
        out.append(new)
        shift += len(new) - (m.end() - m.start())
        anchors.append((m.end(), m.end() + shift))
        replaced.append((m.start(), m.end()))
        last = m.end()
    out.append(text[last:])
    return Swapped("".join(out), anchors, replaced)


def swap_spans(spans, swapped: Swapped) -> list:
    """Map ``(start, end, *rest)`` tuples through a swap (training-data augmentation)."""
    out = []
    for start, end, *rest in spans:
        a, b = swapped.map_offset(start), swapped.map_offset(end)
        if b > a:
            out.append((a, b, *rest))
    return out


def compare(orig_spans, swapped_spans, swapped: Swapped) -> dict[str, int]:
    """Count original spans that keep their label, change label or disappear after the swap.

    An original span is matched to swapped spans overlapping its mapped position.
    """
    kept = changed = gone = 0
    for s in orig_spans:
        a, b = swapped.map_offset(s.start), swapped.map_offset(s.end)
        b = max(b, a + 1)
        over = [t for t in swapped_spans if t.start < b and t.end > a]
        if any(t.label == s.label for t in over):
            kept += 1
        elif over:
            changed += 1
        else:
            gone += 1
    new = 0
    back = [(swapped.map_offset(s.start), max(swapped.map_offset(s.end), swapped.map_offset(s.start) + 1), s.label)
            for s in orig_spans]
    for t in swapped_spans:
        if not any(a < t.end and b > t.start and lab == t.label for a, b, lab in back):
            new += 1
    return {"spans": len(orig_spans), "kept": kept, "changed": changed, "gone": gone, "new": new}
