"""Williams-Beer redundancy I_min: the expected minimum specific information.

``I_min(alpha) = sum_t p(t) min_{a in alpha} I(T = t; S_a)`` with the specific information
``I(T = t; S_a) = sum_{s_a} p(s_a | t) log2 p(t | s_a) / p(t)``. Non-negative atoms for two
sources; not pointwise. Matches ``dit.pid.PID_WB``. Registered as ``"min"``.

References
----------
Williams, P. L. & Beer, R. D. (2010). Nonnegative decomposition of multivariate information.
arXiv:1004.2515.
"""

from __future__ import annotations

import numpy as np

from ..kernels.specific import Redundancy
from . import Measure, register
from ._common import specific_information_redundancy


def imin_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """I_min of every lattice node for a validated batch ``P`` of shape ``(batch, *pmf)``."""
    return specific_information_redundancy(P, n_sources, Redundancy.IMIN), None


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
