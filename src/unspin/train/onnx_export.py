"""The last step of every encoder export: tidy the graph, then quantise it to int8 (or keep fp32).

torch's ONNX export of transformers' SDPA attention guards each attention softmax with
``Where(IsNaN(p), 0, p)``, for rows whose keys are all masked. unspin's inputs never have such a
row (every window and sentence keeps its [CLS] and [SEP] pieces unmasked), so the guard only costs
time: on a 256-piece window it is two full passes over every layer's attention matrix, about a
fifth of the technique model's run time. :func:`drop_softmax_nan_guards` removes it; the outputs are
bit-identical.
"""
from __future__ import annotations

from pathlib import Path

#: what every model card says of the exported graph (see :func:`drop_softmax_nan_guards`)
GUARDS_DROPPED = "the attention softmax's NaN guards removed: never needed here, bit-identical outputs"


def drop_softmax_nan_guards(path: Path) -> int:
    """Rewrite the ONNX file at ``path`` without ``Where(IsNaN(softmax), c, softmax)`` guards
    (consumers read the softmax directly); returns how many guards were removed."""
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    rewired: dict[str, str] = {}
    dropped = []
    for node in graph.node:
        if node.op_type != "Where":
            continue
        test, softmax = producer.get(node.input[0]), producer.get(node.input[2])
        if (test is not None and test.op_type == "IsNaN" and softmax is not None and softmax.op_type == "Softmax"
                and test.input[0] == node.input[2]):
            rewired[node.output[0]] = node.input[2]
            dropped.append(node)
    if not dropped:
        return 0
    if any(out.name in rewired for out in graph.output):
        raise ValueError(f"{path}: a guarded softmax is a graph output; left as it is")
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name in rewired:
                node.input[k] = rewired[name]
    # the guards' IsNaN tests and fill values (Constant nodes or initializers) go too, once nothing reads them
    orphans = [name for where in dropped for name in (where.input[0], where.input[1])]
    for node in dropped:
        graph.node.remove(node)
    still_read = {name for node in graph.node for name in node.input} | {out.name for out in graph.output}
    for name in dict.fromkeys(orphans):
        if name in still_read:
            continue
        if name in producer and producer[name].op_type in ("IsNaN", "Constant"):
            graph.node.remove(producer[name])
        for init in [i for i in graph.initializer if i.name == name]:
            graph.initializer.remove(init)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return len(dropped)


def finish_export(fp32: Path, out_file: Path, quantize: bool) -> None:
    """Tidy the freshly exported ``fp32`` graph, then write ``out_file``: int8 (dynamic
    quantisation of MatMul weights and the embedding Gather) or the fp32 graph itself."""
    drop_softmax_nan_guards(fp32)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(out_file), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gather"])
        fp32.unlink()
    else:
        fp32.rename(out_file)
