"""The record of an infomorphic training run: an ``xarray.Dataset`` with a fixed schema.

Any framework can write the same schema; :func:`check_schema` checks it.

Dimensions
----------
``epoch``
    1..E. Per-epoch values are the mean over that epoch's training mini-batches (atoms, goal,
    entropies: computed on the very histograms the updates used) or measured after the epoch's
    updates (accuracy, probe activations).
``layer``
    Layer names, input side first (e.g. ``["hidden", "readout"]``).
``neuron``
    0..max(n_neurons)-1; a layer with fewer neurons is padded with NaN (``n_neurons(layer)``).
``atom``
    Position in the layer's redundancy lattice, bottom-up (0..max(n_atoms)-1). The label of a
    position depends on the layer's number of sources (``"{1}{2}"`` of a two-source lattice is
    not the ``"{1}{2}"`` atom of a three-source one), so labels are a 2-D coordinate
    ``atom_label(layer, atom)``, padded with ``""``. Use :func:`atom` to select by label.
``split``
    ``["train", "validation", "test"]``.
``sample``
    Probe samples (only when probe activations are recorded).

Variables
---------
``atoms(epoch, layer, neuron, atom)``       I^sx atoms of Y w.r.t. the layer's sources (bits)
``goal(epoch, layer, neuron)``              the goal value G (bits)
``entropy(epoch, layer, neuron)``           H(Y)
``mi(epoch, layer, neuron)``                I(Y; all sources) (= sum of atoms)
``h_res(epoch, layer, neuron)``             H(Y | all sources)
``accuracy(epoch, split)``                  network accuracy (context zero, flip-corrected)
``n_neurons(layer)``, ``n_sources(layer)``  layer sizes (int)
``source_names(layer, source)``             input class of each source (``receptive``,
                                            ``context``, ``lateral``; ``""`` padding)

Optional probe activations on a fixed subset of training samples, computed after each epoch
under training conditions (label as context):
``receptive``, ``context``, ``lateral`` (the input classes' aggregates; NaN where a layer has no
such class), ``theta`` (P(Y=+1)), ``output`` (sampled +-1) with dims
``(epoch, layer, neuron, sample)``, and ``label(sample)``.

Attributes: ``goal`` (JSON: layer -> {label: weight}), ``hyperparameters`` (JSON), ``seed``,
``dataset``, ``arch``, ``package_version``, ``schema`` (``"infomorph-record/1"``), ``units``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from ._io import atomic_write, write_netcdf

__all__ = ["SCHEMA", "PROBE_VARIABLES", "build_record", "check_schema", "save", "load", "atom"]

SCHEMA = "infomorph-record/1"
SPLITS = ("train", "validation", "test")
PROBE_VARIABLES = ("receptive", "context", "lateral", "theta", "output")
_NEURON_VARS = ("goal", "entropy", "mi", "h_res")
_REQUIRED_ATTRS = (
    "goal",
    "hyperparameters",
    "seed",
    "dataset",
    "arch",
    "package_version",
    "schema",
)


def build_record(
    *,
    layers: Mapping[str, Mapping],
    atoms: Mapping[str, np.ndarray],
    neuron_values: Mapping[str, Mapping[str, np.ndarray]],
    accuracy: np.ndarray,
    attrs: Mapping,
    probe: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    probe_labels: np.ndarray | None = None,
) -> xr.Dataset:
    """Assemble a record from per-layer arrays (padding layers to common sizes).

    Parameters
    ----------
    layers : mapping layer -> {"labels": tuple of str, "sources": tuple of str}
        Atom labels (lattice order) and source class names of every layer, input side first.
    atoms : mapping layer -> ndarray (epoch, neuron, atom)
    neuron_values : mapping name -> (mapping layer -> ndarray (epoch, neuron))
        For ``goal``, ``entropy``, ``mi``, ``h_res``.
    accuracy : ndarray (epoch, 3)
        Train, validation, test accuracy.
    attrs : mapping
        ``goal`` and ``hyperparameters`` (dicts, stored as JSON), ``seed``, ``dataset``,
        ``arch``, ``package_version``.
    probe : mapping name -> (mapping layer -> ndarray (epoch, neuron, sample)), optional
    probe_labels : ndarray (sample,), optional
    """
    names = list(layers)
    n_epochs = accuracy.shape[0]
    n_neurons = [atoms[k].shape[1] for k in names]
    n_atoms = [len(layers[k]["labels"]) for k in names]
    max_n, max_a = max(n_neurons), max(n_atoms)
    max_s = max(len(layers[k]["sources"]) for k in names)

    def padded(per_layer, tail):
        out = np.full((n_epochs, len(names), max_n) + tail, np.nan)
        for i, k in enumerate(names):
            if k in per_layer:
                arr = per_layer[k]
                out[
                    (slice(None), i, slice(0, arr.shape[1]))
                    + tuple(slice(0, s) for s in arr.shape[2:])
                ] = arr
        return out

    labels = np.array(
        [
            list(layers[k]["labels"]) + [""] * (max_a - n)
            for k, n in zip(names, n_atoms, strict=True)
        ]
    )
    sources = np.array(
        [list(layers[k]["sources"]) + [""] * (max_s - len(layers[k]["sources"])) for k in names]
    )
    data = {
        "atoms": (("epoch", "layer", "neuron", "atom"), padded(atoms, (max_a,))),
        "accuracy": (("epoch", "split"), np.asarray(accuracy, dtype=np.float64)),
        "n_neurons": (("layer",), np.array(n_neurons, dtype=np.int64)),
        "n_sources": (
            ("layer",),
            np.array([len(layers[k]["sources"]) for k in names], dtype=np.int64),
        ),
        "source_names": (("layer", "source"), sources),
    }
    for var in _NEURON_VARS:
        data[var] = (("epoch", "layer", "neuron"), padded(neuron_values[var], ()))
    coords = {
        "epoch": np.arange(1, n_epochs + 1),
        "layer": names,
        "neuron": np.arange(max_n),
        "atom": np.arange(max_a),
        "split": list(SPLITS),
        "atom_label": (("layer", "atom"), labels),
    }
    if probe is not None:
        n_samples = len(probe_labels)
        for var in PROBE_VARIABLES:
            data[var] = (
                ("epoch", "layer", "neuron", "sample"),
                padded(probe.get(var, {}), (n_samples,)),
            )
        data["label"] = (("sample",), np.asarray(probe_labels, dtype=np.int64))
        coords["sample"] = np.arange(n_samples)
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "goal": json.dumps(attrs["goal"]),
            "hyperparameters": json.dumps(attrs["hyperparameters"]),
            "seed": -1 if attrs["seed"] is None else int(attrs["seed"]),
            "dataset": str(attrs["dataset"]),
            "arch": str(attrs["arch"]),
            "package_version": str(attrs["package_version"]),
            "schema": SCHEMA,
            "units": "bit (atoms, goal, entropy, mi, h_res)",
        }
    )
    return ds


def check_schema(ds: xr.Dataset) -> None:
    """Check that ``ds`` follows the record schema; raise ``ValueError`` naming what is wrong."""
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"a record must be an xarray.Dataset, got {type(ds).__name__}")
    expected = {
        "atoms": ("epoch", "layer", "neuron", "atom"),
        "accuracy": ("epoch", "split"),
        "n_neurons": ("layer",),
        "n_sources": ("layer",),
        "source_names": ("layer", "source"),
    }
    expected.update({v: ("epoch", "layer", "neuron") for v in _NEURON_VARS})
    if "label" in ds:
        expected.update({v: ("epoch", "layer", "neuron", "sample") for v in PROBE_VARIABLES})
        expected["label"] = ("sample",)
    for var, dims in expected.items():
        if var not in ds:
            raise ValueError(
                f"record lacks the variable {var!r} (dims {dims}); see infomorph.record"
            )
        if ds[var].dims != dims:
            raise ValueError(f"record variable {var!r} has dims {ds[var].dims}, expected {dims}")
    if "atom_label" not in ds.coords or ds["atom_label"].dims != ("layer", "atom"):
        raise ValueError("record lacks the coordinate atom_label(layer, atom)")
    if list(ds["split"].values) != list(SPLITS):
        raise ValueError(
            f"record split coordinate must be {list(SPLITS)}, got {list(ds['split'].values)}"
        )
    missing = [a for a in _REQUIRED_ATTRS if a not in ds.attrs]
    if missing:
        raise ValueError(f"record lacks the attributes {missing}")
    if ds.attrs["schema"] != SCHEMA:
        raise ValueError(f"record schema is {ds.attrs['schema']!r}, expected {SCHEMA!r}")
    for i, layer in enumerate(ds["layer"].values):
        n, n_lab = int(ds["n_neurons"][i]), int((ds["atom_label"][i] != "").sum())
        atoms = ds["atoms"].values[:, i]
        if np.isfinite(atoms[:, n:]).any() or np.isfinite(atoms[:, :, n_lab:]).any():
            raise ValueError(
                f"record layer {layer!r}: padding beyond {n} neurons/{n_lab} atoms is not NaN"
            )


def save(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Check ``ds`` against the schema and write it as netCDF-4 (h5netcdf), atomically.

    An existing file at ``path`` is replaced; on failure (full disk, interruption) it is left
    as it was and no temporary file remains.
    """
    check_schema(ds)
    return atomic_write(path, lambda tmp: write_netcdf(ds, tmp))


