"""Tests on many estimates at once: false discovery rate, counts of significant units, trends.

Used by :mod:`pidtools.dynamics` to say which atoms of a layer stand out from the null and how
they change over learning.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.stats import binom, rankdata

__all__ = ["fdr_bh", "count_p_values", "spearman_trend", "EXACT_TREND_MAX", "TREND_PERMUTATIONS"]

#: Up to this many points the trend test enumerates every ordering (9! = 362 880).
EXACT_TREND_MAX = 9

#: Random orderings of the Monte Carlo trend test for longer series (seeded, so repeatable).
TREND_PERMUTATIONS = 20_000


def fdr_bh(p_values: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Benjamini–Hochberg: which of ``p_values`` (any shape, NaN = not tested) are discoveries.

    Rejects the ``k`` smallest p-values, ``k`` the largest rank with ``p_(k) <= k alpha / m``
    (``m`` tested values), which keeps the expected share of false discoveries at ``alpha`` or
    below for independent or positively dependent tests (Benjamini & Hochberg 1995).

    Examples
    --------
    >>> fdr_bh(np.array([0.001, 0.02, 0.03, 0.5]), alpha=0.05).tolist()
    [True, True, True, False]
    """
    p = np.asarray(p_values, dtype=float)
    tested = np.isfinite(p)
    out = np.zeros(p.shape, dtype=bool)
    m = int(tested.sum())
    if m == 0:
        return out
    flat = p[tested]
    order = np.argsort(flat, kind="stable")
    below = flat[order] <= alpha * np.arange(1, m + 1) / m
    if below.any():
        k = int(np.nonzero(below)[0].max()) + 1
        chosen = np.zeros(m, dtype=bool)
        chosen[order[:k]] = True
        out[tested] = chosen
    return out


def count_p_values(n_significant: np.ndarray, n_units: np.ndarray, alpha: float) -> np.ndarray:
    """p-value of seeing ``n_significant`` of ``n_units`` units called at level ``alpha`` when
    each unit is called with probability ``alpha`` at most (all units null): the binomial upper
    tail ``P(Bin(n_units, alpha) >= n_significant)``; 1 for zero calls, NaN for no units."""
    k = np.asarray(n_significant, dtype=float)
    n = np.asarray(n_units, dtype=float)
    with np.errstate(invalid="ignore"):
        p = np.where(k > 0, binom.sf(k - 1, n, alpha), 1.0)
    return np.where(n > 0, p, np.nan)


def spearman_trend(series: np.ndarray, seed: int = 0) -> tuple[float, float, str]:
    """Spearman's rank correlation of ``series`` with its order, and a two-sided p-value.

    The p-value is exact (every ordering) up to :data:`EXACT_TREND_MAX` points and a seeded
    Monte Carlo permutation test with :data:`TREND_PERMUTATIONS` orderings beyond,
    ``(1 + #{|rho_perm| >= |rho|}) / (1 + n_perm)``; never the large-sample approximation, which
    is wrong for the few epochs a training run often has. NaN points are dropped; with fewer
    than 3 points or a constant series the result is ``(nan, nan, "")``.

    Returns
    -------
    rho, p_value, method : float, float, str
        ``method`` is ``"exact"`` or ``"permutation"``.

    Examples
    --------
    >>> rho, p, how = spearman_trend(np.array([0.1, 0.2, 0.3, 0.4, 0.5]))
    >>> round(rho, 3), round(p, 4), how      # 2 of the 120 orderings are as extreme
    (1.0, 0.0167, 'exact')
    """
    y = np.asarray(series, dtype=float)
    y = y[np.isfinite(y)]
    n = y.size
    if n < 3 or np.ptp(y) == 0:
        return math.nan, math.nan, ""
    ry = rankdata(y)
    ry = (ry - ry.mean()) / np.sqrt(((ry - ry.mean()) ** 2).sum())
    rx = np.arange(n, dtype=float)
    rx = (rx - rx.mean()) / np.sqrt(((rx - rx.mean()) ** 2).sum())
    rho = float(rx @ ry)
    if n <= EXACT_TREND_MAX:
        perms = np.array(list(itertools.permutations(range(n))), dtype=np.int64)
        how = "exact"
        null = ry[perms] @ rx
        p = float(np.mean(np.abs(null) >= abs(rho) - 1e-12))
    else:
        rng = np.random.default_rng(seed)
        perms = rng.permuted(np.tile(np.arange(n), (TREND_PERMUTATIONS, 1)), axis=1)
        how = "permutation"
        null = ry[perms] @ rx
        p = float((1 + np.sum(np.abs(null) >= abs(rho) - 1e-12)) / (1 + TREND_PERMUTATIONS))
    return rho, p, how
