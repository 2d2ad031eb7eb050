"""Labelled interface: PID estimates of the variables of an ``xarray.Dataset``.

Import it as ``import pidtools.xarray``; inside pidtools the xarray package itself is always
imported as ``import xarray as xr`` with absolute imports.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ._validation import check_bool
from .binning import check_cells, per_variable_binning, resolve_auto_bins
from .errors import ParameterError, ParameterTypeError
from .estimate import _check_settings, estimate_batch
from .lattice import lattice

__all__ = ["pid_dataset"]

#: Outputs with one value per batch element (no atom dimension).
_PER_ELEMENT = ("mi", "occupied")

_STATISTICS = (
    "plugin_atoms", "null_mean", "null_std", "p_value", "p_adjusted", "ci_low", "ci_high"
)  # fmt: skip


def pid_dataset(
    ds: xr.Dataset,
    target: Hashable | xr.DataArray,
    sources: Sequence[Hashable | xr.DataArray],
    *,
    sample_dim: Hashable = "sample",
    skip_missing: bool = False,
    **estimate_kwargs: Any,
) -> xr.Dataset:
    """Estimate PID atoms for every element of the batch dimensions of a dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        Holds the variables (it may be backed by dask).
    target : hashable or xarray.DataArray
        Name of the target variable in ``ds`` (or the array itself).
    sources : sequence of hashable or xarray.DataArray
        Names of the source variables (1 to 4), or the arrays.
    sample_dim : hashable
        The dimension that holds the samples; every variable must have it. All other
        dimensions are batch dimensions and broadcast by name, e.g. a target ``label(sample)``
        against sources ``act(epoch, neuron, sample)``.
    skip_missing : bool
        Treat batch elements where some floating variable is NaN at *every* sample as absent
        (e.g. padding of layers with fewer neurons): their results are NaN. NaN at only some
        samples is always an error.
    **estimate_kwargs
        Keyword arguments of :func:`pidtools.estimate` (measure, bins, binning, estimator,
        n_shuffles, n_boot, ci, random_state, k).

    Returns
    -------
    xarray.Dataset
        ``atoms`` (*batch dims, atom), ``mi`` and ``occupied`` (*batch dims; the number of
        non-empty cells of each joint histogram; not for ``estimator="knn"``), plus
        ``plugin_atoms`` for the shuffle estimator, ``null_mean``, ``null_std``, ``p_value``, ``p_adjusted`` with
        ``n_shuffles > 0`` and
        ``ci_low``, ``ci_high`` with ``n_boot > 0``. ``attrs`` record the settings and the
        package version.

    Notes
    -----
    The work goes through ``xarray.apply_ufunc(..., dask="parallelized")``, so a dask-backed
    dataset chunked along batch dimensions is computed lazily, chunk by chunk; chunks along
    ``sample_dim`` are merged first. Results do not depend on the chunking: floating variables
    are binned per batch element (e.g. per neuron and epoch), the distinct values of integer
    variables are collected over the whole array first (one pass over that variable), and the
    shuffles and bootstrap draws of each element are seeded from ``random_state`` and the
    element's flat index in the whole batch. ``bins="auto"`` (or ``None`` with the ``"auto"``
    binning) is resolved once, from the first batch element of every variable, and recorded in
    ``attrs["bins"]``. A ``random_state`` of ``None`` is resolved once
    and recorded in ``attrs["random_state"]``.
    """
    from . import __version__

    skip_missing = check_bool(skip_missing, "skip_missing")
    kwargs = dict(estimate_kwargs)
    # fail now, not when a lazy result is computed
    checked = _check_settings("pid_dataset", **kwargs)
    if checked["resample"]:
        kwargs["random_state"] = checked["random_state"]  # resolved once for all chunks
    arrays = _variables(ds, target, sources, sample_dim)
    n_sources = len(arrays) - 1
    names = ["target"] + [f"sources[{i}]" for i in range(n_sources)]
    bins, binning = per_variable_binning(checked["bins"], checked["binning"], arrays, names)
    if "auto" in bins:  # one number for every chunk, from the first batch element
        probes = [_finite(a.isel({d: 0 for d in a.dims if d != sample_dim}).values) for a in arrays]
        bins = resolve_auto_bins(bins, binning, probes, arrays[0].sizes[sample_dim])
    kwargs["bins"] = bins  # per variable, as resolved
    alphabets = [_alphabet(a) for a in arrays]
    sizes = [b if a is None else a.size for a, b in zip(alphabets, bins, strict=True)]
    check_cells(sizes, names)
    index = _batch_index(arrays, sample_dim)
    binned = checked["estimator"] != "knn"  # the knn estimator has no histogram
    outputs = ["atoms", "mi"] + ["occupied"] * binned
    outputs += [k for k in _STATISTICS if _requested(k, kwargs)]
    labels = list(lattice(n_sources).labels) if 1 <= n_sources else []

    def estimated(variables, index):
        res = estimate_batch(
            variables[0], list(variables[1:]), batch_index=index, alphabets=alphabets, **kwargs
        )
        return [np.asarray(getattr(res, k), dtype=np.float64) for k in outputs]

    def block(*data):
        variables, index = list(data[:-1]), data[-1]
        if not skip_missing:
            present = np.ones(np.broadcast_shapes(*(v.shape[:-1] for v in variables)), dtype=bool)
            _check_finite(variables, names, present, sample_dim, skip_missing)
            return tuple(estimated(variables, index))
        shape = np.broadcast_shapes(index.shape, *(v.shape[:-1] for v in variables))
        absent = np.zeros(shape, dtype=bool)
        for v in variables:
            if np.issubdtype(v.dtype, np.floating):
                absent |= np.broadcast_to(np.isnan(v).all(axis=-1), shape)
        result = [np.full(shape + _tail(k, len(labels)), np.nan) for k in outputs]
        keep = ~absent
        if keep.any():
            _check_finite(variables, names, keep, sample_dim, skip_missing)
            kept = [np.broadcast_to(v, shape + v.shape[-1:])[keep] for v in variables]
            parts = estimated(kept, np.broadcast_to(index, shape)[keep])
            for full, part in zip(result, parts, strict=True):
                full[keep] = part
        return tuple(result)

    results = xr.apply_ufunc(
        block,
        *arrays,
        index,
        input_core_dims=[[sample_dim]] * len(arrays) + [[]],
        output_core_dims=[["atom"] if _tail(k, 1) else [] for k in outputs],
        dask="parallelized",
        output_dtypes=[np.float64] * len(outputs),
        dask_gufunc_kwargs={"output_sizes": {"atom": len(labels)}},
    )
    out = xr.Dataset(dict(zip(outputs, results, strict=True))).assign_coords(atom=labels)
    out.attrs = _attrs(kwargs, n_sources, arrays[0].sizes[sample_dim], __version__)
    out.attrs["max_cells"] = int(np.prod(sizes))  # codes per variable: at most its bins
    return out


def _finite(x: np.ndarray) -> np.ndarray:
    """The finite values of a floating array (all values of an integer one)."""
    return x[np.isfinite(x)] if np.issubdtype(x.dtype, np.floating) else x


def _tail(name: str, n_atoms: int) -> tuple[int, ...]:
    """The trailing shape of an output: ``(n_atoms,)`` for per-atom values, else ``()``."""
    return () if name in _PER_ELEMENT else (n_atoms,)


def _check_finite(variables, names, present, sample_dim, skip_missing: bool) -> None:
    """Raise if a floating variable has NaN or inf in a ``present`` batch element, naming the
    variable's role and ``sample_dim`` (not a position in the block's stacked layout)."""
    for name, v in zip(names, variables, strict=True):
        if not np.issubdtype(v.dtype, np.floating):
            continue
        finite = np.broadcast_to(np.isfinite(v).all(axis=-1), present.shape)
        if (present & ~finite).any():
            hint = (
                "in a batch element that is not NaN at every sample (such batch elements are skipped)"
                if skip_missing
                else "(pass skip_missing=True if whole batch elements are NaN padding)"
            )
            raise ParameterError(
                f"{name} contains NaN or infinite values along sample_dim {sample_dim!r} "
                f"{hint}: drop or impute those samples",
                param=name,
            )


def _variables(ds, target, sources, sample_dim) -> list[xr.DataArray]:
    if not isinstance(ds, xr.Dataset):
        raise ParameterTypeError(
            f"ds must be an xarray.Dataset, got {type(ds).__name__}", param="ds"
        )
    if isinstance(sources, str | xr.DataArray) or not isinstance(sources, Sequence):
        raise ParameterTypeError(
            f"sources must be a list of variable names (e.g. ['x1', 'x2']), got {sources!r}",
            param="sources",
        )
    arrays, roles = [], []
    for role, v in [("target", target), *((f"sources[{i}]", s) for i, s in enumerate(sources))]:
        if not isinstance(v, xr.DataArray):
            if v not in ds.data_vars:
                raise ParameterError(
                    f"{role} {v!r} is not a variable of ds: choose one of {list(ds.data_vars)}",
                    param=role,
                )
            v = ds[v]
        if sample_dim not in v.dims:
            raise ParameterError(
                f"{role} ({v.name!r}, dims {v.dims}) has no sample dimension {sample_dim!r}: pass "
                "sample_dim= naming the dimension that holds the samples",
                param="sample_dim",
            )
        if not (v.dtype == bool or np.issubdtype(v.dtype, np.number)) or np.issubdtype(
            v.dtype, np.complexfloating
        ):
            raise ParameterTypeError(
                f"{role} ({v.name!r}) holds {v.dtype} values: give integer codes or real numbers "
                "(e.g. encode text labels as integers first)",
                param=role,
            )
        if v.chunks is not None:
            v = v.chunk({sample_dim: -1})
        arrays.append(v)
        roles.append(role)
    _check_aligned(arrays, roles)
    return arrays


def _check_aligned(arrays: list[xr.DataArray], roles: list[str]) -> None:
    """Check that variables sharing a dimension agree on its length and coordinates."""
    seen: dict[Hashable, tuple[str, xr.DataArray]] = {}
    for role, a in zip(roles, arrays, strict=True):
        for d in a.dims:
            if d not in seen:
                seen[d] = role, a
                continue
            other_role, b = seen[d]
            if a.sizes[d] != b.sizes[d]:
                raise ParameterError(
                    f"{role} ({a.name!r}) has {a.sizes[d]} entries along dimension {d!r} but "
                    f"{other_role} ({b.name!r}) has {b.sizes[d]}: variables share dimensions by "
                    f"name, so select matching {d!r} ranges first (or rename one dimension)",
                    param=role,
                )
            if d in a.indexes and d in b.indexes and not a.indexes[d].equals(b.indexes[d]):
                raise ParameterError(
                    f"{role} ({a.name!r}) and {other_role} ({b.name!r}) have different "
                    f"coordinates along dimension {d!r}: align them first, e.g. with "
                    "xarray.align(..., join='inner')",
                    param=role,
                )


def _alphabet(a: xr.DataArray) -> np.ndarray | None:
    """Sorted distinct values of an integer variable over the whole array (None for floats)."""
    if not (np.issubdtype(a.dtype, np.integer) or a.dtype == bool):
        return None
    if a.chunks is None:
        return np.unique(a.values)
    import dask.array as da

    return np.asarray(da.unique(a.data).compute())


def _batch_index(arrays: list[xr.DataArray], sample_dim: Hashable) -> xr.DataArray:
    """Flat index of every element of the broadcast batch, chunked like the inputs."""
    sizes: dict[Hashable, int] = {}
    chunks: dict[Hashable, tuple[int, ...]] = {}
    for a in arrays:
        for d in a.dims:
            if d != sample_dim:
                sizes.setdefault(d, a.sizes[d])
                if a.chunks is not None:
                    chunks.setdefault(d, a.chunksizes[d])
    shape = tuple(sizes.values())
    index = xr.DataArray(
        np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape), dims=list(sizes)
    )
    return index.chunk(chunks) if chunks else index


def _requested(name: str, kwargs: dict[str, Any]) -> bool:
    if name == "plugin_atoms":
        return kwargs.get("estimator", "plugin") == "shuffle"
    if name in ("ci_low", "ci_high"):
        return bool(kwargs.get("n_boot", 0))
    return bool(kwargs.get("n_shuffles", 0))


def _attrs(kwargs: dict[str, Any], n_sources: int, n_samples: int, version: str) -> dict[str, Any]:
    """netCDF-safe attributes: numbers and strings only."""
    attrs = {
        "measure": kwargs.get("measure", "sx"),
        "estimator": kwargs.get("estimator", "plugin"),
        "binning": repr(kwargs.get("binning", "uniform")),
        "bins": repr(kwargs.get("bins")),
        "n_shuffles": int(kwargs.get("n_shuffles", 0)),
        "n_boot": int(kwargs.get("n_boot", 0)),
        "n_sources": n_sources,
        "n_samples": int(n_samples),
        "units": "bit",
        "pidtools_version": version,
    }
    if attrs["n_boot"]:
        attrs["ci"] = float(kwargs.get("ci", 0.95))
    if attrs["estimator"] == "knn":
        attrs["k"] = int(kwargs.get("k", 4))
    if "random_state" in kwargs and kwargs["random_state"] is not None:
        attrs["random_state"] = str(kwargs["random_state"])
    return attrs
