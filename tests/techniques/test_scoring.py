"""Tests of the SemEval-2020 task 11 span scorer against hand-computed examples."""

from __future__ import annotations

import random

import pytest

from unspin.errors import UsageError
from unspin.model import Span
from unspin.techniques.scoring import evaluate, merge_spans, overlap_sums, score_flc, score_si


def approx(x):
    return pytest.approx(x, abs=1e-9)


@pytest.mark.parametrize(
    "spans,merged",
    [
        ([], []),
        ([(5, 9), (0, 3)], [(0, 3), (5, 9)]),
        ([(0, 6), (4, 10)], [(0, 10)]),
        ([(0, 10), (2, 3), (9, 12)], [(0, 12)]),
        ([(0, 5), (5, 10)], [(0, 5), (5, 10)]),  # touching spans share no character
        ([(3, 4), (3, 4)], [(3, 4)]),
    ],
)
def test_merge_spans_merges_only_overlaps(spans, merged):
    assert merge_spans(spans) == merged


def test_overlap_sums_sweep():
    # pred (0,10) covers 4 of gold (0,4) and 4 of gold (6,10): Σ|s∩t|/|s| = 8/10, Σ|s∩t|/|t| = 1 + 1
    assert overlap_sums([(0, 10)], [(0, 4), (6, 10)]) == (approx(0.8), approx(2.0))
    assert overlap_sums([], [(0, 4)]) == (0, 0)


def test_score_si_perfect_match():
    gold = {"a": [(0, 10, "X"), (20, 30, "Y")]}
    assert score_si(gold, gold) == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "n_pred": 2, "n_gold": 2}


def test_score_si_half_overlap():
    out = score_si({"a": [(0, 10)]}, {"a": [(5, 15)]})
    assert (out["precision"], out["recall"], out["f1"]) == (approx(0.5), approx(0.5), approx(0.5))


def test_score_si_one_prediction_over_two_gold_spans():
    out = score_si({"a": [(0, 4), (6, 10)]}, {"a": [(0, 10)]})
    assert out["precision"] == approx(0.8)  # (4 + 4) / 10, one predicted span
    assert out["recall"] == approx(1.0)  # (4/4 + 4/4) / 2
    assert out["f1"] == approx(2 * 0.8 / 1.8)


def test_score_si_merges_overlapping_predictions_and_ignores_labels():
    out = score_si({"a": [(0, 10, "X")]}, {"a": [(0, 6, "A"), (4, 10, "B")]})
    assert out == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "n_pred": 1, "n_gold": 1}


def test_score_si_keeps_touching_predictions_apart():
    out = score_si({"a": [(0, 10)]}, {"a": [(0, 5), (5, 10)]})
    assert out["n_pred"] == 2 and out["precision"] == approx(1.0) and out["recall"] == approx(1.0)


def test_score_si_sums_over_articles():
    gold = {"a": [(0, 10)], "b": [(0, 4)]}
    pred = {"a": [(0, 5)], "c": [(0, 3)]}  # c is absent from gold: a false alarm
    out = score_si(gold, pred)
    assert out["precision"] == approx(0.5)  # (5/5 + 0) / 2
    assert out["recall"] == approx(0.25)  # (5/10 + 0) / 2
    assert out["f1"] == approx(1 / 3)


def test_score_flc_counts_only_matching_labels():
    gold = {"a": [(0, 10, "A")]}
    pred = {"a": [(0, 10, "B")]}
    flc = score_flc(gold, pred)
    assert (flc["precision"], flc["recall"], flc["f1"]) == (0.0, 0.0, 0.0)
    assert flc["per_technique"]["A"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "n_pred": 0, "n_gold": 1}
    assert flc["per_technique"]["B"]["n_pred"] == 1
    assert score_si(gold, pred)["f1"] == 1.0


def test_score_flc_merges_per_label():
    gold = {"a": [(0, 10, "A")]}
    pred = {"a": [(0, 6, "A"), (4, 10, "A"), (0, 10, "B")]}
    flc = score_flc(gold, pred)
    assert flc["n_pred"] == 2 and flc["n_gold"] == 1
    assert flc["precision"] == approx(0.5)  # A merged to (0,10) scores 1, B scores 0
    assert flc["recall"] == approx(1.0)
    assert flc["f1"] == approx(2 / 3)
    assert flc["per_technique"]["A"]["f1"] == 1.0
    assert flc["per_technique"]["B"]["precision"] == 0.0
    assert flc["macro_f1"] == approx(1.0)  # only A occurs in gold


def test_score_flc_per_technique_two_labels():
    gold = {"a": [(0, 10, "A"), (20, 30, "B")]}
    pred = {"a": [(0, 5, "A"), (20, 40, "B")]}
    per = score_flc(gold, pred)["per_technique"]
    assert (per["A"]["precision"], per["A"]["recall"]) == (approx(1.0), approx(0.5))
    assert (per["B"]["precision"], per["B"]["recall"]) == (approx(0.5), approx(1.0))


def test_score_flc_accepts_model_spans_and_record_tuples():
    gold = {"a": [(0, 10, "Doubt", "Doubt")]}
    pred = {"a": [Span(0, 10, "Doubt", 0.9)]}
    assert score_flc(gold, pred)["f1"] == 1.0


