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

from typing import NamedTuple

import numpy as np

from ._jit import jit


class Layout(NamedTuple):
    """Index arithmetic shared by all pmfs of one shape (a numba-compatible named tuple)."""

    shape: np.ndarray  #: (n + 1,) int64: nT, n1, ..., nn
    size: np.ndarray  #: (2**n,) int64: number of joint source values kept by mask m
    off_s: np.ndarray  #: (2**n,) int64: offset of P(S_m) in the source buffer
    off_ts: np.ndarray  #: (2**n,) int64: offset of P(T, S_m) in the target-source buffer
    stride: np.ndarray  #: (2**n, n) int64: stride of source i inside the marginal of mask m
    len_s: int  #: length of the source buffer
    len_ts: int  #: length of the target-source buffer


class Marginals(NamedTuple):
    """The marginals of one pmf over every source mask, and the support they were filled from.

    Made by :func:`marginal_buffers`, filled by :func:`fill`, emptied again by :func:`reset`.
    """

    buf_s: np.ndarray  #: (len_s,) P(S_m) of every mask m, at ``off_s[m]``
    buf_ts: np.ndarray  #: (len_ts,) P(T, S_m) of every mask m, at ``off_ts[m]``
    cells: np.ndarray  #: (n_cells,) int64: flat cell number of each support cell
    target: np.ndarray  #: (n_cells,) int64: target value of each support cell
    idx: np.ndarray  #: (n_cells, 2**n) int64: index of each support cell in the marginal of m
    w: np.ndarray  #: (n_cells,) probability of each support cell


class NodeSets(NamedTuple):
    """The sets of every lattice node as source masks, in CSR form.

    Node ``a`` has the sets ``mask[ptr[a]:ptr[a + 1]]``; bit ``i`` of a mask stands for source
    ``i + 1``.
    """

    ptr: np.ndarray  #: (n_nodes + 1,) int64
    mask: np.ndarray  #: (n_sets,) int64


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
    len_s = int(size.sum())
    len_ts = int((size * shape[0]).sum())
    return Layout(shape, size, off_s, off_ts, stride, len_s, len_ts)


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
    """:func:`fill` with the layout and the buffers spelled out (as :mod:`.sx` calls it)."""
    k = support_indices(p, shape, stride, cells, target, idx)
    for j in range(k):
        w[j] = p[cells[j]]
    accumulate(w, k, target, idx, size, off_s, off_ts, buf_s, buf_ts)
    return k


@jit
def workspace(n_cells, n_masks, len_s, len_ts):
    """:func:`marginal_buffers` with the sizes spelled out (as :mod:`.sx` calls it)."""
    return Marginals(
        np.zeros(len_s),
        np.zeros(len_ts),
        np.empty(n_cells, dtype=np.int64),
        np.empty(n_cells, dtype=np.int64),
        np.empty((n_cells, n_masks), dtype=np.int64),
        np.empty(n_cells),
    )


@jit
def marginal_buffers(lay):
    """Zeroed :class:`Marginals` for one thread's pmfs of the layout ``lay``."""
    n_masks = lay.size.shape[0]
    n_cells = lay.shape[0] * lay.size[n_masks - 1]
    return workspace(n_cells, n_masks, lay.len_s, lay.len_ts)


@jit
def fill(p, lay, mg):
    """List the support of the flat pmf ``p`` and add it into the zeroed marginals ``mg``.

    Returns the support size ``k``; :func:`reset` undoes it.
    """
    return fill_marginals(
        p, lay.shape, lay.size, lay.off_s, lay.off_ts, lay.stride,
        mg.cells, mg.target, mg.idx, mg.w, mg.buf_s, mg.buf_ts,
    )  # fmt: skip


@jit
def reset(k, lay, mg):
    """Zero the marginals ``mg`` again after :func:`fill` listed ``k`` support cells."""
    clear(k, mg.target, mg.idx, lay.size, lay.off_s, lay.off_ts, mg.buf_s, mg.buf_ts)
