"""The technique runtime (windows, features, decoding, calibration, component) on a tiny
stand-in model built here: an ONNX graph that looks words up in a table, so the test
knows which spans must come out."""
import json
import re

import numpy as np
import pytest

from unspin.techniques import calibration
from unspin.techniques.decode import decode_spans
from unspin.techniques.features import (
    ANCHOR_REACH,
    MIN_OVERLAP,
    N_FEATURES,
    sentence_starts,
    token_features,
    window_starts,
)

LABELS = ["Loaded_Language", "Doubt"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "evil", "vile", "allegedly", "the", "plan", "is", "."]


def build_tiny_model(d, any_channel: bool = False, mask: bool = True, **config_extra):
    """A word-lookup ONNX "model": evil/vile -> Loaded_Language, allegedly -> Doubt;
    with ``any_channel`` a last output column fires on those words and on "plan"; without
    ``mask`` it takes no attention mask (as models exported since the mask was dropped)."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(d / "tokenizer.json"))
    width = len(LABELS) + int(any_channel)
    table = np.full((len(VOCAB), width), -6.0, dtype=np.float32)
    table[VOCAB.index("evil"), 0] = table[VOCAB.index("vile"), 0] = 6.0
    table[VOCAB.index("allegedly"), 1] = 6.0
    if any_channel:
        for w in ("evil", "vile", "allegedly", "plan"):
            table[VOCAB.index(w), -1] = 6.0
        table[VOCAB.index("plan"), 1] = -1.0  # "plan": Doubt is the likelier label, below threshold
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["logits"], axis=0),
         helper.make_node("Sigmoid", ["logits"], ["probs"])],
        "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", "s"])]
        + ([helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", "s"])] if mask else [])
        + [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["b", "s", N_FEATURES])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["b", "s", width])],
        initializer=[helper.make_tensor("table", TensorProto.FLOAT, table.shape, table.flatten())],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(d / "model.onnx"))
    config = {"labels": LABELS, "max_len": 8, "stride": 4, "cls_id": 2, "sep_id": 3,
              "thresholds": {"Loaded_Language": 0.5, "Doubt": 0.5},
              "calibration": {"x": [0.0, 1.0], "y": [0.1, 0.8]}}
    if any_channel:
        config.update(any_channel=True, any_threshold=0.5)
    config.update(config_extra)
    (d / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny_techniques"))


@pytest.mark.parametrize("mode, expected", [
    ("labels", [("evil", "Loaded_Language"), ("allegedly", "Doubt")]),
    ("any", [("evil", "Loaded_Language"), ("plan", "Doubt"), ("allegedly", "Doubt")]),
    ("union", [("evil", "Loaded_Language"), ("plan", "Doubt"), ("allegedly", "Doubt")]),
])
def test_runtime_any_channel_decode_modes(tmp_path, mode, expected):
    from unspin.techniques.model import TechniqueModel

    d = build_tiny_model(tmp_path, any_channel=True, decode=mode)
    text = "evil is the . plan is the . allegedly ."
    m = TechniqueModel(d)
    probs, any_probs, offsets = m.all_probabilities(text)
    assert probs.shape[1] == len(LABELS) and any_probs.shape == (len(offsets),)
    got = sorted(((text[s.start:s.end], s.label) for s in m.predict(text)), key=lambda x: text.index(x[0]))
    assert got == expected
    assert all(0.1 <= s.score <= 0.8 for s in m.predict(text))  # calibrated


def test_runtime_union_adds_only_runs_that_overlap_no_labelled_span():
    from unspin.model import Span
    from unspin.techniques.decode import combine

    labelled = [Span(0, 5, "Doubt", 0.9)]
    found = [Span(2, 8, "Loaded_Language", 0.7), Span(10, 12, "Slogans", 0.6)]
    assert [(s.start, s.label) for s in combine(labelled, found, "union")] == [(0, "Doubt"), (10, "Slogans")]
    with pytest.raises(ValueError, match="decode mode"):
        combine(labelled, found, "both")


def test_runtime_extend_grows_labelled_spans_over_overlapping_runs_and_joins_them():
    from unspin.model import Span
    from unspin.techniques.decode import combine

    labelled = [Span(4, 9, "Doubt", 0.9), Span(12, 15, "Doubt", 0.6), Span(30, 33, "Slogans", 0.8)]
    found = [Span(0, 14, "Loaded_Language", 0.7), Span(20, 24, "Slogans", 0.6)]
    got = sorted((s.start, s.end, s.label, s.score) for s in combine(labelled, found, "extend"))
    # both Doubt spans grow over the run 0-14 and become one (the higher score); the run 20-24
    # overlaps no span and is added as it is; the Slogans span touches no run and stays
    assert got == [(0, 15, "Doubt", 0.9), (20, 24, "Slogans", 0.6), (30, 33, "Slogans", 0.8)]
    assert combine(labelled, [], "extend") == labelled


def test_runtime_support_keeps_spans_the_any_output_backs():
    from unspin.model import Span
    from unspin.techniques.decode import supported_spans

    offsets = np.array([[0, 4], [5, 9], [10, 14], [15, 19]])
    any_probs = np.array([0.9, 0.1, 0.3, 0.6])
    spans = [Span(0, 9, "Doubt", 0.5), Span(10, 14, "Slogans", 0.5), Span(12, 19, "Doubt", 0.5)]
    assert [s.start for s in supported_spans(spans, any_probs, offsets, 0.5)] == [0, 12]
    assert supported_spans(spans, any_probs, offsets, 0.0) == spans  # 0: no support needed
    assert supported_spans(spans, any_probs, offsets, 0.95) == []
    assert supported_spans(spans, np.zeros(0), np.zeros((0, 2)), 0.5) == []


def test_runtime_support_threshold_from_config(tmp_path):
    from unspin.techniques.model import TechniqueModel

    text = "evil is the . allegedly ."
    # the any-technique column fires on "evil" and "allegedly" (0.998): a support of 0.999 drops both spans
    assert TechniqueModel(build_tiny_model(tmp_path, any_channel=True, support_threshold=0.9)).predict(text)
    (tmp_path / "strict").mkdir()
    strict = TechniqueModel(build_tiny_model(tmp_path / "strict", any_channel=True, support_threshold=0.999))
    assert strict.predict(text) == []


def test_runtime_spans_across_windows(tiny_model_dir):
    from unspin.techniques.model import TechniqueModel

    text = "The plan is evil. " * 5 + "The plan is allegedly vile vile."
    spans = TechniqueModel(tiny_model_dir).predict(text)
    got = [(text[s.start:s.end], s.label) for s in spans]
    assert got.count(("evil", "Loaded_Language")) == 5
    assert ("vile vile", "Loaded_Language") in got and ("allegedly", "Doubt") in got
    for s in spans:
        assert 0.1 <= s.score <= 0.8  # calibrated through the knots
        assert s.attrs["category"] == ("manipulative_wording" if s.label == "Loaded_Language" else "attack_on_reputation")
        assert s.attrs["definition"]


def test_runtime_empty_and_unknown_text(tiny_model_dir):
    from unspin.techniques.model import TechniqueModel

    m = TechniqueModel(tiny_model_dir)
    assert m.predict("") == [] and m.predict("   ") == []
    assert m.predict("完全に未知の言葉") == []


def test_runtime_component_in_spacy_pipeline(tiny_model_dir):
    import spacy

    import unspin.techniques.component  # noqa: F401
    from unspin.extract import get_layer

    nlp = spacy.blank("en")
    nlp.add_pipe("unspin_techniques", config={"model_dir": str(tiny_model_dir)})
    doc = nlp("Such an evil plan.")
    assert [(doc.text[s.start:s.end], s.label) for s in get_layer(doc, "techniques")] == [("evil", "Loaded_Language")]
    assert [sp.text for sp in doc.spans["techniques"]] == ["evil"]


def test_runtime_missing_model_says_how_to_fix(tmp_path):
    from unspin.errors import ModelError
    from unspin.techniques.model import TechniqueModel

    with pytest.raises(ModelError, match="unspin train techniques"):
        TechniqueModel(tmp_path)


@pytest.mark.parametrize("n,body,stride,expected", [
    (5, 10, 5, [0]), (10, 10, 5, [0]), (11, 10, 5, [0, 1]), (30, 10, 8, [0, 8, 16, 20]),
])
def test_runtime_windows_cover_every_token(n, body, stride, expected):
    starts = window_starts(n, body, stride)
    assert starts == expected
    assert {i for s in starts for i in range(s, min(n, s + body))} == set(range(n))


@pytest.mark.parametrize("n", [254, 255, 300, 700, 1333, 4000])
def test_runtime_anchored_windows_cover_every_token_and_start_at_sentences(n):
    anchors = np.arange(17, n, 23)  # a sentence every 23 tokens
    starts = window_starts(n, 254, 192, anchors)
    assert starts[0] == 0 and starts == sorted(set(starts))
    assert {i for s in starts for i in range(s, min(n, s + 254))} == set(range(n))
    assert starts[-1] + 254 >= n and (n <= 254 or starts[-1] == n - 254)  # the last window ends with the article
    for prev, nxt in zip(starts, starts[1:-1]):
        assert nxt in anchors and abs(nxt - (prev + 192)) <= ANCHOR_REACH and nxt <= prev + 254 - MIN_OVERLAP
    assert window_starts(n, 254, 192, np.zeros(0, dtype=np.int64)) == (window_starts(n, 254, 192) if n <= 446 else
                                                                        window_starts(n, 254, 192)[:-1] + [n - 254])


@pytest.mark.parametrize("n", [254, 255, 300, 446, 447, 700, 1333, 4000])
def test_runtime_short_tail_windows_start_like_the_others_and_stop_at_the_end(n):
    anchors = np.arange(17, n, 23)
    for a in (anchors, None):
        full, short = window_starts(n, 254, 192, a), window_starts(n, 254, 192, a, short_tail=True)
        assert short[:-1] == full[:-1] and len(short) == len(full)
        assert {i for s in short for i in range(s, min(n, s + 254))} == set(range(n))
        if n > 254:
            assert short[-1] >= full[-1] and n - short[-1] > MIN_OVERLAP
            assert a is None or short[-1] in anchors or short[-1] == short[-2] + 192
        else:
            assert short == full == [0]


def test_runtime_anchored_windows_after_an_edit_keep_their_sentences():
    """A token added in the first sentence (a name one piece longer) moves every later window by that
    token, so the windows after the edit hold the same text; plain windows every stride tokens would not."""
    anchors = np.array([9, 40, 71, 120, 190, 260, 385, 450, 560, 600, 640, 700])
    before = window_starts(800, 254, 192, anchors)
    after = window_starts(801, 254, 192, anchors + 1)
    assert before == [0, 190, 385, 546] and [s + 1 for s in before[1:]] == after[1:]
    plain_before, plain_after = window_starts(800, 254, 192), window_starts(801, 254, 192)
    assert [s + 1 for s in plain_before[1:-1]] != plain_after[1:-1]


def test_runtime_sentence_starts_are_the_tokens_that_begin_sentences():
    text = 'Mr. Smith met U.S. officials. "Who knows?" he asked.\nA new line'
    offsets = np.array([[m.start(), m.end()] for m in re.finditer(r"\w+|[^\w\s]", text)])
    got = [text[offsets[i][0]:offsets[i][1]] for i in sentence_starts(text, offsets)]
    assert got == ['"', "A"]
    assert sentence_starts("", np.zeros((0, 2), dtype=np.int64)).size == 0


def test_runtime_repetition_features_count_other_occurrences():
    text = "Tax cuts. Tax cuts for all. The tax."
    offsets = np.array([[0, 3], [4, 8], [10, 13], [14, 18], [19, 22], [23, 26], [28, 31], [32, 35]])
    f = token_features(text, offsets)
    assert f[0, 0] == pytest.approx(np.log1p(2))  # "Tax" occurs 3 times
    assert f[1, 0] == pytest.approx(np.log1p(1))  # "cuts" twice
    assert f[0, 2] == pytest.approx(np.log1p(1))  # "tax cuts" twice
    assert f[4, 1] == 1.0 and f[0, 1] == 0.0      # "for" is a function word
    assert 0 <= f[:, 3].min() and f[:, 3].max() < 1


def test_runtime_features_exact_on_tokens_between_and_inside_words():
    import math

    text = "Tax-cuts,  tax cuts; TAX\u00e9 cuts! x"
    # tokens starting inside words, at punctuation, in blanks, and one past a word's end
    offsets = np.array([[0, 3], [3, 4], [4, 8], [8, 9], [9, 10], [11, 14], [15, 19], [19, 20], [21, 25],
                        [22, 24], [26, 30], [30, 31], [32, 33]])
    f = token_features(text, offsets)
    words = [(0, 3, "tax"), (4, 8, "cuts"), (11, 14, "tax"), (15, 19, "cuts"), (21, 25, "tax\u00e9"),
             (26, 30, "cuts"), (32, 33, "x")]
    for i, (s, _e) in enumerate(offsets):  # what each token must get, word by word
        assert f[i, 3] == np.float32(s / len(text))
        k = next((k for k, (a, b, _w) in enumerate(words) if a <= s < b), None)
        if k is None:
            assert f[i, :3].tolist() == [0, 0, 0]
            continue
        w = words[k][2]
        assert f[i, 0] == np.float32(math.log1p(sum(x[2] == w for x in words) - 1))
        nxt = (w, words[k + 1][2]) if k + 1 < len(words) else None
        pairs = list(zip([x[2] for x in words], [x[2] for x in words][1:]))
        assert f[i, 2] == (np.float32(math.log1p(pairs.count(nxt) - 1)) if nxt else 0)
    assert f[2, 0] == np.float32(math.log1p(2)) and f[0, 2] == np.float32(math.log1p(1))
    assert token_features("", np.zeros((0, 2), dtype=np.int64)).shape == (0, 4)
    assert token_features("...", np.array([[0, 3]])).tolist() == [[0, 0, 0, 0]]


def test_runtime_decode_joins_small_gaps_and_grows_to_words():
    text = "unbelievably corrupt elites"
    offsets = np.array([[0, 6], [6, 12], [13, 20], [21, 27]])
    probs = np.array([[0.9], [0.2], [0.9], [0.1]])
    spans = decode_spans(text, probs, offsets, ["Loaded_Language"], np.array([0.5]))
    assert [(text[s.start:s.end]) for s in spans] == ["unbelievably corrupt"]
    assert spans[0].score == pytest.approx((0.9 + 0.2 + 0.9) / 3)


def test_runtime_isotonic_calibration_is_monotone_and_reduces_ece():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 4000)
    truth = (rng.uniform(0, 1, 4000) < raw ** 2).astype(int)  # overconfident raw scores
    knots = calibration.fit_isotonic(raw, truth)
    assert all(a <= b for a, b in zip(knots["y"], knots["y"][1:]))
    cal = calibration.apply(knots, raw)
    assert calibration.expected_calibration_error(cal, truth) < calibration.expected_calibration_error(raw, truth)
    assert calibration.expected_calibration_error(cal, truth) < 0.03


def test_runtime_ece_definition():
    assert calibration.expected_calibration_error([0.9, 0.9], [1, 0]) == pytest.approx(0.4)
    assert calibration.expected_calibration_error([], []) == 0.0


def test_runtime_sentence_bounds_skip_abbreviations_and_initials():
    from unspin.techniques.decode import sentence_bounds

    text = ('Mr. Smith met U.S. officials. "Who knows?" he asked. It failed!\nA new line\n\n'
            'Costs rose 3.5 percent. The end. and more')
    got = [text[s:e] for s, e in sentence_bounds(text)]
    assert got == ["Mr. Smith met U.S. officials.", '"Who knows?" he asked.', "It failed!", "A new line",
                   "Costs rose 3.5 percent.", "The end. and more"]
    assert sentence_bounds("") == [] and sentence_bounds("  \n ") == []


def test_runtime_snap_grows_sentence_scale_spans_only():
    from unspin.model import Span
    from unspin.techniques.decode import snap_to_sentences

    text = "They say it works. But who can really be sure that it was safe? Evil plan."
    doubt = Span(text.index("who"), text.index("sure") + 4, "Doubt", 0.7, {"k": 1})
    loaded = Span(text.index("Evil"), text.index("Evil") + 4, "Loaded_Language", 0.9)
    out = snap_to_sentences(text, [doubt, loaded], {"Doubt"})
    assert text[out[0].start:out[0].end] == "But who can really be sure that it was safe?"
    assert (out[0].label, out[0].score, out[0].attrs) == ("Doubt", 0.7, {"k": 1})
    assert out[1] == loaded
    # a span running past its sentence keeps its end; nothing to snap leaves spans untouched
    long = Span(text.index("who"), len(text), "Doubt", 0.5)
    assert snap_to_sentences(text, [long], {"Doubt"})[0].end == len(text)
    assert snap_to_sentences(text, [doubt], set()) == [doubt]


def test_runtime_snap_setting_from_config(tmp_path):
    from unspin.techniques.model import TechniqueModel

    text = "the plan is allegedly the plan . Evil"
    on = TechniqueModel(build_tiny_model(tmp_path, sentence_labels=["Doubt"], snap=True))
    got = {(text[s.start:s.end], s.label) for s in on.predict(text)}
    assert got == {("the plan is allegedly the plan .", "Doubt"), ("Evil", "Loaded_Language")}
    probs, any_probs, offsets = on.all_probabilities(text)
    off = {(text[s.start:s.end], s.label) for s in on.decode(text, probs, any_probs, offsets, snap=False)}
    assert off == {("allegedly", "Doubt"), ("Evil", "Loaded_Language")}


def test_runtime_feeds_no_mask_to_a_graph_without_one(tmp_path):
    """Models exported since the attention mask was dropped take ids and features only; every batch of
    an article's windows is unpadded, long article or short, so they give the masked graph's spans."""
    from unspin.techniques.model import TechniqueModel

    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    masked = TechniqueModel(build_tiny_model(tmp_path / "with"))
    unmasked = TechniqueModel(build_tiny_model(tmp_path / "without", mask=False))
    assert masked.takes_mask and not unmasked.takes_mask
    for text in ("the evil plan .", "the plan is evil . " * 7 + "allegedly the vile plan ."):  # one window, several
        assert [(s.start, s.end, s.label, s.score) for s in unmasked.predict(text)] == \
            [(s.start, s.end, s.label, s.score) for s in masked.predict(text)] != []


def test_runtime_short_tail_window_gives_a_context_free_model_the_same_spans(tmp_path):
    from unspin.errors import ModelError
    from unspin.techniques.model import TechniqueModel

    text = "The evil plan. It is vile, allegedly. A plan. The evil plan is vile and evil."
    (tmp_path / "full").mkdir()
    (tmp_path / "short").mkdir()
    full = TechniqueModel(build_tiny_model(tmp_path / "full"))
    short = TechniqueModel(build_tiny_model(tmp_path / "short", tail_window="short"))
    assert (full.tail_window, short.tail_window) == ("full", "short")
    # the lookup model reads each word alone: where the windows fall cannot change its probabilities
    np.testing.assert_allclose(full.all_probabilities(text)[0], short.all_probabilities(text)[0], rtol=1e-6)
    assert [(s.start, s.end, s.label) for s in full.predict(text)] == [(s.start, s.end, s.label) for s in short.predict(text)]
    # a graph without an attention mask, several windows to a run: the short window runs alone
    (tmp_path / "unmasked").mkdir()
    unmasked = TechniqueModel(build_tiny_model(tmp_path / "unmasked", mask=False, tail_window="short",
                                               inference_batch=8))
    assert not unmasked.takes_mask and unmasked.batch == 8
    np.testing.assert_allclose(unmasked.all_probabilities(text)[0], full.all_probabilities(text)[0], rtol=1e-6)
    (tmp_path / "bad").mkdir()
    with pytest.raises(ModelError, match="tail_window"):
        TechniqueModel(build_tiny_model(tmp_path / "bad", tail_window="half"))
