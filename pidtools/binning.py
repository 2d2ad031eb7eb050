"""Samples to codes: binning of real-valued variables and coding of integer ones.

Every variable of :func:`pidtools.estimate` becomes a row of int64 codes ``0..k-1`` per batch
element; the compiled kernels are in :mod:`pidtools.kernels.estimate`. This module checks the
``bins``/``binning`` settings, resolves them per variable, and writes the codes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import ParameterError
from .kernels.estimate import auto_codes, distinct_up_to, edge_codes, quantile_codes, uniform_codes

__all__ = [
    "AUTO_MAX_BINS",
    "BINNINGS",
    "MAX_JOINT_CELLS",
    "MIN_SAMPLES_PER_CELL",
    "auto_bin_count",
    "check_cells",
    "codes_into",
    "per_variable_binning",
    "resolve_auto_bins",
]

BINNINGS = ("auto", "uniform", "quantile")

#: Most bins that ``bins="auto"`` chooses, and most distinct values of a floating variable that
#: the ``"auto"`` binning codes value by value when choosing the bin count.
AUTO_MAX_BINS = 16

#: Fewest samples per cell of the joint histogram that ``bins="auto"`` aims for, and below which
#: (mean samples per occupied cell) the command line warns: the classic rule of thumb for
#: contingency tables (expected counts of at least 5; Cochran 1954).
MIN_SAMPLES_PER_CELL = 5

#: Most cells of one joint histogram (the product of the alphabet sizes of target and sources):
#: 2**24 cells take 128 MiB in float64 per batch element, far more than any sample can fill.
MAX_JOINT_CELLS = 1 << 24


def per_variable_binning(bins: Any, binning: Any, arrays: list[np.ndarray], names: list[str]):
    """One (bins, binning) pair per variable; binning is a method name or an edge array.

    The values are checked for every variable, also where they do not apply (integers).
    """
    n_vars = len(arrays)
    is_float = [np.issubdtype(a.dtype, np.floating) for a in arrays]
    if bins is None or isinstance(bins, int | np.integer | str):
        per_bins = [_checked_bins(bins, "bins")] * n_vars
        per_bins = [b if f else None for b, f in zip(per_bins, is_float, strict=True)]
    elif isinstance(bins, Sequence) and len(bins) == n_vars:
        per_bins = [_checked_bins(b, f"bins for {n}") for b, n in zip(bins, names, strict=True)]
    else:
        raise ParameterError(
            f"bins must be an int, 'auto', or a sequence of {n_vars} entries (target, then each "
            f"source; None for integer variables), got {bins!r}",
            param="bins",
        )
    if isinstance(binning, str) or is_edges(binning):
        per_binning = [_checked_binning(binning, "")] * n_vars
    elif isinstance(binning, Sequence) and len(binning) == n_vars:
        per_binning = [_checked_binning(m, n) for m, n in zip(binning, names, strict=True)]
    else:
        raise ParameterError(
            f"binning must be 'auto', 'uniform', 'quantile', an array of bin edges, or a sequence "
            f"of {n_vars} of these (target, then each source), got {binning!r}",
            param="binning",
        )
    out_bins, out_binning = [], []
    for name, float_var, b, method in zip(names, is_float, per_bins, per_binning, strict=True):
        if not float_var:
            if b is not None:
                raise ParameterError(
                    f"bins for {name} is {b!r} but {name} holds integers, which are used as codes: "
                    "give None for it, or cast it to float to bin it",
                    param="bins",
                )
            out_bins.append(None)
            out_binning.append(None)
        elif method is None:
            raise ParameterError(
                f"{name} holds real numbers and needs a binning, got None: e.g. 'auto'",
                param="binning",
            )
        elif isinstance(method, str):
            if b is None and method != "auto":
                raise ParameterError(
                    f"{name} holds real numbers and binning {method!r} needs bins, an int >= 2 "
                    f"or 'auto', got {b!r}: pass e.g. bins=8",
                    param="bins",
                )
            out_bins.append("auto" if b is None else b)
            out_binning.append(method)
        else:
            out_bins.append(method.size - 1)
            out_binning.append(method)
    return out_bins, out_binning


def _checked_bins(b: Any, name: str) -> int | str | None:
    """A number of bins: ``None``, ``"auto"`` or an int >= 2."""
    if b is None or b == "auto":
        return b
    if isinstance(b, bool) or not isinstance(b, int | np.integer) or b < 2:
        raise ParameterError(
            f"{name} must be None, 'auto' or an int >= 2 (the number of bins), got {b!r}: pass "
            "e.g. bins=8",
            param="bins",
        )
    return int(b)


def _checked_binning(method: Any, name: str) -> str | np.ndarray | None:
    """A binning (``None``, a name of :data:`BINNINGS` or bin edges); ``name``: its variable."""
    where = f" for {name}" if name else ""
    if method is None or (isinstance(method, str) and method in BINNINGS):
        return method
    if isinstance(method, str):
        raise ParameterError(
            f"unknown binning {method!r}{where}: choose 'auto', 'uniform', 'quantile' or an "
            "increasing array of bin edges",
            param="binning",
        )
    try:
        edges = np.asarray(method, dtype=np.float64)
    except (TypeError, ValueError):
        edges = np.empty(0)
    if edges.ndim != 1 or edges.size < 3 or np.isnan(edges).any() or (np.diff(edges) <= 0).any():
        raise ParameterError(
            f"bin edges{where} must be a 1-D strictly increasing array of at least 3 values "
            f"(2 bins), got {method!r}: e.g. binning=[-np.inf, 0.0, np.inf]",
            param="binning",
        )
    return edges


def check_cells(sizes: Sequence[int], names: Sequence[str]) -> None:
    """Reject joint histograms of more than :data:`MAX_JOINT_CELLS` cells."""
    cells = math.prod(int(k) for k in sizes)
    if cells > MAX_JOINT_CELLS:
        detail = ", ".join(f"{n} {k}" for n, k in zip(names, sizes, strict=True))
        raise ParameterError(
            f"the joint histogram of target and sources would have {cells:.3g} cells (alphabet "
            f"sizes: {detail}), more than MAX_JOINT_CELLS = 2**24: integer arrays are treated as "
            "codes, one per distinct value; bin them (pass floats with bins=...) or reduce the "
            "alphabet",
            param="bins",
        )


def is_edges(binning: Any) -> bool:
    """Whether ``binning`` is one array of edges (a flat sequence of numbers)."""
    if (
        isinstance(binning, str)
        or not isinstance(binning, Sequence | np.ndarray)
        or len(binning) == 0
    ):
        return False
    return all(isinstance(e, int | float | np.integer | np.floating) for e in binning)


def integer_ranks(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Each integer's rank among the distinct values of ``x`` (any shape).

    Returns the codes ``0..k-1`` (int64, the shape of ``x``, in the order of the values) and
    ``k``. Values within a span of a few times the sample count are ranked through a table of
    the values seen (linear cost); wider spans are sorted.
    """
    if x.size == 0:
        return np.zeros(x.shape, dtype=np.int64), 0
    lo, hi = int(x.min()), int(x.max())
    span = hi - lo + 1
    if span > max(4 * x.size, 1 << 16):
        values, inverse = np.unique(x.ravel(), return_inverse=True)
        return inverse.reshape(x.shape).astype(np.int64), int(values.size)
    if x.dtype.kind == "u":  # subtract in the unsigned type: values above 2**63 stay exact
        offset = (x - x.dtype.type(lo)).astype(np.int64)
    else:
        offset = x.astype(np.int64) - lo
    seen = np.zeros(span, dtype=bool)
    seen[offset.ravel()] = True
    rank = np.cumsum(seen) - 1
    return rank[offset], int(rank[-1]) + 1


