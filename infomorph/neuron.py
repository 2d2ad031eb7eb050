"""The infomorphic neuron: activation functions, their derivatives, and the binning of sources.

A neuron has two or three input classes (sources). Each class ``k`` has its own weights and bias
and yields a scalar aggregate per sample (``r`` receptive/feed-forward, ``c`` context, ``l``
lateral). The activation ``A`` combines them; the output ``Y`` is ``+1`` with probability
``theta = sigmoid(A)`` and ``-1`` otherwise.

Two classes (Makkeh et al. 2025), with ``s = sigmoid(k2 r c)``::

    A = r [k1 + (1 - k1) 2 s]

Three classes (Schneider et al. 2025), with ``s1 = sigmoid(b1 r c)``, ``s2 = sigmoid(b2 r l)``::

    A = r [(1 - a1 - a2) + a1 s1 + a2 s2]

The bracket is positive, so context and lateral input modulate the gain of the receptive drive
but cannot flip its sign.

The sources are binned (without gradient) for the soft histogram the goal is computed on:

``"batch_max"``
    divide each neuron's aggregate by its largest magnitude in the batch, then ``n_bins`` equal
    bins on ``[-1, 1]`` (the two-class setting of the papers, 20 bins).
``"fixed"``
    ``n_bins`` equal bins on ``[-bound, bound]``, values outside clamped to the edge bins (the
    three-class setting of the papers, 20 bins on ``[-20, 20]``).

References
----------
Makkeh, A. et al. (2025). A general framework for interpretable neural learning based on local
information-theoretic goal functions. PNAS 122(10), e2408125122.
Schneider, M. et al. (2025). What should a neuron aim for? Designing local objective functions
based on information theory. ICLR 2025.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels
from ._checks import check_int, check_real

#: Largest ``n_bins`` of a :class:`Binning`. A neuron's soft histogram holds
#: ``2 * n_bins**n_sources`` float64 cells; for a three-class neuron 64 bins give
#: ``64**3 = 262144`` source cells (4 MiB per neuron, 400 MiB for a 100-neuron layer), beyond
#: which a layer's histograms no longer fit in memory. The papers use 20.
MAX_BINS = 64

#: Activations are clipped to this magnitude before the sigmoid so that theta stays strictly
#: inside (0, 1) in float64 and both outputs keep non-zero mass in the soft histogram.
A_CLIP = 30.0


def _flat(*arrays) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """The common shape of ``arrays`` and each of them as a flat contiguous float64 array."""
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in arrays))
    return arrays[0].shape, [np.ascontiguousarray(a).ravel() for a in arrays]


def theta_of(activation: np.ndarray) -> np.ndarray:
    """``theta = P(Y = +1) = sigmoid(A)`` with ``A`` clipped to ``[-A_CLIP, A_CLIP]``."""
    shape, (a,) = _flat(activation)
    out = np.empty_like(a)
    kernels.clipped_sigmoid(a.size, a, A_CLIP, out)
    return out.reshape(shape)


@dataclass(frozen=True)
class TwoClassActivation:
    """``A = r [k1 + (1 - k1) 2 sigmoid(k2 r c)]``; ``k1 = 1`` gives ``A = r``.

    Parameters
    ----------
    k1 : float
        Share of the receptive drive that passes unmodulated, in ``[0, 1]`` (papers: 0.5
        default, 0.9 for the ICLR hidden layers, 1 for read-out layers).
    k2 : float
        Gain of the modulation, finite (papers: 2).
    """

    k1: float = 0.5
    k2: float = 2.0

    n_classes = 2

    def __post_init__(self):
        check_real(
            "k1 (k1_hidden of fit and build_network)",
            self.k1,
            0.0,
            1.0,
            hint=" (the unmodulated share of the receptive drive)",
        )
        check_real("k2", self.k2)

    def __call__(self, r: np.ndarray, c: np.ndarray):
        """Return ``A, (dA/dr, dA/dc)``."""
        shape, flat = _flat(r, c)
        out = [np.empty_like(flat[0]) for _ in range(3)]
        kernels.two_class_activation(flat[0].size, *flat, float(self.k1), float(self.k2), *out)
        a, d_r, d_c = (x.reshape(shape) for x in out)
        return a, (d_r, d_c)


@dataclass(frozen=True)
class ThreeClassActivation:
    """``A = r [(1 - a1 - a2) + a1 sigmoid(b1 r c) + a2 sigmoid(b2 r l)]``.

    Parameters
    ----------
    alpha1, alpha2 : float
        Weights of the context and lateral modulation (papers: 0.1 each), ``>= 0`` with
        ``alpha1 + alpha2 <= 1`` (the rest, ``1 - alpha1 - alpha2``, passes unmodulated).
    beta1, beta2 : float
        Gains of the modulation, finite (papers: 2 each).
    """

    alpha1: float = 0.1
    alpha2: float = 0.1
    beta1: float = 2.0
    beta2: float = 2.0

    n_classes = 3

    def __post_init__(self):
        share = " (a share of the receptive drive)"
        total = check_real("alpha1", self.alpha1, 0.0, 1.0, hint=share)
        total += check_real("alpha2", self.alpha2, 0.0, 1.0, hint=share)
        if total > 1.0:
            raise ValueError(
                f"alpha1 + alpha2 must be <= 1 (they are shares of the receptive drive), got "
                f"{self.alpha1!r} + {self.alpha2!r}: lower one of them"
            )
        check_real("beta1", self.beta1)
        check_real("beta2", self.beta2)

    def __call__(self, r: np.ndarray, c: np.ndarray, l: np.ndarray):
        """Return ``A, (dA/dr, dA/dc, dA/dl)``."""
        shape, flat = _flat(r, c, l)
        out = [np.empty_like(flat[0]) for _ in range(4)]
        constants = (self.alpha1, self.alpha2, self.beta1, self.beta2)
        kernels.three_class_activation(flat[0].size, *flat, *(float(x) for x in constants), *out)
        a, d_r, d_c, d_l = (x.reshape(shape) for x in out)
        return a, (d_r, d_c, d_l)


@dataclass(frozen=True)
class Binning:
    """How one source's aggregate is cut into bins (see the module docstring).

    Parameters
    ----------
    n_bins : int
        Number of equal bins, 2 to :data:`MAX_BINS` (64). One bin carries no information; the
        histogram of a neuron with ``n`` sources has ``2 * n_bins**n`` cells, so the cap keeps
        a three-class layer at most ``64**3 = 262144`` source cells per neuron.
    mode : {"batch_max", "fixed"}
        Normalise by the batch maximum magnitude onto ``[-1, 1]``, or use ``[-bound, bound]``.
    bound : float
        Half-width of the fixed range (``mode="fixed"`` only), finite and > 0.
    """

    n_bins: int = 20
    mode: str = "batch_max"
    bound: float = 20.0

    def __post_init__(self):
        check_int(
            "n_bins",
            self.n_bins,
            2,
            MAX_BINS,
            hint=" (one bin carries no information; a three-class neuron has n_bins**3 cells)",
        )
        if self.mode not in ("batch_max", "fixed"):
            raise ValueError(f"binning mode must be 'batch_max' or 'fixed', got {self.mode!r}")
        check_real("binning bound", self.bound, 0.0, open_low=True)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Bin indices ``0..n_bins-1`` (int64) of ``values`` with shape (batch, neurons)."""
        values = np.asarray(values, dtype=np.float64)
        out = np.zeros(values.shape, dtype=np.int64)
        self.accumulate(values, out)
        return out

    def accumulate(self, values: np.ndarray, cells: np.ndarray) -> None:
        """``cells = cells * n_bins + bin index`` in place (both of shape (batch, neurons)):
        the flat joint index of several sources, C order, one source at a time."""
        values = np.ascontiguousarray(values, dtype=np.float64)
        fixed = self.mode == "fixed"
        kernels.bin_indices(values.size, values, self.n_bins, fixed, float(self.bound), cells)
