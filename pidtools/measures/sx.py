"""Shared-exclusion redundancy I^sx (Makkeh, Gutknecht & Wibral 2021).

``i_sx(t : alpha) = log2 P(a, T = t) / (P(a) P(T = t))`` where ``a`` is the event that some set of
sources in ``alpha`` shows its observed value. Pointwise, differentiable, defined for any number
of sources; atoms may be negative.

References
----------
Makkeh, A., Gutknecht, A. J. & Wibral, M. (2021). Introducing a differentiable measure of
pointwise shared information. Phys. Rev. E 103, 032149.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..kernels._jit import n_chunks
from ..kernels.marginals import Layout, make_layout
from ..kernels.sx import csr_coefficients, sx_forward, sx_gradient
from ..lattice import lattice
from . import Measure, register


@cache
def _coefficients(n_sources: int):
    return csr_coefficients(lattice(n_sources).union_coefficients)


@cache
def _layout(pmf_shape: tuple[int, ...]) -> Layout:
    return make_layout(pmf_shape)


def _kernel_args(P: np.ndarray, n_sources: int):
    pmf_shape = P.shape[1:]
    lay = _layout(tuple(int(s) for s in pmf_shape))
    flat = P.reshape(P.shape[0], -1)
    ptr, cmask, cval = _coefficients(n_sources)
    args = (flat, lay.shape, lay.size, lay.off_s, lay.off_ts, lay.stride, lay.len_s, lay.len_ts)
    return args + (ptr, cmask, cval, n_chunks(P.shape[0]))


def sx_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """I^sx redundancy of every node for a validated batch ``P`` of shape ``(batch, *pmf)``."""
    n_nodes = lattice(n_sources).n_nodes
    n_batch, n_cells = P.shape[0], int(np.prod(P.shape[1:]))
    red = np.empty((n_batch, n_nodes))
    loc = np.full((n_batch, n_cells, n_nodes), np.nan) if local else np.empty((1, 1, n_nodes))
    sx_forward(P.size, *_kernel_args(P, n_sources), local, red, loc)
    return red, (loc.reshape(P.shape + (n_nodes,)) if local else None)


def sx_redundancy_gradient(
    P: np.ndarray, n_sources: int, node_weights: np.ndarray, weight_res: float, all_cells: bool
) -> np.ndarray:
    """Gradient of ``sum_alpha node_weights[alpha] I_alpha + weight_res H(T|S)`` w.r.t. ``P``.

    Without ``all_cells`` only the support cells are computed; the rest of the result is zero.
    """
    grad = np.zeros((P.shape[0], int(np.prod(P.shape[1:]))))
    weights = np.ascontiguousarray(node_weights, dtype=np.float64)
    sx_gradient(P.size, *_kernel_args(P, n_sources), weights, float(weight_res), all_cells, grad)
    return grad.reshape(P.shape)


register(
    Measure(
        name="sx",
        description="shared-exclusion redundancy I^sx, pointwise and differentiable",
        reference="Makkeh, Gutknecht & Wibral, Phys. Rev. E 103, 032149 (2021)",
        n_sources=(1, 2, 3, 4),
        pointwise=True,
        compute=sx_redundancy,
    )
)
