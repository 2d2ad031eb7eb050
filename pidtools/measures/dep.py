"""Dependency-decomposition redundancy I_dep (James, Emenheiser & Crutchfield 2018), bivariate.

The unique information of ``S1`` is the smallest increase of ``I(S1, S2; T)`` along the edges of
the dependency lattice of (S1, S2, T) that add the constraint (S1, T), each lattice node being
the maximum-entropy distribution with its marginals. Four edges add it:

    U1 = min(I(T; S1), Ici - I(T; S2), Ipair - I(T; S2))

with ``Ici = I(T; S1, S2)`` under ``p(t, s1) p(t, s2) / p(t)`` and ``Ipair`` under the maxent
distribution with all three pairwise marginals (iterative proportional fitting; when IPF stalls
its support is found by a linear programme). ``Red = I(T; S1) - U1``, symmetric in the sources.
Matches ``dit.pid.PID_dep``. Non-negative atoms; not pointwise.

For three sources the nodes ``{i}{jk}`` come from the bivariate I_dep of ``S_i`` and the pair
``S_jk`` (as in dit); eight nodes stay NaN, as for :mod:`pidtools.measures.broja`.

References
----------
James, R. G., Emenheiser, J. & Crutchfield, J. P. (2018). Unique information via dependency
constraints. J. Phys. A 52, 014002.
"""

from __future__ import annotations

import numpy as np

from ..kernels._jit import n_chunks
from ..kernels.dep import dep_forward, dep_one
from . import Measure, register
from ._common import layout_of, unique_information_redundancy
from .ccs import IPF, IPF_ON_SUPPORT, maxent_support

#: Work per pmf cell relative to I^sx, for choosing the parallel kernel (see kernels._jit).
WORK_PER_CELL = 16
_PAIRS = np.array([1, 2], dtype=np.int64)


def dep_terms(Q: np.ndarray) -> np.ndarray:
    """``(I1, I2, I12, Ici, Ipair)`` per pmf of a bivariate batch ``Q`` (batch, nT, n1, n2)."""
    Q = np.ascontiguousarray(Q, dtype=np.float64)
    lay = layout_of(Q)
    flat = Q.reshape(Q.shape[0], -1)
    out = np.empty((Q.shape[0], 5))
    status = np.empty(Q.shape[0], dtype=np.int64)
    dep_forward(Q.size * WORK_PER_CELL, flat, lay, n_chunks(Q.shape[0]), IPF, out, status)
    for b in np.flatnonzero(status < 0):
        allowed = maxent_support(flat[b], lay, _PAIRS)
        dep_one(flat[b], lay, allowed, IPF_ON_SUPPORT, out[b])
    return out


def dep_pair_redundancy(Q: np.ndarray) -> np.ndarray:
    """I_dep redundancy of S1 and S2 for a bivariate batch ``Q`` (batch, nT, n1, n2)."""
    i1, i2, _, i_ci, i_pair = dep_terms(Q).T
    unique_1 = np.minimum(np.minimum(i1, i_ci - i2), i_pair - i2)
    return i1 - unique_1


def dep_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """I_dep redundancy of the lattice nodes (NaN where undetermined) for a validated batch."""
    return unique_information_redundancy(P, n_sources, dep_pair_redundancy, "dep"), None


register(
    Measure(
        name="dep",
        description="James et al. I_dep, unique information from the dependency lattice, bivariate",
        reference="James, Emenheiser & Crutchfield, J. Phys. A 52, 014002 (2018)",
        n_sources=(1, 2, 3),
        pointwise=False,
        compute=dep_redundancy,
    )
)
