"""Read articles from paths: text files, HTML files, JSONL corpora, directories, stdin.

Every input yields either an :class:`~unspin.model.Article` or a
:class:`Failure` with its reason; nothing raises for a bad input, so a batch
always completes.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from ..errors import InputError
from ..model import Article
from .decode import decode_bytes
from .html import article_from_html, looks_like_html
from .limits import DEFAULT_LIMITS, Limits

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

#: JSONL keys copied into ``Article.meta`` when present.
JSONL_META_KEYS = ("url", "outlet", "date", "author", "language", "site")


@dataclass
class Failure:
    """One input that could not be read or analysed, and why."""

    source: str
    reason: str
    message: str
    id: str | None = None

    def to_json(self) -> dict:
        return {"source": self.source, "id": self.id, "reason": self.reason, "message": self.message}


Item = Union[Article, Failure]


def article_id_for(path: str | os.PathLike) -> str:
    """The file stem, as analysts know the article (``article123.txt`` -> ``article123``)."""
    return Path(path).stem or str(path)


def read_paths(paths: Iterable[str], *, limits: Limits = DEFAULT_LIMITS, encoding: str | None = None,
               stdin=None) -> Iterator[Item]:
    """Yield an article or a failure for every input reachable from ``paths``."""
    for path in paths:
        if path == "-":
            yield from read_stream(stdin if stdin is not None else sys.stdin.buffer, "-",
                                   limits=limits, encoding=encoding)
            continue
        p = Path(path)
        if p.is_dir():
            yield from _read_dir(p, limits=limits, encoding=encoding)
        elif p.exists():
            yield from read_file(p, limits=limits, encoding=encoding)
        else:
            yield Failure(str(path), "not-found", f"no such file or directory: {path}")


def _read_dir(root: Path, *, limits: Limits, encoding: str | None) -> Iterator[Item]:
    def on_error(exc: OSError) -> None:
        errors.append(exc)

    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for err in errors:
            yield Failure(str(err.filename or dirpath), "unreadable", f"cannot read directory: {err.strerror}")
        errors.clear()
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            p = Path(dirpath) / name
            if p.suffix.lower() in KNOWN_SUFFIXES:
                yield from read_file(p, limits=limits, encoding=encoding)
    for err in errors:
        yield Failure(str(err.filename or root), "unreadable", f"cannot read directory: {err.strerror}")


def read_file(path: Path, *, limits: Limits = DEFAULT_LIMITS, encoding: str | None = None) -> Iterator[Item]:
    """One file: JSONL by suffix yields many items, anything else one."""
    source = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            with open(path, "rb") as fh:
                yield from read_jsonl(fh, source, limits=limits, encoding=encoding)
            return
        if not path.is_file():
            raise InputError("not a regular file", "unreadable")
        limits.check_size(path.stat().st_size)
        data = path.read_bytes()
    except InputError as exc:
        yield Failure(source, exc.reason, str(exc), article_id_for(path))
        return
    except OSError as exc:
        yield Failure(source, "unreadable", f"cannot read file: {exc.strerror or exc}", article_id_for(path))
        return
    yield _article_from_bytes(data, id=article_id_for(path), source=source, suffix=suffix,
                              limits=limits, encoding=encoding)


def read_stream(stream, source: str, *, limits: Limits = DEFAULT_LIMITS, encoding: str | None = None) -> Iterator[Item]:
    """Read stdin (or any binary stream): JSONL when every line is a JSON object, else one article."""
    data = stream.read(limits.max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > limits.max_bytes:
        yield Failure(source, "too-large", f"input larger than {limits.max_bytes:,} bytes; split it or raise --max-bytes")
        return
    first = data.lstrip()[:1]
    if first == b"{" and all(line.strip().startswith(b"{") for line in data.splitlines() if line.strip()):
        import io

        yield from read_jsonl(io.BytesIO(data), source, limits=limits, encoding=encoding)
        return
    yield _article_from_bytes(data, id="stdin", source=source, suffix="", limits=limits, encoding=encoding)


def _article_from_bytes(data: bytes, *, id: str, source: str, suffix: str, limits: Limits,
                        encoding: str | None) -> Item:
    try:
        if not data:
            raise InputError("empty file: no text to analyse", "empty")
        text, used = decode_bytes(data, encoding)
        if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and looks_like_html(text)):
            article = article_from_html(text, id=id, source=source)
        else:
            article = Article(text=text, id=id, source=source)
        limits.check_text(article.text)
    except InputError as exc:
        return Failure(source, exc.reason, str(exc), id)
    if used not in ("utf-8", "ascii"):
        article.meta.setdefault("encoding", used)
        from ..model import Diagnostic

        article.diagnostics.append(Diagnostic("warning", "W101", f"decoded as {used}, not UTF-8; offsets index the decoded text"))
    return article


_ID_SAFE = re.compile(r"[^\w.\-:]+")


def read_jsonl(fh, source: str, *, limits: Limits = DEFAULT_LIMITS, encoding: str | None = None) -> Iterator[Item]:
    """One article per line: ``text`` or ``html``, plus optional id/title/url/outlet/date/author/language."""
    stem = article_id_for(source) if source != "-" else "stdin"
    for lineno, raw in enumerate(fh, start=1):
        where = f"{source}:{lineno}"
        if not raw.strip():
            continue
        try:
            line, _ = decode_bytes(raw, encoding) if isinstance(raw, bytes) else (raw, "utf-8")
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"line is not JSON: {exc.msg} at column {exc.colno}", "bad-json") from exc
            if not isinstance(obj, dict):
                raise InputError(f"line is JSON but not an object (got {type(obj).__name__})", "bad-json")
            yield article_from_record(obj, default_id=f"{stem}:{lineno}", source=where, limits=limits)
        except InputError as exc:
            yield Failure(where, exc.reason, str(exc), f"{stem}:{lineno}")


def article_from_record(obj: dict, *, default_id: str, source: str, limits: Limits = DEFAULT_LIMITS) -> Article:
    """A JSON object (JSONL line, HTTP body) to an article; raises ``InputError`` when unusable."""
    raw_id = obj.get("id")
    art_id = _ID_SAFE.sub("_", str(raw_id)) if raw_id not in (None, "") else default_id
    meta = {k: obj[k] for k in JSONL_META_KEYS if obj.get(k) not in (None, "")}
    extra = obj.get("meta")
    if isinstance(extra, dict):
        meta = {**extra, **meta}
    text, html = obj.get("text"), obj.get("html")
    if isinstance(text, str):
        article = Article(text=text, id=art_id, source=source, title=obj.get("title"), meta=meta)
    elif isinstance(html, str):
        article = article_from_html(html, id=art_id, source=source, meta=meta)
        if obj.get("title"):
            article.title = obj["title"]
    else:
        raise InputError("record has no 'text' or 'html' string field", "no-text")
    limits.check_text(article.text)
    return article
