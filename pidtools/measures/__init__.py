"""Registry of redundancy measures.

Every measure supplies only its redundancy ``I_cap(alpha)`` for each lattice node; the Mobius
inversion to atoms, validation and labelling live in :mod:`pidtools.core`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Measure", "REGISTRY", "register", "get_measure", "list_measures"]

#: ``compute(P, n_sources, local)`` with ``P`` of shape ``(batch, nT, n1, ..., nn)`` (validated,
#: normalised, C-contiguous float64) returns the redundancy ``(batch, n_nodes)`` in lattice order
#: and, when ``local`` is true, the local redundancy ``(batch, nT, n1, ..., nn, n_nodes)`` with
#: NaN where ``p = 0`` (else ``None``).
ComputeFn = Callable[[np.ndarray, int, bool], tuple[np.ndarray, np.ndarray | None]]


@dataclass(frozen=True)
class Measure:
    """A redundancy measure: its name, what it is, where it comes from, and how to compute it."""

    name: str
    description: str
    reference: str
    n_sources: tuple[int, ...]
    pointwise: bool
    compute: ComputeFn


REGISTRY: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    """Add a measure to the registry (its name must be new)."""
    if measure.name in REGISTRY:
        raise ValueError(f"measure {measure.name!r} is registered already")
    REGISTRY[measure.name] = measure
    return measure


def get_measure(name: str) -> Measure:
    """Look up a measure by name, with an error that lists the valid names."""
    if not isinstance(name, str):
        raise TypeError(f"measure must be a str such as 'sx', got {type(name).__name__}")
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown measure {name!r}: choose one of {', '.join(sorted(REGISTRY))}, or "
            "'dit:CLASSNAME' (e.g. 'dit:PID_GH') for any dit PID class"
        ) from None


def list_measures() -> dict[str, str]:
    """Names of the built-in measures with a one-line description and reference each."""
    return {m.name: f"{m.description} ({m.reference})" for m in REGISTRY.values()}


# The registry lists the measures in the order of these imports.
# isort: off
from . import sx as _sx  # noqa: E402,F401  (registers itself)
from . import wb as _wb  # noqa: E402,F401
from . import mmi as _mmi  # noqa: E402,F401
from . import pm as _pm  # noqa: E402,F401
from . import ccs as _ccs  # noqa: E402,F401
from . import broja as _broja  # noqa: E402,F401
from . import dep as _dep  # noqa: E402,F401
# isort: on
