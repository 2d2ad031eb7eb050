"""Finn-Lizier redundancy I_plus-minus (I±), from pointwise specificity and ambiguity.

For an outcome ``(t, s)`` the local redundancy of ``alpha`` is
``i(t : alpha) = min_{a in alpha} h(s_a) - min_{a in alpha} h(s_a | t)`` with the surprisals
``h(s_a) = -log2 p(s_a)`` (specificity) and ``h(s_a | t) = -log2 p(s_a | t)`` (ambiguity); the
global redundancy is its p-weighted mean. Pointwise; atoms may be negative. Matches
``dit.pid.PID_PM``.

References
----------
Finn, C. & Lizier, J. T. (2018). Pointwise partial information decomposition using the
specificity and ambiguity lattices. Entropy 20(4), 297.
"""

from __future__ import annotations

import numpy as np

from ..kernels._jit import n_chunks
from ..kernels.pm import pm_forward
from . import Measure, register
from ._common import layout_of, node_set_masks


def pm_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """I± of every lattice node (and its local values) for a validated batch ``P``."""
    lay = layout_of(P)
    nodes = node_set_masks(n_sources)
    n_nodes = len(nodes.ptr) - 1
    n_batch, n_cells = P.shape[0], int(np.prod(P.shape[1:]))
    red = np.empty((n_batch, n_nodes))
    loc = np.full((n_batch, n_cells, n_nodes), np.nan) if local else np.empty((1, 1, n_nodes))
    flat = P.reshape(n_batch, -1)
    pm_forward(P.size, flat, lay, nodes, n_chunks(n_batch), local, red, loc)
    return red, (loc.reshape(P.shape + (n_nodes,)) if local else None)


register(
    Measure(
        name="pm",
        description="Finn-Lizier I±, pointwise specificity minus ambiguity",
        reference="Finn & Lizier, Entropy 20, 297 (2018)",
        n_sources=(1, 2, 3, 4),
        pointwise=True,
        compute=pm_redundancy,
    )
)
