"""What the CPU can do, in one line, for benchmarks, evaluations and model cards.

int8 and bfloat16 kernels differ between CPUs (AVX2 alone, AVX-512, VNNI, AMX): the
same int8 model gives slightly different probabilities and very different speeds on
them, so every measured figure names the CPU it was measured on.
"""
from __future__ import annotations

import contextlib
import functools
import os
import platform
import threading
from pathlib import Path

#: instruction-set extensions that change how fast (or how exactly) the models run
FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile", "amx_int8")


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux
        return ""


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The CPU's feature flags (Linux ``/proc/cpuinfo``; empty where it cannot be read)."""
    for line in (_cpuinfo() if cpuinfo is None else cpuinfo).splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def cpu_model(cpuinfo: str | None = None) -> str:
    for line in (_cpuinfo() if cpuinfo is None else cpuinfo).splitlines():
        if line.startswith("model name"):
            return " ".join(line.split(":", 1)[1].split())
    return platform.processor() or platform.machine() or "unknown CPU"


def cpu_summary(cpuinfo: str | None = None) -> str:
    """E.g. ``AMD EPYC, 2 cores; avx2 (no avx512f, avx512_vnni, avx_vnni, avx512_bf16, amx_tile, amx_int8)``."""
    cpuinfo = _cpuinfo() if cpuinfo is None else cpuinfo
    flags = cpu_flags(cpuinfo)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    head = f"{cpu_model(cpuinfo)}, {cores} cores"
    if not flags:
        return head
    has = [f for f in FEATURES if f in flags]
    lacks = [f for f in FEATURES if f not in flags]
    return f"{head}; " + (" ".join(has) or "none of these") + (f" (no {', '.join(lacks)})" if lacks else "")


def threads_setting() -> int:
    """Threads for each model run: ``UNSPIN_THREADS`` (default 1, one core per engine)."""
    return int(os.environ.get("UNSPIN_THREADS", "1"))


class _BlasCap:
    """Caps numpy's BLAS while any thread is inside :func:`blas_threads`: the first to enter sets
    the cap, the last to leave restores the caller's setting (threadpoolctl's limits are
    process-wide, so nested or concurrent analyses must not restore each other's)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._limiter = None

    @functools.cached_property
    def _controller(self):
        import numpy  # noqa: F401  loads its BLAS, so the controller finds it
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()

    @contextlib.contextmanager
    def __call__(self, threads: int):
        with self._lock:
            if self._depth == 0:
                self._limiter = self._controller.limit(limits=threads, user_api="blas")
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    self._limiter.restore_original_limits()
                    self._limiter = None


_BLAS_CAP = _BlasCap()


def blas_threads(threads: int | None = None):
    """A context in which numpy's BLAS (spaCy's matrix products, see
    :func:`unspin.pipeline.load_spacy`) uses at most ``threads`` threads, by default
    :func:`threads_setting`, as the onnxruntime sessions do: one engine, one core."""
    return _BLAS_CAP(threads or threads_setting())
