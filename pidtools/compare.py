"""Side-by-side comparison of the atoms of one pmf (or a batch) under several measures."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import as_pmf_array, is_real
from .core import _from_dit_or_array, pid
from .measures import REGISTRY, get_measure

__all__ = ["compare"]


def _measure_names(measures: Sequence[str] | str | None, n: int) -> list[str]:
    if measures is None:
        return [name for name, m in REGISTRY.items() if n in m.n_sources]
    if isinstance(measures, str):
        measures = [measures]
    if not isinstance(measures, Sequence) or not all(isinstance(m, str) for m in measures):
        raise TypeError(
            f"measures must be a measure name or a sequence of names, got {measures!r}: pass "
            "e.g. measures=['sx', 'mmi'], or None for every measure that applies"
        )
    names = list(dict.fromkeys(measures))
    if not names:
        raise ValueError("measures is empty: name at least one measure, or pass None for all")
    for name in names:
        if isinstance(name, str) and name.startswith("dit:"):
            continue
        m = get_measure(name)
        if n not in m.n_sources:
            raise ValueError(
                f"measure {name!r} is defined for n_sources in {m.n_sources}, but p has {n} "
                "sources: drop it from measures, or pass measures=None for all that apply"
            )
    return names


def compare(
    p: Any,
    measures: Sequence[str] | str | None = None,
    *,
    n_sources: int | None = None,
    normalize: bool = False,
    tol: float = 1e-12,
    sources: Sequence | None = None,
    target: Any = None,
):
    """Every atom under every measure, side by side, with the negative atoms flagged.

    Parameters
    ----------
    p : array_like or dit.Distribution
        One pmf with axes (T, S1, ..., Sn), or a batch with leading axes (then give
        ``n_sources``), as for :func:`pidtools.pid`.
    measures : sequence of str, optional
        Measure names (see :func:`pidtools.list_measures`; ``"dit:CLASS"`` runs a dit class). Default:
        every built-in measure defined for this number of sources.
    n_sources, normalize, sources, target
        As for :func:`pidtools.pid`.
    tol : float
        An atom counts as negative below ``-tol`` bits.

    Returns
    -------
    pandas.DataFrame or xarray.Dataset
        For one pmf, a DataFrame with one row per atom (lattice order, index ``"atom"``), one
        float column per measure (NaN where a measure leaves an atom undetermined) and a last
        column ``"negative"`` naming the measures under which the atom is negative (comma
        separated, empty if none). ``attrs`` holds ``mi`` (I(T; S1..Sn), which every complete
        column sums to), ``n_sources``, ``tol`` and ``notes`` (warnings raised by the measures,
        e.g. about undetermined atoms).
        For a batch, a Dataset with ``atoms`` (batch dims, ``atom``, ``measure``), ``negative``
        (bool, same dims) and ``mi`` (batch dims); batch dims are ``batch_0``, ``batch_1``, ...

    Examples
    --------
    >>> from pidtools.distributions import gate
    >>> table = compare(gate("and"), ["sx", "min", "mmi"])
    >>> round(float(table.loc["{1}{2}", "min"]), 4)
    0.3113
    """
    p, n_sources = _from_dit_or_array(p, sources, target, n_sources)
    if not is_real(tol):
        raise TypeError(f"tol must be a real number >= 0 (bits), got {tol!r}: e.g. tol=1e-12")
    if not tol >= 0:
        raise ValueError(f"tol must be a number >= 0 (bits), got {tol!r}: e.g. tol=1e-12")
    arr, n = as_pmf_array(p, n_sources, normalize)
    names = _measure_names(measures, n)
    results = {}
    notes: list[str] = []
    for name in names:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results[name] = pid(arr, name, n_sources=n)
        notes.extend(str(w.message) for w in caught if str(w.message) not in notes)
    first = next(iter(results.values()))
    labels = list(first.labels)
    atoms = np.stack([r.atoms for r in results.values()], axis=-1)  # (*batch, atom, measure)
    negative = atoms < -tol
    if not first.batch_shape:
        import pandas as pd

        table = pd.DataFrame(atoms, index=pd.Index(labels, name="atom"), columns=names)
        table["negative"] = [
            ", ".join(m for m, neg in zip(names, row, strict=True) if neg) for row in negative
        ]
        table.attrs.update(mi=float(first.mi), n_sources=n, tol=float(tol), notes=notes)
        return table
    import xarray as xr

    dims = [f"batch_{i}" for i in range(len(first.batch_shape))]
    return xr.Dataset(
        {
            "atoms": ([*dims, "atom", "measure"], atoms, {"units": "bit"}),
            "negative": ([*dims, "atom", "measure"], negative),
            "mi": (dims, first.mi, {"units": "bit", "long_name": "I(T; S1..Sn)"}),
        },
        coords={"atom": labels, "measure": names},
        attrs={"n_sources": n, "tol": float(tol), "notes": "\n".join(notes)},
    )
