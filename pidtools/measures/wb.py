"""Williams-Beer redundancy I_min: the expected minimum specific information.

``I_min(alpha) = sum_t p(t) min_{a in alpha} I(T = t; S_a)`` with the specific information
``I(T = t; S_a) = sum_{s_a} p(s_a | t) log2 p(t | s_a) / p(t)``. Non-negative atoms for two
sources; not pointwise. Matches ``dit.pid.PID_WB``.

References
----------
Williams, P. L. & Beer, R. D. (2010). Nonnegative decomposition of multivariate information.
arXiv:1004.2515.
"""

from __future__ import annotations

import numpy as np

from ..kernels._jit import n_chunks
from ..kernels.wb import wb_forward
from . import Measure, register
from ._common import layout_of, node_set_masks


def specific_information_redundancy(P: np.ndarray, n_sources: int, minimum_per_target: bool):
    """I_min (``minimum_per_target``) or I_mmi of every node for a validated batch ``P``."""
    lay = layout_of(P)
    ptr, masks = node_set_masks(n_sources)
    red = np.empty((P.shape[0], len(ptr) - 1))
    wb_forward(
        P.size,
        P.reshape(P.shape[0], -1), lay.shape, lay.size, lay.off_s, lay.off_ts, lay.stride,
        lay.len_s, lay.len_ts, ptr, masks, n_chunks(P.shape[0]), minimum_per_target, red,
    )  # fmt: skip
    return red


def imin_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """I_min of every lattice node for a validated batch ``P`` of shape ``(batch, *pmf)``."""
    return specific_information_redundancy(P, n_sources, True), None


register(
    Measure(
        name="min",
        description="Williams-Beer I_min, expected minimum specific information",
        reference="Williams & Beer, arXiv:1004.2515 (2010)",
        n_sources=(1, 2, 3, 4),
        pointwise=False,
        compute=imin_redundancy,
    )
)
