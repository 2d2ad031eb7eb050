"""Labelled interface: PID estimates of the variables of an ``xarray.Dataset``.

Import it as ``import pidtools.xarray``; inside pidtools the xarray package itself is always
imported as ``import xarray as xr`` with absolute imports.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ._validation import check_bool
from .binning import check_cells, codes_into, is_edges, per_variable_binning, resolve_auto_bins
from .errors import ParameterError, ParameterTypeError
from .estimate import _check_settings, estimate_batch, leaf_settings
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
    groups: int | Sequence[Sequence[int]] | None = None,
    group_dim: Hashable = "neuron",
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
        Names of the source variables (1 to 4; 5 for ``"sx"``), or the arrays. A *tuple* of
        names or arrays is one source, a group: its joint state, as in
        :func:`pidtools.estimate` (each member coded or binned as a variable of its own, then
        combined).
    sample_dim : hashable
        The dimension that holds the samples; every variable must have it. All other
        dimensions are batch dimensions and broadcast by name, e.g. a target ``label(sample)``
        against sources ``act(epoch, neuron, sample)``.
    groups : int or sequence of sequences of int, optional
        Join units of ``group_dim`` into joint variables: an int ``n`` makes consecutive
        blocks of ``n`` units (``n`` must divide the dimension's length; give explicit groups
        to keep a shorter remainder), a sequence of index lists names the units of each group
        by position, e.g. ``[[0, 1], [2, 3], [4]]`` (every unit at most once). Every variable
        with ``group_dim`` (target and sources) is replaced, per group, by the joint state of
        the group's members, each coded like a member of a tuple source; the dimension becomes
        ``f"{group_dim}_group"``, whose labels name the members by their ``group_dim``
        coordinate values (``"0+1"``). Each group is one batch element.
    group_dim : hashable
        The dimension whose units ``groups`` joins (ignored without ``groups``).
    skip_missing : bool
        Treat batch elements where some floating variable is NaN at *every* sample as absent
        (e.g. padding of layers with fewer neurons): their results are NaN. A group with such a
        member is absent. NaN at only some samples is always an error.
    **estimate_kwargs
        Keyword arguments of :func:`pidtools.estimate` (measure, bins, binning, estimator,
        n_shuffles, n_boot, ci, random_state, k).

    Returns
    -------
    xarray.Dataset
        ``atoms`` (*batch dims, atom), ``mi`` and ``occupied`` (*batch dims; the number of
        non-empty cells of each joint histogram; not for ``estimator="knn"``), plus
        ``plugin_atoms`` for the shuffle estimator, ``null_mean``, ``null_std``, ``p_value``,
        ``p_adjusted`` with ``n_shuffles > 0`` and ``ci_low``, ``ci_high`` with ``n_boot > 0``.
        ``attrs`` record the settings and the package version; with ``groups`` also
        ``grouped_dim`` (``group_dim``) and ``groups`` (the labels, ``;``-separated).

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

    *Groups.* The members of a tuple source or of a unit group are binned per batch element
    like any floating variable (integer members are coded by the distinct values of their
    whole array), with the variable's ``bins``/``binning`` entry; ``bins="auto"`` is resolved
    from the members alone, as :func:`pidtools.estimate` does for a tuple, once per group size
    from the first group of that size. The members' codes are combined into one integer per
    joint state (in the order of the members' codes), and the joint states seen anywhere in
    the array are that variable's alphabet, so results do not depend on the chunking either.
    A group of one unit is coded the same way (its own ``"auto"`` bin count). ``attrs["bins"]``
    gives a joint variable's members' bins (of its largest group) as a list.
    ``estimator="knn"`` does not take groups.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, (4, 4000))  # four binary units
    >>> ds = xr.Dataset({"label": ("sample", x[0] ^ x[1]), "act": (("neuron", "sample"), x)})
    >>> out = pid_dataset(ds, "label", ["act"], groups=2)
    >>> [str(v) for v in out.neuron_group.values]
    ['0+1', '2+3']
    >>> out.atoms.round(2).values.tolist()  # the pair (0, 1) holds the label, (2, 3) does not
    [[1.0], [0.0]]
    """
    from . import __version__

    skip_missing = check_bool(skip_missing, "skip_missing")
    kwargs = dict(estimate_kwargs)
    # fail now, not when a lazy result is computed
    checked = _check_settings("pid_dataset", **kwargs)
    if checked["resample"]:
        kwargs["random_state"] = checked["random_state"]  # resolved once for all chunks
    roles = _variables(ds, target, sources, sample_dim)
    n_sources = len(roles) - 1
    names = ["target"] + [f"sources[{i}]" for i in range(n_sources)]
    unit_groups = _unit_groups(groups, group_dim, roles, sample_dim)
    joint = [
        v
        for v, members in enumerate(roles)
        if isinstance(members, tuple) or (unit_groups and group_dim in members.dims)
    ]
    if joint and checked["estimator"] == "knn":
        raise ParameterError(
            "estimator='knn' takes single continuous variables, not the joint states of "
            "several units (groups, tuple sources): use a binned estimator ('shuffle' or "
            "'plugin') for them",
            param="groups" if unit_groups else names[joint[0]],
        )
    member_bins: dict[int, list] = {}
    if joint:
        arrays, role_bins, role_binning, member_bins = _joint_variables(
            roles, names, joint, checked["bins"], checked["binning"], unit_groups, group_dim,
            sample_dim, skip_missing,
        )  # fmt: skip
        bins, binning = per_variable_binning(role_bins, role_binning, arrays, names)
    else:
        arrays = roles
        bins, binning = per_variable_binning(checked["bins"], checked["binning"], arrays, names)
    if "auto" in bins:  # one number for every chunk, from the first batch element
        probes = [
            _finite(a.isel({d: 0 for d in a.dims if d != sample_dim}).values, joint=v in joint)
            for v, a in enumerate(arrays)
        ]
        bins = resolve_auto_bins(bins, binning, probes, arrays[0].sizes[sample_dim])
    kwargs["bins"] = bins  # per variable, as resolved
    alphabets = [_alphabet(a, joint=v in joint) for v, a in enumerate(arrays)]
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
        for i, v in enumerate(variables):
            if np.issubdtype(v.dtype, np.floating):
                absent |= np.broadcast_to(np.isnan(v).all(axis=-1), shape)
            elif i in joint:  # a group with a member that is NaN at every sample
                absent |= np.broadcast_to((v < 0).all(axis=-1), shape)
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
    recorded = {**kwargs, "bins": [member_bins.get(v, b) for v, b in enumerate(bins)]}
    out.attrs = _attrs(recorded, n_sources, arrays[0].sizes[sample_dim], __version__)
    out.attrs["max_cells"] = int(np.prod(sizes))  # codes per variable: at most its bins
    if unit_groups:
        out.attrs["grouped_dim"] = str(group_dim)
        out.attrs["groups"] = ";".join(str(g) for g in out[_group_name(group_dim)].values)
    return out