def codes_into(
    x, name: str, n_bins: int | None, method: Any, alphabet: Any, out: np.ndarray
) -> int:
    """Write the codes ``0..k-1`` of one variable to ``out`` (rows, n_samples); return ``k``."""
    n = x.shape[-1]
    flat = x.reshape(-1, n)
    if method is None:  # integer codes
        if alphabet is None:
            out[:], k = integer_ranks(flat)
            return k
        values = np.asarray(alphabet)
        out[:] = np.searchsorted(values, flat)
        if not np.array_equal(values[np.minimum(out, values.size - 1)], flat):
            raise ParameterError(f"{name} has values outside the alphabet given for it", param=name)
        return int(values.size)
    flat = np.ascontiguousarray(flat, dtype=np.float64)
    if isinstance(method, str) and method == "auto":
        n_codes = np.empty(flat.shape[0], dtype=np.int64)
        auto_codes(flat, n_bins, out, n_codes)
        return int(n_codes.max())
    if n < n_bins:
        raise ParameterError(
            f"{name} has {n} samples, fewer than its {n_bins} bins: use fewer bins or more samples",
            param="bins",
        )
    if isinstance(method, np.ndarray):
        if flat.min() < method[0] or flat.max() > method[-1]:
            raise ParameterError(
                f"{name} has values in [{flat.min():.6g}, {flat.max():.6g}], outside its bin edges "
                f"[{method[0]:.6g}, {method[-1]:.6g}]: widen the edges (-inf/inf are allowed)",
                param="binning",
            )
        edge_codes(flat, np.ascontiguousarray(method[1:-1]), out)
    elif method == "quantile":
        quantile_codes(flat, n_bins, out)
    else:
        uniform_codes(flat, n_bins, out)
    return n_bins


