"""Turn the bytes of a file into article text without moving any offset.

UTF-8 is read as is: no newline translation and no BOM stripping, so offsets
index exactly what ``open(path, encoding="utf-8", newline="")`` gives. Other
encodings are detected (UTF-16/32 by their BOM, legacy 8-bit code pages with
charset-normalizer) and decoded, with a diagnostic saying so; anything that is
binary or broken UTF-8 raises :class:`InputError` with the reason.
"""
from __future__ import annotations

import codecs

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_OK = {9, 10, 12, 13, 27}


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB mean a binary file."""
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in _CONTROL_OK)
    return controls / len(head) > 0.05


def _mostly_utf8(data: bytes) -> bool:
    """True when well-formed UTF-8 multi-byte characters clearly outnumber the bad bytes:
    broken UTF-8 rather than another encoding."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good >= 3 * max(bad, 1)


def _misfit_symbols(text: str) -> int:
    """Symbols glued to letters (``powiedzia³``, ``¿e``): the mark of a wrong code page."""
    n = 0
    for i, ch in enumerate(text):
        if ord(ch) > 127 and not ch.isalpha() and not ch.isspace():
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if before.isalpha() or after.isalpha():
                n += 1
    return n


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text; returns ``(text, encoding_used)``.

    ``encoding`` forces a codec (an unknown name raises ``InputError``).
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError as exc:
            raise InputError(f"unknown encoding {encoding!r}; use a Python codec name such as utf-8 or cp1252",
                             "bad-encoding") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot decode as {encoding}: {exc.reason} at byte {exc.start}",
                             "bad-encoding") from exc
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                # keep the BOM as U+FEFF, like the UTF-8 reading does
                return data.decode(name + ("-le" if bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE) else "-be")), name
            except UnicodeDecodeError as exc:
                raise InputError(f"broken {name} text at byte {exc.start}", "bad-encoding") from exc
    if looks_binary(data):
        raise InputError("binary file (NUL or control bytes), not text; give a .txt, .html or .jsonl file",
                         "binary")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _mostly_utf8(data):
            raise InputError(
                f"invalid UTF-8 at byte {exc.start} ({exc.reason}) in otherwise UTF-8 text; "
                "repair the file or force a codec with --encoding",
                "invalid-utf8",
            ) from exc
        return _decode_legacy(data, exc)


#: 8-bit code pages tried besides charset-normalizer's guess; the decoding with the
#: most function words of a known language wins (cp1250 and cp1252 look alike
#: to byte statistics but not to words).
LEGACY_CANDIDATES = ("cp1252", "cp1250", "cp1251", "koi8_r", "iso8859_15")


def _decode_legacy(data: bytes, exc: UnicodeDecodeError) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    from ..language import function_word_hits

    best = from_bytes(data).best()
    guess = best.encoding if best is not None and best.chaos <= 0.2 else None
    decoded: list[tuple[int, int, str, str]] = []
    for rank, name in enumerate(([guess] if guess else []) + list(LEGACY_CANDIDATES)):
        if name in ("utf_8", "ascii") or any(name == d[3] for d in decoded):
            continue
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if any(0x80 <= ord(c) < 0xA0 for c in text):  # C1 controls: a wrong code page
            continue
        decoded.append((function_word_hits(text) - 2 * _misfit_symbols(text[:4000]), -rank, text, name))
    if not decoded or (guess is None and max(decoded)[0] <= 0):
        raise InputError(
            f"not UTF-8 (bad byte at {exc.start}) and no other text encoding fits; "
            "re-save the file as UTF-8 or force a codec with --encoding",
            "invalid-utf8",
        ) from exc
    _hits, _rank, text, name = max(decoded)
    return text, name
