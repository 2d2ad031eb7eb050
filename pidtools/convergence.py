"""Estimator convergence: bias and spread of estimated atoms, by sample size, against exact ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import as_pmf_array
from .core import pid
from .estimate import ESTIMATORS, estimate, resolve_random_state

__all__ = ["convergence"]


def convergence(
    pmf: Any,
    sample_sizes: Sequence[int],
    measure: str = "sx",
    estimator: str = "plugin",
    n_repeats: int = 20,
    random_state: int | np.random.Generator | None = None,
    *,
    n_shuffles: int = 20,
):
    """Bias and spread of estimated atoms, from samples of a known pmf, against the exact atoms.

    For every ``N`` in ``sample_sizes``, ``n_repeats`` independent data sets of ``N`` samples
    are drawn from ``pmf``; each is estimated with :func:`pidtools.estimate` (integer codes, no
    binning), all repeats in one batch.

    Parameters
    ----------
    pmf : array_like, shape (nT, n1, ..., nn)
        The true joint pmf, target axis first.
    sample_sizes : sequence of int
        Numbers of samples ``N`` per data set.
    measure : str
        Redundancy measure (as for :func:`pidtools.pid`).
    estimator : {"plugin", "shuffle"}
        The estimator to validate.
    n_repeats : int
        Data sets per sample size (at least 2).
    random_state : int, numpy.random.Generator or None
        Seed of the sampling and of the shuffles.
    n_shuffles : int
        Target shuffles per data set for ``estimator="shuffle"``.

    Returns
    -------
    xarray.Dataset
        ``true`` (atom): exact atoms; ``estimates`` (n_samples, repeat, atom); ``mean``,
        ``bias = mean - true``, ``std`` (``ddof=1``) and ``rmse`` (n_samples, atom).

    Notes
    -----
    The plug-in estimate of mutual information is biased upwards by about
    ``(R - 1) / (2 N ln 2)`` bits for ``R`` independent cells (Panzeri & Treves 1996); the bias
    of each atom shrinks like ``1 / N`` as well.

    References
    ----------
    Panzeri, S. & Treves, A. (1996). Analytical estimates of limited sampling biases in
    different information measures. Network 7, 87-107.
    """
    import xarray as xr

    P, n_sources = as_pmf_array(pmf, None, False, "pmf", single="convergence")
    sizes = _sample_sizes(sample_sizes)
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int | np.integer) or n_repeats < 2:
        raise ValueError(f"n_repeats must be an int >= 2 to measure a spread, got {n_repeats!r}")
    if estimator not in ESTIMATORS:
        raise ValueError(f"unknown estimator {estimator!r}: choose one of {', '.join(ESTIMATORS)}")
    rng = np.random.default_rng(resolve_random_state(random_state))
    true = pid(P, measure)
    extra = {"n_shuffles": n_shuffles} if estimator == "shuffle" else {}
    est = np.empty((len(sizes), n_repeats, len(true.labels)))
    for i, n in enumerate(sizes):
        cells = rng.choice(P.size, size=(n_repeats, n), p=P.ravel())
        target, *sources = np.unravel_index(cells, P.shape)
        seed = int(rng.integers(2**63))
        res = estimate(
            target, sources, measure=measure, estimator=estimator, random_state=seed, **extra
        )
        est[i] = res.atoms
    mean = est.mean(axis=1)
    dims = ("n_samples", "atom")
    return xr.Dataset(
        {
            "true": ("atom", true.atoms),
            "estimates": (("n_samples", "repeat", "atom"), est),
            "mean": (dims, mean),
            "bias": (dims, mean - true.atoms),
            "std": (dims, est.std(axis=1, ddof=1)),
            "rmse": (dims, np.sqrt(((est - true.atoms) ** 2).mean(axis=1))),
        },
        coords={"n_samples": sizes, "atom": list(true.labels)},
        attrs={
            "measure": true.measure,
            "estimator": estimator,
            "n_sources": n_sources,
            "units": "bit",
        },
    )


def _sample_sizes(sample_sizes: Any) -> list[int]:
    """``sample_sizes`` (an int or a sequence of ints >= 1) as a list of ints."""
    values = [sample_sizes] if isinstance(sample_sizes, int | np.integer) else sample_sizes
    if isinstance(values, np.ndarray):
        values = values.tolist() if values.ndim == 1 else None
    if not isinstance(values, Sequence) or isinstance(values, str) or not values:
        raise ValueError(
            f"sample_sizes must be a non-empty sequence of positive ints, got {sample_sizes!r}: "
            "pass e.g. sample_sizes=[100, 1000]"
        )
    for i, n in enumerate(values):
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise TypeError(
                f"sample_sizes must hold ints (numbers of samples), got {n!r} at position {i}: "
                "pass e.g. sample_sizes=[100, 1000]"
            )
        if n < 1:
            raise ValueError(
                f"sample_sizes must be positive ints (numbers of samples), got {n!r} at position "
                f"{i}: pass e.g. sample_sizes=[100, 1000]"
            )
    return [int(n) for n in values]
