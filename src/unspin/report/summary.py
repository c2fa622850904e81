"""Facts about one analysis that the text and HTML reports both show."""
from __future__ import annotations

import re
from collections import Counter

from ..model import Analysis, Span

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def snippet(text: str, span: Span, limit: int = 140) -> str:
    """The span's text on one line, shortened in the middle when long."""
    s = " ".join(text[span.start:span.end].split())
    return s if len(s) <= limit else s[: limit // 2 - 1] + " … " + s[-(limit // 2 - 2):]


def top_entities(analysis: Analysis, n: int = 12) -> list[tuple[str, str, int]]:
    """``(canonical, label, mentions)`` for the most mentioned entities."""
    counts: Counter = Counter()
    labels: dict[str, Counter] = {}
    for span in analysis.layer("entities"):
        name = span.attrs.get("canonical") or analysis.text[span.start:span.end]
        counts[name] += 1
        labels.setdefault(name, Counter())[span.label] += 1
    return [(name, labels[name].most_common(1)[0][0], c) for name, c in counts.most_common(n)]


def span_attr_summary(span: Span, skip: tuple[str, ...] = ("canonical",)) -> str:
    parts = []
    for k, v in span.attrs.items():
        if k in skip or v in (None, "", [], {}):
            continue
        parts.append(f"{k}={v}")
    return ", ".join(parts)
