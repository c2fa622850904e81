"""A readable terminal summary of one analysis."""
from __future__ import annotations

from ..model import Analysis
from .scorecard import scorecard_lines
from .summary import snippet, span_attr_summary, top_entities, word_count

#: How many items of each layer the text report lists.
LIST_LIMIT = 15
#: labels the scorecard shows
_SCORECARD_LABELS = ("scorecard", "genre", "frames")
#: attributes not repeated in the listing of a layer
_SKIP_ATTRS = {"claims": ("checkworthiness", "checkworthy", "entity_ids", "hedges")}


def render_text(analysis: Analysis) -> str:
    a, text = analysis.article, analysis.text
    lines = [f"# {a.title or a.id}", f"id: {a.id}" + (f"   source: {a.source}" if a.source else "")]
    meta = ", ".join(f"{k}: {v}" for k, v in a.meta.items() if v)
    if meta:
        lines.append(meta)
    lines.append(f"language: {analysis.language}   words: {word_count(text):,}   "
                 f"sentences: {len(analysis.layer('sentences'))}")
    for d in list(a.diagnostics) + analysis.diagnostics:
        lines.append(f"! {d.level} {d.code}: {d.message}")
    for key, value in analysis.labels.items():
        if key not in _SCORECARD_LABELS:
            lines.append(f"{key}: {value}")
    if analysis.layer("sentences"):
        lines.append("")
        lines.append("Scorecard")
        lines.extend("  " + line for line in scorecard_lines(analysis))

    ents = top_entities(analysis)
    lines.append("")
    lines.append(f"Entities ({len(analysis.layer('entities'))} mentions)")
    for name, label, count in ents:
        lines.append(f"  {name} [{label}] x{count}")

    for layer in ("claims", "quotes", "quantities", "techniques"):
        spans = analysis.layer(layer)
        if layer == "claims":  # most check-worthy first
            spans = sorted(spans, key=lambda s: (-(s.score or 0), s.start))
        lines.append("")
        lines.append(f"{layer.capitalize()} ({len(spans)})")
        for s in spans[:LIST_LIMIT]:
            score = f" {s.score:.2f}" if s.score is not None else ""
            extra = span_attr_summary(s, skip=_SKIP_ATTRS.get(layer, ("canonical", "definition")))
            lines.append(f"  [{s.start}:{s.end}] {s.label}{score}: “{snippet(text, s)}”" + (f"  ({extra})" if extra else ""))
        if len(spans) > LIST_LIMIT:
            lines.append(f"  … {len(spans) - LIST_LIMIT} more (use --format json for all)")
    extra_layers = [k for k in analysis.layers if k not in ("sentences", "entities", "claims", "quotes",
                                                           "quantities", "techniques")]
    for layer in extra_layers:
        lines.append("")
        lines.append(f"{layer.capitalize()} ({len(analysis.layer(layer))})")
    return "\n".join(lines) + "\n"
