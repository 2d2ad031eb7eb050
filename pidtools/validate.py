"""Deprecated name of :mod:`pidtools.convergence` (estimator convergence); import that instead."""

import warnings

from . import convergence as _convergence


def __getattr__(name: str):
    # Warn where the old name is used (``from pidtools.validate import convergence`` or
    # ``pidtools.validate.convergence``), not when the module is merely imported.
    if name == "convergence":
        warnings.warn(
            "pidtools.validate is deprecated: it was renamed pidtools.convergence "
            "(use pidtools.convergence.convergence)",
            FutureWarning,
            stacklevel=2,
        )
        return _convergence.convergence
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
