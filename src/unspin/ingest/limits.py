"""Size limits that protect a batch from one oversized input."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError, UsageError


@dataclass(frozen=True)
class Limits:
    """``max_bytes`` caps a file read from disk; ``max_chars`` the article text.

    The defaults are far above any news article (2 million characters is about
    350,000 words) and keep one stray data dump from filling memory.
    """

    max_bytes: int = 20_000_000
    max_chars: int = 2_000_000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_chars"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise UsageError(f"Limits.{name} must be a positive integer, got {value!r}")

    def check_text(self, text: str) -> None:
        if not text:
            raise InputError("empty input: no text to analyse", "empty")
        if not text.strip() or not text.strip("\ufeff\u200b\u00a0 \t\r\n"):
            raise InputError("no text to analyse: the input holds only whitespace", "empty")
        if len(text) > self.max_chars:
            raise InputError(
                f"text too long: {len(text):,} characters, over the limit of {self.max_chars:,}; "
                "split it into articles or raise the limit (--max-chars)",
                "too-large",
            )

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise InputError(
                f"file too large: {size:,} bytes, over the limit of {self.max_bytes:,}; "
                "split it or raise the limit (--max-bytes)",
                "too-large",
            )


DEFAULT_LIMITS = Limits()
