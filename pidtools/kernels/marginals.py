"""Sparse marginals of a batch of pmfs over every subset of sources.

A pmf of shape ``(nT, n1, ..., nn)`` is stored flat (C order). For a source mask ``m`` (bit
``i`` set = source ``i + 1`` kept) the marginal ``P(S_m)`` is a flat array of size ``size[m]``
starting at ``off_s[m]`` of one buffer, and ``P(T, S_m)`` one of size ``nT * size[m]`` starting
at ``off_ts[m]`` of another. Mask 0 keeps no source: ``P(S_0)`` is the total mass and
``P(T, S_0) = P(T)``.

The kernels only touch the cells of the support (non-zero cells) and clean up after themselves,
so the cost per pmf is proportional to its support, not to the product of its alphabet sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._jit import jit


@dataclass(frozen=True)
class Layout:
    """Index arithmetic shared by all pmfs of one shape."""

    shape: np.ndarray  # (n + 1,) int64: nT, n1, ..., nn
    size: np.ndarray  # (2**n,) int64: number of joint source values kept by mask m
    off_s: np.ndarray  # (2**n,) int64: offset of P(S_m) in the source buffer
    off_ts: np.ndarray  # (2**n,) int64: offset of P(T, S_m) in the target-source buffer
    stride: np.ndarray  # (2**n, n) int64: stride of source i inside the marginal of mask m
    len_s: int
    len_ts: int

    @property
    def n_sources(self) -> int:
        return len(self.shape) - 1

    @property
    def n_cells(self) -> int:
        return int(np.prod(self.shape))


def make_layout(pmf_shape: tuple[int, ...]) -> Layout:
    """Build the marginal layout for pmfs of shape ``(nT, n1, ..., nn)``."""
    shape = np.asarray(pmf_shape, dtype=np.int64)
    n = len(shape) - 1
    n_masks = 1 << n
    size = np.ones(n_masks, dtype=np.int64)
    stride = np.zeros((n_masks, max(n, 1)), dtype=np.int64)
    for m in range(n_masks):
        s = 1
        for i in reversed(range(n)):
            if m >> i & 1:
                stride[m, i] = s
                s *= shape[i + 1]
        size[m] = s
    off_s = np.concatenate(([0], np.cumsum(size)[:-1])).astype(np.int64)
    off_ts = np.concatenate(([0], np.cumsum(size * shape[0])[:-1])).astype(np.int64)
    return Layout(shape, size, off_s, off_ts, stride, int(size.sum()), int((size * shape[0]).sum()))


@jit
def support_indices(p, shape, stride, cells, target, idx):
    """List the support of the flat pmf ``p``.

    Writes the flat cell numbers to ``cells``, their target value to ``target`` and, for every
    mask ``m``, the index of the cell's source values in the marginal of ``m`` to ``idx[k, m]``.
    Returns the support size. Cells are visited in C order with an odometer (no divisions).
    """
    n = shape.shape[0] - 1
    n_masks = idx.shape[1]
    coord = np.zeros(n + 1, dtype=np.int64)
    k = 0
    for c in range(p.shape[0]):
        if p[c] > 0.0:
            cells[k] = c
            target[k] = coord[0]
            for m in range(n_masks):
                j = 0
                for i in range(n):
                    j += coord[i + 1] * stride[m, i]
                idx[k, m] = j
            k += 1
        i = n
        coord[i] += 1
        while i > 0 and coord[i] == shape[i]:
            coord[i] = 0
            i -= 1
            coord[i] += 1
    return k


@jit
def cell_coordinates(c, shape, coord):
    """Decode the flat cell number ``c`` into ``coord`` (target first)."""
    for i in range(shape.shape[0] - 1, -1, -1):
        coord[i] = c % shape[i]
        c //= shape[i]


@jit
def accumulate(weights, k, target, idx, size, off_s, off_ts, buf_s, buf_ts):
    """Add ``weights[:k]`` of the support cells into the marginal buffers of every mask."""
    for j in range(k):
        w = weights[j]
        t = target[j]
        for m in range(idx.shape[1]):
            buf_s[off_s[m] + idx[j, m]] += w
            buf_ts[off_ts[m] + t * size[m] + idx[j, m]] += w


@jit
def clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts):
    """Zero the buffer entries that the first ``k`` support cells touch."""
    for j in range(k):
        t = target[j]
        for m in range(idx.shape[1]):
            buf_s[off_s[m] + idx[j, m]] = 0.0
            buf_ts[off_ts[m] + t * size[m] + idx[j, m]] = 0.0


@jit
def fill_marginals(p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts):
    """List the support of the flat pmf ``p`` and add it into the (zeroed) marginal buffers.

    Returns the support size ``k``; undo with ``marginals.clear(k, target, idx, ...)``.
    """
    k = support_indices(p, shape, stride, cells, target, idx)
    for j in range(k):
        w[j] = p[cells[j]]
    accumulate(w, k, target, idx, size, off_s, off_ts, buf_s, buf_ts)
    return k


@jit
def workspace(n_cells, n_masks, len_s, len_ts):
    """Zeroed marginal buffers and support arrays for one thread's pmfs.

    Returns ``(buf_s, buf_ts, cells, target, idx, w)`` for :func:`fill_marginals`.
    """
    return (
        np.zeros(len_s),
        np.zeros(len_ts),
        np.empty(n_cells, dtype=np.int64),
        np.empty(n_cells, dtype=np.int64),
        np.empty((n_cells, n_masks), dtype=np.int64),
        np.empty(n_cells),
    )
