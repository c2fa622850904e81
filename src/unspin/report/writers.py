"""Writers for json, jsonl, text, ptc and html output, to stdout, a file or a directory."""
from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path
from typing import TextIO

from ..errors import UsageError
from ..model import Analysis

FORMATS = ("text", "json", "jsonl", "ptc", "html")
_SUFFIX = {"text": ".txt", "json": ".json", "jsonl": ".jsonl", "ptc": ".txt", "html": ".html"}
_UNSAFE = re.compile(r"[^\w.\-]+")


class Writer:
    """Base writer: ``write(analysis)`` for each article, then ``close()``."""

    def __init__(self, stream: TextIO, owned: bool):
        self.stream, self._owned, self.count = stream, owned, 0

    def write(self, analysis: Analysis) -> None:
        self._write(analysis)
        self.count += 1

    def _write(self, analysis: Analysis) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        self._finish()
        self.stream.flush()
        if self._owned:
            self.stream.close()

    def _finish(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class JsonWriter(Writer):
    """Pretty ``unspin/1`` documents, one after another (``jq`` reads such a stream)."""

    def _write(self, analysis: Analysis) -> None:
        if self.count:
            self.stream.write("\n")
        self.stream.write(analysis.dumps(indent=2))
        self.stream.write("\n")


class JsonlWriter(Writer):
    def _write(self, analysis: Analysis) -> None:
        self.stream.write(analysis.dumps())
        self.stream.write("\n")


class TextWriter(Writer):
    def _write(self, analysis: Analysis) -> None:
        from .text import render_text

        if self.count:
            self.stream.write("\n" + "=" * 72 + "\n\n")
        self.stream.write(render_text(analysis))


class PtcWriter(Writer):
    def _write(self, analysis: Analysis) -> None:
        from .ptc import ptc_lines

        for line in ptc_lines(analysis):
            self.stream.write(line + "\n")


class HtmlWriter(Writer):
    def __init__(self, stream: TextIO, owned: bool):
        super().__init__(stream, owned)
        self._started = False

    def _write(self, analysis: Analysis) -> None:
        from .html import html_article, html_head

        if not self._started:
            self.stream.write(html_head())
            self._started = True
        self.stream.write(html_article(analysis, self.count))

    def _finish(self) -> None:
        from .html import html_foot, html_head

        if not self._started:
            self.stream.write(html_head())
        self.stream.write(html_foot())


_WRITERS = {"json": JsonWriter, "jsonl": JsonlWriter, "text": TextWriter, "ptc": PtcWriter, "html": HtmlWriter}


class DirectoryWriter(Writer):
    """One file per article, named after its id, in directory ``root``."""

    def __init__(self, fmt: str, root: Path):
        super().__init__(io.StringIO(), owned=False)
        self.fmt, self.root, self._names = fmt, root, set()
        root.mkdir(parents=True, exist_ok=True)

    def _write(self, analysis: Analysis) -> None:
        base = _UNSAFE.sub("_", analysis.id).strip("._") or "article"
        name, n = base, 1
        while name in self._names:
            n += 1
            name = f"{base}-{n}"
        self._names.add(name)
        path = self.root / (name + _SUFFIX[self.fmt])
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = _WRITERS[self.fmt](fh, owned=False)
            writer.write(analysis)
            writer.close()


def open_writer(fmt: str, out: str | None = None, stdout: TextIO | None = None) -> Writer:
    """A writer for ``fmt`` to stdout (``out`` None or ``-``), a file, or a directory
    (``out`` an existing directory or ending with ``/``: one file per article)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if out is None or out == "-":
        return _WRITERS[fmt](stdout or sys.stdout, owned=False)
    if out.endswith(("/", os.sep)) or Path(out).is_dir():
        return DirectoryWriter(fmt, Path(out))
    parent = Path(out).parent
    if not parent.exists():
        raise UsageError(f"cannot write {out}: directory {parent} does not exist")
    try:
        fh = open(out, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}") from exc
    return _WRITERS[fmt](fh, owned=True)
