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

The masks are read as uint16 from ``rng.integers`` words (:func:`uint16_draws`, the values
``rng.bytes`` gives without its copies), drawn ahead by a background thread (:class:`DrawStream`),
and float32 tensors are masked in one multiplication: all bit-equal to the first form (measured: one
full bfloat16 step 2.66 s before, 2.17 s after on an AMX Xeon; the weights after eight steps equal).
"""
from __future__ import annotations

import queue
import threading
import weakref
from functools import lru_cache

import numpy as np

ATTENTION_NAME = "unspin_numpy_dropout"


def uint16_draws(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` uint16 draws: the values of ``np.frombuffer(rng.bytes(2 * n), np.uint16)``, leaving ``rng`` in
    the same state, without that call's three copies. ``Generator.bytes`` draws whole uint32 values
    (little-endian) and cuts their bytes to length, so for odd ``n`` the last uint32's upper half is
    drawn and dropped here too."""
    return _words_as_uint16(rng, (n + 1) // 2)[:n]


def _words_as_uint16(rng: np.random.Generator, n_words: int) -> np.ndarray:
    """``n_words`` uint32 draws (the words ``Generator.bytes`` reads, little-endian) seen as twice as many uint16."""
    return rng.integers(0, 1 << 32, size=n_words, dtype=np.uint32).astype("<u4", copy=False).view(np.uint16)


class DrawStream:
    """The uint16 draws of one generator, drawn ahead on a background thread while torch computes.

    ``take(n)`` returns what ``uint16_draws(rng, n)`` would, call after call in the same order: the
    thread draws whole uint32 words in large chunks and ``take`` consumes whole words, so the values do
    not depend on timing or chunk size. Once made, only the stream reads ``rng``. The thread stops on
    :meth:`close` or when the stream is garbage-collected."""

    def __init__(self, rng: np.random.Generator, chunk_words: int = 1 << 23, depth: int = 2):
        if chunk_words < 1 or depth < 1:
            raise ValueError(f"chunk_words and depth must be >= 1, got {chunk_words} and {depth}")
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._buf = np.empty(0, dtype=np.uint16)
        self._pos = 0
        thread = threading.Thread(target=DrawStream._fill, args=(rng, chunk_words, self._queue, self._stop),
                                  name="unspin-dropout-draws", daemon=True)
        weakref.finalize(self, self._stop.set)
        thread.start()

    @staticmethod
    def _fill(rng, chunk_words, out: queue.Queue, stop: threading.Event) -> None:
        def put(item) -> None:
            while not stop.is_set():
                try:
                    out.put(item, timeout=0.2)
                    return
                except queue.Full:
                    continue

        try:
            while not stop.is_set():
                put(_words_as_uint16(rng, chunk_words))
        except Exception as exc:  # handed to the reader, who raises it instead of waiting for ever
            put(exc)

    def _next_chunk(self) -> np.ndarray:
        while True:
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                if self._stop.is_set():
                    raise RuntimeError("this DrawStream is closed; switch the model to numpy dropout again "
                                       "(use_numpy_dropout) to draw more masks") from None
                continue
            if isinstance(item, Exception):
                raise RuntimeError("the background thread drawing dropout masks failed") from item
            return item

    def take(self, n: int) -> np.ndarray:
        need, parts = n + (n & 1), []  # whole words, as uint16_draws
        while need:
            if self._pos == len(self._buf):
                self._buf, self._pos = self._next_chunk(), 0
            k = min(need, len(self._buf) - self._pos)
            parts.append(self._buf[self._pos:self._pos + k])
            self._pos += k
            need -= k
        draws = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return draws[:n]

    def close(self) -> None:
        self._stop.set()

    def __deepcopy__(self, memo):
        # a copy of a model (the weight average) reads its weights, never its masks: it shares the stream
        return self


def keep_mask(source, shape, p: float) -> np.ndarray:
    """A boolean mask of ``shape``: each entry False with probability ``p`` (in steps of 1/65536);
    ``source`` is a numpy ``Generator`` or a :class:`DrawStream` (the same masks from the same seed)."""
    n = int(np.prod(shape))
    draws = source.take(n) if isinstance(source, DrawStream) else uint16_draws(source, n)
    return draws.reshape(shape) >= int(round(p * 65536))


def numpy_dropout(x, p: float, rng):
    """``x`` with entries zeroed with probability ``p`` and the rest scaled by 1 / (1 - p).

    Bit for bit ``x * keep.to(x.dtype) * (1 / (1 - p))``, the form the numpy-mask models were trained
    with; for float32 (the attention probabilities, the largest tensors) the two multiplications become
    one with a mask holding 0 or the scale (x * 1 * s == x * s exactly, and the scale is the same float32
    either way), which saves a pass over the tensor forward and one backward."""
    import torch

    if p <= 0:
        return x
    keep = torch.from_numpy(keep_mask(rng, tuple(x.shape), p))
    if x.dtype in (torch.float32, torch.float64):
        return x * keep.to(x.dtype).mul_(1.0 / (1.0 - p))
    return x * keep.to(x.dtype) * (1.0 / (1.0 - p))  # bfloat16: scaling the mask would round the scale


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
        """``torch.nn.Dropout`` with the mask drawn from a numpy generator (or a :class:`DrawStream`)."""

        def __init__(self, p: float, rng):
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


def use_numpy_dropout(model, seed: int, prefetch: bool = True):
    """Switch ``model`` (a tagger with an ``encoder``) to numpy-drawn dropout masks from one
    generator seeded with ``seed`` (again on a switched model: re-seeded); returns the source of the
    masks: a :class:`DrawStream` drawing ahead on a background thread (``prefetch``) or the generator
    itself; the masks are the same either way. Undo with :func:`use_torch_dropout`."""
    import torch

    register_attention()
    _close_draws(model)
    rng = np.random.default_rng(seed)
    source = DrawStream(rng) if prefetch else rng
    model.unspin_draws = source
    config = model.encoder.config
    if getattr(model, "unspin_attention_before", None) is None:
        model.unspin_attention_before = config._attn_implementation
    config._attn_implementation = ATTENTION_NAME
    attention = _attention_modules(model)
    if not attention:
        raise ValueError("no self-attention modules found in the encoder; numpy dropout cannot be used with it")
    for m in attention:
        m.unspin_rng = source
    skip = {id(m.dropout) for m in attention}  # read only for its rate by the attention function
    NumpyDropout = _dropout_class()
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, NumpyDropout):  # switched before: re-seeded
                child.rng = source
            elif isinstance(child, torch.nn.Dropout) and id(child) not in skip:
                replacement = NumpyDropout(child.p, source)
                replacement.train(child.training)
                setattr(parent, name, replacement)
    return source


def _close_draws(model) -> None:
    source = model.__dict__.pop("unspin_draws", None)
    if isinstance(source, DrawStream):
        source.close()


def use_torch_dropout(model) -> None:
    """Undo :func:`use_numpy_dropout`: torch's dropout modules and the encoder's own attention."""
    import torch

    before = getattr(model, "unspin_attention_before", None)
    if before is None:
        return
    model.encoder.config._attn_implementation = before
    del model.unspin_attention_before
    _close_draws(model)
    for m in _attention_modules(model):
        m.__dict__.pop("unspin_rng", None)
    NumpyDropout = _dropout_class()
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, NumpyDropout):
                replacement = torch.nn.Dropout(child.p)
                replacement.train(child.training)
                setattr(parent, name, replacement)