def _finite(x: np.ndarray, joint: bool = False) -> np.ndarray:
    """The finite values of a floating array (all values of an integer one; the codes >= 0 of
    ``joint`` codes, whose -1 marks an absent group)."""
    if joint:
        return x[x >= 0]
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


def _variables(ds, target, sources, sample_dim) -> list[xr.DataArray | tuple[xr.DataArray, ...]]:
    """The target and every source as a DataArray, or a tuple of them for a tuple source,
    checked (in ``ds``, with ``sample_dim``, numeric) and aligned."""
    if not isinstance(ds, xr.Dataset):
        raise ParameterTypeError(
            f"ds must be an xarray.Dataset, got {type(ds).__name__}", param="ds"
        )
    if isinstance(sources, str | xr.DataArray) or not isinstance(sources, Sequence):
        raise ParameterTypeError(
            f"sources must be a list of variable names (e.g. ['x1', 'x2']), got {sources!r}",
            param="sources",
        )
    roles: list[xr.DataArray | tuple[xr.DataArray, ...]] = []
    members, member_roles = [], []
    for role, v in [("target", target), *((f"sources[{i}]", s) for i, s in enumerate(sources))]:
        if isinstance(v, tuple) and role != "target":
            if not v:
                raise ParameterError(
                    f"{role} is an empty group: give a tuple of variable names, e.g. ('x', 'y')",
                    param=role,
                )
            group = tuple(_variable(ds, x, role, sample_dim) for x in v)
            roles.append(group)
            members += group
            member_roles += [role] * len(group)
            continue
        roles.append(_variable(ds, v, role, sample_dim))
        members.append(roles[-1])
        member_roles.append(role)
    _check_aligned(members, member_roles)
    return roles


def _variable(ds, v, role: str, sample_dim) -> xr.DataArray:
    """One variable of ``ds`` (by name, or given as a DataArray), checked."""
    if not isinstance(v, xr.DataArray):
        if not isinstance(v, Hashable) or v not in ds.data_vars:
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
    return v


def _group_name(group_dim: Hashable) -> str:
    """The dimension that replaces ``group_dim`` when its units are grouped."""
    return f"{group_dim}_group"


