"""A self-contained HTML report: the article with its layers highlighted.

No external resources (styles inline, a few lines of inline script only to
toggle layers), and every piece of article text and metadata is escaped.
"""
from __future__ import annotations

from html import escape

from ..model import Analysis, Span
from .scorecard import scorecard_lines
from .summary import snippet, span_attr_summary, top_entities, word_count

#: layers highlighted in the article text, with their colours.
HIGHLIGHT = {
    "entities": "#dbeafe",
    "quotes": "#dcfce7",
    "quantities": "#fef3c7",
    "claims": "#ede9fe",
    "techniques": "#fecaca",
}

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.5rem}
.article{border-top:3px solid #374151;margin-top:2.5rem;padding-top:1rem}
.meta{color:#6b7280;font-size:.9rem}.diag{color:#b45309}.diag.error{color:#b91c1c}
.text{white-space:pre-wrap;line-height:1.7;background:#fafafa;border:1px solid #e5e7eb;padding:1rem;border-radius:6px}
.legend label{margin-right:1rem;font-size:.9rem;cursor:pointer}
.legend .sw{display:inline-block;width:.9rem;height:.9rem;border-radius:3px;vertical-align:middle;margin-right:.3rem}
table{border-collapse:collapse;font-size:.9rem;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left;vertical-align:top}
.techniques{text-decoration:underline wavy #dc2626}
""" + "".join(
    f".show-{k} .{k}{{background:{c}}}\n" for k, c in HIGHLIGHT.items()
)

_JS = """
function unspinToggle(box){var root=box.closest('.article');root.classList.toggle('show-'+box.value,box.checked);}
"""


def html_head(title: str = "unspin report") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{_CSS}</style><script>{_JS}</script></head><body>\n"
        "<h1>unspin report</h1>\n"
    )


def html_foot() -> str:
    return "</body></html>\n"


def _segments(text: str, layers: dict[str, list[Span]]):
    """Cut ``text`` at every span boundary; yield ``(start, end, [(layer, span), ...])``."""
    bounds = {0, len(text)}
    for spans in layers.values():
        for s in spans:
            bounds.add(max(0, min(s.start, len(text))))
            bounds.add(max(0, min(s.end, len(text))))
    cuts = sorted(bounds)
    events = sorted(((s.start, s.end, name, s) for name, spans in layers.items() for s in spans),
                    key=lambda e: (e[0], e[1], e[2]))
    active: list = []
    j = 0
    for a, b in zip(cuts, cuts[1:]):
        while j < len(events) and events[j][0] <= a:
            active.append(events[j])
            j += 1
        active = [e for e in active if e[1] > a]
        yield a, b, [(e[2], e[3]) for e in active]


def _tooltip(text: str, layer: str, span: Span) -> str:
    bits = [f"{layer}: {span.label}"]
    if span.score is not None:
        bits[0] += f" ({span.score:.2f})"
    if span.attrs.get("canonical"):
        bits.append(f"= {span.attrs['canonical']}")
    if span.attrs.get("definition"):
        bits.append(span.attrs["definition"])
    extra = span_attr_summary(span, skip=("canonical", "definition"))
    if extra:
        bits.append(extra)
    return " — ".join(bits)


def _highlighted(analysis: Analysis, layer: str) -> list[Span]:
    """The spans of ``layer`` marked in the text: of the claims, only the check-worthy ones."""
    spans = analysis.layer(layer)
    if layer == "claims":
        spans = [s for s in spans if s.attrs.get("checkworthy", True)]
    return spans


def render_marked_text(analysis: Analysis) -> str:
    text = analysis.text
    layers = {k: _highlighted(analysis, k) for k in HIGHLIGHT if _highlighted(analysis, k)}
    out = []
    for a, b, covering in _segments(text, layers):
        piece = escape(text[a:b])
        if not covering:
            out.append(piece)
            continue
        classes = " ".join(sorted({layer for layer, _ in covering}))
        tip = "\n".join(_tooltip(text, layer, s) for layer, s in covering)
        out.append(f'<span class="{classes}" title="{escape(tip)}">{piece}</span>')
    return "".join(out)


def _table(analysis: Analysis, layer: str) -> str:
    spans = analysis.layer(layer)
    if not spans:
        return f"<h2>{layer.capitalize()} (0)</h2>\n"
    if layer == "claims":  # most check-worthy first
        spans = sorted(spans, key=lambda s: (-(s.score or 0), s.start))
    rows = "".join(
        f"<tr><td>{s.start}–{s.end}</td><td>{escape(s.label)}</td>"
        f"<td>{'' if s.score is None else f'{s.score:.2f}'}</td>"
        f"<td>{escape(snippet(analysis.text, s))}</td>"
        f"<td>{escape(s.attrs.get('definition', '') or span_attr_summary(s, skip=('definition',)))}</td></tr>"
        for s in spans
    )
    return (f"<h2>{layer.capitalize()} ({len(spans)})</h2>\n<table><tr><th>chars</th><th>label</th>"
            f"<th>score</th><th>text</th><th>details</th></tr>{rows}</table>\n")


def html_article(analysis: Analysis, index: int = 0) -> str:
    a = analysis.article
    shown = [k for k in HIGHLIGHT if _highlighted(analysis, k)]
    classes = " ".join(f"show-{k}" for k in shown)
    legend = "".join(
        f'<label><input type="checkbox" value="{k}" checked onchange="unspinToggle(this)">'
        f'<span class="sw" style="background:{HIGHLIGHT[k]}"></span>{k} ({len(_highlighted(analysis, k))})</label>'
        for k in shown
    )
    meta = " · ".join(escape(f"{k}: {v}") for k, v in a.meta.items() if v)
    diags = "".join(
        f'<div class="diag {escape(d.level)}">{escape(d.level)} {escape(d.code)}: {escape(d.message)}</div>'
        for d in list(a.diagnostics) + analysis.diagnostics
    )
    labels = "".join(
        f"<div>{escape(str(k))}: {escape(str(v))}</div>" for k, v in analysis.labels.items()
        if k not in ("scorecard", "genre", "frames")
    )
    if analysis.layer("sentences"):
        labels += ('<h2>Scorecard</h2><ul class="scorecard">'
                   + "".join(f"<li>{escape(line.strip())}</li>" for line in scorecard_lines(analysis)) + "</ul>")
    ents = "".join(
        f"<tr><td>{escape(n)}</td><td>{escape(lab)}</td><td>{c}</td></tr>" for n, lab, c in top_entities(analysis, 25)
    )
    return (
        f'<section class="article {classes}" id="article-{index}">\n'
        f"<h1>{escape(a.title or a.id)}</h1>\n"
        f'<div class="meta">id: {escape(a.id)}{" · source: " + escape(a.source) if a.source else ""}'
        f" · language: {escape(str(analysis.language))} · words: {word_count(a.text):,}"
        f"{' · ' + meta if meta else ''}</div>\n{diags}{labels}\n"
        f'<div class="legend">{legend}</div>\n'
        f'<div class="text">{render_marked_text(analysis)}</div>\n'
        f"<h2>Entities</h2><table><tr><th>canonical name</th><th>type</th><th>mentions</th></tr>{ents}</table>\n"
        + "".join(_table(analysis, k) for k in ("claims", "quotes", "quantities", "techniques"))
        + "</section>\n"
    )
