"""PolNeAR brat standoff: attribution relations as role -> character segments."""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

_TEXT_BOUND = re.compile(r"^(T\d+)\t\S+ ([\d ;]+)\t")
_EVENT = re.compile(r"^E\d+\t(.*)$")


def brat_attributions(lines: Iterable[str]) -> list[dict[str, list[tuple[int, int]]]]:
    """One ``{"Content": [(start, end), ...], "Source": [...], "Cue": [...]}`` per ``E`` line.

    Only lines starting ``T<n>\\t`` / ``E<n>\\t`` are read (annotated text may hold newlines);
    role names lose their numeric suffix (``Content2`` -> ``Content``).
    """
    lines = list(lines)
    spans: dict[str, list[tuple[int, int]]] = {}
    for line in lines:
        m = _TEXT_BOUND.match(line)
        if m:
            spans[m.group(1)] = [tuple(map(int, s.split())) for s in m.group(2).split(";")]
    out = []
    for line in lines:
        m = _EVENT.match(line)
        if not m:
            continue
        roles: dict[str, list[tuple[int, int]]] = {}
        for part in m.group(1).split():
            role, _, ref = part.partition(":")
            roles.setdefault(re.sub(r"\d+$", "", role), []).extend(spans.get(ref, []))
        out.append(roles)
    return out


def annotator_order(root: Path) -> dict[str, list[str]]:
    """``article file stem -> annotators`` in ``metadata.tsv`` order (empty when the file is missing);
    the bench and the trainer both read the first annotator's ``.ann`` of an article."""
    order: dict[str, list[str]] = {}
    meta = root / "metadata.tsv"
    if meta.is_file():
        with open(meta, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                order[row["filename"]] = (row.get("annotators") or "").split("|")
    return order
