"""Shannon quantities of batched pmfs with axes ``(..., T, S1, ..., Sn)`` (bits)."""

from __future__ import annotations

import numpy as np
from scipy.special import entr

LOG2 = np.log(2.0)


def _entropy(p: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    return entr(p).sum(axis=axes) / LOG2


def information_terms(P: np.ndarray, n_sources: int) -> dict[str, np.ndarray]:
    """``H(T)``, ``H(T | S)`` and ``I(T; S1..Sn)`` of every pmf in the batch ``P``.

    Parameters
    ----------
    P : ndarray
        Normalised pmfs; the last ``n_sources + 1`` axes are (T, S1, ..., Sn).
    n_sources : int
        Number of sources.

    Returns
    -------
    dict
        ``{"entropy": H(T), "h_res": H(T | S1..Sn), "mi": I(T; S1..Sn)}``, each of the batch shape.
    """
    ax_t = P.ndim - n_sources - 1
    src_axes = tuple(range(ax_t + 1, P.ndim))
    h_joint = _entropy(P, (ax_t, *src_axes))
    h_src = _entropy(P.sum(axis=ax_t), tuple(a - 1 for a in src_axes))
    h_t = _entropy(P.sum(axis=src_axes), (ax_t,))
    h_res = h_joint - h_src
    return {"entropy": h_t, "h_res": h_res, "mi": h_t - h_res}
