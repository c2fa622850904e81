"""Self-validating training configs: one error that names every bad setting."""
from __future__ import annotations

from ..errors import UsageError


def require(cfg, checks: dict[str, bool], what: str = "training config") -> None:
    """Raise a :class:`~unspin.errors.UsageError` naming each field of ``cfg`` whose check failed."""
    wrong = [k for k, ok in checks.items() if not ok]
    if wrong:
        raise UsageError(f"bad {what}: " + ", ".join(f"{k}={getattr(cfg, k)!r}" for k in wrong))
