"""The genre/framing trainer on tiny invented SemEval-2023 files (tests/train/fixtures/) with
the tiny stand-in sentence model of conftest.py: loaders, splits, and a whole run."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import UsageError
from unspin.train.corpora import DataDirError
from unspin.train.framing import FramingTrainConfig, held_out_split, load_semeval_framing, stratified_folds

FIXTURES = Path(__file__).parent / "fixtures"


def test_framing_loader_reads_genres_and_frames():
    arts, frames = load_semeval_framing(FIXTURES)
    assert frames == ["Economic", "Crime_and_punishment", "Security_and_defense", "Political"]
    assert len(arts) == 8 and arts[0].id == "100000101"
    assert arts[0].genre == "opinion" and arts[0].frames == ("Political", "Economic")
    assert arts[0].text.startswith("Taxes are a disgrace\n\n")
    assert sorted({a.genre for a in arts}) == ["opinion", "reporting", "satire"]


def test_framing_loader_missing_files_say_where(tmp_path):
    with pytest.raises(DataDirError, match="SemEval-2023"):
        load_semeval_framing(tmp_path)


def test_framing_splits_are_stratified_and_seeded():
    y = np.array([0] * 40 + [1] * 8 + [2] * 2)
    folds = stratified_folds(y, 4, seed=3)
    for c in (0, 1):
        assert np.bincount(folds[y == c], minlength=4).max() - np.bincount(folds[y == c], minlength=4).min() <= 1
    assert (folds == stratified_folds(y, 4, seed=3)).all()
    test = held_out_split(y, 0.25, seed=3)
    assert [int(test[y == c].sum()) for c in (0, 1, 2)] == [10, 2, 0]


@pytest.mark.parametrize("field, value", [("folds", 1), ("l2_grid", ()), ("weight_powers", (2.0,)), ("limit", 3),
                                          ("cv_repeats", 0), ("min_label_articles", -1)])
def test_framing_config_rejects_bad_values(field, value):
    with pytest.raises(UsageError, match=field):
        FramingTrainConfig(**{field: value})


def test_framing_train_end_to_end_on_fixtures(tmp_path, tiny_claim_model_dir):
    from unspin.framing.heads import FramingHeads
    from unspin.train.framing import train

    cfg = FramingTrainConfig(data_dir=str(FIXTURES), out_dir=str(tmp_path / "framing"),
                             encoder_dir=str(tiny_claim_model_dir), folds=2, l2_grid=(1.0,), steps=20, threads=1)
    logs = []
    out = train(cfg, log=logs.append)
    heads = json.loads((out / "heads.json").read_text())
    assert heads["genre"]["labels"] == ["opinion", "reporting", "satire"]
    assert heads["genre"]["inputs"] == "genre_vector" and heads["genre"]["min_label_articles"] == 5
    assert sum(heads["genre"]["train_counts"].values()) == 8
    assert len(heads["genre"]["mean"]) == len(heads["genre"]["features"]) == len(heads["genre"]["weights"][0])
    assert heads["frames"]["labels"][0] == "Economic" and 0 < heads["frames"]["threshold"] < 1
    assert "held_out" in heads["metrics"] and "cv_all" in heads["metrics"]
    card = (out / "MODEL_CARD.md").read_text()
    assert "macro-F1" in card and "SemEval-2023" in card
    FramingHeads.load(out)  # the runtime reads what the trainer wrote
    assert any("held-out split" in m for m in logs)


def test_framing_train_needs_the_sentence_model(tmp_path):
    from unspin.train.framing import train

    with pytest.raises(UsageError, match="unspin train claims"):
        train(FramingTrainConfig(data_dir=str(FIXTURES), out_dir=str(tmp_path / "f"), encoder_dir=str(tmp_path)))


@pytest.mark.data
def test_framing_counts_on_the_real_files(shared_data):
    arts, frames = load_semeval_framing(shared_data)
    assert len(arts) == 351 and len(frames) == 14
    assert [sum(a.genre == g for a in arts) for g in ("opinion", "reporting", "satire")] == [319, 30, 2]


def test_genre_head_reads_style_and_the_chosen_layers_only():
    from unspin.framing.features import LAYER_SOURCES, STYLE_FEATURES
    from unspin.train.framing import genre_feature_names

    names = genre_feature_names(FramingTrainConfig().genre_layers)
    assert names[:len(STYLE_FEATURES)] == list(STYLE_FEATURES)
    assert not set(names) & set(LAYER_SOURCES["techniques"]) and "quote_density" in names
    assert genre_feature_names(("techniques",))[len(STYLE_FEATURES):] == list(LAYER_SOURCES["techniques"])
    with pytest.raises(UsageError, match="genre_layers"):
        FramingTrainConfig(genre_layers=("horoscopes",))
