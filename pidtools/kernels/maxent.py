"""Maximum-entropy distributions with prescribed marginals, by iterative proportional fitting.

The distributions live on the values ``(t, s_U)`` of the target and a source collection ``U``
(a mask). The constraints are the marginal ``P(S_U)`` followed by ``P(T, S_a)`` for each set
``a`` of a node (masks inside ``U``), all read from the marginal buffers of
:mod:`pidtools.kernels.marginals`. Only the cells where every constrained marginal is positive
are kept (the others are structural zeros), so the work is proportional to that support.

A cell ``i`` is stored as its target value ``cell_t[i]`` and its index ``cell_j[i]`` in the
marginal of ``U``; ``cidx[i, 0]`` is its position in the source buffer (constraint ``P(S_U)``)
and ``cidx[i, r]`` its position in the target-source buffer for the ``r``-th set.
"""

from __future__ import annotations

import math

from ._jit import jit

#: Marginal deviation below which IPF also stops once it no longer converges (rounding noise).
NOISE_FLOOR = 1e-12
#: IPF cycles before looking for forced zeros (regular problems converge well within this).
QUICK_CYCLES = 200
#: Relative change below which bound propagation treats a bound as unchanged (rounding noise
#: of the sums it subtracts), and upper bound below which a cell counts as a forced zero.
BOUND_SLACK = 1e-12