def _unit_groups(groups, group_dim, roles, sample_dim) -> list[tuple[int, ...]] | None:
    """Check ``groups`` against ``group_dim``; the groups as tuples of positions (or None)."""
    if groups is None:
        return None
    arrays = [a for r in roles for a in (r if isinstance(r, tuple) else (r,))]
    having = [a for a in arrays if group_dim in a.dims]
    if not having:
        dims = sorted({str(d) for a in arrays for d in a.dims})
        raise ParameterError(
            f"group_dim {group_dim!r} is not a dimension of the target or any source (dims: "
            f"{dims}): pass the dimension whose units to join as group_dim",
            param="group_dim",
        )
    if group_dim == sample_dim:
        raise ParameterError(
            f"group_dim {group_dim!r} is the sample dimension: units are joined, not samples; "
            "pass another dimension as group_dim",
            param="group_dim",
        )
    name = _group_name(group_dim)
    if any(name in a.dims for a in arrays):
        raise ParameterError(
            f"the variables already have a dimension {name!r}, which grouping {group_dim!r} "
            "would create: rename it first",
            param="group_dim",
        )
    n_units = having[0].sizes[group_dim]
    if isinstance(groups, int | np.integer) and not isinstance(groups, bool):
        if groups < 1:
            raise ParameterError(
                f"groups={groups} units per group: give an int >= 1 (e.g. groups=2 for pairs)",
                param="groups",
            )
        if n_units % groups:
            raise ParameterError(
                f"groups={groups} does not split the {n_units} units of {group_dim!r} into "
                f"blocks of {groups}: give a divisor of {n_units}, or a list of unit lists to "
                "keep a shorter last group, e.g. [[0, 1], [2]]",
                param="groups",
            )
        return [tuple(range(i, i + int(groups))) for i in range(0, n_units, int(groups))]
    if isinstance(groups, str | bytes) or not isinstance(groups, Sequence | np.ndarray):
        raise ParameterTypeError(
            f"groups must be an int (units per group) or a list of lists of unit positions, "
            f"e.g. [[0, 1], [2, 3]], got {groups!r}",
            param="groups",
        )
    out: list[tuple[int, ...]] = []
    seen: dict[int, int] = {}
    for g, group in enumerate(groups):
        if isinstance(group, str | bytes) or not isinstance(group, Sequence | np.ndarray | range):
            raise ParameterTypeError(
                f"group {g} of groups is {group!r}, not a list of unit positions: give e.g. "
                f"[[0, 1], [2]]",
                param="groups",
            )
        if len(group) == 0:
            raise ParameterError(
                f"group {g} of groups is empty: every group needs at least one unit", param="groups"
            )
        members = []
        for u in group:
            if isinstance(u, bool) or not isinstance(u, int | np.integer):
                raise ParameterTypeError(
                    f"group {g} of groups holds {u!r}: units are given by their position (an int) "
                    f"along {group_dim!r}",
                    param="groups",
                )
            if not 0 <= u < n_units:
                raise ParameterError(
                    f"group {g} of groups names unit {u}, outside 0..{n_units - 1} (the positions along "
                    f"{group_dim!r})",
                    param="groups",
                )
            if int(u) in seen:
                where = (
                    f"twice in group {g}"
                    if seen[int(u)] == g
                    else f"in group {seen[int(u)]} and again in group {g}"
                )
                raise ParameterError(
                    f"unit {u} is {where} of groups: give every unit at most once",
                    param="groups",
                )
            seen[int(u)] = g
            members.append(int(u))
        out.append(tuple(members))
    if not out:
        raise ParameterError(
            "groups is empty: give at least one group of unit positions, e.g. [[0, 1]]",
            param="groups",
        )
    return out


def _entry(setting: Any, v: int, binning: bool = False) -> Any:
    """Variable ``v``'s entry of a ``bins`` or ``binning`` setting (the setting itself when it
    is one value for all variables)."""
    if isinstance(setting, str) or setting is None or not isinstance(setting, Sequence):
        return setting
    if binning and is_edges(setting):
        return setting
    return setting[v] if v < len(setting) else setting  # a wrong length fails later, by name


def _take(a: xr.DataArray, group_dim: Hashable, units: list[int], labels: list[str]):
    """``a`` at ``units`` of ``group_dim``, along the group dimension labelled ``labels``."""
    picked = a.isel({group_dim: units})
    picked = picked.drop_vars([c for c in picked.coords if group_dim in picked[c].dims])
    name = _group_name(group_dim)
    return picked.rename({group_dim: name}).assign_coords({name: labels})