def load(path: str | os.PathLike) -> xr.Dataset:
    """Read a record written by :func:`save` (into memory) and check it against the schema.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is not a netCDF-4 file, or does not follow the schema.
    """
    path = Path(path)
    if not path.is_file():
        if not path.exists():
            raise FileNotFoundError(f"record {path} does not exist")
        raise ValueError(f"record {path} is not a file: give the path of a .nc file from save()")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            ds = ds.load()
    except (OSError, ValueError) as err:
        raise ValueError(
            f"{path} is not a readable netCDF-4 file ({type(err).__name__}); a record is "
            "written by infomorph.record.save or `infomorph train -o`"
        ) from None
    check_schema(ds)
    return ds


def atom(ds: xr.Dataset, layer: str, label: str) -> xr.DataArray:
    """The atom ``label`` of ``layer`` over (epoch, neuron): ``atom(ds, "readout", "{1}{2}")``."""
    from pidtools.lattice import format_label, parse_label

    i = list(ds["layer"].values).index(layer)
    n_src, n = int(ds["n_sources"][i]), int(ds["n_neurons"][i])
    key = format_label(parse_label(label, n_src))
    labels = list(ds["atom_label"].values[i])
    if key not in labels:
        raise ValueError(
            f"layer {layer!r} has no atom {label!r}; its atoms: {[x for x in labels if x]}"
        )
    return (
        ds["atoms"].sel(layer=layer).isel(atom=labels.index(key), neuron=slice(0, n)).rename(label)
    )
