"""Shared-exclusion redundancy I^sx: forward pass and gradient, batched over pmfs.

For an outcome ``x = (t, s)`` and node ``alpha`` the local redundancy is
``log2 A / (B C)`` with ``A = P(a_x, T = t)``, ``B = P(a_x)``, ``C = P(T = t)``, where ``a_x`` is
the event that some set of ``alpha`` shows its observed value. ``A`` and ``B`` are
inclusion-exclusion sums of marginals: ``B = sum_m coef[alpha, m] P(S_m = s_m)``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit
from ._lanes import LANES, add_lanes
from ._math import log2_inplace, log2_ratio_inplace
from .dense import broadcast_add, dense_marginals, dot, ix, reduce_add
from .marginals import cell_coordinates, clear, fill_marginals, workspace

LN2 = math.log(2.0)


class Geometry(NamedTuple):
    """Marginal layout of pmfs of one shape (:class:`pidtools.kernels.marginals.Layout`)."""

    shape: np.ndarray
    size: np.ndarray
    off_s: np.ndarray
    off_ts: np.ndarray
    stride: np.ndarray
    len_s: int
    len_ts: int


class UnionTerms(NamedTuple):
    """The nodes' inclusion-exclusion coefficients in sparse rows: node ``a`` has the terms
    ``value[q] P(S_mask[q] = s)`` for ``q`` in ``ptr[a]:ptr[a + 1]``."""

    ptr: np.ndarray
    mask: np.ndarray
    value: np.ndarray


class DensePlan(NamedTuple):
    """Tables of the dense path (:func:`pidtools.kernels.dense.dense_plan`)."""

    order: np.ndarray
    parent: np.ndarray
    outer: np.ndarray
    n_sum: np.ndarray
    inner: np.ndarray
    run: np.ndarray
    along: np.ndarray
    start: np.ndarray
    row_off: np.ndarray


@jit
def _support_size(p):
    nnz = 0
    for c in range(p.shape[0]):
        nnz += p[c] > 0.0
    return nnz


@jit
def _dense_unions(a, coef, geo, plan, d_s, d_ts, A, B):
    """Node ``a`` on the grid of its union mask ``M``, from dense marginals.

    The local redundancy depends on the outcome only through ``t`` and the joint value ``g``
    of the sources in ``M``. Returns ``(M, A, B)`` with ``A[t * size[M] + g] = P(a_x, T = t)``
    and ``B[g] = P(a_x)``: views of the marginals themselves when ``a`` is a single set
    (``M``), else filled into the scratch arrays ``A`` and ``B``.
    """
    ptr, cmask, cval = coef.ptr, coef.mask, coef.value
    shape, size, off_s, off_ts = geo.shape, geo.size, geo.off_s, geo.off_ts
    run, along, start, row_off = plan.run, plan.along, plan.start, plan.row_off
    n_masks = size.shape[0]
    big = 0
    for q in range(ptr[a], ptr[a + 1]):
        big |= cmask[q]
    g_size = size[big]
    n_grid = shape[0] * g_size
    if ptr[a + 1] - ptr[a] == 1:
        return big, d_ts[off_ts[big] : off_ts[big] + n_grid], d_s[off_s[big] : off_s[big] + g_size]
    for q in range(ptr[a], ptr[a + 1]):
        m = cmask[q]
        c = cval[q]
        k = big * n_masks + m
        first = q == ptr[a]  # the first term assigns, so no zeroing pass is needed
        broadcast_add(c, d_s, off_s[m], B, 0, k, run, along, start, row_off, first)
        for t in range(shape[0]):
            d0 = off_ts[m] + t * size[m]
            broadcast_add(c, d_ts, d0, A, t * g_size, k, run, along, start, row_off, first)
    return big, A[:n_grid], B[:g_size]


@jit
def _dense_ratio(big, shape, size, off_ts, d_ts, A, B, R):
    """``R = A / (B P(T))`` on the grid of mask ``big`` (1 where ``P(T, S_big)`` is 0)."""
    g_size = ix(size[big])
    p0 = ix(off_ts[big])
    for t in range(ix(shape[0])):
        pt = d_ts[ix(off_ts[0]) + t]
        base = t * g_size
        for g in range(g_size):
            i = base + g
            R[i] = A[i] / (B[g] * pt) if d_ts[p0 + i] > 0.0 else 1.0


@jit
def _lookup(t, idx_row, size, off_s, off_ts, buf_s, buf_ts, u, v):
    for m in range(size.shape[0]):
        u[m] = buf_s[off_s[m] + idx_row[m]]
        v[m] = buf_ts[off_ts[m] + t * size[m] + idx_row[m]]


@jit
def _unions(coef, u, v, a_joint, b_src):
    ptr, cmask, cval = coef.ptr, coef.mask, coef.value
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
def _union_columns(a, k, coef, U, V, A, B):
    """``A[j] = P(a_x, T = t)`` and ``B[j] = P(a_x)`` of node ``a`` at every support cell."""
    ptr, cmask, cval = coef.ptr, coef.mask, coef.value
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
def sx_forward(P, geo, coef, plan, dense_min, n_chunks, want_local, red, local):
    """Global redundancy ``red[b, alpha] = sum_x p(x) i_sx(t : alpha)``.

    ``geo`` is the marginal layout (:class:`Geometry`), ``coef`` the nodes' inclusion-exclusion
    coefficients (:class:`UnionTerms`) and ``plan`` the tables of the dense path
    (:class:`DensePlan`).

    Pmfs with fewer than ``dense_min`` non-zero cells: work is laid out node by node over
    contiguous columns of support cells, so that the inclusion-exclusion sums and the logarithms
    vectorise. With ``want_local`` the local redundancy of every support cell also goes to
    ``local[b, cell]``. Denser pmfs (global values only): each node is evaluated once per cell of
    the grid ``(T, S_M)`` of the sources ``M`` it mentions, from dense marginals.
    """
    shape, size, off_s, off_ts = geo.shape, geo.size, geo.off_s, geo.off_ts
    stride, len_s, len_ts = geo.stride, geo.len_s, geo.len_ts
    order, parent, outer, n_sum, inner = (
        plan.order, plan.parent, plan.outer, plan.n_sum, plan.inner
    )  # fmt: skip
    n_batch, n_cells = P.shape
    n_masks = size.shape[0]
    n_nodes = coef.ptr.shape[0] - 1
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        buf_s, buf_ts, cells, target, idx, w = workspace(n_cells, n_masks, len_s, len_ts)
        U = np.empty((n_masks, n_cells))
        V = np.empty((n_masks, n_cells))
        A = np.empty(n_cells)
        B = np.empty(n_cells)
        R = np.empty(n_cells)
        d_s = np.empty(len_s)
        d_ts = np.empty(len_ts)
        for b in range(lo, hi):
            p = P[b]
            if not want_local and _support_size(p) >= dense_min:
                dense_marginals(
                    p, shape, size, off_s, off_ts, order, parent, outer, n_sum, inner, d_s, d_ts
                )
                for a in range(n_nodes):
                    big, Aa, Ba = _dense_unions(a, coef, geo, plan, d_s, d_ts, A, B)
                    n_grid = shape[0] * size[big]
                    _dense_ratio(big, shape, size, off_ts, d_ts, Aa, Ba, R)
                    log2_inplace(R, n_grid)
                    red[b, a] = dot(d_ts[off_ts[big] :], R, n_grid)
                continue
            k = fill_marginals(
                p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts
            )
            _gather(k, target, idx, size, off_s, off_ts, buf_s, buf_ts, U, V)
            for a in range(n_nodes):
                _union_columns(a, k, coef, U, V, A, B)
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
def sx_backward(P, geo, coef, plan, dense_min, n_chunks, weights, weight_res, all_cells, grad):
    """Gradient of ``G = sum_alpha weights[alpha] I_alpha + weight_res H(T | S)`` w.r.t. ``p``.

    ``weights`` are per redundancy node (atoms' weights mapped through the transposed Mobius
    inverse); the other arguments as in :func:`sx_forward`. With ``all_cells`` every cell of
    ``grad[b]`` is written; otherwise only the support cells (the others are left untouched, or
    set to zero by the dense path).

    Dense path (``all_cells``, or at least ``dense_min`` non-zero cells): with
    ``Q = weights[a] p / A`` and ``Q' = weights[a] p / B`` on node ``a``'s grid,
    ``dG/dp(x) = sum_a weights[a] log-term(x) + sum_m [H_m(t, s_m) - H'_m(s_m)] / ln 2
    - sum_a weights[a] / ln 2``, where ``H_m`` (``H'_m``) accumulates ``coef[a, m]`` times the
    marginal of ``Q`` (``Q'``) on the grid of mask ``m``.
    """
    shape, size, off_s, off_ts = geo.shape, geo.size, geo.off_s, geo.off_ts
    stride, len_s, len_ts = geo.stride, geo.len_s, geo.len_ts
    ptr, cmask, cval = coef.ptr, coef.mask, coef.value
    order, parent, outer, n_sum, inner = (
        plan.order, plan.parent, plan.outer, plan.n_sum, plan.inner
    )  # fmt: skip
    run, along, start, row_off = plan.run, plan.along, plan.start, plan.row_off
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
        R = np.empty(n_cells)
        d_s = np.empty(len_s)
        d_ts = np.empty(len_ts)
        h_s = np.empty(len_s)
        h_ts = np.empty(len_ts)
        for b in range(lo, hi):
            p = P[b]
            if all_cells or _support_size(p) >= dense_min:
                dense_marginals(
                    p, shape, size, off_s, off_ts, order, parent, outer, n_sum, inner, d_s, d_ts
                )
                h_s[:] = 0.0
                h_ts[:] = 0.0
                for a in range(n_nodes):
                    c_a = weights[a]
                    if c_a == 0.0:
                        continue
                    big, Aa, Ba = _dense_unions(a, coef, geo, plan, d_s, d_ts, A, B)
                    g_size = size[big]
                    n_grid = shape[0] * g_size
                    # the log term, at every cell (the gradient is defined outside the support)
                    g_u = ix(g_size)
                    for t in range(ix(shape[0])):
                        pt = d_ts[ix(off_ts[0]) + t]
                        for g in range(g_u):
                            i = t * g_u + g
                            R[i] = Aa[i] / (Ba[g] * pt)
                    log2_inplace(R, n_grid)
                    p0 = ix(off_ts[big])  # P(T, S_big) in d_ts, its gradient terms in h_ts
                    for i in range(ix(n_grid)):
                        h_ts[p0 + i] += c_a * R[i]
                    # weights[a] p / A and weights[a] p / B, marginalised onto every mask of a
                    for i in range(ix(n_grid)):
                        pm = d_ts[p0 + i]
                        R[i] = c_a * pm / Aa[i] if pm > 0.0 else 0.0
                    s0 = ix(off_s[big])
                    for g in range(g_u):
                        ps = d_s[s0 + g]
                        B[g] = c_a * ps / Ba[g] if ps > 0.0 else 0.0
                    for q in range(ptr[a], ptr[a + 1]):
                        m = cmask[q]
                        c = cval[q] / LN2
                        k = big * n_masks + m
                        reduce_add(-c, B, 0, h_s, off_s[m], k, run, along, start, row_off)
                        for t in range(shape[0]):
                            d0 = off_ts[m] + t * size[m]
                            reduce_add(c, R, t * g_size, h_ts, d0, k, run, along, start, row_off)
                if weight_res != 0.0:
                    g_size = size[full]
                    for t in range(shape[0]):
                        for g in range(g_size):
                            R[t * g_size + g] = p[t * g_size + g] / d_s[off_s[full] + g]
                    log2_inplace(R, n_cells)
                    for i in range(n_cells):
                        h_ts[off_ts[full] + i] -= weight_res * R[i]
                gb = grad[b]
                gb[:] = -weight_sum / LN2
                for m in range(n_masks):
                    for t in range(shape[0]):
                        d0 = off_ts[m] + t * size[m]
                        for r in range(size[m]):
                            h_ts[d0 + r] += h_s[off_s[m] + r]
                        k = full * n_masks + m
                        broadcast_add(
                            1.0, h_ts, d0, gb, t * size[full], k, run, along, start, row_off
                        )
                if not all_cells:
                    for c in range(n_cells):
                        if p[c] == 0.0:
                            gb[c] = 0.0
                continue
            k = fill_marginals(
                p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts
            )
            for j in range(k):
                grad[b, cells[j]] = 0.0
            _gather(k, target, idx, size, off_s, off_ts, buf_s, buf_ts, U, V)
            # Per node: the log term at the support cells, and the weight arrays
            # weights[a] p/A and weights[a] p/B folded per mask into marginal buffers.
            for a in range(n_nodes):
                c_a = weights[a]
                if c_a == 0.0:
                    continue
                _union_columns(a, k, coef, U, V, A, B)
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
                    _unions(coef, u, v, a_joint, b_src)
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


def csr_coefficients(union_coefficients: np.ndarray) -> UnionTerms:
    """Sparse rows (:class:`UnionTerms`) of a lattice's inclusion-exclusion coefficients."""
    rows, cols = np.nonzero(union_coefficients)
    ptr = np.zeros(union_coefficients.shape[0] + 1, dtype=np.int64)
    np.add.at(ptr, rows + 1, 1)
    return UnionTerms(
        np.cumsum(ptr).astype(np.int64),
        cols.astype(np.int64),
        union_coefficients[rows, cols].astype(np.float64),
    )


class ChainTables(NamedTuple):
    """Each lattice node's up-set built from another's by one source set, for :func:`sx_chain`.

    Node ``a``'s up-set is that of ``parent[a]`` plus the source mask ``added[a]``
    (``parent[a] = n_nodes`` for the top node, whose up-set is the full mask alone). Parents
    come later in the bottom-up node order, so a top-down pass meets them first.
    """

    parent: np.ndarray
    added: np.ndarray


@jit
def _exact_agreement(u, n_masks):
    """Turn ``u[m] = P(S_m = s_m)`` into ``P(the sources that agree with s are exactly m)``
    (Mobius transform over supersets, in place)."""
    bit = 1
    while bit < n_masks:
        for m in range(n_masks):
            if not m & bit:
                u[m] -= u[m | bit]
        bit <<= 1


@jit
def _chain_block(parent, added, Y, X, n_nodes):
    """``X[a * LANES + l]``: the probability of node ``a``'s up-set event in lane ``l``, from
    the exact-agreement probabilities ``Y[m * LANES + l]`` (one addition per node and lane)."""
    for l in range(LANES):
        X[n_nodes * LANES + l] = 0.0
    for a in range(n_nodes - 1, -1, -1):
        add_lanes(X, a * LANES, X, parent[a] * LANES, Y, added[a] * LANES)


@jit
def _weighted_lanes(X, weight, n_nodes, acc):
    """``acc[a] += sum_l weight[l] X[a * LANES + l]``."""
    for a in range(n_nodes):
        s = 0.0
        for l in range(LANES):
            s += weight[l] * X[a * LANES + l]
        acc[a] += s


@jit
def _agreement_lanes(src, rows, n_rows, n_masks, u, Y):
    """``Y[m * LANES + l]``: the exact-agreement probabilities (:func:`_exact_agreement`) of
    the marginals ``src[:, rows[l]]``, for the first ``n_rows`` lanes; the others idle (every
    event has probability 1)."""
    for l in range(LANES):
        if l < n_rows:
            for m in range(n_masks):
                u[m] = src[m, rows[l]]
            _exact_agreement(u, n_masks)
        else:
            u[:] = 0.0
            u[n_masks - 1] = 1.0
        for m in range(n_masks):
            Y[m * LANES + l] = u[m]


@batch_kernel
def sx_chain(P, geo, chain, n_chunks, want_local, want_plus, red, red_plus, local, local_plus):
    """I^sx redundancy of every node, and with ``want_plus`` its informative part, along chains
    of up-sets.

    For a support cell ``x = (t, s)`` and node ``alpha``, the event "some set of ``alpha``
    shows its value in ``s``" is "the sources that agree with ``s`` form a set of the up-set of
    ``alpha``"; its probability is the sum over that up-set of the probability that exactly
    those sources agree, and one node's up-set is its parent's plus one mask
    (:class:`ChainTables`): one addition per node and cell, sums of non-negative terms only.
    ``geo`` is the marginal layout (:class:`Geometry`).

    ``i(x) = log2(A / B) - log2 P(t)`` with ``A = P(a_x, T = t)`` and ``B = P(a_x)``: the
    chains of ``A`` and of ``B`` run for every support cell, :data:`LANES` cells at a time, and
    one logarithm per node and cell takes their ratio. Writes ``red[b, a] = sum_x p(x) i(x)``;
    with ``want_plus``, ``red_plus[b, a] = -sum_x p(x) log2 B``, from chains of ``B`` run once
    per source value; with ``want_local`` the values per support cell go to
    ``local[b, cell, a]`` (and ``local_plus``).
    """
    shape, size, off_s, off_ts = geo.shape, geo.size, geo.off_s, geo.off_ts
    stride, len_s, len_ts = geo.stride, geo.len_s, geo.len_ts
    parent = chain.parent
    added = chain.added
    n_batch, n_cells = P.shape
    n_masks = size.shape[0]
    n_nodes = parent.shape[0]
    n_src = size[n_masks - 1]
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        buf_s, buf_ts, cells, target, idx, w = workspace(n_cells, n_masks, len_s, len_ts)
        U = np.empty((n_masks, n_cells))
        V = np.empty((n_masks, n_cells))
        u = np.empty(n_masks)
        Y = np.empty(n_masks * LANES)
        X = np.empty((n_nodes + 1) * LANES)
        XB = np.empty((n_nodes + 1) * LANES)
        weight = np.empty(LANES)
        acc = np.empty(n_nodes)
        acc_b = np.empty(n_nodes)
        rows = np.empty(max(n_cells, LANES), dtype=np.int64)  # support cells of the lanes
        b_row = np.empty(n_cells, dtype=np.int64)  # a cell's B row
        log_b = np.empty((n_cells if want_local and want_plus else 1, n_nodes))
        for b in range(lo, hi):
            p = P[b]
            k = fill_marginals(
                p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts
            )
            _gather(k, target, idx, size, off_s, off_ts, buf_s, buf_ts, U, V)
            if want_plus:  # chains of B once per source value, weighted by -P(s)
                by_source = np.argsort(cells[:k] % n_src, kind="mergesort")
                n_b = 0
                for r in range(k):
                    j = by_source[r]
                    if r == 0 or cells[j] % n_src != cells[by_source[r - 1]] % n_src:
                        rows[n_b] = j
                        n_b += 1
                    b_row[j] = n_b - 1
                acc_b[:] = 0.0
                for r0 in range(0, n_b, LANES):
                    n_l = min(LANES, n_b - r0)
                    _agreement_lanes(U, rows[r0:], n_l, n_masks, u, Y)
                    _chain_block(parent, added, Y, X, n_nodes)
                    log2_inplace(X, n_nodes * LANES)
                    for l in range(LANES):
                        weight[l] = -U[n_masks - 1, rows[r0 + l]] if l < n_l else 0.0
                    _weighted_lanes(X, weight, n_nodes, acc_b)
                    if want_local:
                        for l in range(n_l):
                            for a in range(n_nodes):
                                log_b[r0 + l, a] = X[a * LANES + l]
                for a in range(n_nodes):
                    red_plus[b, a] = acc_b[a]
            h_t = 0.0  # -sum_t P(t) log2 P(t): the same term in every node
            for j in range(k):
                h_t -= w[j] * math.log2(V[0, j])
            acc[:] = 0.0
            for j0 in range(0, k, LANES):  # chains of A and of B per support cell
                n_l = min(LANES, k - j0)
                for l in range(LANES):
                    rows[l] = j0 + l
                    weight[l] = w[j0 + l] if l < n_l else 0.0
                _agreement_lanes(V, rows, n_l, n_masks, u, Y)
                _chain_block(parent, added, Y, X, n_nodes)
                _agreement_lanes(U, rows, n_l, n_masks, u, Y)
                _chain_block(parent, added, Y, XB, n_nodes)
                log2_ratio_inplace(X, XB, n_nodes * LANES)
                _weighted_lanes(X, weight, n_nodes, acc)
                if want_local:
                    for l in range(n_l):
                        j = j0 + l
                        c = cells[j]
                        log_pt = math.log2(V[0, j])
                        for a in range(n_nodes):
                            local[b, c, a] = X[a * LANES + l] - log_pt
                        if want_plus:
                            for a in range(n_nodes):
                                local_plus[b, c, a] = -log_b[b_row[j], a]
            for a in range(n_nodes):
                red[b, a] = acc[a] + h_t
            clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts)