def _joint_variables(
    roles: list,
    names: list[str],
    joint: list[int],
    bins: Any,
    binning: Any,
    unit_groups: list[tuple[int, ...]] | None,
    group_dim: Hashable,
    sample_dim: Hashable,
    skip_missing: bool,
) -> tuple[list[xr.DataArray], list, list, dict[int, list]]:
    """The variables with every role in ``joint`` replaced by its joint state's codes (int64,
    lazily; -1 where a member is NaN at every sample).

    A joint role's *slots* are its members, and for a member with ``group_dim`` the units of
    each group (slot ``k``: the ``k``-th unit of every group). Every slot is coded per batch
    element (:func:`pidtools.binning.codes_into`) with its role's ``bins``/``binning`` entry;
    ``bins="auto"`` is resolved over all variables and slots together (every slot a variable
    of the joint histogram, :func:`pidtools.estimate.leaf_settings`), from the first batch
    element, once per group size from the first group of that size. The joint code of a group
    is the mixed-radix number of its slots' codes, each digit's base being the slot's number of
    codes (bins, or the size of an integer member's alphabet).

    Returns the variables, the ``bins`` and ``binning`` settings per variable (joint roles
    ``None``, the others resolved) and, per joint role, its slots' bins in its largest group.
    """
    groups = unit_groups if unit_groups else [()]
    width = max(len(g) for g in groups)
    gname = _group_name(group_dim)
    labels = None
    if unit_groups:
        members = [a for r in roles for a in (r if isinstance(r, tuple) else (r,))]
        coord = next((m[group_dim].values for m in members if group_dim in m.coords), None)
        names_along = coord if coord is not None else np.arange(_dim_size(members, group_dim))
        labels = ["+".join(str(names_along[u]) for u in g) for g in groups]
    # per joint role: its slots (array, member index, unit index within the group or None)
    slots: dict[int, list] = {}
    alphabets: dict[int, list] = {}
    for v in joint:
        members = list(roles[v]) if isinstance(roles[v], tuple) else [roles[v]]
        alphabets[v] = [_alphabet(m) for m in members]
        slots[v] = []
        for j, m in enumerate(members):
            if unit_groups and group_dim in m.dims:
                for k in range(width):
                    units = [g[k] if k < len(g) else g[0] for g in groups]
                    slots[v].append((_take(m, group_dim, units, labels), j, k))
            else:
                slots[v].append((m, j, None))

    def present(v: int, group: tuple[int, ...]) -> list[int]:
        return [s for s, (_, _, k) in enumerate(slots[v]) if k is None or k < len(group)]

    def probe(a: xr.DataArray, g: int) -> np.ndarray:
        return a.isel({d: (g if d == gname else 0) for d in a.dims if d != sample_dim}).values

    # bins and binning of every slot and plain variable, per group size
    n_samples = _dim_size(
        [a for r in roles for a in (r if isinstance(r, tuple) else (r,))], sample_dim
    )
    per_size: dict[int, dict[int, tuple[list, list]]] = {}
    for g, group in enumerate(groups):
        if len(group) in per_size:
            continue
        leaves, leaf_names, owners = [], [], []
        for v, r in enumerate(roles):
            if v in joint:
                for i, s in enumerate(present(v, group)):
                    leaves.append((v, probe(slots[v][s][0], g), True))
                    leaf_names.append(f"{names[v]}[{i}]")
                    owners.append(v)
            else:
                leaves.append((v, probe(r, g), False))
                leaf_names.append(names[v])
                owners.append(v)
        probes = [x for _, x, _ in leaves]
        b, method = per_variable_binning(*leaf_settings(bins, binning, leaves), probes, leaf_names)
        b = resolve_auto_bins(b, method, [_finite(x) for x in probes], n_samples)
        per_size[len(group)] = {
            v: ([x for x, o in zip(b, owners, strict=True) if o == v],
                [x for x, o in zip(method, owners, strict=True) if o == v])
            for v in range(len(roles))
        }  # fmt: skip
    first = per_size[len(groups[0])]
    role_bins = [None if v in joint else first[v][0][0] for v in range(len(roles))]
    role_binning = [None if v in joint else first[v][1][0] for v in range(len(roles))]
    biggest = len(groups[max(range(len(groups)), key=lambda g: len(groups[g]))])
    member_bins = {v: per_size[biggest][v][0] for v in joint}
    arrays = []
    for v, r in enumerate(roles):
        if v not in joint:
            arrays.append(r)
            continue
        # per slot and group: bins (-1 for integer codes) and the digit's weight (0: absent)
        n_slots = len(slots[v])
        n_bins = np.full((n_slots, len(groups)), -1, dtype=np.int64)
        weight = np.zeros((n_slots, len(groups)), dtype=np.int64)
        methods: list[Any] = [None] * n_slots
        for g, group in enumerate(groups):
            b, method = per_size[len(group)][v]
            place = 1
            for i, s in reversed(list(enumerate(present(v, group)))):
                methods[s] = method[i]
                if method[i] is None:
                    base = alphabets[v][slots[v][s][1]].size
                else:
                    base = method[i].size - 1 if isinstance(method[i], np.ndarray) else int(b[i])
                    n_bins[s, g] = base
                weight[s, g] = place
                place *= max(base, 1)
                if place > 2**62:
                    raise ParameterError(
                        f"the joint states of {names[v]} (codes per member: bins, or the "
                        "distinct values of an integer member) number more than 2**62: use "
                        "fewer bins, smaller groups or integer members with fewer values",
                        param=names[v],
                    )

        def along(values: np.ndarray) -> xr.DataArray:
            if not unit_groups:
                return xr.DataArray(values[0])
            return xr.DataArray(values, dims=[gname], coords={gname: labels})

        code = functools.partial(
            _joint_codes_block, role=names[v], member_names=[a.name for a, _, _ in slots[v]],
            methods=methods, alphabets=[alphabets[v][j] for _, j, _ in slots[v]],
            sample_dim=sample_dim, skip_missing=skip_missing,
        )  # fmt: skip
        coded = xr.apply_ufunc(
            code,
            *(a for a, _, _ in slots[v]),
            *(along(n_bins[s]) for s in range(n_slots)),
            *(along(weight[s]) for s in range(n_slots)),
            input_core_dims=[[sample_dim]] * n_slots + [[]] * (2 * n_slots),
            output_core_dims=[[sample_dim]],
            dask="parallelized",
            output_dtypes=[np.int64],
        )
        arrays.append(coded.rename(names[v]))
    return arrays, role_bins, role_binning, member_bins


