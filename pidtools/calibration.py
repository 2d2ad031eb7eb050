"""Calibration of the estimators on data with no dependence: false-positive rates and bias.

A reviewer's first question about any atom estimated from samples is whether it is above
noise. :func:`null_calibration` answers it for the estimators themselves: it draws independent
target and sources (many units at once), estimates the atoms, and returns how often an atom is
called significant at each level and how far the mean atoms are from their true value, 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .estimate import estimate

__all__ = ["NullCalibration", "null_calibration", "independent_samples"]


@dataclass(frozen=True)
class NullCalibration:
    """Results of :func:`null_calibration` (all atoms' true value is 0).

    Attributes
    ----------
    alphas : ndarray
        Nominal levels.
    unit_rate : ndarray, shape (n_alphas,)
        Share of units with any atom significant at each level (max-T adjusted p-values): the
        family-wise false-positive rate per unit, which should be at most ``alpha``.
    atom_rate : ndarray, shape (n_alphas,)
        Share of (unit, atom) pairs with an unadjusted one-sided p-value at most ``alpha``.
    plugin_mean, corrected_mean : ndarray, shape (n_atoms,)
        Mean over units of the plug-in and the shuffle-corrected atoms.
    labels : tuple of str
    n_units, n_samples : int
    bins : list
        The bins used per variable (``"auto"`` resolved).
    """

    alphas: np.ndarray
    unit_rate: np.ndarray
    atom_rate: np.ndarray
    plugin_mean: np.ndarray
    corrected_mean: np.ndarray
    labels: tuple[str, ...]
    n_units: int
    n_samples: int
    bins: list

    def band(self, alpha: float, z: float = 2.0) -> tuple[float, float]:
        """The binomial band ``alpha +- z sqrt(alpha (1 - alpha) / n_units)``."""
        half = z * np.sqrt(alpha * (1 - alpha) / self.n_units)
        return alpha - half, alpha + half


def independent_samples(
    n_units: int, n_samples: int, n_sources: int, kind: str, rng: np.random.Generator
) -> tuple[np.ndarray, list[np.ndarray]]:
    """A target and sources with no dependence, ``(n_units, n_samples)`` each.

    ``kind="continuous"``: standard normal target and sources. ``"discrete"``: a binary target
    (30 % ones) and integer sources with four unequally likely values. ``"mixed"``: a normal
    target and discrete sources.
    """
    shape = (n_units, n_samples)

    def discrete():
        return rng.choice(4, size=shape, p=[0.4, 0.3, 0.2, 0.1])

    if kind == "continuous":
        return rng.normal(size=shape), [rng.normal(size=shape) for _ in range(n_sources)]
    if kind == "discrete":
        return (rng.random(shape) < 0.3).astype(np.int64), [discrete() for _ in range(n_sources)]
    if kind == "mixed":
        return rng.normal(size=shape), [discrete() for _ in range(n_sources)]
    raise ValueError(f"kind must be 'continuous', 'discrete' or 'mixed', got {kind!r}")


def null_calibration(
    *,
    n_units: int = 200,
    n_samples: int = 500,
    n_sources: int = 2,
    kind: str = "continuous",
    bins: int | str = "auto",
    binning: str = "auto",
    n_shuffles: int = 100,
    alphas: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2),
    measure: str = "sx",
    random_state: int = 0,
) -> NullCalibration:
    """Estimate the atoms of ``n_units`` independent targets and sources and score the tests.

    Every unit is an independent data set (its own draw of target and sources); the estimator
    is the shuffle-corrected one of :func:`pidtools.estimate` with ``n_shuffles`` target
    shuffles, and its plug-in atoms are kept for comparison.
    """
    rng = np.random.default_rng(random_state)
    target, sources = independent_samples(n_units, n_samples, n_sources, kind, rng)
    res = estimate(
        target, sources, measure=measure, bins=bins, binning=binning, estimator="shuffle",
        n_shuffles=n_shuffles, random_state=random_state,
    )  # fmt: skip
    alphas_arr = np.asarray(alphas, dtype=float)
    unit_rate = np.array([(res.p_adjusted.min(axis=1) <= a).mean() for a in alphas_arr])
    atom_rate = np.array([(res.p_value <= a).mean() for a in alphas_arr])
    return NullCalibration(
        alphas=alphas_arr,
        unit_rate=unit_rate,
        atom_rate=atom_rate,
        plugin_mean=res.plugin_atoms.mean(axis=0),
        corrected_mean=res.atoms.mean(axis=0),
        labels=res.labels,
        n_units=n_units,
        n_samples=n_samples,
        bins=res.settings["bins"],
    )
