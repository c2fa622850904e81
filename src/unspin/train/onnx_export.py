"""The last step of every encoder export: tidy the graph, then quantise it to int8 (or keep fp32).

torch's ONNX export of transformers' SDPA attention guards each attention softmax with
``Where(IsNaN(p), 0, p)``, for rows whose keys are all masked. unspin's inputs never have such a
row (every window and sentence keeps its [CLS] and [SEP] pieces unmasked), so the guard only costs
time: on a 256-piece window it is two full passes over every layer's attention matrix, about a
fifth of the technique model's run time. :func:`drop_softmax_nan_guards` removes it; the outputs are
bit-identical.

The technique tagger goes one step further. Its runtime never pads: an article's windows all have
the same length (full windows, or the one window of a short article), so the mask it would feed is
all ones and each layer's ``Add`` of the mask to the attention scores adds zeros to a
``[batch, 12, 256, 256]`` tensor. :func:`drop_attention_mask` removes those ``Add`` nodes, the mask's
own subgraph and the ``attention_mask`` input; on unpadded batches the outputs are bit-identical
(``x + 0 == x``), and the runtime (:class:`unspin.techniques.model.TechniqueModel`) feeds no mask to a
graph that takes none.
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


def drop_attention_mask(path: Path, mask_input: str = "attention_mask") -> int:
    """Rewrite the ONNX file at ``path`` without the additions of the attention mask to the attention
    scores (each ``Add`` read by a ``Softmax`` whose one operand the mask alone computes and whose
    other comes from the other inputs: its readers take the other operand), without whatever then
    goes unread, and without ``mask_input`` once nothing reads it. Only for a runtime that never pads
    a batch. Returns how many additions were removed; a graph that still reads the mask elsewhere (a
    masked mean, say) is left as it is and raises."""
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    if mask_input not in {i.name for i in graph.input}:
        return 0
    # what the mask alone computes: read from the mask, not from the other inputs' values (shapes aside:
    # the mask's broadcast reads the embeddings' shape)
    initializers = {i.name for i in graph.initializer}
    from_mask = {mask_input}
    from_data = {i.name for i in graph.input if i.name != mask_input and i.name not in initializers}
    for node in graph.node:  # nodes are stored in topological order
        if any(name in from_mask for name in node.input):
            from_mask.update(node.output)
        if node.op_type not in ("Shape", "Size") and any(name in from_data for name in node.input):
            from_data.update(node.output)
    readers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    rewired: dict[str, str] = {}
    dropped = []
    for node in graph.node:
        if node.op_type != "Add" or len(node.input) != 2 or \
                not any(r.op_type == "Softmax" for r in readers.get(node.output[0], ())):
            continue
        mask_only = [name in from_mask and name not in from_data for name in node.input]
        if sum(mask_only) == 1 and node.input[mask_only.index(False)] in from_data:
            rewired[node.output[0]] = node.input[mask_only.index(False)]
            dropped.append(node)
    if not dropped:
        return 0
    if any(out.name in rewired for out in graph.output):
        raise ValueError(f"{path}: a masked attention score is a graph output; left as it is")
    for node in dropped:
        graph.node.remove(node)
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name in rewired:
                node.input[k] = rewired[name]
    outputs = {out.name for out in graph.output}
    while True:  # what nothing reads any more goes, until nothing changes
        read = {name for node in graph.node for name in node.input} | outputs
        dead = [node for node in graph.node if not any(out in read for out in node.output)]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    read = {name for node in graph.node for name in node.input} | outputs
    if mask_input in read:
        still = [node.name or node.op_type for node in graph.node if mask_input in node.input]
        raise ValueError(f"{path}: the graph reads {mask_input} beyond the attention scores ({', '.join(still)}); "
                         "left as it is")
    for init in [i for i in graph.initializer if i.name not in read]:
        graph.initializer.remove(init)
    for inp in [i for i in graph.input if i.name == mask_input]:
        graph.input.remove(inp)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return len(dropped)


def finish_export(fp32: Path, out_file: Path, quantize: bool, unpadded: bool = False) -> None:
    """Tidy the freshly exported ``fp32`` graph, then write ``out_file``: int8 (dynamic
    quantisation of MatMul weights and the embedding Gather) or the fp32 graph itself. With
    ``unpadded`` (a runtime that never pads a batch) the attention mask goes too."""
    drop_softmax_nan_guards(fp32)
    if unpadded:
        drop_attention_mask(fp32)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(out_file), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gather"])
        fp32.unlink()
    else:
        fp32.rename(out_file)
