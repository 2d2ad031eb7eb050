"""BROJA redundancy (Bertschinger, Rauh, Olbrich, Jost & Ay 2014), bivariate.

The unique information of ``S1`` is ``min_{q in Delta_p} I_q(T; S1 | S2)`` over the pmfs ``q``
with the same (T, S1) and (T, S2) marginals as ``p``. All atoms follow from one convex problem:

    Red = I(T; S1) + I(T; S2) - min_{q in Delta_p} I_q(T; S1, S2),

solved by our own barrier interior-point method (:mod:`pidtools.kernels.broja`) to a duality gap
below ``1e-14`` nats (objective accurate to about ``1e-11`` bits). Non-negative atoms; not
pointwise.

For three sources only the nodes that dit's ``PID_BROJA`` computes are determined: ``{i}``,
``{ij}``, ``{123}`` (mutual informations) and ``{i}{jk}`` (the bivariate BROJA redundancy of
``S_i`` and the pair ``S_jk``); the other eight nodes, and the atoms that depend on them, are
NaN. dit fills some of them with heuristics (lattice monotonicity within tolerances) and
otherwise reports the decomposition as incomplete; use ``measure="dit:PID_BROJA"`` for that.

References
----------
Bertschinger, N., Rauh, J., Olbrich, E., Jost, J. & Ay, N. (2014). Quantifying unique
information. Entropy 16(4), 2161-2183.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..kernels._jit import n_chunks
from ..kernels.broja import BarrierOptions, broja_forward, broja_one
from . import Measure, register
from ._common import source_set_mi, unique_information_redundancy

#: Work per pmf cell relative to I^sx, for choosing the parallel kernel (see kernels._jit).
WORK_PER_CELL = 64
#: The barrier method stops at a duality gap of ``1e-14`` nats; the curvature floor ``1e-5``
#: (relative, see the kernel) keeps its Newton steps well posed; at most 50 Newton steps per
#: barrier parameter.
BARRIER = BarrierOptions(gap=1e-14, reg=1e-5, max_newton=50)


def broja_objective(Q: np.ndarray) -> np.ndarray:
    """``min_{q in Delta_p} I_q(T; S1, S2)`` (bits) for a batch ``Q`` (batch, nT, n1, n2)."""
    Q = np.ascontiguousarray(Q, dtype=np.float64)
    objective = np.empty(Q.shape[0])
    steps = np.empty(Q.shape[0], dtype=np.int64)
    broja_forward(Q.size * WORK_PER_CELL, Q, BARRIER, n_chunks(Q.shape[0]), objective, steps)
    return objective


class BrojaSolution(NamedTuple):
    """The BROJA problem of one pmf solved, with a certificate of optimality."""

    objective: float  #: min over q in Delta_p of I_q(T; S1, S2), bits
    q: np.ndarray  #: the minimiser, shape (nT, n1, n2)
    lower_bound: float  #: a dual bound: no q in Delta_p has a lower I_q (bits)


def broja_solution(p: np.ndarray) -> BrojaSolution:
    """Solve the BROJA problem for one normalised bivariate pmf ``p`` (nT, n1, n2), certified.

    The Lagrange dual of ``min_q -H_q(T | S1, S2)`` on ``Delta_p`` is
    ``max sum p(t, s1) l1(t, s1) + sum p(t, s2) l2(t, s2)`` subject to
    ``sum_t exp(l1(t, s1) + l2(t, s2)) <= 1`` for every column ``(s1, s2)`` (over the cells with
    ``p(t, s1) p(t, s2) > 0``; natural logs). Any multipliers shifted to satisfy every
    constraint give a lower bound. Two candidates are tried: the multipliers of the solver's last
    Newton system, and a least-squares fit of ``ln q(t | s1, s2) = l1 + l2`` on the columns with
    mass (the optimality condition); ``lower_bound`` is the better one plus ``H(T)``, or
    ``max(I(T; S1), I(T; S2))`` if that is higher (``I_q`` keeps both).
    ``objective - lower_bound`` bounds the error of ``objective``.
    """
    p = np.ascontiguousarray(p, dtype=np.float64)
    n_t, n1, n2 = p.shape
    q = np.empty(p.size)
    lam = np.empty(n_t * (n1 + n2))
    objective, _ = broja_one(p, BARRIER, q, lam)
    q = q.reshape(p.shape)
    split = (lam[: n_t * n1].reshape(n_t, n1), lam[n_t * n1 :].reshape(n_t, n2))
    bound = max(
        _dual_value(p, *split),
        _dual_value(p, *_refit_multipliers(p, q)),
        *(float(source_set_mi(p[None], frozenset({i}))[0]) for i in (1, 2)),  # I_q >= I(T; S_i)
    )
    return BrojaSolution(float(objective), q, bound)


def _refit_multipliers(p, q, active=1e-9):
    n_t, n1, n2 = p.shape
    allowed = (p.sum(axis=2)[:, :, None] > 0) & (p.sum(axis=1)[:, None, :] > 0)
    q_col = q.sum(axis=0)
    t, i, j = np.nonzero(allowed & (q_col[None] > active) & (q > 0))
    rows = np.arange(len(t))
    design = np.zeros((len(t), n_t * (n1 + n2)))
    design[rows, t * n1 + i] = 1.0
    design[rows, n_t * n1 + t * n2 + j] = 1.0
    lam = np.linalg.lstsq(design, np.log(q[t, i, j] / q_col[i, j]), rcond=None)[0]
    return lam[: n_t * n1].reshape(n_t, n1), lam[n_t * n1 :].reshape(n_t, n2)


def _dual_value(p, lam1, lam2) -> float:
    """``H(T)`` plus the dual objective of the multipliers made feasible by a shift (bits)."""
    pt1, pt2, pt = p.sum(axis=2), p.sum(axis=1), p.sum(axis=(1, 2))
    if not (np.isfinite(lam1).all() and np.isfinite(lam2).all()):
        return -np.inf
    allowed = (pt1[:, :, None] > 0) & (pt2[:, None, :] > 0)
    a = np.where(allowed, lam1[:, :, None] + lam2[:, None, :], -np.inf)
    top = a.max(axis=0)
    has = np.isfinite(top)
    with np.errstate(over="ignore"):
        lse = top[has] + np.log(np.exp(a[:, has] - top[has]).sum(axis=0))
    shift = max(0.0, float(lse.max(initial=-np.inf)))
    h_t = -float(np.sum(pt[pt > 0] * np.log(pt[pt > 0])))
    dual = float(np.sum(pt1 * lam1) + np.sum(pt2 * lam2)) - shift
    return (h_t + dual) / np.log(2.0) if np.isfinite(dual) else -np.inf


def broja_pair_redundancy(Q: np.ndarray) -> np.ndarray:
    """BROJA redundancy of S1 and S2 for a bivariate batch ``Q`` (batch, nT, n1, n2)."""
    return source_set_mi(Q, frozenset({1})) + source_set_mi(Q, frozenset({2})) - broja_objective(Q)


def broja_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """BROJA redundancy of the lattice nodes (NaN where undetermined) for a validated batch."""
    return unique_information_redundancy(P, n_sources, broja_pair_redundancy, "broja"), None


register(
    Measure(
        name="broja",
        description="BROJA unique information min over q of I_q(T; S1 | S2), bivariate",
        reference="Bertschinger et al., Entropy 16, 2161 (2014)",
        n_sources=(1, 2, 3),
        pointwise=False,
        compute=broja_redundancy,
    )
)
