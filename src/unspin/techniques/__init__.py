"""Persuasion techniques: the native taxonomy, label mappings between corpora, and scoring.

Importing this package loads no model: :mod:`.taxonomy` and :mod:`.labelmaps` are
plain tables, :mod:`.scoring` is the SemEval-2020 task 11 span scorer.
"""

from .taxonomy import (
    CATEGORIES,
    NAMES,
    TECHNIQUES,
    Technique,
    by_category,
    from_nlp4if,
    from_ptc,
    from_semeval2021,
    from_semeval2023,
    get,
    to_nlp4if,
    to_ptc,
    to_semeval2021,
)

__all__ = [
    "CATEGORIES",
    "NAMES",
    "TECHNIQUES",
    "Technique",
    "by_category",
    "get",
    "from_nlp4if",
    "from_ptc",
    "from_semeval2021",
    "from_semeval2023",
    "to_nlp4if",
    "to_ptc",
    "to_semeval2021",
]
