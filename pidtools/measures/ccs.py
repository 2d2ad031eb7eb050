"""Ince's common change in surprisal I_ccs.

For a node ``alpha = {a_1, ..., a_k}`` take the maximum-entropy distribution ``q`` on
``(T, S_a1, ..., S_ak)`` that keeps the joint source marginal and every source-target pair
marginal ``P(S_a, T)``. The local co-information ``c(e)`` of ``(S_a1, ..., S_ak, T)`` under ``q``
counts where its sign agrees with the sign of every ``pmi(S_a; T)`` and of ``pmi(S_a1..S_ak; T)``
(the common change in surprisal):

    I_ccs(alpha) = sum_e q(e) c(e) [signs agree],

with values within ``1e-8`` of zero counted as sign zero, as in ``dit.pid.PID_CCS``, which this
reproduces (dit coalesces each set ``a`` into one variable; the maxent problem on
``(T, S_{a_1 | ... | a_k})`` is the same).

Local values
------------
``local=True`` gives, at each outcome ``(t, s)`` with ``p > 0``, the counted co-information
``c(t, s_U) [signs agree]`` of node ``alpha`` (``U`` its sources), i.e. Ince's pointwise
common change in surprisal. The global value is its mean under the maxent ``q`` of the node,
not under ``p``: the p-weighted mean of local ccs atoms differs from the global atoms unless
``q`` and ``p`` coincide (they do for single-set nodes such as ``{1}`` or ``{12}``).

The maximum-entropy fit is iterative proportional fitting to a marginal deviation below
``1e-14``. IPF stalls (converges like ``1/k``) when the maxent distribution has zeros that the
marginals only imply; the kernel then drops the cells that bound propagation proves to be zero
and restarts, and where that is not enough the support of ``q`` is found exactly by a linear
programme (:func:`maxent_support`, scipy's HiGHS) and IPF reruns on it.

References
----------
Ince, R. A. A. (2017). Measuring multivariate redundant information with pointwise common
change in surprisal. Entropy 19(7), 318.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..kernels._jit import n_chunks
from ..kernels.ccs import Coefficients, ccs_forward, ccs_one_node, maxent_problem
from ..kernels.marginals import Layout
from ..kernels.maxent import IpfLimits
from ..kernels.sx import csr_coefficients
from ..lattice import lattice
from . import Measure, register
from ._common import layout_of, node_set_masks

#: Work per pmf cell relative to I^sx, for choosing the parallel kernel (see kernels._jit).
WORK_PER_CELL = 64
#: IPF stops once no constrained marginal deviates from its target by ``1e-14``; a node whose
#: IPF has not converged after 3000 cycles is treated as stalled and its maxent support is
#: found by LP.
IPF = IpfLimits(tol=1e-14, max_cycles=3000)
#: IPF once the support is known (convergence is then linear).
IPF_ON_SUPPORT = IpfLimits(tol=1e-14, max_cycles=200_000)


@cache
def _union_coefficients(n_sources: int) -> Coefficients:
    return Coefficients(*csr_coefficients(lattice(n_sources).union_coefficients))


def maxent_support(p_flat: np.ndarray, lay: Layout, sets: np.ndarray) -> np.ndarray:
    """Cells ``(t, s_U)`` that the maxent distribution of ``sets`` can put mass on (flat bool).

    The support of the maxent distribution is the union of the supports of all distributions
    with the prescribed marginals. It comes from one linear programme over the cone
    ``{(q, lam) >= 0 : A q = lam b}``: maximise ``sum y`` with ``0 <= y <= min(q, 1)``.
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, hstack, identity

    cell_t, cell_j, cidx, buf_s, buf_ts = maxent_problem(p_flat, lay, sets)
    n_q = len(cell_t)
    rows, cols, rhs = [], [], []
    n_rows = 0
    for c in range(cidx.shape[1]):
        positions, row = np.unique(cidx[:, c], return_inverse=True)
        rows.append(row + n_rows)
        cols.append(np.arange(n_q))
        rhs.append((buf_s if c == 0 else buf_ts)[positions])
        n_rows += len(positions)
    A = coo_matrix(
        (np.ones(n_q * cidx.shape[1]), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_q),
    )
    b = np.concatenate(rhs)[:, None]
    zeros = coo_matrix((n_rows, n_q))
    A_eq = hstack([A, zeros, coo_matrix(-b)]).tocsr()
    eye = identity(n_q, format="coo")
    A_ub = hstack([-eye, eye, coo_matrix((n_q, 1))]).tocsr()
    cost = np.concatenate([np.zeros(n_q), -np.ones(n_q), [0.0]])
    bounds = [(0, None)] * n_q + [(0, 1)] * n_q + [(0, None)]
    res = linprog(cost, A_ub=A_ub, b_ub=np.zeros(n_q), A_eq=A_eq, b_eq=np.zeros(n_rows),
                  bounds=bounds, method="highs")  # fmt: skip
    u = int(np.bitwise_or.reduce(sets))
    allowed = np.zeros(lay.shape[0] * lay.size[u], dtype=np.bool_)
    if res.status != 0:  # pragma: no cover - the programme is feasible and bounded
        allowed[cell_t * lay.size[u] + cell_j] = True
        return allowed
    keep = res.x[n_q : 2 * n_q] > 0.5
    allowed[cell_t[keep] * lay.size[u] + cell_j[keep]] = True
    return allowed


def ccs_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """I_ccs of every lattice node (and its local values) for a validated batch ``P``."""
    lay = layout_of(P)
    nodes = node_set_masks(n_sources)
    union = _union_coefficients(n_sources)
    n_nodes = len(nodes.ptr) - 1
    n_batch, n_cells = P.shape[0], int(np.prod(P.shape[1:]))
    flat = P.reshape(n_batch, -1)
    red = np.empty((n_batch, n_nodes))
    status = np.empty((n_batch, n_nodes), dtype=np.int64)
    loc = np.full((n_batch, n_cells, n_nodes), np.nan) if local else np.empty((1, 1, n_nodes))
    ccs_forward(
        P.size * WORK_PER_CELL,
        flat, lay, nodes, union, n_chunks(n_batch), IPF, local, red, loc, status,
    )  # fmt: skip
    for b, a in np.argwhere(status < 0):
        allowed = maxent_support(flat[b], lay, nodes.mask[nodes.ptr[a] : nodes.ptr[a + 1]])
        local_row = np.full(n_cells, np.nan)
        red[b, a], _ = ccs_one_node(
            flat[b], lay, a, nodes, union, allowed, IPF_ON_SUPPORT, local_row
        )
        if local:
            loc[b, :, a] = local_row
    return red, (loc.reshape(P.shape + (n_nodes,)) if local else None)


register(
    Measure(
        name="ccs",
        description="Ince's I_ccs, common change in surprisal on the pairwise maxent distribution",
        reference="Ince, Entropy 19, 318 (2017)",
        n_sources=(1, 2, 3, 4),
        pointwise=True,
        compute=ccs_redundancy,
    )
)
