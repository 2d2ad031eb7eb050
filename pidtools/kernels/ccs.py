"""Ince's common change in surprisal I_ccs, batched over pmfs.

For a node ``alpha = {a_1, ..., a_k}`` the maximum-entropy distribution ``q`` on ``(T, S_U)``,
``U = a_1 | ... | a_k``, that keeps ``P(S_U)`` and every ``P(T, S_a)`` is fitted by IPF. At each
cell of ``q`` the local co-information of ``(S_a1, ..., S_ak, T)`` is

    c = sum_m u[alpha, m] log2 q(t, s_m) / (q(s_m) q(t))

(``u`` the inclusion-exclusion coefficients of the lattice). It counts where its sign agrees
with the sign of every ``pmi(S_a; T)`` and of ``pmi(S_U; T)``; values within ``1e-8`` of zero
have sign zero (as in dit). ``I_ccs(alpha) = sum_cells q c [signs agree]``.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit
from .marginals import clear, fill_marginals
from .maxent import fit_maxent, maxent_cells, q_marginals, q_pmi

#: |value| at or below which dit treats a local co-information or pmi as zero (np.isclose).
ZERO = 1e-8


@jit
def _sign(x):
    if abs(x) <= ZERO:
        return 0
    return 1 if x > 0.0 else -1


@jit
def ccs_node(
    shape, size, off_s, off_ts, stride, buf_s, buf_ts, cur_s, cur_ts, qs, qts,
    sets, n_sets, uc_mask, uc_coef, allowed, tol, max_cycles,
    q, cell_t, cell_j, cidx, sub, val,
):  # fmt: skip
    """I_ccs of one node; the local value of each maxent cell goes to ``val``.

    Returns ``(redundancy, n_q, cycles)``; ``cycles < 0`` means IPF did not converge.
    """
    n_q, cycles = fit_maxent(
        shape, size, off_s, off_ts, stride, buf_s, buf_ts, cur_s, cur_ts, qs, qts, sets,
        n_sets, allowed, tol, max_cycles, q, val, cell_t, cell_j, cidx,
    )  # fmt: skip
    u = 0
    for r in range(n_sets):
        u |= sets[r]
    q_marginals(q, n_q, cell_t, cell_j, u, shape, size, off_s, off_ts, stride, sub, qs, qts)
    red = 0.0
    for i in range(n_q):
        val[i] = 0.0
        if q[i] <= 0.0:
            continue
        c = 0.0
        for r in range(uc_mask.shape[0]):
            c += uc_coef[r] * q_pmi(i, uc_mask[r], cell_t, sub, size, off_s, off_ts, qs, qts)
        s = _sign(c)
        agree = True
        for r in range(n_sets):
            if _sign(q_pmi(i, sets[r], cell_t, sub, size, off_s, off_ts, qs, qts)) != s:
                agree = False
                break
        joint = np.log2(q[i] / (qs[off_s[u] + cell_j[i]] * qts[off_ts[0] + cell_t[i]]))
        if joint == 0.0:
            sj = 0
        else:
            sj = 1 if joint > 0.0 else -1
        if agree and sj == s and s != 0:
            val[i] = c
            red += q[i] * c
    return red, n_q, cycles


@jit
def _scratch(n_cells, n_masks, len_s, len_ts, max_sets):
    """Work arrays of the I_ccs kernels for pmfs of ``n_cells`` cells."""
    return (
        np.zeros(len_s), np.zeros(len_ts), np.zeros(len_s), np.zeros(len_ts), np.zeros(len_s),
        np.zeros(len_ts), np.empty(n_cells, dtype=np.int64), np.empty(n_cells, dtype=np.int64),
        np.empty((n_cells, n_masks), dtype=np.int64), np.empty(n_cells), np.empty(n_cells),
        np.empty(n_cells, dtype=np.int64), np.empty(n_cells, dtype=np.int64),
        np.empty((n_cells, max_sets + 1), dtype=np.int64),
        np.empty((n_cells, n_masks), dtype=np.int64), np.empty(n_cells),
        np.empty(n_cells, dtype=np.int64),
    )  # fmt: skip


@jit
def _local_values(n_q, cell_t, cell_j, val, k, cells, target, idx, u, size, pos, out):
    """Copy each support cell's local value (that of its maxent cell ``(t, s_u)``) to ``out``."""
    for j in range(k):
        pos[target[j] * size[u] + idx[j, u]] = -1
    for i in range(n_q):
        pos[cell_t[i] * size[u] + cell_j[i]] = i
    for j in range(k):
        i = pos[target[j] * size[u] + idx[j, u]]
        out[cells[j]] = val[i] if i >= 0 else np.nan