@jit
def project_index(j, src_mask, dst_mask, shape, stride):
    """Position in the marginal of ``dst_mask`` of value ``j`` of the marginal of ``src_mask``."""
    r = 0
    for i in range(shape.shape[0] - 1):
        if dst_mask >> i & 1:
            r += ((j // stride[src_mask, i]) % shape[i + 1]) * stride[dst_mask, i]
    return r


@jit(inline=True)
def constraint_sums(values, n_q, cidx, c, out):
    """``out[e] = sum(values[i] for cells i whose entry of constraint c is e)``."""
    for i in range(n_q):
        out[cidx[i, c]] = 0.0
    for i in range(n_q):
        out[cidx[i, c]] += values[i]


@jit
def maxent_cells(
    shape, size, off_s, off_ts, stride, buf_s, buf_ts, sets, n_sets, allowed,
    cell_t, cell_j, cidx,
):  # fmt: skip
    """List the cells of the maxent problem for the sets ``sets[:n_sets]``; return their number.

    ``allowed`` (flat over ``(t, s_U)``, or empty) can restrict the cells further.
    """
    u = 0
    for r in range(n_sets):
        u |= sets[r]
    n_t = shape[0]
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
            for r in range(n_sets):
                a = sets[r]
                pos = off_ts[a] + t * size[a] + project_index(j, u, a, shape, stride)
                if buf_ts[pos] <= 0.0:
                    ok = False
                    break
                cidx[n_q, r + 1] = pos
            if ok:
                cell_t[n_q] = t
                cell_j[n_q] = j
                cidx[n_q, 0] = off_s[u] + j
                n_q += 1
    return n_q


@jit
def ipf(q, n_q, cidx, n_con, buf_s, buf_ts, cur_s, cur_ts, tol, max_cycles):
    """Fit ``q[:n_q]`` to the constraints in place, cycling through them in order.

    Constraint 0 reads its target from ``buf_s``, the others from ``buf_ts`` (at the positions
    in ``cidx``); ``cur_s``/``cur_ts`` are scratch buffers of the same layout. Stops when no
    constrained marginal deviates from its target by ``tol`` or more at any projection of a
    cycle, or once the deviation is below ``NOISE_FLOOR`` and no longer halves per cycle (the
    rounding floor of large sums). Returns the number of cycles, negated when ``max_cycles`` was
    reached first.
    """
    previous = math.inf
    for cycle in range(max_cycles):
        dev = 0.0
        for c in range(n_con):
            tb = buf_s if c == 0 else buf_ts
            cb = cur_s if c == 0 else cur_ts
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
def drop_forced_zeros(n_q, cidx, n_con, buf_s, buf_ts, cur_s, cur_ts, aux_s, aux_ts, lo, hi,
                      cell_t, cell_j):  # fmt: skip
    """Remove the cells that every pmf with the constrained marginals has at zero; return how
    many cells remain.

    Bound propagation: each cell lies in ``[lo, hi]``, at first ``[0, min of its targets]``;
    each constraint entry with target ``m`` tightens ``lo_i >= m - sum_{j != i} hi_j`` and
    ``hi_i <= m - sum_{j != i} lo_j``. Cells whose upper bound reaches zero (below
    ``BOUND_SLACK m``) are structural zeros of the maxent distribution that IPF would only
    approach like ``1/k``. Sound but not complete: the few cases it misses are left to the
    exact linear programme; and if rounding has left the kept cells unable to carry the
    marginals, no cell is dropped.
    """
    for i in range(n_q):
        h = math.inf
        for c in range(n_con):
            h = min(h, (buf_s if c == 0 else buf_ts)[cidx[i, c]])
        hi[i] = h
        lo[i] = 0.0
    for _sweep in range(50):
        changed = False
        for c in range(n_con):
            tb = buf_s if c == 0 else buf_ts
            su = cur_s if c == 0 else cur_ts
            sl = aux_s if c == 0 else aux_ts
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
        tb = buf_s if c == 0 else buf_ts
        su = cur_s if c == 0 else cur_ts
        constraint_sums(hi, n_q, cidx, c, su)
        for i in range(n_q):
            e = cidx[i, c]
            if su[e] < (1.0 - 1e-9) * tb[e]:
                return n_q
    k = 0
    for i in range(n_q):
        if hi[i] > 0.0:
            cell_t[k] = cell_t[i]
            cell_j[k] = cell_j[i]
            for c in range(n_con):
                cidx[k, c] = cidx[i, c]
            k += 1
    return k


@jit
def fit_maxent(
    shape, size, off_s, off_ts, stride, buf_s, buf_ts, cur_s, cur_ts, aux_s, aux_ts, sets,
    n_sets, allowed, tol, max_cycles, q, lo, cell_t, cell_j, cidx,
):  # fmt: skip
    """The maxent distribution for the sets ``sets[:n_sets]``, normalised, in ``q[:n_q]``.

    Starts from the uniform distribution on the cells (as dit's ``ipf_dist``). When IPF has not
    converged after ``QUICK_CYCLES`` cycles, the forced zeros are dropped
    (:func:`drop_forced_zeros`) and IPF restarts. ``aux_s``/``aux_ts`` and ``lo`` are scratch.
    Returns ``(n_q, cycles)`` with ``cycles`` negative when IPF did not converge.
    """
    n_con = n_sets + 1
    n_q = maxent_cells(
        shape, size, off_s, off_ts, stride, buf_s, buf_ts, sets, n_sets, allowed,
        cell_t, cell_j, cidx,
    )  # fmt: skip
    for i in range(n_q):
        q[i] = 1.0 / n_q
    quick = min(QUICK_CYCLES, max_cycles)
    cycles = ipf(q, n_q, cidx, n_con, buf_s, buf_ts, cur_s, cur_ts, tol, quick)
    if cycles < 0 and max_cycles > quick:
        n_q = drop_forced_zeros(
            n_q, cidx, n_con, buf_s, buf_ts, cur_s, cur_ts, aux_s, aux_ts, lo, q, cell_t, cell_j
        )
        for i in range(n_q):
            q[i] = 1.0 / n_q
        cycles = ipf(q, n_q, cidx, n_con, buf_s, buf_ts, cur_s, cur_ts, tol, max_cycles - quick)
        cycles = cycles + quick if cycles > 0 else -max_cycles
    total = 0.0
    for i in range(n_q):
        total += q[i]
    for i in range(n_q):
        q[i] /= total
    return n_q, cycles


@jit
def q_marginals(q, n_q, cell_t, cell_j, u, shape, size, off_s, off_ts, stride, sub, qs, qts):
    """Marginals ``q(S_m)`` and ``q(T, S_m)`` for every mask ``m`` inside ``u``.

    ``sub[i, m]`` receives the index of cell ``i`` in the marginal of ``m``; the marginals go to
    ``qs``/``qts`` (source / target-source buffer layout). Mask 0 gives ``q(T)``.
    """
    n_masks = size.shape[0]
    for i in range(n_q):
        for m in range(n_masks):
            if m & u == m:
                jm = project_index(cell_j[i], u, m, shape, stride)
                sub[i, m] = jm
                qs[off_s[m] + jm] = 0.0
                qts[off_ts[m] + cell_t[i] * size[m] + jm] = 0.0
    for i in range(n_q):
        for m in range(n_masks):
            if m & u == m:
                jm = sub[i, m]
                qs[off_s[m] + jm] += q[i]
                qts[off_ts[m] + cell_t[i] * size[m] + jm] += q[i]


@jit
def q_pmi(i, m, cell_t, sub, size, off_s, off_ts, qs, qts):
    """Pointwise mutual information ``log2 q(t, s_m) / (q(s_m) q(t))`` at cell ``i``."""
    t = cell_t[i]
    jm = sub[i, m]
    return math.log2(qts[off_ts[m] + t * size[m] + jm] / (qs[off_s[m] + jm] * qts[off_ts[0] + t]))
