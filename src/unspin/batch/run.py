"""``run_batch``: the loop behind ``unspin analyze`` and ``unspin.analyze_paths``.

Invariant: ``ok + failed == read``. An input that cannot be read is a failure
with its reason; an article on which a stage fails is written out with its
diagnostics *and* counted as failed (reason ``analysis-error``).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..ingest import DEFAULT_LIMITS, Failure, Limits, read_paths
from ..model import Analysis, Article
from ..pipeline import Engine


@dataclass
class BatchResult:
    read: int = 0
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 0 if self.failed == 0 else 1

    def summary(self) -> str:
        rate = f", {self.read / self.seconds:.1f} articles/s" if self.seconds > 0 and self.read else ""
        why = ""
        if self.reasons:
            why = " (" + ", ".join(f"{k}: {v}" for k, v in sorted(self.reasons.items())) + ")"
        return f"read {self.read} / ok {self.ok} / failed {self.failed}{why} in {self.seconds:.1f}s{rate}"


def run_batch(
    paths: Iterable[str],
    engine: Engine,
    on_analysis: Callable[[Analysis], None],
    on_failure: Callable[[Failure], None] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    encoding: str | None = None,
    progress=None,
    stdin=None,
) -> BatchResult:
    """Analyse every article reachable from ``paths``; call back with each result in input order."""
    result = BatchResult()
    started = time.perf_counter()

    def fail(f: Failure) -> None:
        result.failed += 1
        result.reasons[f.reason] = result.reasons.get(f.reason, 0) + 1
        if on_failure:
            on_failure(f)

    def articles() -> Iterator[Article]:
        for item in read_paths(paths, limits=limits, encoding=encoding, stdin=stdin):
            result.read += 1
            if isinstance(item, Failure):
                fail(item)
                if progress is not None:
                    progress.update(1)
            else:
                yield item

    for analysis in engine.analyze_many(articles()):
        try:
            on_analysis(analysis)
        except (BrokenPipeError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - an output bug costs this article only
            fail(Failure(analysis.article.source or analysis.id, "output-error",
                         f"could not write the result: {type(exc).__name__}: {exc}", analysis.id))
        else:
            if analysis.ok:
                result.ok += 1
            else:
                errors = "; ".join(d.message for d in analysis.diagnostics if d.level == "error")
                fail(Failure(analysis.article.source or analysis.id, "analysis-error", errors, analysis.id))
        if progress is not None:
            progress.update(1)
    result.seconds = time.perf_counter() - started
    return result


class FailureLog:
    """Appends failures as JSON lines to a file (``--errors FILE``)."""

    def __init__(self, path: str):
        self._fh = open(path, "w", encoding="utf-8")

    def __call__(self, failure: Failure) -> None:
        self._fh.write(json.dumps(failure.to_json(), ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()
