"""Tests of the native technique taxonomy and the label tables between corpora."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from unspin.errors import UsageError
from unspin.techniques import docs, labelmaps, taxonomy
from unspin.techniques.taxonomy import (
    CATEGORIES,
    NAMES,
    TECHNIQUES,
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

# techniques_subtask3.txt of SemEval-2023 task 3, in file order.
SEMEVAL2023_NAMES = (
    "Appeal_to_Authority Appeal_to_Popularity Appeal_to_Values Appeal_to_Fear-Prejudice Flag_Waving "
    "Causal_Oversimplification False_Dilemma-No_Choice Consequential_Oversimplification Straw_Man "
    "Red_Herring Whataboutism Slogans Appeal_to_Time Conversation_Killer Loaded_Language Repetition "
    "Exaggeration-Minimisation Obfuscation-Vagueness-Confusion Name_Calling-Labeling Doubt "
    "Guilt_by_Association Appeal_to_Hypocrisy Questioning_the_Reputation"
).split()

PAPER_GROUPS = {
    "attack_on_reputation": [
        "Name_Calling-Labeling",
        "Guilt_by_Association",
        "Doubt",
        "Appeal_to_Hypocrisy",
        "Questioning_the_Reputation",
    ],
    "justification": [
        "Flag_Waving",
        "Appeal_to_Authority",
        "Appeal_to_Popularity",
        "Appeal_to_Values",
        "Appeal_to_Fear-Prejudice",
    ],
    "simplification": ["Causal_Oversimplification", "False_Dilemma-No_Choice", "Consequential_Oversimplification"],
    "distraction": ["Straw_Man", "Red_Herring", "Whataboutism"],
    "call": ["Slogans", "Conversation_Killer", "Appeal_to_Time"],
    "manipulative_wording": [
        "Loaded_Language",
        "Obfuscation-Vagueness-Confusion",
        "Exaggeration-Minimisation",
        "Repetition",
    ],
}


def test_taxonomy_has_the_23_semeval2023_names():
    assert len(TECHNIQUES) == 23
    assert sorted(NAMES) == sorted(SEMEVAL2023_NAMES)


@pytest.mark.parametrize("category,names", sorted(PAPER_GROUPS.items()))
def test_taxonomy_category_follows_task_paper(category, names):
    assert [t.name for t in by_category(category)] == names


def test_taxonomy_techniques_are_frozen_and_documented():
    t = get("Doubt")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.name = "x"  # type: ignore[misc]
    for t in TECHNIQUES:
        assert t.category in CATEGORIES
        assert t.title and t.definition.endswith(".") and t.example
        assert 40 < len(t.definition) < 300
    assert len({t.example for t in TECHNIQUES}) == 23


@pytest.mark.parametrize(
    "alias,native",
    [
        ("Loaded_Language", "Loaded_Language"),
        ("loaded language", "Loaded_Language"),
        ("NAME_CALLING,LABELING", "Name_Calling-Labeling"),
        ("Flag-Waving", "Flag_Waving"),
        ("Bandwagon,Reductio_ad_hitlerum", "Guilt_by_Association"),
        ("Whataboutism,Straw_Men,Red_Herring", "Red_Herring"),
        ("Thought-terminating_Cliches", "Conversation_Killer"),
        ("straw_men", "Straw_Man"),
        ("Obfuscation,Intentional_Vagueness,Confusion", "Obfuscation-Vagueness-Confusion"),
        ("Smears", "Questioning_the_Reputation"),
        ("Glittering generalities (Virtue)", "Appeal_to_Values"),
        ("black-and-white fallacy/dictatorship", "False_Dilemma-No_Choice"),
        ("Thought-terminating cliché", "Conversation_Killer"),
        ("Whataboutism", "Whataboutism"),  # the native name wins over the NLP4IF/2021 alias
        ("Appeal_to_Fear-Prejudi-čce", "Appeal_to_Fear-Prejudice"),
    ],
)
def test_get_accepts_aliases_case_insensitively(alias, native):
    assert get(alias).name == native


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(UsageError) as err:
        get("Propaganda")
    msg = str(err.value)
    assert "'Propaganda'" in msg and "Loaded_Language" in msg and "Appeal_to_Time" in msg


def test_get_rejects_non_strings():
    with pytest.raises(UsageError):
        get(3)  # type: ignore[arg-type]


def test_by_category_unknown_raises():
    with pytest.raises(UsageError, match="attack_on_reputation"):
        by_category("nonsense")


@pytest.mark.parametrize(
    "table,keys,values",
    [
        (labelmaps.NATIVE_TO_PTC, NAMES, labelmaps.PTC_LABELS),
        (labelmaps.NATIVE_TO_NLP4IF, NAMES, labelmaps.NLP4IF_LABELS),
        (labelmaps.NATIVE_TO_SEMEVAL2021, NAMES, labelmaps.SEMEVAL2021_LABELS),
        (labelmaps.PTC_TO_NATIVE, labelmaps.PTC_LABELS, NAMES),
        (labelmaps.NLP4IF_TO_NATIVE, labelmaps.NLP4IF_LABELS, NAMES),
        (labelmaps.SEMEVAL2021_TO_NATIVE, labelmaps.SEMEVAL2021_LABELS, NAMES),
    ],
)
def test_labelmaps_are_total_and_closed(table, keys, values):
    assert set(table) == set(keys)
    assert all(v is None or v in values for v in table.values())


def test_labelmaps_label_set_sizes():
    assert len(labelmaps.PTC_LABELS) == 14
    assert len(labelmaps.NLP4IF_LABELS) == 18
    assert len(labelmaps.SEMEVAL2021_LABELS) == 20


def test_to_ptc_none_only_for_techniques_ptc_lacks():
    missing = {n for n in NAMES if to_ptc(n) is None}
    assert missing == {
        "Questioning_the_Reputation",
        "Appeal_to_Values",
        "Consequential_Oversimplification",
        "Appeal_to_Time",
        "Obfuscation-Vagueness-Confusion",
    }


@pytest.mark.parametrize("label", labelmaps.PTC_LABELS)
def test_ptc_labels_round_trip(label):
    assert to_ptc(from_ptc(label)) == label


@pytest.mark.parametrize("label", labelmaps.NLP4IF_LABELS)
def test_nlp4if_labels_round_trip(label):
    assert to_nlp4if(from_nlp4if(label)) == label


@pytest.mark.parametrize("label", labelmaps.SEMEVAL2021_LABELS)
def test_semeval2021_labels_round_trip(label):
    assert to_semeval2021(from_semeval2021(label)) == label


@pytest.mark.parametrize(
    "convert,label,native",
    [
        (from_ptc, "Whataboutism,Straw_Men,Red_Herring", "Red_Herring"),
        (from_ptc, "Bandwagon,Reductio_ad_hitlerum", "Guilt_by_Association"),
        (from_nlp4if, "Whataboutism", "Appeal_to_Hypocrisy"),
        (from_nlp4if, "Reductio_ad_hitlerum", "Guilt_by_Association"),
        (from_nlp4if, "Bandwagon", "Appeal_to_Popularity"),
        (from_semeval2021, "Whataboutism", "Appeal_to_Hypocrisy"),
        (from_semeval2021, "Smears", "Questioning_the_Reputation"),
        (from_semeval2021, "Presenting Irrelevant Data (Red Herring)", "Red_Herring"),
        (from_semeval2023, "Appeal_to_Fear-Prejudi-čce", "Appeal_to_Fear-Prejudice"),
        (from_semeval2023, "Straw_Man", "Straw_Man"),
    ],
)
def test_from_corpus_label_decisions(convert, label, native):
    assert convert(label) == native


def test_from_ptc_rejects_labels_of_other_schemes():
    with pytest.raises(UsageError) as err:
        from_ptc("Smears")
    assert "PTC-2020" in str(err.value) and "Black-and-White_Fallacy" in str(err.value)


def test_to_ptc_rejects_non_native_names():
    with pytest.raises(UsageError):
        to_ptc("Black-and-White_Fallacy")


def test_docs_page_is_current():
    page = Path(__file__).resolve().parents[2] / "docs" / "techniques.md"
    assert page.read_text(encoding="utf-8") == docs.render(), (
        "docs/techniques.md is stale: run PYTHONPATH=src python -m unspin.techniques.docs > docs/techniques.md"
    )


def test_taxonomy_module_reexports_tables():
    assert taxonomy.PTC_TO_NATIVE is labelmaps.PTC_TO_NATIVE
