"""Maximum-entropy distributions with prescribed marginals, by iterative proportional fitting.

The distributions live on the values ``(t, s_U)`` of the target and a source collection ``U``
(a mask). The constraints are the marginal ``P(S_U)`` followed by ``P(T, S_a)`` for each set
``a`` of a node (masks inside ``U``), all read from the marginal buffers of
:mod:`pidtools.kernels.marginals`. Only the cells where every constrained marginal is positive
are kept (the others are structural zeros), so the work is proportional to that support.

A cell ``i`` is stored as its target value ``cell_t[i]`` and its index ``cell_j[i]`` in the
marginal of ``U``; ``cidx[i, 0]`` is its position in the source buffer (constraint ``P(S_U)``)
and ``cidx[i, r]`` its position in the target-source buffer for the ``r``-th set. These arrays
and the others a fit works in travel together as :class:`MaxentWork`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._jit import jit

#: Marginal deviation below which IPF also stops once it no longer converges (rounding noise).
NOISE_FLOOR = 1e-12
#: IPF cycles before looking for forced zeros (regular problems converge well within this).
QUICK_CYCLES = 200
#: Relative change below which bound propagation treats a bound as unchanged (rounding noise
#: of the sums it subtracts), and upper bound below which a cell counts as a forced zero.
BOUND_SLACK = 1e-12


class IpfLimits(NamedTuple):
    """When iterative proportional fitting stops."""

    tol: float  #: largest deviation of a constrained marginal from its target at convergence
    max_cycles: int  #: cycles through all constraints at most


class MaxentWork(NamedTuple):
    """The cells of one maxent problem, the fitted distribution on them and its marginals.

    Sized by :func:`maxent_work` for every problem of one layout. The first ``n_q`` rows hold
    the ``n_q`` cells of the current problem.
    """

    q: np.ndarray  #: (n_cells,) the fitted probability of each cell
    cell_t: np.ndarray  #: (n_cells,) int64: target value of each cell
    cell_j: np.ndarray  #: (n_cells,) int64: index of each cell in the marginal of ``U``
    cidx: np.ndarray  #: (n_cells, max_sets + 1) int64: position of each cell per constraint
    sub: np.ndarray  #: (n_cells, 2**n) int64: index of each cell in the marginal of mask m
    qs: np.ndarray  #: (len_s,) q(S_m) (source buffer layout); scratch while fitting
    qts: np.ndarray  #: (len_ts,) q(T, S_m) (target-source buffer layout); scratch while fitting
    cur_s: np.ndarray  #: (len_s,) scratch: the current marginals during IPF
    cur_ts: np.ndarray  #: (len_ts,) scratch
    lo: np.ndarray  #: (n_cells,) scratch: lower bounds during bound propagation


@jit
def maxent_work(lay, max_sets):
    """Zeroed :class:`MaxentWork` for problems of up to ``max_sets`` sets on the layout ``lay``."""
    n_masks = lay.size.shape[0]
    n_cells = lay.shape[0] * lay.size[n_masks - 1]
    return MaxentWork(
        np.zeros(n_cells),
        np.zeros(n_cells, dtype=np.int64),
        np.zeros(n_cells, dtype=np.int64),
        np.zeros((n_cells, max_sets + 1), dtype=np.int64),
        np.zeros((n_cells, n_masks), dtype=np.int64),
        np.zeros(lay.len_s),
        np.zeros(lay.len_ts),
        np.zeros(lay.len_s),
        np.zeros(lay.len_ts),
        np.zeros(n_cells),
    )


@jit(inline=True)
def project_index(j, src_mask, dst_mask, lay):
    """Position in the marginal of ``dst_mask`` of value ``j`` of the marginal of ``src_mask``."""
    r = 0
    for i in range(lay.shape.shape[0] - 1):
        if dst_mask >> i & 1:
            r += ((j // lay.stride[src_mask, i]) % lay.shape[i + 1]) * lay.stride[dst_mask, i]
    return r


@jit(inline=True)
def constraint_sums(values, n_q, cidx, c, out):
    """``out[e] = sum(values[i] for cells i whose entry of constraint c is e)``."""
    for i in range(n_q):
        out[cidx[i, c]] = 0.0
    for i in range(n_q):
        out[cidx[i, c]] += values[i]


@jit
def maxent_cells(lay, mg, sets, allowed, mw):
    """List the cells of the maxent problem of the masks ``sets`` in ``mw``; return their number.

    ``mg`` holds the marginals of the pmf (:class:`.marginals.Marginals`); ``allowed`` (flat
    over ``(t, s_U)``, or empty) can restrict the cells further.
    """
    size, off_s, off_ts = lay.size, lay.off_s, lay.off_ts
    buf_s, buf_ts = mg.buf_s, mg.buf_ts
    cidx = mw.cidx
    u = 0
    for r in range(sets.shape[0]):
        u |= sets[r]
    n_t = lay.shape[0]
    n_q = 0
    for j in range(size[u]):
        if buf_s[off_s[u] + j] <= 0.0:
            continue
        for t in range(n_t):
            if buf_ts[off_ts[0] + t] <= 0.0:
                continue
            if allowed.shape[0] > 0 and not allowed[t * size[u] + j]:
                continue
            ok = True
            for r in range(sets.shape[0]):
                a = sets[r]
                pos = off_ts[a] + t * size[a] + project_index(j, u, a, lay)
                if buf_ts[pos] <= 0.0:
                    ok = False
                    break
                cidx[n_q, r + 1] = pos
            if ok:
                mw.cell_t[n_q] = t
                mw.cell_j[n_q] = j
                cidx[n_q, 0] = off_s[u] + j
                n_q += 1
    return n_q


@jit
def ipf(n_q, n_con, mg, mw, tol, max_cycles):
    """Fit ``mw.q[:n_q]`` to the first ``n_con`` constraints in place, cycling through them.

    Constraint 0 reads its target from ``mg.buf_s``, the others from ``mg.buf_ts`` (at the
    positions in ``mw.cidx``); ``mw.cur_s``/``mw.cur_ts`` hold the current marginals. Stops when
    no constrained marginal deviates from its target by ``tol`` or more at any projection of a
    cycle, or once the deviation is below ``NOISE_FLOOR`` and no longer halves per cycle (the
    rounding floor of large sums). Returns the number of cycles, negated when ``max_cycles`` was
    reached first.
    """
    q, cidx = mw.q, mw.cidx
    previous = math.inf
    for cycle in range(max_cycles):
        dev = 0.0
        for c in range(n_con):
            tb = mg.buf_s if c == 0 else mg.buf_ts
            cb = mw.cur_s if c == 0 else mw.cur_ts
            constraint_sums(q, n_q, cidx, c, cb)
            for i in range(n_q):
                e = cidx[i, c]
                dev = max(dev, abs(cb[e] - tb[e]))
                if cb[e] > 0.0:
                    q[i] *= tb[e] / cb[e]
        if dev < tol or (dev < NOISE_FLOOR and dev > 0.5 * previous):
            return cycle + 1
        previous = dev
    return -max_cycles


@jit
def drop_forced_zeros(n_q, n_con, mg, mw):
    """Remove the cells that every pmf with the constrained marginals has at zero; return how
    many cells remain.

    Bound propagation: each cell lies in ``[lo, hi]``, at first ``[0, min of its targets]``;
    each constraint entry with target ``m`` tightens ``lo_i >= m - sum_{j != i} hi_j`` and
    ``hi_i <= m - sum_{j != i} lo_j``. Cells whose upper bound reaches zero (below
    ``BOUND_SLACK m``) are structural zeros of the maxent distribution that IPF would only
    approach like ``1/k``. Sound but not complete: the few cases it misses are left to the
    exact linear programme; and if rounding has left the kept cells unable to carry the
    marginals, no cell is dropped. ``mw.q`` (the upper bounds), ``mw.lo`` and the marginal
    buffers of ``mw`` are overwritten.
    """
    lo, hi, cidx = mw.lo, mw.q, mw.cidx
    for i in range(n_q):
        h = math.inf
        for c in range(n_con):
            h = min(h, (mg.buf_s if c == 0 else mg.buf_ts)[cidx[i, c]])
        hi[i] = h
        lo[i] = 0.0
    for _sweep in range(50):
        changed = False
        for c in range(n_con):
            tb = mg.buf_s if c == 0 else mg.buf_ts
            su = mw.cur_s if c == 0 else mw.cur_ts
            sl = mw.qs if c == 0 else mw.qts
            constraint_sums(hi, n_q, cidx, c, su)
            constraint_sums(lo, n_q, cidx, c, sl)
            for i in range(n_q):
                e = cidx[i, c]
                m = tb[e]
                new_lo = m - (su[e] - hi[i])
                new_hi = m - (sl[e] - lo[i])
                # rounding of the sums must not move a bound: only tightenings beyond it count,
                # and the bounds never cross
                if new_lo > lo[i] + BOUND_SLACK * m:
                    lo[i] = min(new_lo, hi[i])
                    changed = True
                if new_hi < hi[i] - BOUND_SLACK * m:
                    hi[i] = max(new_hi, lo[i], 0.0)
                    changed = True
                if hi[i] <= BOUND_SLACK * m:
                    hi[i] = 0.0
        if not changed:
            break
    # the cells kept must still be able to carry every constrained marginal; if rounding has
    # made the propagation drop too much, drop nothing (IPF and the exact programme take over)
    for c in range(n_con):
        tb = mg.buf_s if c == 0 else mg.buf_ts
        su = mw.cur_s if c == 0 else mw.cur_ts
        constraint_sums(hi, n_q, cidx, c, su)
        for i in range(n_q):
            e = cidx[i, c]
            if su[e] < (1.0 - 1e-9) * tb[e]:
                return n_q
    k = 0
    for i in range(n_q):
        if hi[i] > 0.0:
            mw.cell_t[k] = mw.cell_t[i]
            mw.cell_j[k] = mw.cell_j[i]
            for c in range(n_con):
                cidx[k, c] = cidx[i, c]
            k += 1
    return k


@jit
def fit_maxent(lay, mg, sets, allowed, limits, mw):
    """The maxent distribution for the masks ``sets``, normalised, in ``mw.q[:n_q]``.

    ``mg`` holds the marginals of the pmf, ``allowed`` restricts the cells (see
    :func:`maxent_cells`) and ``limits`` (:class:`IpfLimits`) stops IPF. Starts from the
    uniform distribution on the cells (as dit's ``ipf_dist``). When IPF has not converged after
    ``QUICK_CYCLES`` cycles, the forced zeros are dropped (:func:`drop_forced_zeros`) and IPF
    restarts. Returns ``(n_q, cycles)`` with ``cycles`` negative when IPF did not converge.
    """
    q = mw.q
    tol, max_cycles = limits.tol, limits.max_cycles
    n_con = sets.shape[0] + 1
    n_q = maxent_cells(lay, mg, sets, allowed, mw)
    for i in range(n_q):
        q[i] = 1.0 / n_q
    quick = min(QUICK_CYCLES, max_cycles)
    cycles = ipf(n_q, n_con, mg, mw, tol, quick)
    if cycles < 0 and max_cycles > quick:
        n_q = drop_forced_zeros(n_q, n_con, mg, mw)
        for i in range(n_q):
            q[i] = 1.0 / n_q
        cycles = ipf(n_q, n_con, mg, mw, tol, max_cycles - quick)
        cycles = cycles + quick if cycles > 0 else -max_cycles
    total = 0.0
    for i in range(n_q):
        total += q[i]
    for i in range(n_q):
        q[i] /= total
    return n_q, cycles


@jit
def q_marginals(n_q, u, lay, mw):
    """Marginals ``q(S_m)`` and ``q(T, S_m)`` of ``mw.q[:n_q]`` for every mask ``m`` inside ``u``.

    ``mw.sub[i, m]`` receives the index of cell ``i`` in the marginal of ``m``; the marginals go
    to ``mw.qs``/``mw.qts`` (source / target-source buffer layout). Mask 0 gives ``q(T)``.
    """
    size, off_s, off_ts = lay.size, lay.off_s, lay.off_ts
    q, cell_t, sub, qs, qts = mw.q, mw.cell_t, mw.sub, mw.qs, mw.qts
    n_masks = size.shape[0]
    for i in range(n_q):
        for m in range(n_masks):
            if m & u == m:
                jm = project_index(mw.cell_j[i], u, m, lay)
                sub[i, m] = jm
                qs[off_s[m] + jm] = 0.0
                qts[off_ts[m] + cell_t[i] * size[m] + jm] = 0.0
    for i in range(n_q):
        for m in range(n_masks):
            if m & u == m:
                jm = sub[i, m]
                qs[off_s[m] + jm] += q[i]
                qts[off_ts[m] + cell_t[i] * size[m] + jm] += q[i]


@jit(inline=True)
def q_pmi(i, m, lay, mw):
    """Pointwise mutual information ``log2 q(t, s_m) / (q(s_m) q(t))`` at cell ``i``."""
    t = mw.cell_t[i]
    jm = mw.sub[i, m]
    q_ts = mw.qts[lay.off_ts[m] + t * lay.size[m] + jm]
    return math.log2(q_ts / (mw.qs[lay.off_s[m] + jm] * mw.qts[lay.off_ts[0] + t]))
