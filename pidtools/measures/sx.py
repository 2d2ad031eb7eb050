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

from ..errors import ParameterError
from ..kernels._jit import n_chunks
from ..kernels.dense import dense_plan
from ..kernels.sx import (
    ChainTables,
    DensePlan,
    Geometry,
    csr_coefficients,
    sx_backward,
    sx_chain,
    sx_forward,
)
from ..lattice import _mask, lattice
from . import Measure, register
from ._common import layout, layout_of


@cache
def _coefficients(n_sources: int):
    return csr_coefficients(lattice(n_sources).union_coefficients)


#: Relative costs behind the choice between the two exact evaluation paths of a pmf: the support
#: path per non-zero cell, by number of sources, and the dense path per logarithm, per element
#: and per row of an inclusion-exclusion sum, and per such sum. Only their ratios matter (where
#: they were timed: benchmarks/sx_results.md). Both paths give the same values (to rounding);
#: only the time differs. Five sources (the gradient only; the forward pass runs along up-set
#: chains): the four-source cost per node times the 7 579 nodes.
SUPPORT_COST_PER_CELL = {1: 15.0, 2: 37.0, 3: 82.0, 4: 488.0, 5: 488.0 / 166 * 7579}
DENSE_COST = {"log": 1.1, "element": 0.15, "row": 0.9, "sum": 60.0}


@cache
def _dense_plan(pmf_shape: tuple[int, ...], n_sources: int):
    """The dense path's marginal plan, and the support size from which it is the faster path."""
    lay = layout(pmf_shape)
    union = lattice(n_sources).union_coefficients
    n_t = pmf_shape[0]
    cost = 0.0
    for row in union:
        masks = np.nonzero(row)[0]
        big = int(np.bitwise_or.reduce(masks))
        grid = int(lay.size[big])
        cost += DENSE_COST["log"] * n_t * grid
        if len(masks) > 1:
            last = max(i for i in range(n_sources) if big >> i & 1)
            n_sums = len(masks) * (n_t + 1)
            cost += n_sums * DENSE_COST["sum"]
            cost += (
                n_sums * grid * (DENSE_COST["element"] + DENSE_COST["row"] / pmf_shape[last + 1])
            )
    dense_min = int(np.ceil(cost / SUPPORT_COST_PER_CELL[n_sources]))
    return (*dense_plan(lay.shape, lay.size, lay.stride), dense_min)


def _kernel_args(P: np.ndarray, n_sources: int):
    flat = P.reshape(P.shape[0], -1)
    *plan, dense_min = _dense_plan(tuple(int(s) for s in P.shape[1:]), n_sources)
    coef = _coefficients(n_sources)
    return flat, _geometry(P), coef, DensePlan(*plan), dense_min, n_chunks(P.shape[0])


def _geometry(P: np.ndarray) -> Geometry:
    lay = layout_of(P)
    return Geometry(lay.shape, lay.size, lay.off_s, lay.off_ts, lay.stride, lay.len_s, lay.len_ts)


def sx_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """I^sx redundancy of every node for a validated batch ``P`` of shape ``(batch, *pmf)``.

    Up to four sources by inclusion-exclusion sums of marginals (:func:`sx_forward`), five
    along up-set chains (:func:`sx_parts`).
    """
    if n_sources > 4:
        red, _, loc, _ = sx_parts(P, n_sources, local, plus=False)
        return red, loc
    n_nodes = lattice(n_sources).n_nodes
    n_batch, n_cells = P.shape[0], int(np.prod(P.shape[1:]))
    red = np.empty((n_batch, n_nodes))
    loc = np.full((n_batch, n_cells, n_nodes), np.nan) if local else np.empty((1, 1, n_nodes))
    sx_forward(P.size, *_kernel_args(P, n_sources), local, red, loc)
    return red, (loc.reshape(P.shape + (n_nodes,)) if local else None)


