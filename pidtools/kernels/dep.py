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
from .marginals import fill, marginal_buffers, reset
from .maxent import fit_maxent, maxent_work, q_marginals, q_pmi


@jit
def marginal_mi(lay, mg, m):
    """``I(T; S_m)`` in bits from the filled marginals ``mg``."""
    size, off_s, off_ts = lay.size, lay.off_s, lay.off_ts
    acc = 0.0
    for t in range(lay.shape[0]):
        pt = mg.buf_ts[off_ts[0] + t]
        if pt <= 0.0:
            continue
        base = off_ts[m] + t * size[m]
        for j in range(size[m]):
            pts = mg.buf_ts[base + j]
            if pts > 0.0:
                acc += pts * math.log2(pts / (pt * mg.buf_s[off_s[m] + j]))
    return acc


@jit
def conditional_independence_mi(lay, mg, col):
    """``I(T; S1, S2)`` under ``q = p(t, s1) p(t, s2) / p(t)`` (two sources, masks 1 and 2).

    ``col`` is scratch of ``nT`` values.
    """
    n_t = lay.shape[0]
    n1 = lay.size[1]
    n2 = lay.size[2]
    p_t = mg.buf_ts[lay.off_ts[0] :]
    p_t1 = mg.buf_ts[lay.off_ts[1] :]
    p_t2 = mg.buf_ts[lay.off_ts[2] :]
    acc = 0.0
    for i in range(n1):
        for j in range(n2):
            qs = 0.0
            for t in range(n_t):
                pt = p_t[t]
                col[t] = 0.0
                if pt > 0.0:
                    col[t] = p_t1[t * n1 + i] * p_t2[t * n2 + j] / pt
                qs += col[t]
            for t in range(n_t):
                if col[t] > 0.0:
                    acc += col[t] * math.log2(col[t] / (qs * p_t[t]))
    return acc


@jit
def pairwise_maxent_mi(lay, mg, pairs, allowed, limits, mw):
    """``I(T; S1, S2)`` under the maxent distribution with the three pairwise marginals.

    ``pairs`` holds the masks 1 and 2: the sets (S1, T) and (S2, T) constrained besides
    (S1, S2). ``allowed``, ``limits`` and ``mw`` as for :func:`.maxent.fit_maxent`. Returns
    ``(mi, cycles)``; ``cycles < 0`` means IPF did not converge.
    """
    n_q, cycles = fit_maxent(lay, mg, pairs, allowed, limits, mw)
    q_marginals(n_q, 3, lay, mw)
    acc = 0.0
    for i in range(n_q):
        if mw.q[i] > 0.0:
            acc += mw.q[i] * q_pmi(i, 3, lay, mw)
    return acc, cycles


@jit
def dep_terms(p, lay, allowed, limits, mg, mw, pairs, col, out):
    """Write ``I1, I2, I12, Ici, Ipair`` of the flat pmf ``p`` to ``out``; return the IPF cycles.

    ``mg``, ``mw`` and ``col`` (``nT`` values) are work arrays, ``pairs`` the masks ``[1, 2]``;
    ``allowed`` and ``limits`` as for :func:`.maxent.fit_maxent`.
    """
    k = fill(p, lay, mg)
    out[0] = marginal_mi(lay, mg, 1)
    out[1] = marginal_mi(lay, mg, 2)
    out[2] = marginal_mi(lay, mg, 3)
    out[3] = conditional_independence_mi(lay, mg, col)
    out[4], cycles = pairwise_maxent_mi(lay, mg, pairs, allowed, limits, mw)
    reset(k, lay, mg)
    return cycles


@batch_kernel
def dep_forward(P, lay, n_chunks, limits, out, status):
    """``out[b] = (I1, I2, I12, Ici, Ipair)`` for every flat bivariate pmf ``P[b]``.

    ``status[b]`` gets the IPF cycles of the pairwise maxent fit (< 0: stalled).
    """
    n_batch = P.shape[0]
    no_restriction = np.zeros(0, dtype=np.bool_)
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        mg = marginal_buffers(lay)
        mw = maxent_work(lay, 2)
        pairs = np.array((1, 2), dtype=np.int64)
        col = np.empty(lay.shape[0])
        for b in range(lo, hi):
            status[b] = dep_terms(P[b], lay, no_restriction, limits, mg, mw, pairs, col, out[b])


@jit
def dep_one(p, lay, allowed, limits, out):
    """``dep_forward`` for one flat pmf with the pairwise maxent cells restricted to ``allowed``."""
    mg = marginal_buffers(lay)
    mw = maxent_work(lay, 2)
    pairs = np.array((1, 2), dtype=np.int64)
    return dep_terms(p, lay, allowed, limits, mg, mw, pairs, np.empty(lay.shape[0]), out)