@pytest.mark.parametrize(
    "gold,pred",
    [({}, {}), ({"a": []}, {"a": []}), ({"a": [(0, 3, "A")]}, {}), ({}, {"a": [(0, 3, "A")]})],
)
def test_scores_of_empty_sets_are_zero(gold, pred):
    out = evaluate(gold, pred)
    for key in ("precision", "recall", "f1"):
        assert out["si"][key] == 0.0 and out["flc"][key] == 0.0
    assert out["flc"]["macro_f1"] == 0.0


def test_score_flc_labels_argument_adds_zero_rows():
    per = score_flc({}, {}, labels=["Doubt", "Slogans"])["per_technique"]
    assert set(per) == {"Doubt", "Slogans"} and per["Doubt"]["f1"] == 0.0


@pytest.mark.parametrize(
    "gold,pred,fix",
    [
        ({"a": [(5, 5, "A")]}, {}, "0 <= start < end"),
        ({"a": [(6, 2, "A")]}, {}, "0 <= start < end"),
        ({"a": [(0, 2)]}, {}, "needs a label"),
        ({"a": [("x",)]}, {}, "a span must be"),
        ([(0, 2, "A")], {}, "mapping article_id"),
        ({"a": "0-2"}, {}, "must be a list"),
    ],
)
def test_score_flc_rejects_bad_input_with_a_fix(gold, pred, fix):
    with pytest.raises(UsageError, match=fix):
        score_flc(gold, pred)


def _naive(gold, pred, labelled):
    """Direct transcription of the definition with character sets (slow, obviously right)."""

    def merged(spans):
        out = []
        for s in sorted(spans):
            chars = set(range(*s))
            for m in [m for m in out if m & chars]:
                out.remove(m)
                chars |= m
            out.append(chars)
        return out

    def groups(side):
        g = {}
        for art, spans in side.items():
            for s, e, lab in spans:
                g.setdefault((art, lab if labelled else ""), []).append((s, e))
        return {k: merged(v) for k, v in g.items()}

    G, P = groups(gold), groups(pred)
    p_sum = sum(len(s & t) / len(s) for k, ss in P.items() for s in ss for t in G.get(k, []))
    r_sum = sum(len(s & t) / len(t) for k, ts in G.items() for t in ts for s in P.get(k, []))
    n_p, n_g = sum(map(len, P.values())), sum(map(len, G.values()))
    p = p_sum / n_p if n_p else 0.0
    r = r_sum / n_g if n_g else 0.0
    return p, r


def _random_side(rng, articles=4, n=12):
    side = {}
    for a in range(articles):
        spans = []
        for _ in range(rng.randrange(n)):
            s = rng.randrange(60)
            spans.append((s, s + rng.randrange(1, 15), rng.choice("AB")))
        side[f"art{a}"] = spans
    return side


@pytest.mark.parametrize("seed", range(25))
def test_scoring_agrees_with_naive_definition(seed):
    rng = random.Random(seed)
    gold, pred = _random_side(rng), _random_side(rng)
    for labelled, score in ((False, score_si), (True, score_flc)):
        p, r = _naive(gold, pred, labelled)
        out = score(gold, pred)
        assert out["precision"] == approx(p) and out["recall"] == approx(r)


def test_scoring_handles_corpus_sized_input():
    rng = random.Random(7)
    gold = {
        f"a{i}": [
            (s, s + rng.randrange(1, 80), rng.choice("ABCDEFGHIJKLMN"))
            for s in (rng.randrange(5000) for _ in range(20))
        ]
        for i in range(400)
    }
    out = evaluate(gold, gold)
    assert out["si"]["f1"] == approx(1.0) and out["flc"]["f1"] == approx(1.0)
    assert len(out["flc"]["per_technique"]) == 14


def test_f1_interval_brackets_the_score_and_narrows_with_more_articles():
    from unspin.techniques.scoring import f1_interval

    gold = {f"a{i}": [(0, 10, "X"), (20, 30, "Y")] for i in range(6)}
    pred = {f"a{i}": [(0, 10, "X")] if i % 2 else [(0, 5, "Y"), (40, 50, "X")] for i in range(6)}
    f1 = score_flc(gold, pred)["f1"]
    lo, hi = f1_interval(gold, pred, labelled=True)
    assert 0 <= lo < f1 < hi <= 1
    assert f1_interval(gold, pred, labelled=True) == (lo, hi)  # seeded
    many_gold = {f"{k}-{c}": v for c in range(8) for k, v in gold.items()}
    many_pred = {f"{k}-{c}": v for c in range(8) for k, v in pred.items()}
    lo8, hi8 = f1_interval(many_gold, many_pred, labelled=True)
    assert hi8 - lo8 < (hi - lo) * 0.6
    si = score_si(gold, pred)["f1"]
    lo_si, hi_si = f1_interval(gold, pred, labelled=False)
    assert lo_si <= si <= hi_si


def test_f1_interval_of_perfect_and_empty_predictions_and_bad_arguments():
    from unspin.techniques.scoring import f1_interval

    gold = {**{f"a{i}": [(0, 4, "X"), (2, 9, "Y")] for i in range(10)}, "empty": []}
    assert f1_interval(gold, gold, labelled=True) == (1.0, 1.0)
    assert f1_interval(gold, {}, labelled=False) == (0.0, 0.0)
    assert f1_interval({}, {}, labelled=True) == (0.0, 0.0)
    with pytest.raises(UsageError, match="level"):
        f1_interval(gold, gold, labelled=True, level=1.5)