def auto_bin_count(n_samples: int, n_binned: int, coded_cells: int = 1) -> int:
    """The bin count of ``bins="auto"``: the most bins per binned variable that leave
    :data:`MIN_SAMPLES_PER_CELL` samples per cell of the joint histogram.

    The largest ``B`` in ``2..AUTO_MAX_BINS`` with
    ``n_samples >= MIN_SAMPLES_PER_CELL * coded_cells * B ** n_binned``, and 2 when even
    ``B = 2`` leaves fewer (the command line then warns). ``coded_cells`` is the product of the
    alphabet sizes of the variables used as codes (integers, and floating variables with at most
    :data:`AUTO_MAX_BINS` distinct values under the ``"auto"`` binning); ``n_binned`` counts the
    others.

    Examples
    --------
    >>> auto_bin_count(2000, n_binned=3)   # 7**3 * 5 = 1715 <= 2000 < 8**3 * 5
    7
    >>> auto_bin_count(500, n_binned=1, coded_cells=4)
    16
    """
    if n_binned == 0:
        return AUTO_MAX_BINS
    for b in range(AUTO_MAX_BINS, 2, -1):
        if n_samples >= MIN_SAMPLES_PER_CELL * coded_cells * b**n_binned:
            return b
    return 2


def resolve_auto_bins(
    bins: list, binning: list, probes: Sequence[np.ndarray], n_samples: int
) -> list:
    """Replace the ``"auto"`` entries of per-variable ``bins`` by :func:`auto_bin_count`.

    ``probes`` holds, per variable, samples to classify it by (the whole array, or a part of it
    such as its first batch element): integer variables count with their number of distinct
    values; floating variables under the ``"auto"`` binning with at most :data:`AUTO_MAX_BINS`
    distinct values per row are codes too (their bins become :data:`AUTO_MAX_BINS`, so every
    value keeps its own code); all other floating variables are binned into the chosen number.
    """
    if "auto" not in bins:
        return list(bins)
    coded, n_binned = 1, 0
    as_codes = [False] * len(bins)
    for v, (method, x) in enumerate(zip(binning, probes, strict=True)):
        if method is None:
            coded *= int(np.unique(np.asarray(x)).size)
        elif isinstance(method, np.ndarray):
            coded *= method.size - 1
        elif isinstance(method, str) and method == "auto" and np.size(x):
            flat = np.ascontiguousarray(np.asarray(x, dtype=np.float64).reshape(-1, x.shape[-1]))
            d = distinct_up_to(flat, AUTO_MAX_BINS + 1)
            as_codes[v] = d <= AUTO_MAX_BINS
            if as_codes[v]:
                coded *= d
            else:
                n_binned += 1
        else:
            n_binned += 1
    chosen = auto_bin_count(n_samples, n_binned, coded)
    return [
        (AUTO_MAX_BINS if code else chosen) if b == "auto" else b
        for b, code in zip(bins, as_codes, strict=True)
    ]
