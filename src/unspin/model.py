"""The one data model: an :class:`Article` and the :class:`Analysis` of it.

An analysis holds *layers* of :class:`Span` objects whose character offsets
index the unchanged article text (``text[start:end]``, end exclusive), plus
article-level labels and diagnostics. ``to_json``/``from_json`` round-trip
everything; the JSON shape is the versioned contract ``unspin/1`` described in
``docs/format.md``: later versions add fields, never rename them.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import FormatError, UsageError

SCHEMA = "unspin/1"

#: Layers every analysis carries, in output order (empty lists when a stage
#: did not run or found nothing). Stages may add further layers.
CORE_LAYERS = ("sentences", "entities", "quotes", "quantities", "claims", "techniques")

#: Keys of a span object in JSON that are not attributes.
_SPAN_KEYS = ("start", "end", "label", "score")

#: Article metadata keys with a documented meaning (others are kept as given).
META_KEYS = ("outlet", "url", "date", "author", "language", "site")


@dataclass
class Span:
    """A labelled stretch of article text: ``text[start:end]``.

    ``attrs`` holds per-layer attributes (``canonical`` for entities,
    ``speaker`` for quotes, ...); they are written flat into the span's JSON
    object next to ``start``/``end``/``label``/``score``.
    """

    start: int
    end: int
    label: str = ""
    score: float | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (isinstance(self.start, int) and isinstance(self.end, int)):
            raise UsageError(f"span offsets must be integers, got start={self.start!r} end={self.end!r}")
        if self.start < 0 or self.end <= self.start:
            raise UsageError(
                f"span offsets must satisfy 0 <= start < end, got start={self.start} end={self.end}"
            )
        for key in _SPAN_KEYS:
            if key in self.attrs:
                raise UsageError(f"span attribute {key!r} clashes with the span field of that name; rename it")

    def text(self, article_text: str) -> str:
        return article_text[self.start : self.end]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        if self.score is not None:
            out["score"] = round(float(self.score), 4)
        out.update(self.attrs)
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Span:
        try:
            attrs = {k: v for k, v in obj.items() if k not in _SPAN_KEYS}
            return cls(int(obj["start"]), int(obj["end"]), str(obj.get("label", "")), obj.get("score"), attrs)
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"a span needs integer 'start' and 'end'; got {obj!r} ({exc})") from exc


@dataclass
class Diagnostic:
    """Something worth telling about one article: ``level`` is info|warning|error."""

    level: str
    code: str
    message: str

    LEVELS = ("info", "warning", "error")

    def __post_init__(self) -> None:
        if self.level not in self.LEVELS:
            raise UsageError(f"diagnostic level must be one of {self.LEVELS}, got {self.level!r}")

    def to_json(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code, "message": self.message}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Diagnostic:
        return cls(str(obj.get("level", "info")), str(obj.get("code", "")), str(obj.get("message", "")))


def text_id(text: str) -> str:
    """A stable id for an article given only as text."""
    return "sha1-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


@dataclass
class Article:
    """An article as read: its text never changes once set.

    ``source`` says where it came from (a path, ``path:line`` for JSONL,
    ``-`` for stdin, or ``None`` when given as a string).
    """

    text: str
    id: str = ""
    source: str | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise UsageError(
                f"Article.text must be a str, got {type(self.text).__name__}; decode bytes first "
                "or use unspin.ingest.read_path() for files"
            )
        if not self.id:
            self.id = text_id(self.text)

    @property
    def language(self) -> str | None:
        return self.meta.get("language")


@dataclass
class Analysis:
    """An article plus everything unspin found in it."""

    article: Article
    layers: dict[str, list[Span]] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    language: str | None = None

    def __post_init__(self) -> None:
        for name in CORE_LAYERS:
            self.layers.setdefault(name, [])

    # convenience -----------------------------------------------------------
    @property
    def text(self) -> str:
        return self.article.text

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def ok(self) -> bool:
        """False when a stage failed on this article (see ``diagnostics``)."""
        return not any(d.level == "error" for d in self.diagnostics)

    def layer(self, name: str) -> list[Span]:
        return self.layers.get(name, [])

    def add(self, layer: str, spans: Iterable[Span]) -> None:
        self.layers.setdefault(layer, []).extend(spans)

    def diagnose(self, level: str, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(level, code, message))

    def check_offsets(self) -> list[str]:
        """Problems with span offsets (empty when every span lies inside the text)."""
        n = len(self.text)
        bad = []
        for name, spans in self.layers.items():
            for i, s in enumerate(spans):
                if not (0 <= s.start < s.end <= n):
                    bad.append(f"{name}[{i}] = {s.start}:{s.end} outside text of length {n}")
        return bad

    # JSON ------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        art = self.article
        layer_names = list(CORE_LAYERS) + sorted(k for k in self.layers if k not in CORE_LAYERS)
        return {
            "schema": SCHEMA,
            "id": art.id,
            "source": art.source,
            "title": art.title,
            "text": art.text,
            "meta": dict(art.meta),
            "language": self.language,
            "layers": {name: [s.to_json() for s in self.layers.get(name, [])] for name in layer_names},
            "labels": self.labels,
            "diagnostics": [d.to_json() for d in list(art.diagnostics) + self.diagnostics],
        }

    def dumps(self, indent: int | None = None) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, obj: dict[str, Any] | str) -> Analysis:
        if isinstance(obj, str):
            try:
                obj = json.loads(obj)
            except json.JSONDecodeError as exc:
                raise FormatError(f"not a JSON document: {exc}") from exc
        if not isinstance(obj, dict):
            raise FormatError(f"an unspin document is a JSON object, got {type(obj).__name__}")
        schema = obj.get("schema")
        if schema != SCHEMA:
            raise FormatError(f"expected schema {SCHEMA!r}, got {schema!r}; this unspin reads {SCHEMA} documents")
        if not isinstance(obj.get("text"), str):
            raise FormatError("an unspin document needs the article 'text' as a string")
        article = Article(
            text=obj["text"],
            id=str(obj.get("id") or ""),
            source=obj.get("source"),
            title=obj.get("title"),
            meta=dict(obj.get("meta") or {}),
        )
        layers = {
            name: [Span.from_json(s) for s in spans] for name, spans in (obj.get("layers") or {}).items()
        }
        diagnostics = [Diagnostic.from_json(d) for d in obj.get("diagnostics") or []]
        return cls(article, layers, dict(obj.get("labels") or {}), diagnostics, obj.get("language"))

    @classmethod
    def loads(cls, s: str) -> Analysis:
        return cls.from_json(s)
