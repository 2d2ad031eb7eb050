"""The information terms of the bivariate dependency decomposition (I_dep), batched over pmfs.

For (T, S1, S2) the unique information of I_dep is the least increase of ``I(S1, S2; T)`` over
the edges of the dependency lattice that add the constraint (S1, T). Each lattice node is the
maximum-entropy distribution with some marginals; only five values of ``I(S1, S2; T)`` occur:

- ``I1 = I(T; S1)``, ``I2 = I(T; S2)``, ``I12 = I(T; S1, S2)`` of ``p`` itself,
- ``Ici``: under ``p(t, s1) p(t, s2) / p(t)`` (the node S1T:S2T),
- ``Ipair``: under the maxent distribution with all pairwise marginals (S1S2:S1T:S2T), by IPF.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit
from .marginals import clear, fill_marginals
from .maxent import fit_maxent, q_marginals, q_pmi


@jit
def marginal_mi(buf_s, buf_ts, size, off_s, off_ts, n_t, m):
    """``I(T; S_m)`` in bits from filled marginal buffers."""
    acc = 0.0
    for t in range(n_t):
        pt = buf_ts[off_ts[0] + t]
        if pt <= 0.0:
            continue
        base = off_ts[m] + t * size[m]
        for j in range(size[m]):
            pts = buf_ts[base + j]
            if pts > 0.0:
                acc += pts * math.log2(pts / (pt * buf_s[off_s[m] + j]))
    return acc


@jit
def conditional_independence_mi(buf_s, buf_ts, size, off_s, off_ts, n_t, col):
    """``I(T; S1, S2)`` under ``q = p(t, s1) p(t, s2) / p(t)`` (two sources, masks 1 and 2)."""
    n1 = size[1]
    n2 = size[2]
    acc = 0.0
    for i in range(n1):
        for j in range(n2):
            qs = 0.0
            for t in range(n_t):
                pt = buf_ts[off_ts[0] + t]
                col[t] = 0.0
                if pt > 0.0:
                    col[t] = buf_ts[off_ts[1] + t * n1 + i] * buf_ts[off_ts[2] + t * n2 + j] / pt
                qs += col[t]
            for t in range(n_t):
                if col[t] > 0.0:
                    acc += col[t] * math.log2(col[t] / (qs * buf_ts[off_ts[0] + t]))
    return acc


@jit
def pairwise_maxent_mi(
    shape, size, off_s, off_ts, stride, buf_s, buf_ts, cur_s, cur_ts, qs, qts, allowed, tol,
    max_cycles, q, lo, cell_t, cell_j, cidx, sub, sets,
):  # fmt: skip
    """``I(T; S1, S2)`` under the maxent distribution with the three pairwise marginals.

    Returns ``(mi, cycles)``; ``cycles < 0`` means IPF did not converge.
    """
    sets[0] = 1
    sets[1] = 2
    n_q, cycles = fit_maxent(
        shape, size, off_s, off_ts, stride, buf_s, buf_ts, cur_s, cur_ts, qs, qts, sets, 2,
        allowed, tol, max_cycles, q, lo, cell_t, cell_j, cidx,
    )  # fmt: skip
    q_marginals(q, n_q, cell_t, cell_j, 3, shape, size, off_s, off_ts, stride, sub, qs, qts)
    acc = 0.0
    for i in range(n_q):
        if q[i] > 0.0:
            acc += q[i] * q_pmi(i, 3, cell_t, sub, size, off_s, off_ts, qs, qts)
    return acc, cycles


@jit
def dep_terms(
    p, shape, size, off_s, off_ts, stride, len_s, len_ts, tol, max_cycles, allowed, out, k_out,
    buf_s, buf_ts, cur_s, cur_ts, qs, qts, cells, target, idx, w, q, cell_t, cell_j, cidx, sub,
    sets, col,
):  # fmt: skip
    """Write ``I1, I2, I12, Ici, Ipair`` of the flat pmf ``p`` to ``out[k_out]``; return cycles."""
    n_t = shape[0]
    k = fill_marginals(p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts)
    out[k_out, 0] = marginal_mi(buf_s, buf_ts, size, off_s, off_ts, n_t, 1)
    out[k_out, 1] = marginal_mi(buf_s, buf_ts, size, off_s, off_ts, n_t, 2)
    out[k_out, 2] = marginal_mi(buf_s, buf_ts, size, off_s, off_ts, n_t, 3)
    out[k_out, 3] = conditional_independence_mi(buf_s, buf_ts, size, off_s, off_ts, n_t, col)
    mi, cycles = pairwise_maxent_mi(
        shape, size, off_s, off_ts, stride, buf_s, buf_ts, cur_s, cur_ts, qs, qts, allowed,
        tol, max_cycles, q, w, cell_t, cell_j, cidx, sub, sets,
    )  # fmt: skip
    out[k_out, 4] = mi
    clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts)
    return cycles


@jit
def _scratch(n_cells, n_t, len_s, len_ts, n_masks):
    return (
        np.zeros(len_s), np.zeros(len_ts), np.zeros(len_s), np.zeros(len_ts), np.zeros(len_s),
        np.zeros(len_ts), np.empty(n_cells, dtype=np.int64), np.empty(n_cells, dtype=np.int64),
        np.empty((n_cells, n_masks), dtype=np.int64), np.empty(n_cells), np.empty(n_cells),
        np.empty(n_cells, dtype=np.int64), np.empty(n_cells, dtype=np.int64),
        np.empty((n_cells, 3), dtype=np.int64), np.empty((n_cells, n_masks), dtype=np.int64),
        np.empty(2, dtype=np.int64), np.empty(n_t),
    )  # fmt: skip


@batch_kernel
def dep_forward(
    P, shape, size, off_s, off_ts, stride, len_s, len_ts, n_chunks, tol, max_cycles, out, status,
):  # fmt: skip
    """``out[b] = (I1, I2, I12, Ici, Ipair)`` for every flat bivariate pmf ``P[b]``."""
    n_batch, n_cells = P.shape
    no_restriction = np.zeros(0, dtype=np.bool_)
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        (buf_s, buf_ts, cur_s, cur_ts, qs, qts, cells, target, idx, w, q, cell_t, cell_j, cidx,
         sub, sets, col) = _scratch(n_cells, shape[0], len_s, len_ts, size.shape[0])  # fmt: skip
        for b in range(lo, hi):
            status[b] = dep_terms(
                P[b], shape, size, off_s, off_ts, stride, len_s, len_ts, tol, max_cycles,
                no_restriction, out, b, buf_s, buf_ts, cur_s, cur_ts, qs, qts, cells, target, idx,
                w, q, cell_t, cell_j, cidx, sub, sets, col,
            )  # fmt: skip


@jit
def dep_one(p, shape, size, off_s, off_ts, stride, len_s, len_ts, tol, max_cycles, allowed, out):
    """``dep_forward`` for one flat pmf with the pairwise maxent cells restricted to ``allowed``."""
    (buf_s, buf_ts, cur_s, cur_ts, qs, qts, cells, target, idx, w, q, cell_t, cell_j, cidx,
     sub, sets, col) = _scratch(p.shape[0], shape[0], len_s, len_ts, size.shape[0])  # fmt: skip
    return dep_terms(
        p, shape, size, off_s, off_ts, stride, len_s, len_ts, tol, max_cycles, allowed, out, 0,
        buf_s, buf_ts, cur_s, cur_ts, qs, qts, cells, target, idx, w, q, cell_t, cell_j, cidx,
        sub, sets, col,
    )  # fmt: skip
