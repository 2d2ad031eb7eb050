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

from .kernels.estimate import edge_codes, quantile_codes, uniform_codes

__all__ = ["BINNINGS", "MAX_JOINT_CELLS", "per_variable_binning", "check_cells", "codes_into"]

BINNINGS = ("uniform", "quantile")

#: Most cells of one joint histogram (the product of the alphabet sizes of target and sources):
#: 2**24 cells take 128 MiB in float64 per batch element, far more than any sample can fill.
MAX_JOINT_CELLS = 1 << 24


def per_variable_binning(bins: Any, binning: Any, arrays: list[np.ndarray], names: list[str]):
    """One (bins, binning) pair per variable; binning is a method name or an edge array.

    The values are checked for every variable, also where they do not apply (integers).
    """
    n_vars = len(arrays)
    is_float = [np.issubdtype(a.dtype, np.floating) for a in arrays]
    if bins is None or isinstance(bins, int | np.integer):
        per_bins = [_checked_bins(bins, "bins")] * n_vars
        per_bins = [b if f else None for b, f in zip(per_bins, is_float, strict=True)]
    elif isinstance(bins, Sequence) and len(bins) == n_vars:
        per_bins = [_checked_bins(b, f"bins for {n}") for b, n in zip(bins, names, strict=True)]
    else:
        raise ValueError(
            f"bins must be an int or a sequence of {n_vars} entries (target, then each source; "
            f"None for integer variables), got {bins!r}"
        )
    if isinstance(binning, str) or is_edges(binning):
        per_binning = [_checked_binning(binning, "")] * n_vars
    elif isinstance(binning, Sequence) and len(binning) == n_vars:
        per_binning = [_checked_binning(m, n) for m, n in zip(binning, names, strict=True)]
    else:
        raise ValueError(
            f"binning must be 'uniform', 'quantile', an array of bin edges, or a sequence of "
            f"{n_vars} of these (target, then each source), got {binning!r}"
        )
    out_bins, out_binning = [], []
    for name, float_var, b, method in zip(names, is_float, per_bins, per_binning, strict=True):
        if not float_var:
            if b is not None:
                raise ValueError(
                    f"bins for {name} is {b!r} but {name} holds integers, which are used as codes: "
                    "give None for it, or cast it to float to bin it"
                )
            out_bins.append(None)
            out_binning.append(None)
        elif method is None:
            raise ValueError(
                f"{name} holds real numbers and needs a binning, got None: e.g. 'quantile'"
            )
        elif isinstance(method, str):
            if b is None:
                raise ValueError(
                    f"{name} holds real numbers and binning {method!r} needs bins, an int >= 2, "
                    f"got {b!r}: pass e.g. bins=8"
                )
            out_bins.append(b)
            out_binning.append(method)
        else:
            out_bins.append(method.size - 1)
            out_binning.append(method)
    return out_bins, out_binning


def _checked_bins(b: Any, name: str) -> int | None:
    """A number of bins: ``None`` or an int >= 2."""
    if b is not None and (isinstance(b, bool) or not isinstance(b, int | np.integer) or b < 2):
        raise ValueError(
            f"{name} must be None or an int >= 2 (the number of bins), got {b!r}: pass e.g. bins=8"
        )
    return None if b is None else int(b)


def _checked_binning(method: Any, name: str) -> str | np.ndarray | None:
    """A binning (``None``, a name of :data:`BINNINGS` or bin edges); ``name``: its variable."""
    where = f" for {name}" if name else ""
    if method is None or (isinstance(method, str) and method in BINNINGS):
        return method
    if isinstance(method, str):
        raise ValueError(
            f"unknown binning {method!r}{where}: choose 'uniform', 'quantile' or an increasing "
            "array of bin edges"
        )
    try:
        edges = np.asarray(method, dtype=np.float64)
    except (TypeError, ValueError):
        edges = np.empty(0)
    if edges.ndim != 1 or edges.size < 3 or np.isnan(edges).any() or (np.diff(edges) <= 0).any():
        raise ValueError(
            f"bin edges{where} must be a 1-D strictly increasing array of at least 3 values "
            f"(2 bins), got {method!r}: e.g. binning=[-np.inf, 0.0, np.inf]"
        )
    return edges


def check_cells(sizes: Sequence[int], names: Sequence[str]) -> None:
    """Reject joint histograms of more than :data:`MAX_JOINT_CELLS` cells."""
    cells = math.prod(int(k) for k in sizes)
    if cells > MAX_JOINT_CELLS:
        detail = ", ".join(f"{n} {k}" for n, k in zip(names, sizes, strict=True))
        raise ValueError(
            f"the joint histogram of target and sources would have {cells:.3g} cells (alphabet "
            f"sizes: {detail}), more than MAX_JOINT_CELLS = 2**24: integer arrays are treated as "
            "codes, one per distinct value; bin them (pass floats with bins=...) or reduce the "
            "alphabet"
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


def codes_into(x, name: str, n_bins: int | None, method: Any, alphabet: Any, out: np.ndarray) -> int:
    """Write the codes ``0..k-1`` of one variable to ``out`` (rows, n_samples); return ``k``."""
    n = x.shape[-1]
    flat = x.reshape(-1, n)
    if method is None:  # integer codes
        values = np.unique(flat) if alphabet is None else np.asarray(alphabet)
        out[:] = np.searchsorted(values, flat)
        if alphabet is not None and not np.array_equal(
            values[np.minimum(out, values.size - 1)], flat
        ):
            raise ValueError(f"{name} has values outside the alphabet given for it")
        return int(values.size)
    if n < n_bins:
        raise ValueError(
            f"{name} has {n} samples, fewer than its {n_bins} bins: use fewer bins or more samples"
        )
    flat = np.ascontiguousarray(flat, dtype=np.float64)
    if isinstance(method, np.ndarray):
        if flat.min() < method[0] or flat.max() > method[-1]:
            raise ValueError(
                f"{name} has values in [{flat.min():.6g}, {flat.max():.6g}], outside its bin edges "
                f"[{method[0]:.6g}, {method[-1]:.6g}]: widen the edges (-inf/inf are allowed)"
            )
        edge_codes(flat, np.ascontiguousarray(method[1:-1]), out)
    elif method == "quantile":
        quantile_codes(flat, n_bins, out)
    else:
        uniform_codes(flat, n_bins, out)
    return n_bins