def sx_redundancy_gradient(
    P: np.ndarray,
    n_sources: int,
    node_weights: np.ndarray,
    weight_res: float,
    all_cells: bool,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Gradient of ``sum_alpha node_weights[alpha] I_alpha + weight_res H(T|S)`` w.r.t. ``P``.

    Without ``all_cells`` only the support cells are computed; the rest of the result is zero,
    or, with ``out``, zero or whatever ``out`` held there (a reused buffer needs no clearing
    when only support cells are read). ``out``: a C-contiguous float64 array of ``P``'s size to write
    into; it is returned, shaped as ``P``.
    """
    if out is None:
        grad = np.empty((P.shape[0], int(np.prod(P.shape[1:]))))
        grad.fill(0.0)  # touch the pages here: page faults in the parallel kernel contend
    else:
        if not (
            isinstance(out, np.ndarray)
            and out.dtype == np.float64
            and out.flags.c_contiguous
            and out.size == P.size
        ):
            raise ParameterError(
                f"out must be a C-contiguous float64 array of {P.size} values (the size of "
                f"the pmfs), got {getattr(out, 'dtype', type(out).__name__)} of shape "
                f"{np.shape(out)}: pass np.empty(P.shape) or leave out=None",
                param="out",
            )
        grad = out.reshape(P.shape[0], -1)
    weights = np.ascontiguousarray(node_weights, dtype=np.float64)
    sx_backward(P.size, *_kernel_args(P, n_sources), weights, float(weight_res), all_cells, grad)
    return grad.reshape(P.shape)


@cache
def _chain_tables(n_sources: int) -> ChainTables:
    """Every node's up-set as its parent's plus one source mask (see :class:`ChainTables`)."""
    lat = lattice(n_sources)
    position = {int(u): i for i, u in enumerate(lat.up_masks)}
    parent = np.empty(lat.n_nodes, dtype=np.int64)
    added = np.empty(lat.n_nodes, dtype=np.int64)
    for a, (node, up) in enumerate(zip(lat.nodes, map(int, lat.up_masks), strict=True)):
        mask = _mask(node[-1])  # a set of the node is a minimal element of its up-set
        added[a] = mask
        parent[a] = position.get(up & ~(1 << mask), lat.n_nodes)
    return ChainTables(parent, added)


def sx_parts(P: np.ndarray, n_sources: int, local: bool = False, plus: bool = True):
    """I^sx redundancy and its informative part ``I^sx+`` of every node, along up-set chains.

    Returns ``(red, red_plus, local_red, local_plus)`` for a validated batch ``P`` of shape
    ``(batch, *pmf)``; the misinformative part is ``red_plus - red``. Local values are NaN off
    the support; ``None`` where not asked for.
    """
    n_nodes = lattice(n_sources).n_nodes
    n_batch, n_cells = P.shape[0], int(np.prod(P.shape[1:]))
    flat = P.reshape(n_batch, n_cells)
    geo = _geometry(P)
    red = np.empty((n_batch, n_nodes))
    red_plus = np.empty((n_batch, n_nodes)) if plus else np.empty((1, 1))
    shape_local = (n_batch, n_cells, n_nodes)
    loc = np.full(shape_local, np.nan) if local else np.empty((1, 1, 1))
    loc_plus = np.full(shape_local, np.nan) if local and plus else np.empty((1, 1, 1))
    chain = _chain_tables(n_sources)
    # a cell costs about a pass over the nodes: weigh it so for the serial/parallel choice
    work = P.size * max(1, n_nodes // 8)
    sx_chain(work, flat, geo, chain, n_chunks(n_batch), local, plus, red, red_plus, loc, loc_plus)
    as_local = lambda x: x.reshape(P.shape + (n_nodes,))  # noqa: E731
    return (
        red,
        red_plus if plus else None,
        as_local(loc) if local else None,
        as_local(loc_plus) if local and plus else None,
    )


register(
    Measure(
        name="sx",
        description="shared-exclusion redundancy I^sx, pointwise and differentiable",
        reference="Makkeh, Gutknecht & Wibral, Phys. Rev. E 103, 032149 (2021)",
        n_sources=(1, 2, 3, 4, 5),
        pointwise=True,
        compute=sx_redundancy,
    )
)
