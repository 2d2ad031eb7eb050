"""pidtools: fast partial information decomposition.

Global and local atoms for 1-4 sources (5 for I^sx), batched over many pmfs, with several
redundancy measures, the analytic gradient of the shared-exclusion redundancy I^sx, and
layer-level summaries (synergy profiles, representational complexity, Shannon invariants).

Submodules not imported here (:mod:`pidtools.xarray`, :mod:`pidtools.convergence`,
:mod:`pidtools.distributions`, ...) load on first attribute access, so ``import pidtools`` stays
light (no xarray) while ``pidtools.xarray.pid_dataset`` works after it. (``pidtools.validate``
is a deprecated name of ``pidtools.convergence``.)
"""

import importlib
import importlib.util
import pkgutil
from importlib.metadata import PackageNotFoundError, version

from .compare import compare
from .core import PIDResult, from_dit, goal_node_weights, pid, sx_gradient
from .estimate import EstimateResult, estimate
from .lattice import Lattice, lattice
from .layer import layer_pid, shannon_invariants, synergy_profile
from .measures import list_measures

try:
    __version__ = version("infomorph")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "EstimateResult",
    "Lattice",
    "PIDResult",
    "__version__",
    "compare",
    "estimate",
    "from_dit",
    "goal_node_weights",
    "lattice",
    "layer_pid",
    "list_measures",
    "pid",
    "shannon_invariants",
    "sx_gradient",
    "synergy_profile",
]


def __getattr__(name: str):
    # Any public submodule not imported above loads on first access as ``pidtools.NAME``.
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    submodules = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return sorted(set(globals()) | submodules)
