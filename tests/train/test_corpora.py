"""Tests of the corpus loaders on tiny invented fixture files (tests/train/fixtures/).

Tests marked ``data`` read the real corpora and skip when they are not present.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from unspin.errors import UsageError
from unspin.train import corpora
from unspin.train.corpora import (
    DataDirError,
    LabelledArticle,
    crlf_newlines,
    crlf_to_asis,
    load_nlp4if2019,
    load_ptc2020,
    load_semeval2021,
    load_semeval2023,
    load_technique_corpora,
    resolve_data_dir,
    split_by_article,
)

FIXTURES = Path(__file__).parent / "fixtures"


def by_id(records):
    return {r.id: r for r in records}


def texts(rec):
    return [(rec.text[s:e], native, original) for s, e, native, original in rec.spans]


def test_resolve_data_dir_missing_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("UNSPIN_DATA", raising=False)
    with pytest.raises(DataDirError, match="UNSPIN_DATA") as err:
        resolve_data_dir(tmp_path / "nowhere")
    assert isinstance(err.value, UsageError)


def test_resolve_data_dir_reads_environment(monkeypatch):
    monkeypatch.setenv("UNSPIN_DATA", str(FIXTURES))
    assert resolve_data_dir() == FIXTURES
    assert len(load_ptc2020()) == 2


def test_loader_missing_corpus_folder_names_it(tmp_path):
    with pytest.raises(DataDirError, match="ptc-semeval2020"):
        load_ptc2020(tmp_path)


def test_load_ptc2020_offsets_count_the_bom_and_labels_are_converted():
    recs = by_id(load_ptc2020(FIXTURES))
    assert set(recs) == {"100000001", "100000002"}
    a = recs["100000001"]
    assert a.text.startswith("\ufeff") and a.corpus == "ptc2020" and a.language == "en"
    assert texts(a) == [
        ("reckless", "Loaded_Language", "Loaded_Language"),
        ("council", "Guilt_by_Association", "Bandwagon,Reductio_ad_hitlerum"),
        ("wasted our money again", "Red_Herring", "Whataboutism,Straw_Men,Red_Herring"),
        ("Every true patriot knows this must stop", "Flag_Waving", "Flag-Waving"),
    ]
    assert recs["100000002"].spans == []


def test_load_nlp4if2019_skips_copies_and_repairs_out_of_range_spans():
    stats: Counter = Counter()
    recs = by_id(load_nlp4if2019(FIXTURES, stats))
    assert set(recs) == {"100000001", "100000003"}  # 1000000019 is a copy of 100000001
    assert stats["nlp4if2019: duplicate copies skipped"] == 1
    assert stats["nlp4if2019: spans clipped to the text end"] == 1
    assert stats["nlp4if2019: spans skipped (outside the text)"] == 1
    b = recs["100000003"]
    assert texts(b) == [
        ("What about the bridge?", "Appeal_to_Hypocrisy", "Whataboutism"),
        ("bridge?\n", "Loaded_Language", "Loaded_Language"),  # end clipped to len(text)
    ]
    assert texts(recs["100000001"]) == [("reckless council", "Name_Calling-Labeling", "Name_Calling,Labeling")]


def test_load_semeval2023_converts_crlf_offsets():
    recs = by_id(load_semeval2023(FIXTURES))
    crlf = recs["200001"]
    assert crlf.language == "it"
    assert texts(crlf) == [
        ("Prima riga del testo.\nLa", "Doubt", "Doubt"),
        ("vergognosa decisione", "Loaded_Language", "Loaded_Language"),
    ]


def test_load_semeval2023_fixes_misspelt_label_and_skips_outside_spans():
    stats: Counter = Counter()
    recs = by_id(load_semeval2023(FIXTURES, stats))
    assert texts(recs["200002"]) == [
        ("Sempre", "Appeal_to_Fear-Prejudice", "Appeal_to_Fear-Prejudi-čce"),
        ("Sempre la solita storia", "Conversation_Killer", "Conversation_Killer"),
    ]
    assert stats["semeval2023: spans skipped (outside the text)"] == 1
    assert texts(recs["100000004"]) == [("Millions already love it", "Appeal_to_Popularity", "Appeal_to_Popularity")]


def test_load_semeval2023_language_filter():
    recs = load_semeval2023(FIXTURES, languages=["en"])
    assert {r.language for r in recs} == {"en"} and len(recs) == 2
    with pytest.raises(UsageError, match="ge"):
        load_semeval2023(FIXTURES, languages=["de"])


@pytest.mark.parametrize("text", ["a\nb\n\ncd\n", "no newline", "\n\n\n", "x\ny"])
def test_crlf_to_asis_inverts_crlf_offsets(text):
    crlf = text.replace("\n", "\r\n")
    newlines = crlf_newlines(text)
    for i in range(len(text) + 1):
        j = i + text[:i].count("\n")  # where asis offset i lands in the CRLF text
        assert crlf_to_asis(j, newlines) == i
        assert crlf[:j].replace("\r\n", "\n") == text[:i]


def test_load_semeval2021_reads_train_and_dev():
    recs = by_id(load_semeval2021(FIXTURES))
    assert set(recs) == {"11", "12", "7_batch_2"}
    assert texts(recs["11"]) == [("THEY SAY ONE THING\n\nAND DO ANOTHER", "Appeal_to_Hypocrisy", "Whataboutism")]
    assert texts(recs["12"]) == [
        ("A total crook", "Questioning_the_Reputation", "Smears"),
        ("crook", "Name_Calling-Labeling", "Name calling/Labeling"),
    ]


def keys(records):
    return sorted(r.key for r in records)


def test_load_technique_corpora_keeps_first_listed_copy():
    stats: Counter = Counter()
    recs = load_technique_corpora(data_dir=FIXTURES, stats=stats)
    assert keys(recs) == [
        "nlp4if2019:en:100000003",
        "ptc2020:en:100000001",
        "ptc2020:en:100000002",
        "semeval2021:en:11",
        "semeval2021:en:12",
        "semeval2021:en:7_batch_2",
        "semeval2023:en:100000004",
        "semeval2023:it:200001",
        "semeval2023:it:200002",
    ]
    assert stats["nlp4if2019: articles dropped (copy kept from ptc2020)"] == 1
    assert stats["semeval2023: articles dropped (copy kept from ptc2020)"] == 1


def test_load_technique_corpora_order_sets_preference():
    recs = load_technique_corpora(("semeval2023", "ptc2020"), data_dir=FIXTURES)
    assert keys(recs) == [
        "ptc2020:en:100000002",
        "semeval2023:en:100000001",
        "semeval2023:en:100000004",
        "semeval2023:it:200001",
        "semeval2023:it:200002",
    ]


@pytest.mark.parametrize("include", [("ptc2020", "memes"), ("ptc2020", "ptc2020")])
def test_load_technique_corpora_rejects_bad_include(include):
    with pytest.raises(UsageError, match="ptc2020"):
        load_technique_corpora(include, data_dir=FIXTURES)


def all_records_with_copies():
    return [r for load in corpora.LOADERS.values() for r in load(FIXTURES)]


@pytest.mark.parametrize("seed", range(10))
def test_split_by_article_keeps_copies_together(seed):
    records = all_records_with_copies()
    train, dev = split_by_article(records, 0.5, seed)
    assert len(train) + len(dev) == len(records)
    sides = {r.id: "dev" for r in dev}
    for r in train:
        assert sides.get(r.id) != "dev", f"article {r.id} is on both sides"


@pytest.mark.parametrize("seed", range(10))
def test_split_by_article_news_side_does_not_depend_on_kept_copy(seed):
    def dev_ids(include):
        recs = load_technique_corpora(include, data_dir=FIXTURES)
        return sorted(r.id for r in split_by_article(recs, 0.5, seed)[1] if r.language == "en")

    assert dev_ids(corpora.CORPORA) == dev_ids(("semeval2023", "ptc2020", "nlp4if2019", "semeval2021"))


def test_split_by_article_is_deterministic_and_order_free():
    records = [LabelledArticle(str(i), "semeval2021", "en", f"meme number {i}") for i in range(200)]
    train, dev = split_by_article(records, 0.1, seed=3)
    assert len(dev) == 20
    shuffled = records[:]
    random.Random(1).shuffle(shuffled)
    train2, dev2 = split_by_article(shuffled, 0.1, seed=3)
    assert keys(dev2) == keys(dev)
    assert keys(split_by_article(records, 0.1, seed=4)[1]) != keys(dev)


def test_split_by_article_groups_same_text_within_a_corpus():
    records = [LabelledArticle(str(i), "semeval2021", "en", "same words" if i < 5 else f"text {i}") for i in range(40)]
    for seed in range(20):
        _, dev = split_by_article(records, 0.2, seed)
        n = sum(1 for r in dev if r.text == "same words")
        assert n in (0, 5)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 2])
def test_split_by_article_rejects_bad_fraction(fraction):
    with pytest.raises(UsageError, match="dev_fraction"):
        split_by_article([], fraction, 0)


def test_split_by_article_zero_fraction_gives_empty_dev():
    records = all_records_with_copies()
    train, dev = split_by_article(records, 0.0, 0)
    assert dev == [] and len(train) == len(records)


def test_summary_command_runs_on_fixtures(capsys):
    assert corpora.main(["--data-dir", str(FIXTURES)]) == 0
    out = capsys.readouterr().out
    assert "ptc2020 [en]: 2 articles (1 with spans), 4 spans" in out
    assert "semeval2023 [it]: 2 articles (2 with spans), 4 spans" in out


# --- real corpora (skipped when ../shared/data is absent) -------------------------


@pytest.fixture(scope="module")
def real_data():
    try:
        return resolve_data_dir()
    except DataDirError as exc:
        pytest.skip(f"corpora not available: {exc}")


def span_count(records):
    return sum(len(r.spans) for r in records)


@pytest.mark.data
def test_real_ptc2020_counts(real_data):
    recs = load_ptc2020(real_data)
    assert len(recs) == 371 and sum(1 for r in recs if r.spans) == 357 and span_count(recs) == 6128


@pytest.mark.data
def test_real_nlp4if2019_counts(real_data):
    stats: Counter = Counter()
    recs = load_nlp4if2019(real_data, stats)
    assert len(recs) == 335  # 347 files less 12 copies
    assert stats["nlp4if2019: duplicate copies skipped"] == 12
    assert (
        stats["nlp4if2019: spans clipped to the text end"] + stats["nlp4if2019: spans skipped (outside the text)"] == 3
    )


@pytest.mark.data
def test_real_semeval2023_counts_every_span_inside(real_data):
    stats: Counter = Counter()
    recs = load_semeval2023(real_data, stats)
    per_lang = Counter()
    for r in recs:
        per_lang[r.language] += len(r.spans)
    assert per_lang == {"en": 6136, "it": 4306, "fr": 4493, "de": 3318, "pl": 2145, "ru": 2429}
    assert stats["semeval2023: spans skipped (outside the text)"] == 0


@pytest.mark.data
def test_real_semeval2021_counts(real_data):
    recs = load_semeval2021(real_data)
    assert len(recs) == 688 + 63 and span_count(recs) == 1498 + 182


@pytest.mark.data
def test_real_corpora_dedup_and_split(real_data):
    recs = load_technique_corpora(data_dir=real_data)
    assert not [r for r in recs if r.corpus == "nlp4if2019"]  # all its texts are PTC-2020 train
    assert not [r for r in recs if r.corpus == "semeval2023" and r.language == "en"]
    train, dev = split_by_article(recs, 0.1, 0)
    assert len(train) + len(dev) == len(recs) and 0.08 < len(dev) / len(recs) < 0.12
