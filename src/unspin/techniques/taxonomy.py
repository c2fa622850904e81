"""unspin's native technique labels: the 23 persuasion techniques of SemEval-2023 task 3.

Each :class:`Technique` has a native ``name`` (spelt exactly as in the SemEval-2023
``techniques_subtask3.txt``), one of six ``category`` names (the grouping of the
SemEval-2023 task paper), a human ``title``, a short ``definition`` and an invented
``example``. :func:`get` looks a technique up by its native name or by any label of
the other corpora (PTC-2020, NLP4IF-2019, SemEval-2021 memes), case-insensitively.

The label tables that translate between corpora live in
:mod:`unspin.techniques.labelmaps` and are re-exported here; ``docs/techniques.md``
is generated from both modules by :mod:`unspin.techniques.docs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UsageError
from .labelmaps import (
    NATIVE_TO_NLP4IF,
    NATIVE_TO_PTC,
    NATIVE_TO_SEMEVAL2021,
    NLP4IF_LABELS,
    NLP4IF_TO_NATIVE,
    PTC_LABELS,
    PTC_TO_NATIVE,
    SEMEVAL2021_LABELS,
    SEMEVAL2021_TO_NATIVE,
    SEMEVAL2023_MISSPELLINGS,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_TITLES",
    "NAMES",
    "TECHNIQUES",
    "Technique",
    "by_category",
    "get",
    "normalize_key",
    "from_nlp4if",
    "from_ptc",
    "from_semeval2021",
    "from_semeval2023",
    "to_nlp4if",
    "to_ptc",
    "to_semeval2021",
    "NATIVE_TO_NLP4IF",
    "NATIVE_TO_PTC",
    "NATIVE_TO_SEMEVAL2021",
    "NLP4IF_LABELS",
    "NLP4IF_TO_NATIVE",
    "PTC_LABELS",
    "PTC_TO_NATIVE",
    "SEMEVAL2021_LABELS",
    "SEMEVAL2021_TO_NATIVE",
]

#: The six categories, in the order of the SemEval-2023 task paper.
CATEGORIES: tuple[str, ...] = (
    "attack_on_reputation",
    "justification",
    "simplification",
    "distraction",
    "call",
    "manipulative_wording",
)

CATEGORY_TITLES: dict[str, str] = {
    "attack_on_reputation": "Attack on reputation",
    "justification": "Justification",
    "simplification": "Simplification",
    "distraction": "Distraction",
    "call": "Call",
    "manipulative_wording": "Manipulative wording",
}


@dataclass(frozen=True)
class Technique:
    """One persuasion technique: native ``name``, ``category`` and documentation."""

    name: str
    category: str
    title: str
    definition: str
    example: str

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise UsageError(f"unknown category {self.category!r} for {self.name}; use one of {CATEGORIES}")


_A, _J, _S, _D, _C, _M = CATEGORIES

#: All 23 techniques, grouped by category in paper order.
TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "Name_Calling-Labeling",
        _A,
        "Name calling / labelling",
        "Pins an insulting or admiring label on a person, group or idea so that readers react to the "
        "label rather than to what the target said or did.",
        "The so-called reformers on the council, a gang of career wreckers, have struck again.",
    ),
    Technique(
        "Guilt_by_Association",
        _A,
        "Guilt by association",
        "Discredits a person or idea by linking it to someone or something the audience already "
        "despises, such as a hated regime, group or figure.",
        "That is exactly the zoning rule the old junta used, so no wonder the mayor likes it.",
    ),
    Technique(
        "Doubt",
        _A,
        "Casting doubt",
        "Questions the credibility, competence or motives of a target without giving evidence, leaving "
        "readers to fill in the suspicion themselves.",
        "Can we really trust a minister who changes her mind every other week?",
    ),
    Technique(
        "Appeal_to_Hypocrisy",
        _A,
        "Appeal to hypocrisy (tu quoque)",
        "Attacks the target's standing by charging them with inconsistency or hypocrisy, instead of "
        "engaging with the position they hold.",
        "The senator lectures us on saving energy, yet flies to every meeting in a private jet.",
    ),
    Technique(
        "Questioning_the_Reputation",
        _A,
        "Questioning the reputation",
        "Undermines the character or moral standing of a target with negative, often unsupported claims "
        "about them as a person rather than about their argument.",
        "Everyone in town knows the new director has never kept a promise in his life.",
    ),
    Technique(
        "Flag_Waving",
        _J,
        "Flag waving",
        "Justifies an idea by appealing to pride in a group (nation, party, faith) or by claiming that it "
        "serves that group's interest.",
        "Every true patriot will stand behind the new harbour tax.",
    ),
    Technique(
        "Appeal_to_Authority",
        _J,
        "Appeal to authority",
        "Treats a claim as true because an expert, institution or celebrity endorses it, offering that "
        "endorsement in place of supporting evidence.",
        "A Nobel laureate praised the diet, so there is nothing left to discuss.",
    ),
    Technique(
        "Appeal_to_Popularity",
        _J,
        "Appeal to popularity (bandwagon)",
        "Argues that something is right or should be done because many or most people already believe or do it.",
        "Millions of families have already switched, so why are you still waiting?",
    ),
    Technique(
        "Appeal_to_Values",
        _J,
        "Appeal to values",
        "Promotes an idea by tying it to values the audience holds dear, such as freedom, tradition or "
        "fairness, without showing how it actually serves them.",
        "In the end this bill is about one thing only: our freedom.",
    ),
    Technique(
        "Appeal_to_Fear-Prejudice",
        _J,
        "Appeal to fear / prejudice",
        "Builds support for an idea, or against its alternative, by stirring up fear, anxiety or an "
        "existing prejudice in the audience.",
        "If the bridge plan fails, gangs will pour into our quiet streets within a month.",
    ),
    Technique(
        "Causal_Oversimplification",
        _S,
        "Causal oversimplification",
        "Assigns a single cause to an outcome that has several, or blames one factor for a complex situation.",
        "Bread prices went up for one reason only: the new mayor.",
    ),
    Technique(
        "False_Dilemma-No_Choice",
        _S,
        "False dilemma / no choice",
        "Presents two options as the only possible ones when others exist, or presents one option as the "
        "only choice left.",
        "Either we close the library or the whole town goes bankrupt.",
    ),
    Technique(
        "Consequential_Oversimplification",
        _S,
        "Consequential oversimplification (slippery slope)",
        "Claims that a first step will inevitably set off a chain of ever worse consequences, without "
        "showing why each step must follow.",
        "Ban fireworks today and tomorrow they will come for our birthday candles.",
    ),
    Technique(
        "Straw_Man",
        _D,
        "Straw man",
        "Replaces an opponent's actual position with a distorted, weaker version and then attacks that "
        "version instead.",
        "My opponent wants a few bike lanes, which means she wants to take away everyone's car.",
    ),
    Technique(
        "Red_Herring",
        _D,
        "Red herring",
        "Brings in an irrelevant topic to pull attention away from the issue under discussion.",
        "Why fuss over the water report when our team has just won the cup?",
    ),
    Technique(
        "Whataboutism",
        _D,
        "Whataboutism",
        "Deflects a criticism by pointing at some other wrongdoing, typically the critic's own, instead of "
        "answering it.",
        "You ask about our budget overrun, but what about the scandal in the next county?",
    ),
    Technique(
        "Slogans",
        _C,
        "Slogans",
        "Uses a short, punchy phrase, often built on labels or stereotypes, in place of an argument.",
        "Clean streets, safe streets!",
    ),
    Technique(
        "Conversation_Killer",
        _C,
        "Conversation killer (thought-terminating cliché)",
        "Uses a platitude or dismissive phrase that discourages further thought and closes the discussion.",
        "It is what it is, and that is all there is to say.",
    ),
    Technique(
        "Appeal_to_Time",
        _C,
        "Appeal to time",
        "Pushes for action by claiming that the right moment has come or that time is running out.",
        "The window is closing: act tonight or lose the chance for good.",
    ),
    Technique(
        "Loaded_Language",
        _M,
        "Loaded language",
        "Uses words and phrases with strong emotional overtones to sway the reader's attitude.",
        "The council's reckless, disastrous scheme is bleeding the town dry.",
    ),
    Technique(
        "Obfuscation-Vagueness-Confusion",
        _M,
        "Obfuscation / vagueness / confusion",
        "Uses deliberately unclear wording so that readers may take it as they wish or so that no firm "
        "claim is ever made.",
        "Certain measures may be taken in due course, as and where appropriate.",
    ),
    Technique(
        "Exaggeration-Minimisation",
        _M,
        "Exaggeration / minimisation",
        "Represents something as much larger, better or worse than it is, or plays down its importance.",
        "This is the worst decision in the history of humankind.",
    ),
    Technique(
        "Repetition",
        _M,
        "Repetition",
        "Repeats the same word, phrase or message again and again so that the audience comes to accept it.",
        "We will rebuild. We will rebuild. Believe me, we will rebuild.",
    ),
)

#: Native names in :data:`TECHNIQUES` order.
NAMES: tuple[str, ...] = tuple(t.name for t in TECHNIQUES)

_BY_NAME: dict[str, Technique] = {t.name: t for t in TECHNIQUES}


def normalize_key(label: str) -> str:
    """Case-fold ``label`` and treat runs of blanks, ``_`` and ``-`` alike (lookup key)."""
    return re.sub(r"[\s_\-]+", "_", label.strip().casefold())


def _keyed(table: dict[str, str | None]) -> dict[str, str | None]:
    return {normalize_key(k): v for k, v in table.items()}


_NATIVE_KEYS = _keyed({n: n for n in NAMES})
_PTC_KEYS = _keyed(PTC_TO_NATIVE)
_NLP4IF_KEYS = _keyed(NLP4IF_TO_NATIVE)
_SEMEVAL2021_KEYS = _keyed(SEMEVAL2021_TO_NATIVE)
_SEMEVAL2023_KEYS = _keyed({**{n: n for n in NAMES}, **SEMEVAL2023_MISSPELLINGS})

# get(): native names win over aliases, then SemEval-2023 spellings, PTC, NLP4IF, memes.
_ALIASES: dict[str, str] = {}
for _table in (_NATIVE_KEYS, _SEMEVAL2023_KEYS, _PTC_KEYS, _NLP4IF_KEYS, _SEMEVAL2021_KEYS):
    for _k, _v in _table.items():
        if _v is not None:
            _ALIASES.setdefault(_k, _v)


def _lookup(label: str, keys: dict[str, str | None], valid: tuple[str, ...], scheme: str) -> str:
    if not isinstance(label, str):
        raise UsageError(f"a technique label must be a str, got {type(label).__name__}")
    key = normalize_key(label)
    if key in keys and keys[key] is not None:
        return keys[key]  # type: ignore[return-value]
    raise UsageError(f"unknown {scheme} technique label {label!r}; valid labels: {', '.join(valid)}")


def get(name: str) -> Technique:
    """The technique called ``name``.

    Accepts native names and the labels of PTC-2020, NLP4IF-2019 and SemEval-2021,
    case-insensitively (blanks, ``_`` and ``-`` count as the same separator). A
    native name always wins: ``get("Whataboutism")`` is native Whataboutism, even
    though NLP4IF's ``Whataboutism`` converts to Appeal_to_Hypocrisy with
    :func:`from_nlp4if`. Raises :class:`~unspin.errors.UsageError` listing the
    native names when nothing matches.
    """
    if isinstance(name, Technique):
        return name
    if not isinstance(name, str):
        raise UsageError(f"a technique name must be a str, got {type(name).__name__}")
    native = _ALIASES.get(normalize_key(name))
    if native is None:
        raise UsageError(
            f"unknown technique {name!r}; valid native names: {', '.join(NAMES)} "
            "(PTC-2020, NLP4IF-2019 and SemEval-2021 labels are accepted too; see docs/techniques.md)"
        )
    return _BY_NAME[native]


def by_category(category: str) -> tuple[Technique, ...]:
    """The techniques of one category, in :data:`TECHNIQUES` order."""
    if category not in CATEGORIES:
        raise UsageError(f"unknown category {category!r}; valid categories: {', '.join(CATEGORIES)}")
    return tuple(t for t in TECHNIQUES if t.category == category)


def _native(native: str) -> str:
    return _lookup(native, _NATIVE_KEYS, NAMES, "native")


def to_ptc(native: str) -> str | None:
    """The PTC-2020 (14-label) counterpart of a native technique, or ``None`` when PTC has none."""
    return NATIVE_TO_PTC[_native(native)]


def from_ptc(label: str) -> str:
    """The native technique for a PTC-2020 label (merged classes: the most frequent member)."""
    return _lookup(label, _PTC_KEYS, PTC_LABELS, "PTC-2020")


def to_nlp4if(native: str) -> str | None:
    """The NLP4IF-2019 (18-label) counterpart of a native technique, or ``None``."""
    return NATIVE_TO_NLP4IF[_native(native)]


def from_nlp4if(label: str) -> str:
    """The native technique for an NLP4IF-2019 label."""
    return _lookup(label, _NLP4IF_KEYS, NLP4IF_LABELS, "NLP4IF-2019")


def to_semeval2021(native: str) -> str | None:
    """The SemEval-2021 task 6 (20-label) counterpart of a native technique, or ``None``."""
    return NATIVE_TO_SEMEVAL2021[_native(native)]


def from_semeval2021(label: str) -> str:
    """The native technique for a SemEval-2021 task 6 meme label."""
    return _lookup(label, _SEMEVAL2021_KEYS, SEMEVAL2021_LABELS, "SemEval-2021")


def from_semeval2023(label: str) -> str:
    """The native technique for a SemEval-2023 label (the same names, plus known misspellings)."""
    return _lookup(label, _SEMEVAL2023_KEYS, NAMES, "SemEval-2023")
