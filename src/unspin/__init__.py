"""unspin: show how news and opinion articles work.

>>> import unspin
>>> analysis = unspin.analyze("The minister said the plan would cost $4 billion.")
>>> analysis.layers["entities"], analysis.to_json()["schema"]

``analyze`` and ``analyze_many`` take text or :class:`Article` objects;
``analyze_paths`` reads files like the CLI does. See docs/format.md for the
JSON format and README.md for the command line.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from .errors import FormatError, InputError, ModelError, UnspinError, UsageError
from .model import SCHEMA, Analysis, Article, Diagnostic, Span
from .pipeline import Engine, EngineConfig, analyze, analyze_many

__version__ = "0.1.0"

__all__ = [
    "SCHEMA", "Analysis", "Article", "Diagnostic", "Engine", "EngineConfig", "FormatError", "InputError",
    "ModelError", "Span", "UnspinError", "UsageError", "analyze", "analyze_many", "analyze_paths",
    "__version__",
]


def analyze_paths(paths: Iterable[str] | str, *, config: EngineConfig | None = None) -> Iterator:
    """Read and analyse files, directories, JSONL corpora (as ``unspin analyze`` does).

    Yields an :class:`Analysis` per article and an ``unspin.ingest.Failure``
    (with ``reason`` and ``message``) per input that could not be read.
    """
    from .ingest import Failure, read_paths
    from .pipeline import default_engine

    if isinstance(paths, str):
        paths = [paths]
    engine = default_engine(config)
    pending: list = []

    def articles():
        for item in read_paths(paths):
            if isinstance(item, Failure):
                pending.append(item)
            else:
                yield item

    for analysis in engine.analyze_many(articles()):
        while pending:
            yield pending.pop(0)
        yield analysis
    yield from pending