@batch_kernel
def ccs_forward(
    P, shape, size, off_s, off_ts, stride, len_s, len_ts, node_ptr, node_mask,
    uc_ptr, uc_mask, uc_coef, n_chunks, tol, max_cycles, want_local, red, local, status,
):  # fmt: skip
    """I_ccs of every node of every pmf; ``status[b, a]`` gets the IPF cycles (< 0: stalled)."""
    n_batch, n_cells = P.shape
    n_masks = size.shape[0]
    n_nodes = node_ptr.shape[0] - 1
    max_sets = 1
    for a in range(n_nodes):
        max_sets = max(max_sets, node_ptr[a + 1] - node_ptr[a])
    no_restriction = np.zeros(0, dtype=np.bool_)
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        (buf_s, buf_ts, cur_s, cur_ts, qs, qts, cells, target, idx, w, q, cell_t, cell_j, cidx,
         sub, val, pos) = _scratch(n_cells, n_masks, len_s, len_ts, max_sets)  # fmt: skip
        sets = np.empty(max_sets, dtype=np.int64)
        for b in range(lo, hi):
            p = P[b]
            k = fill_marginals(
                p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts
            )
            for a in range(n_nodes):
                n_sets = node_ptr[a + 1] - node_ptr[a]
                u = 0
                for r in range(n_sets):
                    sets[r] = node_mask[node_ptr[a] + r]
                    u |= sets[r]
                lo_u, hi_u = uc_ptr[a], uc_ptr[a + 1]
                r_a, n_q, cycles = ccs_node(
                    shape, size, off_s, off_ts, stride, buf_s, buf_ts, cur_s, cur_ts, qs, qts,
                    sets, n_sets, uc_mask[lo_u:hi_u], uc_coef[lo_u:hi_u], no_restriction,
                    tol, max_cycles, q, cell_t, cell_j, cidx, sub, val,
                )  # fmt: skip
                red[b, a] = r_a
                status[b, a] = cycles
                if want_local:
                    _local_values(n_q, cell_t, cell_j, val, k, cells, target, idx, u, size, pos,
                                  local[b, :, a])  # fmt: skip
            clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts)


@jit
def ccs_one_node(
    p, shape, size, off_s, off_ts, stride, len_s, len_ts, sets, uc_mask, uc_coef, allowed,
    tol, max_cycles, local,
):  # fmt: skip
    """I_ccs of one node of one flat pmf with the maxent cells restricted to ``allowed``.

    Writes the local values of the support cells of ``p`` to ``local`` (others untouched).
    Returns ``(redundancy, cycles)``.
    """
    (buf_s, buf_ts, cur_s, cur_ts, qs, qts, cells, target, idx, w, q, cell_t, cell_j, cidx,
     sub, val, pos) = _scratch(p.shape[0], size.shape[0], len_s, len_ts, sets.shape[0])  # fmt: skip
    k = fill_marginals(p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts)
    r_a, n_q, cycles = ccs_node(
        shape, size, off_s, off_ts, stride, buf_s, buf_ts, cur_s, cur_ts, qs, qts,
        sets, sets.shape[0], uc_mask, uc_coef, allowed, tol, max_cycles,
        q, cell_t, cell_j, cidx, sub, val,
    )  # fmt: skip
    u = 0
    for r in range(sets.shape[0]):
        u |= sets[r]
    _local_values(n_q, cell_t, cell_j, val, k, cells, target, idx, u, size, pos, local)
    return r_a, cycles


@jit
def maxent_problem(p, shape, size, off_s, off_ts, stride, len_s, len_ts, sets):
    """The cells and constraint positions of one node's maxent problem for one flat pmf.

    Returns ``(cell_t, cell_j, cidx, buf_s, buf_ts)`` (trimmed to the cells), for building the
    support-finding linear programme in Python.
    """
    (buf_s, buf_ts, _, _, _, _, cells, target, idx, w, _, cell_t, cell_j, cidx, _, _,
     _) = _scratch(p.shape[0], size.shape[0], len_s, len_ts, sets.shape[0])  # fmt: skip
    fill_marginals(p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts)
    n_q = maxent_cells(
        shape, size, off_s, off_ts, stride, buf_s, buf_ts, sets, sets.shape[0],
        np.zeros(0, dtype=np.bool_), cell_t, cell_j, cidx,
    )  # fmt: skip
    return cell_t[:n_q].copy(), cell_j[:n_q].copy(), cidx[:n_q].copy(), buf_s, buf_ts
