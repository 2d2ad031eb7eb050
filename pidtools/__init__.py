"""pidtools: fast partial information decomposition.

Global and local atoms for 1-4 sources, batched over many pmfs, with several redundancy measures
and the analytic gradient of the shared-exclusion redundancy I^sx.
"""

from importlib.metadata import PackageNotFoundError, version

from .compare import compare
from .core import PIDResult, from_dit, goal_node_weights, pid, sx_gradient
from .lattice import Lattice, lattice
from .measures import measures

try:
    __version__ = version("infomorph")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Lattice",
    "PIDResult",
    "__version__",
    "compare",
    "from_dit",
    "goal_node_weights",
    "lattice",
    "measures",
    "pid",
    "sx_gradient",
]
