"""The cue encoder's runtime (tiny invented ONNX graph, no trained model) and its stacking with the
cue regression."""
import json
import shutil

import numpy as np
import pytest

from unspin.claims.model import build_batch as pad_rows
from unspin.extract.quote_encoder import (
    CueEncoder,
    as_unit,
    candidate_rows,
    encoder_available,
    gelu_tanh,
    pool,
)
from unspin.extract.quote_model import CueModel

TOKENIZER = __import__("unspin.claims.model", fromlist=["DEFAULT_MODEL_DIR"]).DEFAULT_MODEL_DIR / "tokenizer.json"
DIM = 4


@pytest.fixture(scope="module")
def nlp():
    """spaCy's parse with the sentences and entities layers (what the cue candidates need)."""
    from unspin.train.quotes import pipeline

    return pipeline()


def _tiny_encoder(path, vocab: int = 30522, model_id: str = "tiny-1"):
    """An encoder whose token state is a fixed random vector per wordpiece id (masked)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    table = rng.normal(size=(vocab, DIM)).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["emb"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "axis"], ["mask3"]),
        helper.make_node("Mul", ["emb", "mask3"], ["states"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", "s"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", "s"])],
        [helper.make_tensor_value_info("states", TensorProto.FLOAT, ["b", "s", DIM])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(np.array([-1], np.int64), "axis")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path / "model.onnx"))
    shutil.copy(TOKENIZER, path / "tokenizer.json")
    np.savez(path / "head.npz", w1=rng.normal(size=(4 * DIM, 3)).astype(np.float32),
             b1=np.zeros(3, np.float32), w2=rng.normal(size=(3, 1)).astype(np.float32), b2=np.array([0.5], np.float32))
    (path / "config.json").write_text(json.dumps({"max_len": 12, "cls_id": 101, "sep_id": 102, "dim": DIM,
                                                  "model_id": model_id}), encoding="utf-8")
    return table


def _cands(nlp, text):
    from unspin.extract.quote_cues import candidates
    from unspin.extract.quote_marks import find_quote_spans
    from unspin.extract.quote_model import default_model

    doc = nlp(text)
    blocked = [(q.start, q.end) for q in find_quote_spans(text)]
    return doc, candidates(doc, blocked, default_model()), blocked


def test_as_unit_grows_content_to_touched_quotations():
    assert as_unit((10, 20), [(5, 12), (30, 40)]) == (5, 20)
    assert as_unit((10, 20), [(25, 30)]) == (10, 20)
    assert as_unit((10, 40), [(5, 12), (30, 45)]) == (5, 45)


def test_pad_rows_and_pool():
    x, mask = pad_rows([[7, 8], [9]], 101, 102)
    assert x.tolist() == [[101, 7, 8, 102], [101, 9, 102, 0]]
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]
    states = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = pool(states, ((1, 3), None))
    assert out.tolist() == [0, 1, 2, 4.5, 5.5, 6.5, 0, 0, 0]


def test_gelu_tanh_matches_known_values():
    assert gelu_tanh(np.array([0.0]))[0] == 0.0
    assert abs(gelu_tanh(np.array([1.0]))[0] - 0.8412) < 1e-3
    assert abs(gelu_tanh(np.array([-3.0]))[0]) < 0.01


def test_candidate_rows_point_at_cue_content_and_source(nlp):
    from unspin.techniques.features import load_tokenizer

    text = "The weather was fine. Anna Keller said the plan was dead. Nobody cared."
    doc, cands, blocked = _cands(nlp, text)
    said = [k for k, c in enumerate(cands) if text[c.cue[0]:c.cue[1]] == "said"]
    assert said
    rows = candidate_rows(doc, cands, blocked, TOKENIZER, 94)
    assert sum(len(r.cands) for r in rows) == len(cands)
    row = next(r for r in rows if any(k == said[0] for k, *_ in r.cands))
    _, cue, content, source = next(item for item in row.cands if item[0] == said[0])
    tok = load_tokenizer(str(TOKENIZER))
    words = [tok.id_to_token(i) for i in row.ids]
    assert words[0] == "anna"  # one sentence per row, not the whole text
    assert words[cue[0] - 1:cue[1] - 1] == ["said"]  # positions count [CLS] at 0
    assert words[content[0] - 1:content[1] - 1] == ["the", "plan", "was", "dead"]
    assert words[source[0] - 1:source[1] - 1] == ["keller"]


def test_candidate_rows_clip_long_sentences(nlp):
    text = "Anna Keller said " + "the plan was dead and " * 30 + "nobody cared."
    doc, cands, blocked = _cands(nlp, text)
    rows = candidate_rows(doc, cands, blocked, TOKENIZER, 10)
    assert rows and all(len(r.ids) <= 10 for r in rows)
    for r in rows:
        for _, *ranges in r.cands:
            assert all(rg is None or 1 <= rg[0] < rg[1] <= 11 for rg in ranges)


def test_cue_encoder_runs_the_graph_pools_and_applies_the_head(nlp, tmp_path):
    table = _tiny_encoder(tmp_path / "enc")
    assert encoder_available(tmp_path / "enc")
    enc = CueEncoder(tmp_path / "enc")
    text = "Anna Keller said the plan was dead. Tom Brandt ate an apple, he told reporters."
    doc, cands, blocked = _cands(nlp, text)
    got = enc.logits(doc, cands, blocked)
    assert got.shape == (len(cands),)
    rows = candidate_rows(doc, cands, blocked, TOKENIZER, 10)
    head = np.load(tmp_path / "enc" / "head.npz")
    for row in rows:
        x, _ = pad_rows([row.ids], 101, 102)
        states = table[x[0]]
        for k, *ranges in row.cands:
            feats = pool(states, tuple(ranges))
            want = (gelu_tanh(feats @ head["w1"] + head["b1"]) @ head["w2"] + head["b2"])[0]
            assert got[k] == pytest.approx(want, rel=1e-4, abs=1e-4)
    assert enc.logits(doc, [], blocked).shape == (0,)


def test_missing_encoder_is_a_clear_error(tmp_path):
    from unspin.errors import ModelError

    with pytest.raises(ModelError, match="unspin train quotes"):
        CueEncoder(tmp_path)


class _FixedEncoder:
    def __init__(self, value):
        self.value = value

    def logits(self, doc, cands, blocked):
        return np.full(len(cands), self.value, dtype=np.float32)


def test_stacked_scores_and_cutoff(nlp):
    from unspin.extract.quote_cues import find_cued

    model = CueModel({"l=say": 2.0}, bias=-1.0, threshold=0.5, verbs={"say", "eat"})
    text = "Tom Brandt said the plan was dead. Tom Brandt ate an apple."
    doc, cands, blocked = _cands(nlp, text)
    alone = model.score_all(doc, cands, blocked)
    model.stack = {"weights": [0.5, 1.0], "bias": -0.2, "threshold": 0.9, "encoder_id": "x"}
    assert model.cutoff == 0.5 and not model.stacked  # no encoder attached: the regression alone
    model.encoder = _FixedEncoder(3.0)
    assert model.stacked and model.cutoff == 0.9
    stacked = model.score_all(doc, cands, blocked)
    for p, q in zip(alone, stacked, strict=True):
        z = np.log(p / (1 - p))
        assert q == pytest.approx(1 / (1 + np.exp(-(0.5 * z + 3.0 - 0.2))), rel=1e-6)
    model.encoder = _FixedEncoder(-20.0)
    assert find_cued(doc, blocked, model) == []
    model.encoder = _FixedEncoder(20.0)
    assert any(text[c.cue[0]:c.cue[1]] == "said" for c in find_cued(doc, blocked, model))


def test_stack_round_trips_and_checks_the_encoder_it_was_fitted_with(tmp_path):
    from unspin.errors import ModelError

    _tiny_encoder(tmp_path / "enc", model_id="tiny-1")
    model = CueModel({"l=say": 1.5}, -0.5, 0.4, {"say"},
                     stack={"weights": [0.7, 0.5], "bias": 0.1, "threshold": 0.45, "encoder_id": "tiny-1"})
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model.to_json()), encoding="utf-8")
    back = CueModel.load(path)
    assert back.stack == model.stack and back.encoder is None and back.cutoff == 0.4
    back = CueModel.load(path, encoder_dir=tmp_path / "enc")
    assert back.stacked and back.cutoff == 0.45
    model.stack["encoder_id"] = "another"
    path.write_text(json.dumps(model.to_json()), encoding="utf-8")
    with pytest.raises(ModelError, match="not the one"):
        CueModel.load(path, encoder_dir=tmp_path / "enc")


def test_default_model_falls_back_to_the_regression_with_a_warning(monkeypatch, tmp_path):
    from unspin.extract import quote_encoder, quote_model

    shipped = json.loads(quote_model.MODEL_PATH.read_text(encoding="utf-8"))
    if "stack" not in shipped:
        pytest.skip("the shipped cue model has no stack")
    monkeypatch.setattr(quote_encoder, "DEFAULT_DIR", tmp_path / "nothing")
    quote_model.default_model.cache_clear()
    try:
        with pytest.warns(UserWarning, match="cue encoder not used"):
            model = quote_model.default_model()
        assert model is not None and not model.stacked and model.cutoff == model.threshold
        monkeypatch.setenv("UNSPIN_QUOTE_ENCODER", "off")
        quote_model.default_model.cache_clear()
        model = quote_model.default_model()
        assert not model.stacked
    finally:
        quote_model.default_model.cache_clear()


def test_shipped_encoder_matches_the_shipped_stack():
    from unspin.extract import quote_model

    shipped = json.loads(quote_model.MODEL_PATH.read_text(encoding="utf-8"))
    if "stack" not in shipped:
        pytest.skip("the shipped cue model has no stack")
    model = quote_model.default_model()
    assert model.stacked, "the shipped cue encoder did not load"
    size = (quote_model.Path(__file__).parents[2] / "src" / "unspin" / "data" / "models" / "quotes"
            / "model.onnx").stat().st_size
    assert size < 30_000_000


class _CountingEncoder(_FixedEncoder):
    def __init__(self, value):
        super().__init__(value)
        self.asked = []

    def logits(self, doc, cands, blocked):
        self.asked.append(len(cands))
        return super().logits(doc, cands, blocked)


def test_gate_encodes_only_sentences_with_undecided_candidates(nlp):
    from unspin.extract.quote_model import cue_features

    model = CueModel({"l=say": 8.0}, bias=-4.0, threshold=0.5, verbs={"say", "eat"})
    text = "Tom Brandt said the plan was dead. Tom Brandt ate an apple."
    doc, cands, blocked = _cands(nlp, text)
    z = np.array([model.logit(cue_features(doc, c, blocked), doc, None) for c in cands])
    assert (z > 3).any() and (z < -3).any()
    enc = _CountingEncoder(1.0)
    model.encoder = enc
    model.stack = {"weights": [1.0, 1.0], "bias": 0.0, "threshold": 0.5,
                   "gate": {"impute": [0.0, 0.0], "band": [0.01, 0.99]}}
    wide = model.score_all(doc, cands, blocked)
    assert sum(enc.asked) == len(cands)  # every candidate undecided within a 1%-99% band: all encoded
    enc.asked.clear()
    model.stack["gate"]["band"] = [0.3, 0.7]  # no candidate's imputed probability inside: nothing encoded
    narrow = model.score_all(doc, cands, blocked)
    assert enc.asked == []
    for zi, p in zip(z, narrow, strict=True):
        assert p == pytest.approx(1 / (1 + np.exp(-zi)), rel=1e-6)  # imputed encoder logit 0
    for zi, p in zip(z, wide, strict=True):
        assert p == pytest.approx(1 / (1 + np.exp(-(zi + 1.0))), rel=1e-6)


def test_shipped_encoder_reads_a_sentence_the_same_beside_any_other():
    """As the claims model: one sentence per run, so a candidate's features do not depend on the
    other sentences of its article (the int8 graph scales a run's activations as a whole)."""
    from unspin.extract.quote_encoder import DEFAULT_DIR, SentenceRow

    if not encoder_available(DEFAULT_DIR):
        pytest.skip("no cue encoder installed (unspin train quotes)")
    enc = CueEncoder(DEFAULT_DIR)
    row = SentenceRow(list(range(2000, 2012)), [(0, (1, 3), (3, 9), (10, 12))])
    short = SentenceRow([2100, 2200], [(1, (1, 2), None, None)])
    long = SentenceRow(list(range(3000, 3090)), [(2, (5, 6), (6, 40), (1, 4))])
    alone = enc.features([row], 1)
    together = enc.features([long, row, short], 3)
    np.testing.assert_array_equal(together[0], alone[0])
