"""``article_id<TAB>technique<TAB>start<TAB>end`` lines, scorable with the SemEval-2020 tools."""
from __future__ import annotations

import re

from ..model import Analysis

_PTC_FILE = re.compile(r"article(\d+)")


def ptc_article_id(analysis: Analysis) -> str:
    """The digits of ``article<digits>`` ids (file ``article<digits>.txt``), else the id (the file stem)."""
    m = _PTC_FILE.fullmatch(analysis.id)
    return m.group(1) if m else analysis.id


def ptc_lines(analysis: Analysis) -> list[str]:
    """One line per technique span that has a PTC-2020 counterpart, sorted by offsets."""
    from ..techniques.taxonomy import to_ptc

    art = ptc_article_id(analysis)
    lines = []
    for span in sorted(analysis.layer("techniques"), key=lambda s: (s.start, s.end, s.label)):
        label = span.attrs.get("ptc_label") or to_ptc(span.label)
        if label:
            lines.append(f"{art}\t{label}\t{span.start}\t{span.end}")
    return lines
