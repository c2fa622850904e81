"""Opposite actors the technique tagger reads as one word (``--tie-pairs``).

Where both forms of a pair of :data:`unspin.techniques.symmetry.PAIRS` are one wordpiece each
(Obama / Trump, China / Japan, Muslims / Christians, ...), the tagger can be made unable to tell
them apart: their input embeddings start as the mean of the group's rows, training reads every
member as the group's first id (:func:`remap`, so the group learns one row), and before export
that row is copied to every member (:func:`tie_rows`). The exported model then treats the two
sides of such a pair identically with no change at run time; pairs that span several wordpieces
(Russia / the United States, Putin / Biden) are left to the swapped twins of training.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


def tied_groups(tokenizer_path: str | Path, pairs: tuple[tuple[str, str], ...] | None = None) -> list[list[int]]:
    """Token ids that must read alike, in groups (sorted, the smallest first): the forms of
    ``pairs`` (default :data:`~unspin.techniques.symmetry.PAIRS`) that are one wordpiece on both
    sides, joined where a form belongs to several pairs (Democrat / Republican / Democratic)."""
    from ..techniques.features import load_tokenizer
    from ..techniques.symmetry import PAIRS

    tok = load_tokenizer(str(tokenizer_path))
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.setdefault(i, i) != i:
            i = parent[i]
        return i

    for a, b in PAIRS if pairs is None else pairs:
        ia, ib = (tok.encode(w, add_special_tokens=False).ids for w in (a, b))
        if len(ia) == 1 and len(ib) == 1 and ia != ib:
            ra, rb = root(ia[0]), root(ib[0])
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in parent:
        groups.setdefault(root(i), []).append(i)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def id_map(groups: list[list[int]], vocab_size: int) -> np.ndarray:
    """Every token id to itself, but each group member to its group's first id."""
    table = np.arange(vocab_size, dtype=np.int64)
    for g in groups:
        table[g] = g[0]
    return table


def remap(ids, table: np.ndarray | None):
    """``ids`` read through ``table`` (unchanged without one)."""
    return ids if table is None else table[np.asarray(ids, dtype=np.int64)]


def mean_rows(embeddings, groups: list[list[int]]) -> None:
    """Before training: each group's rows of the ``[vocab, dim]`` embedding weight set to their mean."""
    import torch

    with torch.no_grad():
        for g in groups:
            embeddings[g] = embeddings[g].mean(0, keepdim=True).clone()


def tie_rows(embeddings, groups: list[list[int]]) -> None:
    """Before export: every member's row set to its group's first row (the one training updated)."""
    import torch

    with torch.no_grad():
        for g in groups:
            embeddings[g[1:]] = embeddings[g[0]].clone()