def _joint_codes_block(
    *data, role, member_names, methods, alphabets, sample_dim, skip_missing
) -> np.ndarray:
    """Joint codes of one block: ``data`` holds the slots' samples, then per slot its bins
    (-1: integer codes) and its digit's weight (0: not a member) per batch element."""
    n_slots = len(methods)
    xs, bs, ws = data[:n_slots], data[n_slots : 2 * n_slots], data[2 * n_slots :]
    shape = np.broadcast_shapes(*(x.shape[:-1] for x in xs), *(b.shape for b in bs))
    n = xs[0].shape[-1]
    out = np.zeros(shape + (n,), dtype=np.int64)
    absent = np.zeros(shape, dtype=bool)
    for s in range(n_slots):
        x = np.broadcast_to(xs[s], shape + (n,))
        b, w = np.broadcast_to(bs[s], shape), np.broadcast_to(ws[s], shape)
        use = w > 0
        if methods[s] is not None:  # floating: NaN padding, or an error
            missing = use & np.isnan(x).all(axis=-1)
            bad = use & ~np.isfinite(x).all(axis=-1) & ~(missing & skip_missing)
            if bad.any():
                hint = (
                    "in a batch element that is not NaN at every sample"
                    if skip_missing
                    else "(pass skip_missing=True if whole batch elements are NaN padding)"
                )
                raise ParameterError(
                    f"{role} ({member_names[s]!r}) contains NaN or infinite values along "
                    f"sample_dim {sample_dim!r} {hint}: drop or impute those samples",
                    param=role,
                )
            absent |= missing
            use = use & ~missing
        for value in np.unique(b[use]):
            rows = use & (b == value)
            codes = np.empty((int(rows.sum()), n), dtype=np.int64)
            n_bins = None if value < 0 else int(value)
            codes_into(x[rows], role, n_bins, methods[s], alphabets[s], codes)
            out[rows] += codes * w[rows][:, None]
    out[absent] = -1
    return out


def _dim_size(arrays: list[xr.DataArray], dim: Hashable) -> int:
    """The length of ``dim`` in the first of ``arrays`` that has it."""
    return next(a.sizes[dim] for a in arrays if dim in a.dims)


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


def _alphabet(a: xr.DataArray, joint: bool = False) -> np.ndarray | None:
    """Sorted distinct values of an integer variable over the whole array (None for floats);
    for ``joint`` codes without the -1 of absent groups."""
    if not (np.issubdtype(a.dtype, np.integer) or a.dtype == bool):
        return None
    if a.chunks is None:
        values = np.unique(a.values)
    else:
        import dask.array as da

        values = np.asarray(da.unique(a.data).compute())
    return values[values >= 0] if joint else values


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
        "binning": repr(kwargs.get("binning", "auto")),
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
