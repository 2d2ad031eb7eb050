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

from typing import NamedTuple

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit
from .marginals import fill, marginal_buffers, reset
from .maxent import fit_maxent, maxent_cells, maxent_work, q_marginals, q_pmi

#: |value| at or below which dit treats a local co-information or pmi as zero (np.isclose).
ZERO = 1e-8


class Coefficients(NamedTuple):
    """Inclusion-exclusion coefficients of every lattice node over source masks, in CSR form.

    Node ``a`` has the coefficient ``value[r]`` on the mask ``mask[r]`` for ``r`` in
    ``ptr[a]:ptr[a + 1]``.
    """

    ptr: np.ndarray  #: (n_nodes + 1,) int64
    mask: np.ndarray  #: int64
    value: np.ndarray  #: float64


@jit
def _sign(x):
    if abs(x) <= ZERO:
        return 0
    return 1 if x > 0.0 else -1


@jit
def _union(sets):
    """The mask of all sources in the masks ``sets``."""
    u = 0
    for r in range(sets.shape[0]):
        u |= sets[r]
    return u


@jit
def ccs_node(lay, mg, sets, uc_mask, uc_coef, allowed, limits, mw, val):
    """I_ccs of the node with the source masks ``sets`` for the pmf whose marginals ``mg`` holds.

    ``uc_mask``/``uc_coef`` are the node's inclusion-exclusion coefficients, ``allowed``,
    ``limits`` and ``mw`` those of :func:`.maxent.fit_maxent`. The local value of each maxent
    cell goes to ``val``. Returns ``(redundancy, n_q, cycles)``; ``cycles < 0`` means IPF did
    not converge.
    """
    n_q, cycles = fit_maxent(lay, mg, sets, allowed, limits, mw)
    u = _union(sets)
    q_marginals(n_q, u, lay, mw)
    q = mw.q
    red = 0.0
    for i in range(n_q):
        val[i] = 0.0
        if q[i] <= 0.0:
            continue
        c = 0.0
        for r in range(uc_mask.shape[0]):
            c += uc_coef[r] * q_pmi(i, uc_mask[r], lay, mw)
        s = _sign(c)
        agree = True
        for r in range(sets.shape[0]):
            if _sign(q_pmi(i, sets[r], lay, mw)) != s:
                agree = False
                break
        q_s = mw.qs[lay.off_s[u] + mw.cell_j[i]]
        joint = np.log2(q[i] / (q_s * mw.qts[lay.off_ts[0] + mw.cell_t[i]]))
        if joint == 0.0:
            sj = 0
        else:
            sj = 1 if joint > 0.0 else -1
        if agree and sj == s and s != 0:
            val[i] = c
            red += q[i] * c
    return red, n_q, cycles


@jit
def _local_values(n_q, mw, val, k, mg, u, size, pos, out):
    """Copy each support cell's local value (that of its maxent cell ``(t, s_u)``) to ``out``.

    ``k`` support cells are listed in ``mg``, ``n_q`` maxent cells in ``mw`` with their values
    in ``val``; ``pos`` is scratch over ``(t, s_u)``.
    """
    target, idx = mg.target, mg.idx
    for j in range(k):
        pos[target[j] * size[u] + idx[j, u]] = -1
    for i in range(n_q):
        pos[mw.cell_t[i] * size[u] + mw.cell_j[i]] = i
    for j in range(k):
        i = pos[target[j] * size[u] + idx[j, u]]
        out[mg.cells[j]] = val[i] if i >= 0 else np.nan


@batch_kernel
def ccs_forward(P, lay, nodes, union, n_chunks, limits, want_local, red, local, status):
    """I_ccs of every node of every flat pmf ``P[b]``.

    ``nodes`` (:class:`.marginals.NodeSets`) are the nodes' sets, ``union``
    (:class:`Coefficients`) their inclusion-exclusion coefficients. ``red[b, a]`` gets the
    redundancy, ``status[b, a]`` the IPF cycles (< 0: stalled) and, with ``want_local``,
    ``local[b, cell, a]`` the local values.
    """
    n_batch, n_cells = P.shape
    n_nodes = nodes.ptr.shape[0] - 1
    max_sets = 1
    for a in range(n_nodes):
        max_sets = max(max_sets, nodes.ptr[a + 1] - nodes.ptr[a])
    no_restriction = np.zeros(0, dtype=np.bool_)
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        mg = marginal_buffers(lay)
        mw = maxent_work(lay, max_sets)
        val = np.empty(n_cells)
        pos = np.empty(n_cells, dtype=np.int64)
        for b in range(lo, hi):
            k = fill(P[b], lay, mg)
            for a in range(n_nodes):
                sets = nodes.mask[nodes.ptr[a] : nodes.ptr[a + 1]]
                lo_u, hi_u = union.ptr[a], union.ptr[a + 1]
                r_a, n_q, cycles = ccs_node(
                    lay, mg, sets, union.mask[lo_u:hi_u], union.value[lo_u:hi_u],
                    no_restriction, limits, mw, val,
                )  # fmt: skip
                red[b, a] = r_a
                status[b, a] = cycles
                if want_local:
                    u = _union(sets)
                    _local_values(n_q, mw, val, k, mg, u, lay.size, pos, local[b, :, a])
            reset(k, lay, mg)


@jit
def ccs_one_node(p, lay, a, nodes, union, allowed, limits, local):
    """I_ccs of node ``a`` of one flat pmf with the maxent cells restricted to ``allowed``.

    Writes the local values of the support cells of ``p`` to ``local`` (others untouched).
    Returns ``(redundancy, cycles)``.
    """
    sets = nodes.mask[nodes.ptr[a] : nodes.ptr[a + 1]]
    mg = marginal_buffers(lay)
    mw = maxent_work(lay, sets.shape[0])
    val = np.empty(p.shape[0])
    pos = np.empty(p.shape[0], dtype=np.int64)
    k = fill(p, lay, mg)
    lo_u, hi_u = union.ptr[a], union.ptr[a + 1]
    r_a, n_q, cycles = ccs_node(
        lay, mg, sets, union.mask[lo_u:hi_u], union.value[lo_u:hi_u], allowed, limits, mw, val
    )
    _local_values(n_q, mw, val, k, mg, _union(sets), lay.size, pos, local)
    return r_a, cycles


@jit
def maxent_problem(p, lay, sets):
    """The cells and constraint positions of one maxent problem (masks ``sets``) of a flat pmf.

    Returns ``(cell_t, cell_j, cidx, buf_s, buf_ts)`` (trimmed to the cells), for building the
    support-finding linear programme in Python.
    """
    mg = marginal_buffers(lay)
    mw = maxent_work(lay, sets.shape[0])
    fill(p, lay, mg)
    n_q = maxent_cells(lay, mg, sets, np.zeros(0, dtype=np.bool_), mw)
    return mw.cell_t[:n_q].copy(), mw.cell_j[:n_q].copy(), mw.cidx[:n_q].copy(), mg.buf_s, mg.buf_ts
