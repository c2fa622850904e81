"""The export steps that remove the softmax NaN guards of torch's SDPA export and, for a runtime that
never pads, the attention mask: same outputs, fewer nodes."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper  # noqa: E402

from unspin.train.onnx_export import drop_attention_mask, drop_softmax_nan_guards  # noqa: E402


def _attention_like(path, guarded: bool = True, fill_as_initializer: bool = False):
    """scores = x @ w; p = softmax(scores + mask); (guard: p = Where(IsNaN(p), 0, p)); y = p @ x."""
    w = helper.make_tensor("w", TensorProto.FLOAT, [4, 4], np.linspace(-1, 1, 16).astype(np.float32).tolist())
    nodes = [helper.make_node("MatMul", ["x", "w"], ["scores"]),
             helper.make_node("Add", ["scores", "mask"], ["masked"]),
             helper.make_node("Softmax", ["masked"], ["p"], axis=-1)]
    inits = [w]
    if guarded:
        nodes.append(helper.make_node("IsNaN", ["p"], ["nan"]))
        if fill_as_initializer:
            inits.append(helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]))
        else:
            nodes.append(helper.make_node("Constant", [], ["zero"],
                                          value=helper.make_tensor("z", TensorProto.FLOAT, [], [0.0])))
        nodes.append(helper.make_node("Where", ["nan", "zero", "p"], ["safe"]))
    nodes.append(helper.make_node("MatMul", ["safe" if guarded else "p", "x"], ["y"]))
    graph = helper.make_graph(
        nodes, "attention_like",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 4]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, [4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 4])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def _run(path, mask):
    x = np.arange(16, dtype=np.float32).reshape(4, 4) / 10
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x, "mask": mask})[0]


@pytest.mark.parametrize("fill_as_initializer", [False, True])
def test_guards_go_and_outputs_stay_bit_identical(tmp_path, fill_as_initializer):
    path = _attention_like(tmp_path / "m.onnx", fill_as_initializer=fill_as_initializer)
    mask = np.where(np.eye(4, k=1) > 0, -np.inf, 0).astype(np.float32)  # some keys masked, never a whole row
    before = _run(path, mask)
    assert drop_softmax_nan_guards(path) == 1
    graph = onnx.load(str(path)).graph
    assert {n.op_type for n in graph.node} == {"MatMul", "Add", "Softmax"}   # IsNaN, Where, the fill constant gone
    assert [i.name for i in graph.initializer] == ["w"]
    assert np.array_equal(_run(path, mask), before)
    assert drop_softmax_nan_guards(path) == 0                               # nothing left to do


def test_a_graph_without_guards_is_left_alone(tmp_path):
    path = _attention_like(tmp_path / "m.onnx", guarded=False)
    before = path.read_bytes()
    assert drop_softmax_nan_guards(path) == 0 and path.read_bytes() == before


def test_the_shipped_technique_model_has_no_guards():
    from unspin.techniques.model import DEFAULT_MODEL_DIR

    graph = onnx.load(str(DEFAULT_MODEL_DIR / "model.onnx")).graph
    assert not [n for n in graph.node if n.op_type == "IsNaN"]


def _masked_attention(path, pooled: bool = False):
    """scores = x @ w + (1 - attention_mask) * -1e4 (added to every query row); y = softmax(scores) @ x;
    with ``pooled`` the mask also weighs the output rows (a masked mean reads it beyond the scores)."""
    f32, i64 = TensorProto.FLOAT, TensorProto.INT64
    w = helper.make_tensor("w", f32, [4, 4], np.linspace(-1, 1, 16).astype(np.float32).tolist())
    one = helper.make_tensor("one", f32, [], [1.0])
    big = helper.make_tensor("big", f32, [], [-1e4])
    nodes = [helper.make_node("MatMul", ["x", "w"], ["scores"]),
             helper.make_node("Cast", ["attention_mask"], ["m"], to=f32),
             helper.make_node("Sub", ["one", "m"], ["off"]),
             helper.make_node("Mul", ["off", "big"], ["bias"]),
             helper.make_node("Add", ["scores", "bias"], ["masked"]),
             helper.make_node("Softmax", ["masked"], ["p"], axis=-1),
             helper.make_node("MatMul", ["p", "x"], ["y0" if pooled else "y"])]
    if pooled:
        nodes.append(helper.make_node("Mul", ["y0", "m"], ["y"]))
    graph = helper.make_graph(
        nodes, "masked_attention",
        [helper.make_tensor_value_info("x", f32, [4, 4]), helper.make_tensor_value_info("attention_mask", i64, [4])],
        [helper.make_tensor_value_info("y", f32, [4, 4])], initializer=[w, one, big])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_the_mask_goes_and_unpadded_outputs_stay_bit_identical(tmp_path):
    path = _masked_attention(tmp_path / "m.onnx")
    x = np.arange(16, dtype=np.float32).reshape(4, 4) / 10
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    before = session.run(None, {"x": x, "attention_mask": np.ones(4, dtype=np.int64)})[0]
    padded = session.run(None, {"x": x, "attention_mask": np.array([1, 1, 1, 0], dtype=np.int64)})[0]
    assert not np.array_equal(padded, before)  # the mask did something
    assert drop_attention_mask(path) == 1
    graph = onnx.load(str(path)).graph
    assert [i.name for i in graph.input] == ["x"]
    assert [n.op_type for n in graph.node] == ["MatMul", "Softmax", "MatMul"]  # Cast, Sub, Mul, Add gone
    assert [i.name for i in graph.initializer] == ["w"]
    after = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    assert np.array_equal(after, before)
    assert drop_attention_mask(path) == 0  # no mask input left


def test_a_mask_read_beyond_the_scores_stays(tmp_path):
    path = _masked_attention(tmp_path / "m.onnx", pooled=True)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="beyond the attention scores"):
        drop_attention_mask(path)
    assert path.read_bytes() == before
