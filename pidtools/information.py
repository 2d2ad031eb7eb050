"""Shannon quantities of batched pmfs with axes ``(..., T, S1, ..., Sn)`` (bits)."""

from __future__ import annotations

import numpy as np

from .kernels._jit import n_chunks
from .kernels.info import entropies


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
    pmf_shape = P.shape[P.ndim - n_sources - 1 :]
    batch_shape = P.shape[: P.ndim - n_sources - 1]
    flat = np.ascontiguousarray(P, dtype=np.float64).reshape(-1, int(np.prod(pmf_shape)))
    h_t = np.empty(flat.shape[0])
    h_res = np.empty(flat.shape[0])
    entropies(flat.size, flat, pmf_shape[0], n_chunks(flat.shape[0]), h_t, h_res)
    h_t, h_res = h_t.reshape(batch_shape), h_res.reshape(batch_shape)
    return {"entropy": h_t, "h_res": h_res, "mi": h_t - h_res}
