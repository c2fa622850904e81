"""Errors unspin raises for a caller's mistake. Each message says how to fix it.

Flaws inside one article never raise: they become diagnostics on that article
(see :class:`unspin.model.Diagnostic`) or, in batch runs, recorded failures.
"""


class UnspinError(Exception):
    """Base class of every error unspin raises on purpose."""

    code = "E000"

    def __str__(self) -> str:  # "[E101] message"
        return f"[{self.code}] {super().__str__()}"


class UsageError(UnspinError, ValueError):
    """A caller passed something unspin cannot use (bad argument, bad option)."""

    code = "E100"


class FormatError(UnspinError, ValueError):
    """A document does not follow a format unspin reads (unspin/1 JSON, JSONL, ...)."""

    code = "E200"


class InputError(UnspinError):
    """One input (file, JSONL line, stdin) cannot be read as an article.

    In batch runs this becomes a recorded failure; ``reason`` is a short code.
    """

    code = "E300"

    def __init__(self, message: str, reason: str = "unreadable"):
        super().__init__(message)
        self.reason = reason


class ModelError(UnspinError, RuntimeError):
    """A model or resource unspin needs is missing or broken."""

    code = "E400"
