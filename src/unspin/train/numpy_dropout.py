"""Dropout whose masks come from numpy's random bytes instead of torch's CPU generator.

On CPU a bfloat16 training step of the technique tagger spends over a third of its time in
``aten::bernoulli_``: the attention dropout draws one mask value per attention probability
([batch, heads, 256, 256] in every layer) and torch's CPU generator yields ~50 M values/s.
numpy's ``Generator.bytes`` yields ~680 M bytes/s; a mask of uint16 draws kept when
``>= round(p * 65536)`` drops with probability p (to 1e-5) at a fraction of the time.

:func:`use_numpy_dropout` switches a tagger (the encoder and its head) over: the encoder's
attention runs through an eager attention function registered with transformers under
:data:`ATTENTION_NAME` that applies the numpy mask, and every other ``torch.nn.Dropout`` becomes a
:class:`NumpyDropout`. :func:`use_torch_dropout` switches back (what export needs: the ONNX graph is
the same as from a model trained with torch's dropout). Same dropout rates, a different random
stream: a model trained this way is reproducible from its seed but not bit-equal to one trained
with torch's masks.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

ATTENTION_NAME = "unspin_numpy_dropout"


def keep_mask(rng: np.random.Generator, shape, p: float) -> np.ndarray:
    """A boolean mask of ``shape``: each entry False with probability ``p`` (in steps of 1/65536)."""
    n = int(np.prod(shape))
    draws = np.frombuffer(rng.bytes(2 * n), dtype=np.uint16).reshape(shape)
    return draws >= int(round(p * 65536))


def numpy_dropout(x, p: float, rng: np.random.Generator):
    """``x`` with entries zeroed with probability ``p`` and the rest scaled by 1 / (1 - p)."""
    import torch

    if p <= 0:
        return x
    keep = torch.from_numpy(keep_mask(rng, tuple(x.shape), p))
    return x * keep.to(x.dtype) * (1.0 / (1.0 - p))


def _attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **_kwargs):
    """transformers' eager attention, with the dropout on the probabilities drawn by numpy."""
    import torch

    if scaling is None:
        scaling = query.size(-1) ** -0.5
    weights = torch.matmul(query, key.transpose(2, 3)) * scaling
    if attention_mask is not None:
        weights = weights + attention_mask
    weights = torch.nn.functional.softmax(weights, dim=-1)
    if dropout > 0 and module.training:
        weights = numpy_dropout(weights, dropout, module.unspin_rng)
    out = torch.matmul(weights, value).transpose(1, 2).contiguous()
    return out, weights


def register_attention() -> None:
    """Register :data:`ATTENTION_NAME` with transformers (attention and its mask; idempotent)."""
    from transformers import AttentionInterface
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, eager_mask

    AttentionInterface.register(ATTENTION_NAME, _attention)
    ALL_MASK_ATTENTION_FUNCTIONS.register(ATTENTION_NAME, eager_mask)


@lru_cache(maxsize=1)
def _dropout_class():
    """The ``NumpyDropout`` module class (one class, made on first use so that importing this
    module does not need torch)."""
    import torch

    class NumpyDropout(torch.nn.Module):
        """``torch.nn.Dropout`` with the mask drawn from a numpy generator."""

        def __init__(self, p: float, rng: np.random.Generator):
            super().__init__()
            self.p = p
            self.rng = rng

        def forward(self, x):
            return numpy_dropout(x, self.p, self.rng) if self.training else x

        def extra_repr(self) -> str:
            return f"p={self.p}"

    return NumpyDropout


def _attention_modules(model):
    """The encoder's self-attention modules (those whose ``config`` picks the attention function)."""
    return [m for m in model.modules() if hasattr(m, "config") and hasattr(m, "scaling") and hasattr(m, "dropout")]


def use_numpy_dropout(model, seed: int) -> np.random.Generator:
    """Switch ``model`` (a tagger with an ``encoder``) to numpy-drawn dropout masks from one
    generator seeded with ``seed`` (again on a switched model: re-seeded); returns the generator.
    Undo with :func:`use_torch_dropout`."""
    import torch

    register_attention()
    rng = np.random.default_rng(seed)
    config = model.encoder.config
    if getattr(model, "unspin_attention_before", None) is None:
        model.unspin_attention_before = config._attn_implementation
    config._attn_implementation = ATTENTION_NAME
    attention = _attention_modules(model)
    if not attention:
        raise ValueError("no self-attention modules found in the encoder; numpy dropout cannot be used with it")
    for m in attention:
        m.unspin_rng = rng
    skip = {id(m.dropout) for m in attention}  # read only for its rate by the attention function
    NumpyDropout = _dropout_class()
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, NumpyDropout):  # switched before: re-seeded
                child.rng = rng
            elif isinstance(child, torch.nn.Dropout) and id(child) not in skip:
                replacement = NumpyDropout(child.p, rng)
                replacement.train(child.training)
                setattr(parent, name, replacement)
    return rng


def use_torch_dropout(model) -> None:
    """Undo :func:`use_numpy_dropout`: torch's dropout modules and the encoder's own attention."""
    import torch

    before = getattr(model, "unspin_attention_before", None)
    if before is None:
        return
    model.encoder.config._attn_implementation = before
    del model.unspin_attention_before
    for m in _attention_modules(model):
        m.__dict__.pop("unspin_rng", None)
    NumpyDropout = _dropout_class()
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, NumpyDropout):
                replacement = torch.nn.Dropout(child.p)
                replacement.train(child.training)
                setattr(parent, name, replacement)
