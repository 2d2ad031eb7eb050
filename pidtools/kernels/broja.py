"""BROJA: ``min_{q in Delta_p} I_q(T; S1, S2)`` by a barrier interior-point method.

``Delta_p`` is the set of pmfs ``q(t, s1, s2)`` with ``q(t, s1) = p(t, s1)`` and
``q(t, s2) = p(t, s2)``. Cells with ``p(t, s1) p(t, s2) = 0`` are zero in every such ``q`` and are
left out. Minimising ``I_q(T; S1, S2)`` is minimising the convex

    f(q) = sum_c q_c ln(q_c / q_col(c))       (= -H_q(T | S1, S2) in nats)

where ``q_col`` is the mass of the column ``(s1, s2)`` of cell ``c``. The barrier method minimises
``f - mu sum ln q`` on the affine set for decreasing ``mu`` by Newton's method. The Hessian of
``f`` is block diagonal by column (diagonal plus rank one), so the Newton system reduces to a
dense system in the ``(t, s1)``/``(t, s2)`` constraints only. The barrier's duality gap is at most
``n_cells * mu``; ``mu`` ends at ``gap / n_cells`` for the requested ``gap``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit

LN2 = math.log(2.0)


class BarrierOptions(NamedTuple):
    """When the barrier method stops, and how its Newton steps are kept well posed."""

    gap: float  #: duality gap (nats) at which the barrier method stops
    reg: float  #: curvature floor of the Newton steps, relative to the cell's value
    max_newton: int  #: Newton steps per barrier parameter at most


class BrojaWork(NamedTuple):
    """Work arrays of :func:`broja_pmf` for pmfs of shape ``(nT, n1, n2)`` (:func:`broja_work`).

    The unknowns are the cells ``(t, s1, s2)`` with ``p(t, s1) p(t, s2) > 0``, grouped by
    column ``(s1, s2)``; the constraint rows are the positive ``p(t, s1)`` and (but the last
    per ``t``) ``p(t, s2)``.
    """

    x: np.ndarray  #: (n_cells,) the current point
    xn: np.ndarray  #: (n_cells,) the trial point of the line search
    grad: np.ndarray  #: (n_cells,) gradient of the barrier objective
    dinv: np.ndarray  #: (n_cells,) inverse of the diagonal part of the Hessian
    step: np.ndarray  #: (n_cells,) the Newton step
    z: np.ndarray  #: (max(n_cells, n_rows),) scratch: residual, then grad + A^T nu
    r1: np.ndarray  #: (n_cells,) int64: constraint row of the cell's (t, s1)
    r2: np.ndarray  #: (n_cells,) int64: constraint row of the cell's (t, s2), -1 if none
    col_ptr: np.ndarray  #: (n1 n2 + 1,) int64: cells of column k at col_ptr[k]:col_ptr[k + 1]
    cell_t: np.ndarray  #: (n_cells,) int64: target value of each cell
    rhs: np.ndarray  #: (n_rows,) right-hand side of the reduced Newton system
    nu: np.ndarray  #: (n_rows,) its solution, the multipliers
    scale: np.ndarray  #: (n_rows,) Jacobi scaling of the Cholesky solve
    S: np.ndarray  #: (n_rows, n_rows) the reduced Newton system A H^-1 A^T
    pt1: np.ndarray  #: (nT, n1) p(t, s1)
    pt2: np.ndarray  #: (nT, n2) p(t, s2)
    pt: np.ndarray  #: (nT,) p(t)


@jit
def broja_work(n_t, n1, n2):
    """Uninitialised :class:`BrojaWork` for pmfs of shape ``(n_t, n1, n2)``."""
    n_cells = n_t * n1 * n2
    n_rows = n_t * (n1 + n2)
    return BrojaWork(
        np.empty(n_cells),
        np.empty(n_cells),
        np.empty(n_cells),
        np.empty(n_cells),
        np.empty(n_cells),
        np.empty(max(n_cells, n_rows)),
        np.empty(n_cells, dtype=np.int64),
        np.empty(n_cells, dtype=np.int64),
        np.empty(n1 * n2 + 1, dtype=np.int64),
        np.empty(n_cells, dtype=np.int64),
        np.empty(n_rows),
        np.empty(n_rows),
        np.empty(n_rows),
        np.empty((n_rows, n_rows)),
        np.empty((n_t, n1)),
        np.empty((n_t, n2)),
        np.empty(n_t),
    )


@jit
def _cholesky_solve(S, m, rhs, scale, out):
    """Solve ``S[:m, :m] out = rhs`` (SPD) in place with Jacobi scaling; ``S`` is overwritten."""
    for i in range(m):
        scale[i] = 1.0 / math.sqrt(S[i, i]) if S[i, i] > 0.0 else 1.0
    for i in range(m):
        for j in range(m):
            S[i, j] *= scale[i] * scale[j]
    for j in range(m):
        d = S[j, j]
        for k in range(j):
            d -= S[j, k] * S[j, k]
        d = math.sqrt(d) if d > 1e-300 else 1e-150
        S[j, j] = d
        for i in range(j + 1, m):
            v = S[i, j]
            for k in range(j):
                v -= S[i, k] * S[j, k]
            S[i, j] = v / d
    for i in range(m):
        v = rhs[i] * scale[i]
        for k in range(i):
            v -= S[i, k] * out[k]
        out[i] = v / S[i, i]
    for i in range(m - 1, -1, -1):
        v = out[i]
        for k in range(i + 1, m):
            v -= S[k, i] * out[k]
        out[i] = v / S[i, i]
    for i in range(m):
        out[i] *= scale[i]


@jit
def _barrier_value(x, n_x, col_ptr, n_col, mu):
    """``f(x) - mu sum ln x``, or ``inf`` outside the positive orthant."""
    val = 0.0
    for k in range(n_col):
        xs = 0.0
        for c in range(col_ptr[k], col_ptr[k + 1]):
            if x[c] <= 0.0:
                return math.inf
            xs += x[c]
        for c in range(col_ptr[k], col_ptr[k + 1]):
            val += x[c] * math.log(x[c] / xs) - mu * math.log(x[c])
    return val


@jit
def broja_pmf(p, options, work, q_out, lam_out):
    """``min_q I_q(T; S1, S2)`` in bits for one pmf ``p`` of shape ``(nT, n1, n2)``.

    ``options`` are :class:`BarrierOptions`, ``work`` the :class:`BrojaWork` of the shape.
    The minimiser goes to ``q_out`` (flat over ``(t, s1, s2)``) unless ``q_out`` is empty, and
    then the multipliers of the (t, s1) and (t, s2) constraints to ``lam_out``.
    Returns ``(objective, newton_steps)``.
    """
    n_t, n1, n2 = p.shape
    gap, reg, max_newton = options.gap, options.reg, options.max_newton
    x, xn, grad, dinv, step, z = work.x, work.xn, work.grad, work.dinv, work.step, work.z
    r1, r2, col_ptr, cell_t = work.r1, work.r2, work.col_ptr, work.cell_t
    rhs, nu, scale, S = work.rhs, work.nu, work.scale, work.S
    pt1, pt2, pt = work.pt1, work.pt2, work.pt
    # marginals p(t, s1), p(t, s2), p(t)
    for t in range(n_t):
        pt[t] = 0.0
        for i in range(n1):
            pt1[t, i] = 0.0
        for j in range(n2):
            pt2[t, j] = 0.0
        for i in range(n1):
            for j in range(n2):
                v = p[t, i, j]
                pt1[t, i] += v
                pt2[t, j] += v
                pt[t] += v
    # constraint rows: every positive p(t, s1); every positive p(t, s2) but the last per t
    m = 0
    row1 = np.full((n_t, n1), -1, dtype=np.int64)
    row2 = np.full((n_t, n2), -1, dtype=np.int64)
    for t in range(n_t):
        for i in range(n1):
            if pt1[t, i] > 0.0:
                row1[t, i] = m
                rhs[m] = pt1[t, i]
                m += 1
    for t in range(n_t):
        last = -1
        for j in range(n2):
            if pt2[t, j] > 0.0:
                last = j
        for j in range(n2):
            if pt2[t, j] > 0.0 and j != last:
                row2[t, j] = m
                rhs[m] = pt2[t, j]
                m += 1
    # cells grouped by column (s1, s2); start at q = p(t, s1) p(t, s2) / p(t)
    n_x = 0
    n_col = 0
    col_ptr[0] = 0
    for i in range(n1):
        for j in range(n2):
            start = n_x
            for t in range(n_t):
                if pt1[t, i] > 0.0 and pt2[t, j] > 0.0:
                    x[n_x] = pt1[t, i] * pt2[t, j] / pt[t]
                    cell_t[n_x] = t
                    r1[n_x] = row1[t, i]
                    r2[n_x] = row2[t, j]
                    n_x += 1
            if n_x > start:
                n_col += 1
                col_ptr[n_col] = n_x
    b = rhs[:m].copy()
    mu_final = gap / max(n_x, 1)
    mu = 0.1
    steps = 0
    broken = False
    while True:
        for _ in range(max_newton):
            steps += 1
            # gradient, inverse Hessian blocks, and S = A H^-1 A^T
            for i in range(m):
                rhs[i] = 0.0
                for j in range(m):
                    S[i, j] = 0.0
            for k in range(n_col):
                lo, hi = col_ptr[k], col_ptr[k + 1]
                xs = 0.0
                for c in range(lo, hi):
                    xs += x[c]
                gamma = 0.0  # xs - sum(dinv), summed without cancellation
                sdg = 0.0
                for c in range(lo, hi):
                    grad[c] = math.log(x[c] / xs) - mu / x[c]
                    extra = max(mu / x[c], reg)  # barrier curvature, or the regularisation
                    dinv[c] = x[c] / (1.0 + extra)
                    gamma += x[c] * extra / (1.0 + extra)
                    sdg += dinv[c] * grad[c]
                for c in range(lo, hi):
                    # w = H^-1 grad on this column; rhs = -A w (residual added below)
                    w = dinv[c] * grad[c] + dinv[c] * sdg / gamma
                    rhs[r1[c]] -= w
                    if r2[c] >= 0:
                        rhs[r2[c]] -= w
                    for c2 in range(lo, hi):
                        h = dinv[c] * dinv[c2] / gamma
                        if c2 == c:
                            h += dinv[c]
                        S[r1[c], r1[c2]] += h
                        if r2[c2] >= 0:
                            S[r1[c], r2[c2]] += h
                        if r2[c] >= 0:
                            S[r2[c], r1[c2]] += h
                            if r2[c2] >= 0:
                                S[r2[c], r2[c2]] += h
            # feasibility residual b - A x
            for i in range(m):
                z[i] = b[i]
            for c in range(n_x):
                z[r1[c]] -= x[c]
                if r2[c] >= 0:
                    z[r2[c]] -= x[c]
            for i in range(m):
                rhs[i] -= z[i]
            _cholesky_solve(S, m, rhs, scale, nu)
            # step = -H^-1 (grad + A^T nu)
            for c in range(n_x):
                z[c] = grad[c] + nu[r1[c]]
                if r2[c] >= 0:
                    z[c] += nu[r2[c]]
            decrement = 0.0
            for k in range(n_col):
                lo, hi = col_ptr[k], col_ptr[k + 1]
                gamma = 0.0
                sdz = 0.0
                for c in range(lo, hi):
                    extra = max(mu / x[c], reg)
                    gamma += x[c] * extra / (1.0 + extra)
                    sdz += dinv[c] * z[c]
                for c in range(lo, hi):
                    step[c] = -(dinv[c] * z[c] + dinv[c] * sdz / gamma)
                    decrement -= grad[c] * step[c]
            if not math.isfinite(decrement):  # the Newton system broke down: keep x
                broken = True
                break
            # fraction to the boundary, then backtracking on the barrier objective
            alpha = 1.0
            for c in range(n_x):
                if step[c] < 0.0:
                    alpha = min(alpha, -0.99 * x[c] / step[c])
            if decrement > 1e-10:
                f0 = _barrier_value(x, n_x, col_ptr, n_col, mu)
                for _ls in range(60):
                    for c in range(n_x):
                        xn[c] = x[c] + alpha * step[c]
                    if _barrier_value(xn, n_x, col_ptr, n_col, mu) <= f0 - 0.01 * alpha * decrement:
                        break
                    alpha *= 0.5
            for c in range(n_x):
                x[c] += alpha * step[c]
            if decrement < 1e-20 or (alpha == 1.0 and decrement < 1e-16):
                break
        if broken or mu <= mu_final:
            break
        mu = max(0.1 * mu, mu_final)
    # the optimal q (dense, flat over (t, s1, s2)) when asked for
    if q_out.shape[0] == n_t * n1 * n2:
        q_out[:] = 0.0
        c = 0
        for i in range(n1):
            for j in range(n2):
                for t in range(n_t):
                    if pt1[t, i] > 0.0 and pt2[t, j] > 0.0:
                        q_out[(t * n1 + i) * n2 + j] = x[c]
                        c += 1
        # Lagrange multipliers of the marginal constraints (-nu of the last Newton system)
        for t in range(n_t):
            for i in range(n1):
                lam_out[t * n1 + i] = -nu[row1[t, i]] if row1[t, i] >= 0 else 0.0
            for j in range(n2):
                lam_out[n_t * n1 + t * n2 + j] = -nu[row2[t, j]] if row2[t, j] >= 0 else 0.0
    # objective I_q(T; S1, S2) in bits
    obj = 0.0
    for k in range(n_col):
        lo, hi = col_ptr[k], col_ptr[k + 1]
        xs = 0.0
        for c in range(lo, hi):
            xs += x[c]
        for c in range(lo, hi):
            if x[c] > 0.0:
                obj += x[c] * math.log(x[c] / (xs * pt[cell_t[c]]))
    return obj / LN2, steps


@batch_kernel
def broja_forward(P, options, n_chunks, objective, steps):
    """``objective[b] = min_q I_q(T; S1, S2)`` (bits) for every pmf of ``P`` (batch, nT, n1, n2).

    ``options`` are :class:`BarrierOptions`; ``steps[b]`` gets the number of Newton steps.
    """
    n_batch, n_t, n1, n2 = P.shape
    no_output = np.zeros(0)
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        work = broja_work(n_t, n1, n2)
        for b in range(lo, hi):
            objective[b], steps[b] = broja_pmf(P[b], options, work, no_output, no_output)


@jit
def broja_one(p, options, q_out, lam_out):
    """``broja_pmf`` for one pmf ``p`` (nT, n1, n2): minimiser to ``q_out``, multipliers to
    ``lam_out`` (``nT * n1`` for the (t, s1) constraints, then ``nT * n2``)."""
    n_t, n1, n2 = p.shape
    return broja_pmf(p, options, broja_work(n_t, n1, n2), q_out, lam_out)
