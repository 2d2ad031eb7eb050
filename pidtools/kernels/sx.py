"""Shared-exclusion redundancy I^sx: forward pass and gradient, batched over pmfs.

For an outcome ``x = (t, s)`` and node ``alpha`` the local redundancy is
``log2 A / (B C)`` with ``A = P(a_x, T = t)``, ``B = P(a_x)``, ``C = P(T = t)``, where ``a_x`` is
the event that some set of ``alpha`` shows its observed value. ``A`` and ``B`` are
inclusion-exclusion sums of marginals: ``B = sum_m coef[alpha, m] P(S_m = s_m)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit
from .marginals import accumulate, cell_coordinates, clear, support_indices

LN2 = math.log(2.0)


@jit
def _lookup(t, idx_row, size, off_s, off_ts, buf_s, buf_ts, u, v):
    for m in range(size.shape[0]):
        u[m] = buf_s[off_s[m] + idx_row[m]]
        v[m] = buf_ts[off_ts[m] + t * size[m] + idx_row[m]]


@jit
def _unions(ptr, cmask, cval, u, v, a_joint, b_src):
    for a in range(ptr.shape[0] - 1):
        sa = 0.0
        sb = 0.0
        for q in range(ptr[a], ptr[a + 1]):
            sa += cval[q] * v[cmask[q]]
            sb += cval[q] * u[cmask[q]]
        a_joint[a] = sa
        b_src[a] = sb


@batch_kernel
def sx_forward(
    P, shape, size, off_s, off_ts, stride, len_s, len_ts, ptr, cmask, cval, n_chunks,
    want_local, red, local,
):  # fmt: skip
    """Global redundancy ``red[b, alpha] = sum_x p(x) i_sx(t : alpha)``.

    With ``want_local`` the local redundancy of every support cell goes to ``local[b, cell]``.
    """
    n_batch, n_cells = P.shape
    n_masks = size.shape[0]
    n_nodes = ptr.shape[0] - 1
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        buf_s = np.zeros(len_s)
        buf_ts = np.zeros(len_ts)
        cells = np.empty(n_cells, dtype=np.int64)
        target = np.empty(n_cells, dtype=np.int64)
        idx = np.empty((n_cells, n_masks), dtype=np.int64)
        w = np.empty(n_cells)
        u = np.empty(n_masks)
        v = np.empty(n_masks)
        a_joint = np.empty(n_nodes)
        b_src = np.empty(n_nodes)
        for b in range(lo, hi):
            p = P[b]
            k = support_indices(p, shape, stride, cells, target, idx)
            for j in range(k):
                w[j] = p[cells[j]]
            accumulate(w, k, target, idx, size, off_s, off_ts, buf_s, buf_ts)
            for a in range(n_nodes):
                red[b, a] = 0.0
            for j in range(k):
                _lookup(target[j], idx[j], size, off_s, off_ts, buf_s, buf_ts, u, v)
                pj = w[j]
                _unions(ptr, cmask, cval, u, v, a_joint, b_src)
                for a in range(n_nodes):
                    i_loc = math.log2(a_joint[a] / (b_src[a] * v[0]))
                    red[b, a] += pj * i_loc
                    if want_local:
                        local[b, cells[j], a] = i_loc
            clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts)


@batch_kernel
def sx_gradient(
    P, shape, size, off_s, off_ts, stride, len_s, len_ts, ptr, cmask, cval, n_chunks,
    weights, weight_res, all_cells, grad,
):  # fmt: skip
    """Gradient of ``G = sum_alpha weights[alpha] I_alpha + weight_res H(T | S)`` w.r.t. ``p``.

    ``weights`` are per redundancy node (atoms' weights mapped through the transposed Mobius
    inverse). With ``all_cells`` every cell of ``grad[b]`` is written; otherwise only the support
    cells (the others are left untouched).
    """
    n_batch, n_cells = P.shape
    n_src = shape.shape[0] - 1
    n_masks = size.shape[0]
    n_nodes = ptr.shape[0] - 1
    full = n_masks - 1
    weight_sum = 0.0
    for a in range(n_nodes):
        weight_sum += weights[a]
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        buf_s = np.zeros(len_s)
        buf_ts = np.zeros(len_ts)
        wb_s = np.zeros(len_s)
        wa_ts = np.zeros(len_ts)
        cells = np.empty(n_cells, dtype=np.int64)
        target = np.empty(n_cells, dtype=np.int64)
        idx = np.empty((n_cells, n_masks), dtype=np.int64)
        w = np.empty(n_cells)
        u = np.empty(n_masks)
        v = np.empty(n_masks)
        a_joint = np.empty(n_nodes)
        b_src = np.empty(n_nodes)
        coord = np.empty(n_src + 1, dtype=np.int64)
        zidx = np.empty(n_masks, dtype=np.int64)
        for b in range(lo, hi):
            p = P[b]
            k = support_indices(p, shape, stride, cells, target, idx)
            for j in range(k):
                w[j] = p[cells[j]]
            accumulate(w, k, target, idx, size, off_s, off_ts, buf_s, buf_ts)
            # Weight arrays p/A and p/B, folded over nodes per mask, into marginal buffers.
            for j in range(k):
                t = target[j]
                _lookup(t, idx[j], size, off_s, off_ts, buf_s, buf_ts, u, v)
                _unions(ptr, cmask, cval, u, v, a_joint, b_src)
                for a in range(n_nodes):
                    if weights[a] == 0.0:
                        continue
                    ra = weights[a] * w[j] / a_joint[a]
                    rb = weights[a] * w[j] / b_src[a]
                    for q in range(ptr[a], ptr[a + 1]):
                        m = cmask[q]
                        wa_ts[off_ts[m] + t * size[m] + idx[j, m]] += cval[q] * ra
                        wb_s[off_s[m] + idx[j, m]] += cval[q] * rb
            n_out = n_cells if all_cells else k
            for j in range(n_out):
                if all_cells:
                    c = j
                    cell_coordinates(c, shape, coord)
                    t = coord[0]
                    for m in range(n_masks):
                        s = 0
                        for i in range(n_src):
                            s += coord[i + 1] * stride[m, i]
                        zidx[m] = s
                else:
                    c = cells[j]
                    t = target[j]
                    for m in range(n_masks):
                        zidx[m] = idx[j, m]
                _lookup(t, zidx, size, off_s, off_ts, buf_s, buf_ts, u, v)
                _unions(ptr, cmask, cval, u, v, a_joint, b_src)
                g = 0.0
                for a in range(n_nodes):
                    if weights[a] != 0.0:
                        g += weights[a] * math.log2(a_joint[a] / (b_src[a] * v[0]))
                s_w = 0.0
                for m in range(n_masks):
                    s_w += wa_ts[off_ts[m] + t * size[m] + zidx[m]] - wb_s[off_s[m] + zidx[m]]
                g += (s_w - weight_sum) / LN2
                if weight_res != 0.0:
                    g -= weight_res * math.log2(v[full] / u[full])
                grad[b, c] = g
            clear(k, target, idx, size, off_s, off_ts, wb_s, wa_ts)
            clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts)


def csr_coefficients(union_coefficients: np.ndarray):
    """Sparse rows ``(ptr, mask, value)`` of a lattice's inclusion-exclusion coefficients."""
    rows, cols = np.nonzero(union_coefficients)
    ptr = np.zeros(union_coefficients.shape[0] + 1, dtype=np.int64)
    np.add.at(ptr, rows + 1, 1)
    return (
        np.cumsum(ptr).astype(np.int64),
        cols.astype(np.int64),
        union_coefficients[rows, cols].astype(np.float64),
    )
