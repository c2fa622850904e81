"""Shared fixtures. The spaCy pipeline is loaded once per test session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("UNSPIN_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def engine():
    from unspin.pipeline import default_engine

    return default_engine()


@pytest.fixture(scope="session")
def sample_text() -> str:
    path = REPO / "src" / "unspin" / "data" / "sample_article.txt"
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (set UNSPIN_DATA)")
    return SHARED_DATA


def assert_offsets_valid(analysis) -> None:
    """Every span of every layer lies inside the text."""
    assert analysis.check_offsets() == []


#: vocabulary of the tiny stand-in sentence model (see :func:`build_tiny_claim_model`)
TINY_CLAIM_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "unemployment", "rose", "by", "percent", "taxes", "the",
                    "i", "love", "you", "said", "hello", "war", "economy", "crime", "."]
#: words whose presence makes a sentence check-worthy in the tiny model
TINY_CHECKWORTHY = ("unemployment", "percent", "taxes")


def build_tiny_claim_model(d: Path, threshold: float = 0.5, calibration: dict | None = None) -> Path:
    """A word-lookup ONNX stand-in for the shipped sentence model: each wordpiece looks up a
    row ``[logit, embedding...]``; the sentence's output is the mean over its tokens ([CLS] and
    [SEP] included, like the real model's mean pooling). Check-worthy words push the logit up;
    "war", "economy" and "crime" each own one embedding dimension."""
    import json

    import numpy as np

    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(TINY_CLAIM_VOCAB)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(d / "tokenizer.json"))
    dim = 4
    table = np.zeros((len(TINY_CLAIM_VOCAB), 1 + dim), dtype=np.float32)
    table[:, 0] = -2.0
    for w in TINY_CHECKWORTHY:
        table[TINY_CLAIM_VOCAB.index(w), 0] = 12.0
    for j, w in enumerate(("war", "economy", "crime")):
        table[TINY_CLAIM_VOCAB.index(w), 1 + j] = 5.0
    table[:, 1 + dim - 1] += 0.1
    i64, f32 = TensorProto.INT64, TensorProto.FLOAT
    const = [helper.make_tensor("table", f32, table.shape, table.flatten()),
             helper.make_tensor("ax_last", i64, [1], [-1]), helper.make_tensor("ax_seq", i64, [1], [1]),
             helper.make_tensor("split", i64, [2], [1, dim])]
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["h"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["m"], to=f32),
        helper.make_node("Unsqueeze", ["m", "ax_last"], ["m3"]),
        helper.make_node("Mul", ["h", "m3"], ["hm"]),
        helper.make_node("ReduceSum", ["hm", "ax_seq"], ["s"], keepdims=0),
        helper.make_node("ReduceSum", ["m3", "ax_seq"], ["c"], keepdims=0),
        helper.make_node("Div", ["s", "c"], ["pooled"]),
        helper.make_node("Split", ["pooled", "split"], ["l", "embedding"], axis=1),
        helper.make_node("Squeeze", ["l", "ax_seq"], ["logit"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_claims",
        [helper.make_tensor_value_info("input_ids", i64, ["b", "s"]),
         helper.make_tensor_value_info("attention_mask", i64, ["b", "s"])],
        [helper.make_tensor_value_info("logit", f32, ["b"]),
         helper.make_tensor_value_info("embedding", f32, ["b", dim])],
        initializer=const,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(d / "model.onnx"))
    config = {"max_len": 8, "cls_id": 2, "sep_id": 3, "embedding_dim": dim, "inference_batch": 2,
              "threshold": threshold, "calibration": calibration}
    (d / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def tiny_claim_model_dir(tmp_path_factory) -> Path:
    return build_tiny_claim_model(tmp_path_factory.mktemp("tiny_claims"))
