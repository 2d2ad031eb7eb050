"""Input checks shared by the public API. Messages name the argument, the rule and the fix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .kernels.info import scan_pmfs
from .lattice import MAX_SOURCES

#: Largest tolerated deviation of a pmf's total from 1 without ``normalize=True``.
SUM_TOLERANCE = 1e-9


def check_n_sources(n_sources: Any, ndim: int, name: str = "p") -> int:
    """Resolve ``n_sources`` (default: ``ndim - 1``) and check it against the array's rank."""
    if n_sources is None:
        n_sources = ndim - 1
    if isinstance(n_sources, bool) or not isinstance(n_sources, int | np.integer):
        raise TypeError(f"n_sources must be an int in 1..{MAX_SOURCES}, got {n_sources!r}")
    n = int(n_sources)
    if not 1 <= n <= MAX_SOURCES:
        raise ValueError(
            f"n_sources must be in 1..{MAX_SOURCES}, got {n}: pass n_sources explicitly when "
            f"{name} has leading batch axes"
        )
    if ndim < n + 1:
        raise ValueError(
            f"{name} has {ndim} axes but n_sources={n} needs at least {n + 1} (target, then one "
            f"axis per source): reshape {name} or lower n_sources"
        )
    return n


def as_pmf_array(p: Any, n_sources: int | None, normalize: bool, name: str = "p"):
    """Check a batch of pmfs and return it as C-contiguous float64 with its number of sources.

    The last ``n_sources + 1`` axes of ``p`` are (T, S1, ..., Sn); leading axes are a batch.
    """
    if isinstance(p, np.ndarray | Sequence) and not isinstance(p, str):
        arr = np.asarray(p)
    else:
        raise TypeError(
            f"{name} must be an array-like of probabilities with axes (..., T, S1, ..., Sn), "
            f"got {type(p).__name__}"
        )
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating)
        or np.issubdtype(arr.dtype, np.integer)
        or arr.dtype == bool
    ):
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype}: convert it to float"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    n = check_n_sources(n_sources, arr.ndim, name)
    pmf_shape = arr.shape[arr.ndim - n - 1 :]
    if any(s < 1 for s in pmf_shape):
        raise ValueError(
            f"{name} has an empty axis in its pmf shape {pmf_shape}: every alphabet needs a value"
        )
    axes = tuple(range(arr.ndim - n - 1, arr.ndim))
    flat = arr.reshape(-1, int(np.prod(pmf_shape)))
    totals_flat = np.empty(flat.shape[0])
    n_bad, smallest = scan_pmfs(flat, totals_flat)
    if n_bad:
        raise ValueError(f"{name} contains NaN or infinite entries: remove or replace them")
    if smallest < 0:
        raise ValueError(
            f"{name} has negative entries (min {smallest:.3g}): probabilities must be >= 0"
        )
    totals = totals_flat.reshape(arr.shape[: arr.ndim - n - 1])
    if (totals <= 0).any():
        where = np.argwhere(np.atleast_1d(totals <= 0))[0]
        raise ValueError(
            f"{name} has an all-zero pmf (batch index {tuple(int(i) for i in where)}): every pmf "
            "needs positive mass"
        )
    if normalize:
        arr = arr / np.expand_dims(totals, axes)
    elif np.abs(totals - 1.0).max(initial=0.0) > SUM_TOLERANCE:
        worst = float(np.abs(totals - 1.0).max())
        raise ValueError(
            f"{name} does not sum to 1 over its last {n + 1} axes (largest deviation {worst:.3g} > "
            f"{SUM_TOLERANCE:g}): pass normalize=True to rescale, or fix the pmf"
        )
    return np.ascontiguousarray(arr), n


def check_goal(goal: Any, labels: Sequence[str], parse) -> dict[str, float]:
    """Check a goal mapping (atom label -> weight, plus optional ``"H_res"``)."""
    if not isinstance(goal, Mapping):
        raise TypeError(
            f"goal must be a mapping from atom label to weight, e.g. {{'{labels[0]}': 1.0}}, "
            f"got {type(goal).__name__}"
        )
    out: dict[str, float] = {}
    for key, weight in goal.items():
        try:
            w = float(weight)
        except (TypeError, ValueError):
            raise TypeError(f"goal[{key!r}] must be a number, got {weight!r}") from None
        if not np.isfinite(w):
            raise ValueError(f"goal[{key!r}] is {w}: weights must be finite")
        if key == "H_res":
            out[key] = out.get(key, 0.0) + w
            continue
        try:
            label = parse(key)
        except ValueError as err:
            raise ValueError(
                f"goal has an unknown atom {key!r}: {err}; valid: {', '.join(labels)}, H_res"
            ) from None
        out[label] = out.get(label, 0.0) + w
    return out
