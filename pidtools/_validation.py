"""Input checks shared by the public API. Messages name the argument, the rule and the fix."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .binning import MAX_JOINT_CELLS
from .errors import ParameterError, ParameterTypeError
from .kernels.info import scan_pmfs
from .lattice import MAX_SOURCES

#: Largest tolerated deviation of a pmf's total from 1 without ``normalize=True``, for float64,
#: integer and boolean input. Input of a less precise floating type (float16, float32) is
#: allowed the worst-case rounding error of summing its cells in that type, ``eps * n_cells``
#: (``eps`` of the input dtype), when that is larger: see :func:`sum_tolerance`.
SUM_TOLERANCE = 1e-9


def sum_tolerance(dtype: np.dtype, n_cells: int) -> float:
    """Tolerated deviation from 1 of the total of a pmf of ``n_cells`` cells stored as ``dtype``.

    ``max(SUM_TOLERANCE, eps * n_cells)`` for floating types less precise than float64 (a pmf
    normalised in float32 is off by up to about that much), ``SUM_TOLERANCE`` otherwise.
    """
    if np.issubdtype(dtype, np.floating) and np.finfo(dtype).eps > np.finfo(np.float64).eps:
        return max(SUM_TOLERANCE, float(np.finfo(dtype).eps) * n_cells)
    return SUM_TOLERANCE


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool; a ``TypeError`` unless it is a bool or ``numpy.bool_``."""
    if not isinstance(value, bool | np.bool_):
        raise ParameterTypeError(
            f"{name} must be True or False, got {value!r}: pass {name}=True or {name}=False",
            param=name,
        )
    return bool(value)


def is_real(value: Any) -> bool:
    """Whether ``value`` is a real number (Python or numpy int or float), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def check_n_sources(n_sources: Any, ndim: int, name: str = "p", batch_ok: bool = True) -> int:
    """Resolve ``n_sources`` (default: ``ndim - 1``) and check it against the array's rank.

    With ``batch_ok=False`` (functions that take one pmf and no ``n_sources``) the messages do
    not suggest passing ``n_sources``.
    """
    if n_sources is None:
        if ndim < 2:
            raise ParameterError(
                f"{name} needs axes (T, S1, ..., Sn) with 1 to {MAX_SOURCES} sources, got {ndim} "
                f"ax{'i' if ndim == 1 else 'e'}s: give the target and each source an axis, e.g. "
                "shape (2, 2, 2) for a binary target and two binary sources",
                param=name,
            )
        if ndim > MAX_SOURCES + 1:
            fix = "pass n_sources=k if the leading axes are a batch" if batch_ok else "reshape it"
            raise ParameterError(
                f"{name} has {ndim} axes, too many for a pmf (T, S1, ..., Sn) with at most "
                f"{MAX_SOURCES} sources: {fix}",
                param=name,
            )
        n_sources = ndim - 1
    if isinstance(n_sources, bool) or not isinstance(n_sources, int | np.integer):
        raise ParameterTypeError(
            f"n_sources must be an int in 1..{MAX_SOURCES}, got {n_sources!r}", param="n_sources"
        )
    n = int(n_sources)
    if not 1 <= n <= MAX_SOURCES:
        raise ParameterError(
            f"n_sources must be in 1..{MAX_SOURCES}, got {n}: pass the number of source axes "
            "after the target axis",
            param="n_sources",
        )
    if ndim < n + 1:
        raise ParameterError(
            f"{name} has {ndim} axes but n_sources={n} needs at least {n + 1} (target, then one "
            f"axis per source): reshape {name} or lower n_sources",
            param="n_sources",
        )
    return n


def _as_array(p: Any, name: str) -> np.ndarray:
    """``p`` as an ndarray: an ndarray, a (nested) sequence, or any object with ``__array__``."""
    if isinstance(p, str | bytes) or not (
        isinstance(p, np.ndarray | Sequence) or hasattr(p, "__array__")
    ):
        raise ParameterTypeError(
            f"{name} must be an array-like of probabilities with axes (..., T, S1, ..., Sn), "
            f"got {type(p).__name__}: pass a numpy array (or a nested list)",
            param=name,
        )
    try:
        return np.asarray(p)
    except ValueError:
        raise ParameterError(
            f"{name} is ragged: every axis must have one length (nested lists of equal lengths "
            "at each level): pad the short ones with zero probabilities",
            param=name,
        ) from None


def _batch_hint(arr: np.ndarray, n: int, dtype: np.dtype) -> tuple[int, int] | None:
    """``(n_pmfs, k)`` if ``arr`` (``n`` sources assumed) is a batch of pmfs with ``k`` sources."""
    for k in range(n - 1, 0, -1):
        axes = tuple(range(arr.ndim - k - 1, arr.ndim))
        cells = math.prod(arr.shape[arr.ndim - k - 1 :])
        with np.errstate(over="ignore"):  # a total that overflows is no pmf either
            totals = arr.sum(axis=axes)
        if np.abs(totals - 1.0).max() <= sum_tolerance(dtype, cells):
            return math.prod(arr.shape[: arr.ndim - k - 1]), k
    return None


def check_pmf_size(pmf_shape: Sequence[int], name: str = "p") -> None:
    """Reject a pmf of more than :data:`~pidtools.binning.MAX_JOINT_CELLS` cells, before
    anything of its size is allocated."""
    cells = math.prod(int(k) for k in pmf_shape)
    if cells > MAX_JOINT_CELLS:
        raise ParameterError(
            f"{name} has {cells} cells per pmf (shape {tuple(pmf_shape)}), more than the limit "
            f"of {MAX_JOINT_CELLS} (2**24): merge values into fewer outcomes per variable",
            param=name,
        )


def _rescaled(flat: np.ndarray, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``flat`` whose total overflowed to inf or is subnormal, scaled by a power of two
    (exactly) so that their largest entry lies in [0.5, 1); other rows unchanged. Returns the
    rows and their totals."""
    odd = ~np.isfinite(totals) | (totals < np.finfo(np.float64).tiny)
    if not odd.any():
        return flat, totals
    flat = flat.copy()
    _, exponent = np.frexp(flat[odd].max(axis=1))
    flat[odd] = np.ldexp(flat[odd], -exponent[:, None])
    totals = totals.copy()
    totals[odd] = flat[odd].sum(axis=1)
    return flat, totals


