"""infomorph: infomorphic neurons and networks that learn from I^sx atoms.

Each neuron maximises a weighted sum of the PID atoms (shared-exclusion redundancy I^sx, from
:mod:`pidtools`) of its own output with respect to its input classes. The gradient is analytic
(no deep-learning framework): goal -> pmf -> theta -> activation -> weights.

Modules: :mod:`~infomorph.neuron` (activations, binning), :mod:`~infomorph.layer`,
:mod:`~infomorph.goals` (named presets), :mod:`~infomorph.network` (architectures),
:mod:`~infomorph.train` (:func:`~infomorph.train.fit`), :mod:`~infomorph.data`,
:mod:`~infomorph.record` (the xarray record schema), :mod:`~infomorph.baselines`,
:mod:`~infomorph.memory` (associative memory).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("infomorph")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

from .goals import PRESETS  # noqa: E402

__all__ = ["PRESETS", "__version__"]
