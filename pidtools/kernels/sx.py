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
from ._math import log2_inplace
from .marginals import cell_coordinates, clear, fill_marginals, workspace

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


@jit
def _gather(k, target, idx, size, off_s, off_ts, buf_s, buf_ts, U, V):
    """``U[m, j] = P(S_m = s_m)`` and ``V[m, j] = P(T = t, S_m = s_m)`` at support cell ``j``."""
    for m in range(size.shape[0]):
        for j in range(k):
            U[m, j] = buf_s[off_s[m] + idx[j, m]]
            V[m, j] = buf_ts[off_ts[m] + target[j] * size[m] + idx[j, m]]


@jit
def _union_columns(a, k, ptr, cmask, cval, U, V, A, B):
    """``A[j] = P(a_x, T = t)`` and ``B[j] = P(a_x)`` of node ``a`` at every support cell."""
    for j in range(k):
        A[j] = 0.0
        B[j] = 0.0
    for q in range(ptr[a], ptr[a + 1]):
        c = cval[q]
        m = cmask[q]
        for j in range(k):
            A[j] += c * V[m, j]
            B[j] += c * U[m, j]


@batch_kernel
def sx_forward(
    P,
    shape,
    size,
    off_s,
    off_ts,
    stride,
    len_s,
    len_ts,
    ptr,
    cmask,
    cval,
    n_chunks,
    want_local,
    red,
    local,
):
    """Global redundancy ``red[b, alpha] = sum_x p(x) i_sx(t : alpha)``.

    Work is laid out node by node over contiguous columns of support cells, so that the
    inclusion-exclusion sums and the logarithms vectorise. With ``want_local`` the local
    redundancy of every support cell also goes to ``local[b, cell]``.
    """
    n_batch, n_cells = P.shape
    n_masks = size.shape[0]
    n_nodes = ptr.shape[0] - 1
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        buf_s, buf_ts, cells, target, idx, w = workspace(n_cells, n_masks, len_s, len_ts)
        U = np.empty((n_masks, n_cells))
        V = np.empty((n_masks, n_cells))
        A = np.empty(n_cells)
        B = np.empty(n_cells)
        for b in range(lo, hi):
            p = P[b]
            k = fill_marginals(p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts)
            _gather(k, target, idx, size, off_s, off_ts, buf_s, buf_ts, U, V)
            for a in range(n_nodes):
                _union_columns(a, k, ptr, cmask, cval, U, V, A, B)
                for j in range(k):
                    A[j] = A[j] / (B[j] * V[0, j])
                log2_inplace(A, k)
                acc = 0.0
                for j in range(k):
                    acc += w[j] * A[j]
                red[b, a] = acc
                if want_local:
                    for j in range(k):
                        local[b, cells[j], a] = A[j]
            clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts)


@batch_kernel
def sx_gradient(
    P,
    shape,
    size,
    off_s,
    off_ts,
    stride,
    len_s,
    len_ts,
    ptr,
    cmask,
    cval,
    n_chunks,
    weights,
    weight_res,
    all_cells,
    grad,
):
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
        buf_s, buf_ts, cells, target, idx, w = workspace(n_cells, n_masks, len_s, len_ts)
        wb_s = np.zeros(len_s)
        wa_ts = np.zeros(len_ts)
        U = np.empty((n_masks, n_cells))
        V = np.empty((n_masks, n_cells))
        A = np.empty(n_cells)
        B = np.empty(n_cells)
        logs = np.empty(n_cells)
        u = np.empty(n_masks)
        v = np.empty(n_masks)
        a_joint = np.empty(n_nodes)
        b_src = np.empty(n_nodes)
        coord = np.empty(n_src + 1, dtype=np.int64)
        zidx = np.empty(n_masks, dtype=np.int64)
        for b in range(lo, hi):
            p = P[b]
            k = fill_marginals(p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts)
            for j in range(k):
                grad[b, cells[j]] = 0.0
            _gather(k, target, idx, size, off_s, off_ts, buf_s, buf_ts, U, V)
            # Per node: the log term at the support cells, and the weight arrays
            # weights[a] p/A and weights[a] p/B folded per mask into marginal buffers.
            for a in range(n_nodes):
                c_a = weights[a]
                if c_a == 0.0:
                    continue
                _union_columns(a, k, ptr, cmask, cval, U, V, A, B)
                for j in range(k):
                    logs[j] = A[j] / (B[j] * V[0, j])
                    A[j] = c_a * w[j] / A[j]
                    B[j] = c_a * w[j] / B[j]
                log2_inplace(logs, k)
                for j in range(k):
                    grad[b, cells[j]] += c_a * logs[j]
                for q in range(ptr[a], ptr[a + 1]):
                    m = cmask[q]
                    c = cval[q]
                    for j in range(k):
                        wa_ts[off_ts[m] + target[j] * size[m] + idx[j, m]] += c * A[j]
                        wb_s[off_s[m] + idx[j, m]] += c * B[j]
            for j in range(k):
                t = target[j]
                s_w = 0.0
                for m in range(n_masks):
                    s_w += wa_ts[off_ts[m] + t * size[m] + idx[j, m]] - wb_s[off_s[m] + idx[j, m]]
                g = grad[b, cells[j]] + (s_w - weight_sum) / LN2
                if weight_res != 0.0:
                    g -= weight_res * math.log2(V[full, j] / U[full, j])
                grad[b, cells[j]] = g
            if all_cells:
                # cells outside the support: the same formula, one cell at a time
                for c in range(n_cells):
                    if p[c] > 0.0:
                        continue
                    cell_coordinates(c, shape, coord)
                    t = coord[0]
                    for m in range(n_masks):
                        s = 0
                        for i in range(n_src):
                            s += coord[i + 1] * stride[m, i]
                        zidx[m] = s
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
