"""HTML pages to articles: main text, title, author, date and site via trafilatura."""
from __future__ import annotations

import warnings

from ..errors import InputError
from ..model import Article


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<head" in head


def article_from_html(html: str, *, id: str, source: str | None, meta: dict | None = None) -> Article:
    """Extract the main text; HTML without main text raises ``InputError``.

    Offsets of every layer index the extracted text (``Article.text``); the
    page itself is not kept.
    """
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = trafilatura.bare_extraction(
                html, with_metadata=True, include_comments=False, include_tables=False
            )
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken pages
        raise InputError(f"HTML could not be parsed: {type(exc).__name__}: {exc}", "bad-html") from exc
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise InputError("HTML has no main text (navigation, scripts or an empty page only)", "no-main-text")
    merged = {k: v for k, v in {
        "author": doc.author,
        "date": doc.date,
        "site": doc.sitename or doc.hostname,
        "url": doc.url,
    }.items() if v}
    merged.update(meta or {})
    return Article(text=text, id=id, source=source, title=doc.title, meta=merged)
