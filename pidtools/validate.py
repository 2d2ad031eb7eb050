"""Deprecated name of :mod:`pidtools.convergence` (estimator convergence); import that instead."""

import warnings

from .convergence import convergence

__all__ = ["convergence"]

warnings.warn(
    "pidtools.validate is deprecated: it was renamed pidtools.convergence "
    "(use pidtools.convergence.convergence)",
    FutureWarning,
    stacklevel=2,
)
