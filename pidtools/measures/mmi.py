"""Minimum mutual information redundancy I_mmi.

``I_mmi(alpha) = min_{a in alpha} I(T; S_a)``. Exact for jointly Gaussian variables with a
univariate target (Barrett 2015); not pointwise. Matches ``dit.pid.PID_MMI``.

References
----------
Barrett, A. B. (2015). Exploration of synergistic and redundant information sharing in static
and dynamical Gaussian systems. Phys. Rev. E 91, 052802.
"""

from __future__ import annotations

import numpy as np

from ..kernels.specific import Redundancy
from . import Measure, register
from ._common import specific_information_redundancy


def mmi_redundancy(P: np.ndarray, n_sources: int, local: bool = False):
    """I_mmi of every lattice node for a validated batch ``P`` of shape ``(batch, *pmf)``."""
    return specific_information_redundancy(P, n_sources, Redundancy.IMMI), None


register(
    Measure(
        name="mmi",
        description="minimum mutual information I_mmi = min over sets of I(T; S_a)",
        reference="Barrett, Phys. Rev. E 91, 052802 (2015)",
        n_sources=(1, 2, 3, 4),
        pointwise=False,
        compute=mmi_redundancy,
    )
)
