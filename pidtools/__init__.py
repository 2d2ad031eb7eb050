"""pidtools: fast partial information decomposition.

Global and local atoms for 1-4 sources, batched over many pmfs, with several redundancy measures
and the analytic gradient of the shared-exclusion redundancy I^sx.
"""

from importlib.metadata import PackageNotFoundError, version

from . import validate
from .compare import compare
from .core import PIDResult, from_dit, goal_node_weights, pid, sx_gradient
from .estimate import EstimateResult, estimate
from .lattice import Lattice, lattice
from .measures import measures

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
    "measures",
    "pid",
    "sx_gradient",
    "validate",
]