def as_pmf_array(
    p: Any, n_sources: int | None, normalize: bool, name: str = "p", single: str | None = None
):
    """Check a batch of pmfs and return it as C-contiguous float64 with its number of sources.

    The last ``n_sources + 1`` axes of ``p`` are (T, S1, ..., Sn); leading axes are a batch.

    Parameters
    ----------
    p : array_like
        The pmfs: an ndarray, a nested sequence or any object with ``__array__`` (e.g. an
        ``xarray.DataArray``).
    n_sources : int or None
        Number of sources; ``None`` for ``p.ndim - 1``.
    normalize : bool
        Rescale each pmf to sum to 1 instead of rejecting totals off 1 by more than
        :func:`sum_tolerance`. A pmf whose total overflows (entries near the largest float)
        or is subnormal is first scaled by a power of two, which is exact.
    name : str
        The argument's name in messages.
    single : str, optional
        Name of the calling function when it takes one pmf and has no ``normalize`` or
        ``n_sources`` parameter; messages then give fixes that apply to it.
    """
    normalize = check_bool(normalize, "normalize")
    arr = _as_array(p, name)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating)
        or np.issubdtype(arr.dtype, np.integer)
        or arr.dtype == bool
    ):
        raise ParameterTypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype}: convert it to float",
            param=name,
        )
    dtype = arr.dtype
    given = n_sources
    n = check_n_sources(n_sources, arr.ndim, name, batch_ok=single is None)
    pmf_shape = arr.shape[arr.ndim - n - 1 :]
    if any(s < 1 for s in pmf_shape):
        raise ParameterError(
            f"{name} has an empty axis in its pmf shape {pmf_shape}: every alphabet needs a value",
            param=name,
        )
    check_pmf_size(pmf_shape, name)
    arr = np.asarray(arr, dtype=np.float64, order="C")
    flat = arr.reshape(-1, math.prod(pmf_shape))
    totals_flat = np.empty(flat.shape[0])
    n_bad, smallest = scan_pmfs(flat, totals_flat)
    if n_bad:
        raise ParameterError(
            f"{name} contains NaN or infinite entries: remove or replace them", param=name
        )
    if smallest < 0:
        raise ParameterError(
            f"{name} has negative entries (min {smallest:.3g}): probabilities must be >= 0",
            param=name,
        )
    if (totals_flat <= 0).any():
        where = np.argwhere(
            np.atleast_1d((totals_flat <= 0).reshape(arr.shape[: arr.ndim - n - 1]))
        )
        raise ParameterError(
            f"{name} has an all-zero pmf (batch index {tuple(int(i) for i in where[0])}): every "
            "pmf needs positive mass",
            param=name,
        )
    if normalize:
        flat, totals_flat = _rescaled(flat, totals_flat)
        return np.ascontiguousarray((flat / totals_flat[:, None]).reshape(arr.shape)), n
    totals = totals_flat.reshape(arr.shape[: arr.ndim - n - 1])
    tol = sum_tolerance(dtype, flat.shape[1])
    worst = float(np.abs(totals - 1.0).max(initial=0.0))
    if worst > tol:
        batch = _batch_hint(arr, n, dtype) if given is None else None
        if batch and single:
            fix = f"{single} takes one pmf: pass one of them, e.g. {name}[0]"
        elif batch:
            fix = f"pass n_sources={batch[1]}"
        elif single:
            fix = f"normalise {name} first ({name} / {name}.sum()), or fix the pmf"
        else:
            fix = "pass normalize=True to rescale, or fix the pmf"
        looks = (
            f"it looks like a batch of {batch[0]} pmfs with {batch[1]} sources: " if batch else ""
        )
        raise ParameterError(
            f"{name} does not sum to 1 over its last {n + 1} axes (largest deviation {worst:.3g} > "
            f"{tol:g}): {looks}{fix}",
            param=name,
        )
    return arr, n


def check_goal(goal: Any, labels: Sequence[str], parse) -> dict[str, float]:
    """Check a goal mapping (atom label -> weight, plus optional ``"H_res"``)."""
    if not isinstance(goal, Mapping):
        raise ParameterTypeError(
            f"goal must be a mapping from atom label to weight, e.g. {{'{labels[0]}': 1.0}}, "
            f"got {type(goal).__name__}",
            param="goal",
        )
    out: dict[str, float] = {}
    for key, weight in goal.items():
        try:
            w = float(weight)
        except (TypeError, ValueError):
            raise ParameterTypeError(
                f"goal[{key!r}] must be a number, got {weight!r}", param="goal"
            ) from None
        if not np.isfinite(w):
            raise ParameterError(f"goal[{key!r}] is {w}: weights must be finite", param="goal")
        if key == "H_res":
            out[key] = out.get(key, 0.0) + w
            continue
        try:
            label = parse(key)
        except ValueError as err:
            raise ParameterError(
                f"goal has an unknown atom {key!r}: {err}; valid: {', '.join(labels)}, H_res",
                param="goal",
            ) from None
        out[label] = out.get(label, 0.0) + w
    return out
