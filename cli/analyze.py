"""``infomorph analyze``: how the PID atoms of every neuron change during learning."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
import numpy as np

from .inputs import open_activations
from .output import (
    DataError,
    InputError,
    atomic_write_many,
    binning_options,
    check_figure_format,
    check_output,
    dumps,
    format_option,
    handle_errors,
    measure_option,
    name_parameters,
    render_csv,
    render_table,
)

#: Variable names written by ``infomorph train`` (the record schema), used when none are given.
DEFAULT_TARGET = "output"
DEFAULT_SOURCES = ("receptive", "context")
#: Rough size of one chunk of input data; bounds memory whatever the dataset's size.
CHUNK_BYTES = 64 * 2**20


def resolve_variables(ds, target, sources, over, sample_dim):
    """Check the chosen variables and dimensions; return (target, sources)."""
    have = list(ds.data_vars)
    if target is None:
        target = DEFAULT_TARGET
        if target not in ds:
            raise InputError(
                f"no --target given and the dataset has no {target!r}: pass --target, one of {have}"
            )
    if not sources:
        sources = tuple(s for s in DEFAULT_SOURCES if s in ds)
        if len(sources) < 1:
            raise InputError(
                f"no --source given and the dataset has none of {list(DEFAULT_SOURCES)}: pass --source from {have}"
            )
    for role, name in [("--target", target), *(("--source", s) for s in sources)]:
        if name not in ds.data_vars:
            raise InputError(f"{role} {name!r} is not in the dataset; it has {have}")
        if sample_dim not in ds[name].dims:
            raise InputError(
                f"{role} {name!r} has dims {ds[name].dims}, without the sample dimension {sample_dim!r}: "
                "pass --sample-dim"
            )
    if not 1 <= len(sources) <= 4:
        raise InputError(f"give 1 to 4 --source variables, got {len(sources)}")
    if not any(over in ds[v].dims for v in (target, *sources)):
        dims = sorted({d for v in (target, *sources) for d in ds[v].dims})
        raise InputError(
            f"none of the variables has the learning dimension {over!r} (dims: {dims}): pass --over"
        )
    return target, tuple(sources)


def _chunked(ds, variables, over, sample_dim):
    """Chunk along ``over`` so that one chunk of every variable stays near CHUNK_BYTES."""
    per_step = sum(
        ds[v].dtype.itemsize * int(np.prod([ds[v].sizes[d] for d in ds[v].dims if d != over]))
        for v in variables
    )
    step = max(1, int(CHUNK_BYTES // max(per_step, 1)))
    chunks = {d: -1 for v in variables for d in ds[v].dims}
    chunks[over] = min(step, ds.sizes[over])
    return ds[list(variables)].chunk(chunks)


@contextlib.contextmanager
def dask_context(workers: int | None, scheduler: str | None, progress: bool):
    """A local cluster (``workers``), a remote one (``scheduler``) or the threaded scheduler."""
    if workers is not None and scheduler:
        raise InputError("give --workers or --scheduler, not both")
    if workers is not None or scheduler:
        from distributed import Client, LocalCluster

        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except OSError as err:
                raise DataError(
                    f"cannot reach the dask scheduler at {scheduler} ({err}); check the address"
                ) from None
            with client:
                yield
            return
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            ) as cluster,
            Client(cluster),
        ):
            yield
        return
    if progress:
        from dask.diagnostics import ProgressBar

        with ProgressBar(out=sys.stderr, minimum=1.0):
            yield
        return
    yield


def format_p(p: float) -> str:
    """A p-value for a report: ``< 1e-4`` below 1e-4, never ``0``."""
    if p is None or not np.isfinite(p):
        return "-"
    return "< 1e-4" if p < 1e-4 else f"{p:.4f}"


def report_text(summary, over: str, title: str = "") -> str:
    """The plain-text report of an analysis: what was analysed and how, then per group the atoms
    per epoch, the share of significant units, the noise floor, the dominant atom and trends."""
    st = summary.settings
    lines = [title or "PID atoms over learning", ""]
    lines.append(f"input: {st.get('path')}")
    lines.append(
        f"target: {st.get('target')}; samples per unit (N): {st.get('n_samples')} along "
        f"{st.get('sample_dim')!r}; learning dimension: {over!r}"
    )
    est = st.get("estimator")
    null = (
        f"{st.get('n_shuffles')} target shuffles per unit: corrected atom = plug-in - null mean"
        if est == "shuffle"
        else (f"{st.get('n_shuffles')} target shuffles (null only)" if st.get("n_shuffles")
              else "no shuffles: plug-in atoms, biased upwards, no null")
    )  # fmt: skip
    if est == "knn":
        null = f"nearest neighbours, k = {st.get('k')}, no binning; " + null.split(":")[0]
    lines.append(f"measure: {st.get('measure')}; estimator: {est} ({null})")
    lines.append(
        f"binning: {'none' if est == 'knn' else st.get('binning')}; significance: two-sided permutation p, max-T adjusted "
        f"over a unit's atoms, <= {summary.alpha}; an atom is distinguishable from the null "
        "when more units are significant than chance explains (binomial count test, "
        "Benjamini-Hochberg over atoms and epochs)"
    )
    for g in summary.groups:
        lines += ["", f"== {g.name}: {g.n_units} units =="]
        key = ", ".join(f"{i} = {s}" for i, s in enumerate(g.sources, 1))
        gs = st.get("groups", {}).get(g.name, {})
        binned = (
            f"codes per variable (at most: a variable with fewer distinct values "
            f"gets one code each): {_bins_text(gs.get('bins', {}))}; joint cells "
            f"<= {gs.get('cells')}; samples per "
            f"occupied cell: min {g.samples_per_cell['min']:.1f}, median "
            f"{g.samples_per_cell['median']:.1f}"
        )
        lines.append(f"sources: {key}; " + ("no binning" if est == "knn" else binned))
        if g.unit_groups:
            shown_groups = ", ".join(g.unit_groups[:8]) + (
                ", ..." if len(g.unit_groups) > 8 else ""
            )
            lines.append(
                f"units: {len(g.unit_groups)} groups of {st.get('unit_dim')!r}, each one joint "
                f"variable (members binned on their own, then combined): {shown_groups}"
            )
        shown = [a for a in g.atoms if g.distinguishable is None or any(g.distinguishable[a])]
        hidden = [a for a in g.atoms if a not in shown]
        if g.distinguishable is not None and not shown:
            lines.append(f"no atom is distinguishable from the null at any {over}")
        cols = shown or g.atoms
        rows = []
        for i, e in enumerate(g.epochs):
            row = [e]
            for a in cols:
                mark = "*" if g.distinguishable and g.distinguishable[a][i] else " "
                row.append(f"{g.mean[a][i]: .4f}{mark}")
            rows.append(row)
        lines += ["", "mean atom over units (bit); * = distinguishable from the null"]
        lines.append(render_table([over, *cols], rows))
        if g.fraction_significant is not None:
            rows = [[e, *(f"{g.fraction_significant[a][i]:.2f}" for a in cols)]
                    for i, e in enumerate(g.epochs)]  # fmt: skip
            lines += ["", f"share of units with the atom significant (chance: <= {summary.alpha})"]
            lines.append(render_table([over, *cols], rows))
            floor = [f"{a} {np.nanmedian(g.null_std[a]):.4f}" for a in cols]
            lines += ["", "null band of one unit (median null std, bit): " + ", ".join(floor)]
        if hidden:
            lines.append(
                "not distinguishable from the null at any " + over + ": " + ", ".join(hidden)
            )
        if g.trend:
            trend_rows = [
                [a, t["first"], t["last"], t["change"], t["rho"], format_p(t["p_value"]), t["test"]]
                for a, t in g.trend.items()
            ]
            lines += ["", f"trend of the mean over {over} (Spearman rho, two-sided p)"]
            lines.append(
                render_table(["atom", "first", "last", "change", "rho", "p", "test"], trend_rows)
            )
        first, last = g.dominant["first"], g.dominant["last"]
        word = lambda a: a if a else "none distinguishable from the null"  # noqa: E731
        lines += ["", f"dominant atom: {word(first)} at the start, {word(last)} at the end"]
        for w in g.warnings:
            lines.append(f"warning: {w}")
    return "\n".join(lines)


@click.command("analyze")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--target", help=f"Target variable (default {DEFAULT_TARGET!r}).")
@click.option(
    "--source",
    "sources",
    multiple=True,
    help=(
        "Source variable, repeatable (default: each layer's own input classes in a training "
        f"record, else {', '.join(DEFAULT_SOURCES)})."
    ),
)
@click.option("--over", default="epoch", show_default=True, help="The learning dimension.")
@click.option(
    "--sample-dim", default="sample", show_default=True, help="The dimension holding the samples."
)
@click.option(
    "--group-dim",
    default="auto",
    show_default=True,
    help="Dimension whose entries are analysed and reported separately, never pooled "
    "('auto': 'layer' when the target has it; 'none': pool all units).",
)
@click.option(
    "--group-units",
    type=click.IntRange(1),
    help="Join every N consecutive units of --unit-dim into one joint variable (N must "
    "divide their number); each group is analysed as one unit.",
)
@click.option(
    "--unit-groups",
    help="Explicit groups of units of --unit-dim by position, e.g. '0,1;2,3;4': each group's "
    "joint state is one variable, analysed as one unit.",
)
@click.option(
    "--unit-dim",
    default="neuron",
    show_default=True,
    help="The dimension whose units --group-units / --unit-groups join.",
)
@measure_option()
@binning_options("variable")
@click.option(
    "--estimator",
    type=click.Choice(["shuffle", "plugin", "knn"]),
    default="shuffle",
    show_default=True,
    help="'shuffle': plug-in minus the mean over target-shuffled nulls (bias-corrected); "
    "'plugin': the empirical pmf's atoms (biased upwards); 'knn': no binning, continuous I^sx "
    "atoms from nearest neighbours (--measure sx, real-valued sources).",
)
@click.option(
    "--k",
    "k",
    default=4,
    show_default=True,
    type=click.IntRange(1),
    help="Neighbours of --estimator knn.",
)
@click.option(
    "--shuffles",
    default=100,
    show_default=True,
    type=click.IntRange(0),
    help="Target shuffles per unit (null mean, noise floor, p-values).",
)
@click.option(
    "--alpha",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Significance level of the unit and group tests.",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Random state for shuffles.",
)
@format_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write per-unit atoms and statistics as netCDF.",
)
@click.option("--plot", type=click.Path(path_type=Path), help="Write a figure (.png, .pdf, .svg).")
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Start a local dask cluster with N worker processes.",
)
@click.option("--scheduler", help="Address of a running dask.distributed scheduler.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@handle_errors
def analyze_command(**options):
    """Report how redundancy, unique information and synergy change during learning.

    PATH is a netCDF file or zarr store of activations with a sample dimension and a learning
    dimension (e.g. written by `infomorph train`, or by any framework, see the README). For
    every unit (neuron, ...) and epoch the PID of the target given the sources is estimated from
    the samples, bias-corrected with target shuffles, and tested against the shuffled null. The
    report gives, per layer (never pooled), the mean atoms, the share of significant units, the
    noise floor, the dominant atom and each atom's trend; only atoms that stand out from the
    null are summarised.

    \b
    Examples:
      infomorph analyze run.nc
      infomorph analyze acts.zarr --target hidden --source receptive --source label --format json
      infomorph analyze run.nc -o atoms.nc --plot atoms.png --workers 2
      infomorph analyze acts.nc --target label --source hidden --group-units 2
    """
    summary = run_analysis(**options)
    for w in summary.warnings:
        click.echo(f"warning: {w}", err=True)


def _compute(ds, target, sources, sample_dim, settings, workers, scheduler, quiet):
    """The PID of ``target`` given ``sources`` for every unit and step, computed by dask with
    the estimation ``settings`` of :func:`run_analysis`."""
    from pidtools.xarray import pid_dataset

    lazy = pid_dataset(
        ds,
        target,
        list(sources),
        sample_dim=sample_dim,
        measure=settings["measure"],
        bins=settings["bins"],
        binning=settings["binning"],
        estimator=settings["estimator"],
        n_shuffles=settings["n_shuffles"],
        random_state=settings["seed"],
        k=settings.get("k", 4),
        groups=settings.get("unit_groups"),
        group_dim=settings.get("unit_dim") or "neuron",
        skip_missing=True,
    )
    with dask_context(workers, scheduler, not quiet and sys.stderr.isatty()):
        return lazy.compute()


def layer_sources(ds, group_dim, group, sources):
    """The sources of one group: the given ones, or a training record's own input classes of
    that layer (``source_names(layer, source)``) when none are given."""
    if sources:
        return tuple(sources)
    if group is not None and "source_names" in ds and group_dim in ds["source_names"].dims:
        names = [str(v) for v in ds["source_names"].sel({group_dim: group}).values if str(v)]
        names = [n for n in names if n in ds.data_vars]
        if names:
            return tuple(names)
    return tuple(s for s in DEFAULT_SOURCES if s in ds)


def _group_dim(ds, target, group_dim):
    if group_dim == "none":
        return None
    if group_dim == "auto":
        return "layer" if "layer" in ds[target].dims else None
    if group_dim not in ds[target].dims:
        raise InputError(
            f"--group-dim {group_dim!r} is not a dimension of --target {target} (dims "
            f"{ds[target].dims}): pass one of them, or 'none'"
        )
    return group_dim


def stacked_result(results: dict, group_dim: str | None, over: str):
    """One dataset of all groups: atoms padded to the largest lattice along ``group_dim``, with
    the label of every position in ``atom_label(group_dim, atom)`` (a training record's layout);
    a single group without ``group_dim`` is returned as it is."""
    import xarray as xr

    if group_dim is None:
        return next(iter(results.values()))
    n_atoms = max(r.sizes["atom"] for r in results.values())
    parts, labels = [], []
    for name, r in results.items():
        lab = [str(a) for a in r["atom"].values]
        labels.append(lab + [""] * (n_atoms - len(lab)))
        r = r.assign_coords(atom=np.arange(r.sizes["atom"])).reindex(atom=np.arange(n_atoms))
        parts.append(r.expand_dims({group_dim: [name]}))
    out = xr.concat(parts, dim=group_dim, combine_attrs="drop_conflicts")
    out = out.assign_coords(atom_label=((group_dim, "atom"), np.array(labels)))
    return out.transpose(over, group_dim, ..., "atom")


def parse_unit_groups(group_units: int | None, unit_groups: str | None):
    """The ``groups`` of :func:`pidtools.xarray.pid_dataset` from ``--group-units N`` or
    ``--unit-groups '0,1;2,3'`` (None when neither is given)."""
    if group_units is not None and unit_groups is not None:
        raise InputError("give --group-units or --unit-groups, not both")
    if unit_groups is None:
        return group_units
    try:
        groups = [[int(u) for u in g.split(",")] for g in unit_groups.split(";") if g.strip()]
    except ValueError:
        raise InputError(
            f"--unit-groups {unit_groups!r} is not a list of unit positions: give groups "
            "separated by ';' and positions by ',', e.g. --unit-groups '0,1;2,3;4'"
        ) from None
    if not groups:
        raise InputError(
            f"--unit-groups {unit_groups!r} holds no group: e.g. --unit-groups '0,1;2,3'"
        )
    return groups


def run_analysis(
    *, path, target, sources, over, sample_dim, measure, bins, binning, estimator, shuffles,
    seed, fmt, output, plot, workers, scheduler, quiet, alpha=0.05, group_dim="auto", k=4,
    group_units=None, unit_groups=None, unit_dim="neuron",
):  # fmt: skip
    """Everything `analyze` does after parsing its options; returns the
    :class:`pidtools.dynamics.Summary`."""
    from infomorph._io import write_netcdf
    from pidtools.dynamics import merge, plot_dynamics, summarize

    if estimator == "shuffle" and shuffles < 1:
        raise InputError(
            "--estimator shuffle subtracts a shuffled null: give --shuffles N (e.g. 100), or "
            "--estimator plugin for uncorrected atoms"
        )
    units = parse_unit_groups(group_units, unit_groups)
    check_output(output, "-o", inputs=[path])
    check_output(plot, "--plot", inputs=[path])
    check_figure_format(plot, "--plot")
    if output is not None and plot is not None and Path(output).resolve() == plot.resolve():
        raise InputError(f"-o and --plot are the same file {plot}; give two names")
    ds = open_activations(path)
    target, given = resolve_variables(ds, target, sources, over, sample_dim)
    if units is not None:
        name_parameters(groups="--group-units" if group_units is not None else "--unit-groups")
    if group_units is not None and ds.sizes.get(unit_dim, group_units) % group_units:
        n_units = ds.sizes[unit_dim]
        raise InputError(
            f"--group-units {group_units} does not split the {n_units} units of {unit_dim!r} "
            f"into blocks of {group_units}: give a divisor of {n_units}, or list the groups "
            "with --unit-groups (e.g. '0,1;2,3;4') to keep a shorter last group"
        )
    gdim = _group_dim(ds, target, group_dim)
    groups = [None] if gdim is None else [str(v) for v in ds[gdim].values]
    n_samples = ds.sizes[sample_dim]
    if isinstance(bins, int) and n_samples < bins and binning != "auto":
        raise InputError(
            f"{n_samples} samples along {sample_dim!r} but --bins {bins}: use fewer bins than samples"
        )
    settings = {
        "path": str(path), "target": target, "over": over, "sample_dim": sample_dim,
        "group_dim": gdim, "measure": measure, "bins": bins, "binning": binning,
        "estimator": estimator, "n_shuffles": shuffles, "alpha": alpha, "seed": seed,
        "n_samples": n_samples, "groups": {}, "k": k,
        "unit_dim": unit_dim if units is not None else None, "unit_groups": units,
    }  # fmt: skip
    results, summaries = {}, []
    for group in groups:
        part = ds if group is None else ds.sel({gdim: group})
        srcs = layer_sources(ds, gdim, group, sources)
        if not sources and not srcs:
            srcs = given
        _, srcs = resolve_variables(part, target, srcs, over, sample_dim)
        part = _chunked(part, (target, *srcs), over, sample_dim)
        name_parameters(
            target=f"--target {target}",
            **{f"sources[{i}]": f"--source {s}" for i, s in enumerate(srcs)},
        )
        result = _compute(part, target, srcs, sample_dim, settings, workers, scheduler, quiet)
        if over not in result["atoms"].dims:
            raise InputError(f"the atoms do not vary along {over!r}: check --over")
        name = "all" if group is None else group
        if not np.isfinite(result["atoms"].values).any():
            if len(groups) == 1:
                raise InputError(
                    f"no unit has finite values of {target} and {', '.join(srcs)} at any "
                    f"{over}: every unit was skipped for NaN or inf; check the data"
                )
            continue  # a layer without these variables (e.g. no lateral input)
        result = result.transpose(over, ..., "atom")
        result.attrs = {
            **{k: (str(v) if isinstance(v, list | dict) or v is None else v)
               for k, v in settings.items() if k not in ("groups", "bins")},
            **result.attrs,
        }  # fmt: skip
        result.attrs["sources"] = ", ".join(srcs)
        settings["groups"][name] = {
            "sources": list(srcs),
            "bins": _bins_by_variable(result.attrs.get("bins"), (target, *srcs)),
            "cells": _cells(result),
        }
        results[name] = result
        summaries.append(summarize(result, over, alpha=alpha, name=name, sources=list(srcs)))
    summary = merge(summaries, settings)
    if len(summary.groups) == 1:
        summary.settings["sources"] = summary.groups[0].sources
    title = f"{Path(path).name}: PID of {target} ({measure}, {estimator})"
    writes = []
    if output is not None:
        stacked = stacked_result(results, gdim, over)
        writes.append((output, lambda tmp: write_netcdf(stacked, tmp), "-o"))
    if plot is not None:
        writes.append(
            (
                plot,
                lambda tmp: plot_dynamics(results, summary, tmp, over=over, title=title),
                "--plot",
            )
        )
    atomic_write_many(writes)
    if fmt == "json":
        click.echo(dumps(summary.to_dict()))
    elif fmt == "csv":
        from pidtools.dynamics import ROW_HEADER

        click.echo(render_csv(ROW_HEADER, summary.rows()))
    else:
        click.echo(report_text(summary, over, title))
    return summary


def _bins_by_variable(text, names) -> dict:
    """``{variable: bins}`` from pid_dataset's ``attrs["bins"]`` (a list, target first, None for
    integer variables, which are codes)."""
    import ast

    try:
        values = ast.literal_eval(text) if isinstance(text, str) else text
    except (ValueError, SyntaxError):
        values = None
    if not isinstance(values, list | tuple) or len(values) != len(names):
        return {}
    return dict(zip(names, values, strict=True))


def _bins_text(bins: dict) -> str:
    """``output codes, receptive 6, ...``; a variable with up to 16 values stays coded by value
    under the auto binning; a joint variable (grouped units) lists its members'."""

    def one(b) -> str:
        if isinstance(b, list | tuple):
            return "per member " + "/".join(one(m) for m in b)
        return "codes" if b is None else str(b)

    return ", ".join(f"{k} {one(b)}" for k, b in bins.items()) or "-"


def _cells(result) -> int | None:
    """Cells of the joint histogram (at most; variables coded by value may use fewer)."""
    cells = result.attrs.get("max_cells")
    return int(cells) if cells is not None else None
