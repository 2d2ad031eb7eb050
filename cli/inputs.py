"""Reading the commands' input files: clear messages for files that are not what they claim."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .output import InputError

#: Suffixes of tables of samples (for ``pid --samples``, not ``analyze``).
_TABLES = (".csv", ".tsv", ".txt")


def open_activations(path: Path):
    """Open a netCDF file or zarr store lazily (dask-backed); exit 2 with a clear message.

    A zarr store whose variables lack chunks is opened with those chunks made to fail when
    read (:func:`guard_missing_chunks`); a dimension of length 0 is an error.
    """
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist: give the path of a netCDF file or zarr store")
    if path.suffix.lower() in _TABLES and path.is_file():
        raise InputError(
            f"{path} is a table of samples; analyze reads netCDF files and zarr stores of "
            "activations: for a table use `infomorph pid --samples "
            f"{path} --target COLUMN --source COLUMN`"
        )
    is_zarr = path.is_dir() or path.suffix == ".zarr"
    kind = "zarr store" if is_zarr else "netCDF file"
    try:
        if is_zarr:
            with warnings.catch_warnings():  # stores without consolidated metadata are fine
                warnings.simplefilter("ignore", RuntimeWarning)
                ds = xr.open_zarr(path, chunks={})
        else:
            ds = xr.open_dataset(path, chunks={})
    except Exception as err:  # the backends raise many types for unreadable files
        raise InputError(
            f"{path} is not a readable {kind} ({_reason(err)}); write it with xarray's "
            "to_netcdf or to_zarr"
        ) from None
    empty = sorted(d for d, n in ds.sizes.items() if n == 0)
    if empty:
        raise InputError(
            f"{path}: dimension {empty[0]!r} has length 0 (no {empty[0]} recorded): "
            "nothing to analyse; check the file"
        )
    return guard_missing_chunks(path, ds) if is_zarr else ds


def _reason(err: Exception) -> str:
    """A backend's complaint in one whole sentence."""
    text = str(err).splitlines()[0] if str(err) else ""
    if "IO backends" in text or "engine" in text.lower() and "match" in text:
        return "no installed xarray backend recognises its format"
    if len(text) > 160:
        cut = text.rfind(". ", 0, 160)
        text = text[: cut + 1] if cut > 0 else text[:160].rsplit(" ", 1)[0] + " ..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def missing_chunks(path: Path, name: str) -> list[tuple[int, ...]]:
    """Chunk-grid positions of zarr variable ``name`` in the store ``path`` without a stored
    chunk (deleted, or never written: zarr skips chunks that hold only the fill value unless
    ``write_empty_chunks=True``)."""
    import zarr

    arr = zarr.open_array(Path(path) / name, mode="r")
    if arr.nchunks_initialized == arr.nchunks:
        return []
    grid = [int(np.ceil(s / c)) if c else 1 for s, c in zip(arr.shape, arr.chunks, strict=True)]
    return [
        tuple(int(i) for i in index)
        for index in np.ndindex(*grid)
        if not (Path(path) / name / arr.metadata.encode_chunk_key(tuple(index))).exists()
    ]


def guard_missing_chunks(path: Path, ds):
    """``ds`` with every variable that lacks stored chunks made to raise, when such a chunk is
    read, a ValueError naming the store, the variable and the chunk's coordinates: zarr would
    silently fill it with the fill value (NaN, or 0 for integers)."""
    for name in list(ds.data_vars):
        try:
            missing = set(missing_chunks(path, name))
        except Exception:  # not a plain local array (sharded, remote): zarr's own reads apply
            continue
        if missing and ds[name].chunks is not None:
            ds[name] = ds[name].copy(data=_failing_blocks(path, ds[name], missing))
    return ds


def _failing_blocks(path: Path, var, missing: set[tuple[int, ...]]):
    """The dask array of ``var`` whose blocks at ``missing`` raise when computed."""
    chunks = var.chunks
    starts = [np.concatenate([[0], np.cumsum(c)]) for c in chunks]

    def where(block: tuple[int, ...]) -> str:
        parts = []
        for dim, b, st in zip(var.dims, block, starts, strict=True):
            lo, hi = int(st[b]), int(st[b + 1]) - 1
            values = var[dim].values if dim in var.coords else np.arange(st[-1])
            parts.append(f"{dim} {values[lo]}" if lo == hi else f"{dim} {values[lo]}..{values[hi]}")
        return ", ".join(parts)

    def check(x, block_info=None):
        block = tuple(block_info[0]["chunk-location"])
        if block in missing:
            raise ValueError(
                f"{path}: variable {var.name!r} has no stored chunk at {where(block)}: the "
                "store is incomplete (a deleted chunk, or one skipped as all fill values by "
                "write_empty_chunks=False); rewrite the store, e.g. to_zarr(..., "
                "write_empty_chunks=True)"
            )
        return x

    return var.data.map_blocks(check, dtype=var.dtype)
