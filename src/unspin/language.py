"""A tiny, dependency-free guess of an article's language from function words.

Good enough to warn that a non-English article is being analysed with the
English pipeline; not a general language identifier.
"""
from __future__ import annotations

import re

_WORDS = {
    "en": "the of and to in is that for it was on with as he be by at are this have from not but they his",
    "fr": "le la les de des et est un une que qui dans pour pas sur au du il elle sont avec ce cette à été où déjà",
    "de": "der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es sie über daß dass",
    "it": "il lo la gli le di che è e un una per non sono con del della nel si da anche come",
    "es": "el la los las de y que en un una es por con para no se del al lo su como más está también",
    "pl": "i w na z że nie się do to jest jak o po co tak za od ale przez dla już może być",
    "ru": "и в не на что с по как это он из за то но так же от все она для",
    "pt": "o a os as de e que em um uma é do da não para com por se no na",
}
_SETS = {lang: set(words.split()) for lang, words in _WORDS.items()}
_ALL = set().union(*_SETS.values())
_TOKEN = re.compile(r"\w+", re.UNICODE)


def function_word_hits(text: str, sample: int = 4000) -> int:
    """How many tokens of ``text`` are function words of a known language (decoding plausibility)."""
    return sum(1 for t in _TOKEN.findall(text[:sample].lower()) if t in _ALL)


def guess_language(text: str, sample: int = 4000) -> str | None:
    """ISO 639-1 code of the likeliest language, or None when too little text."""
    tokens = _TOKEN.findall(text[:sample].lower())
    if len(tokens) < 8:
        return None
    scores = {lang: sum(1 for t in tokens if t in words) for lang, words in _SETS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] >= max(2, 0.05 * len(tokens)) else None
