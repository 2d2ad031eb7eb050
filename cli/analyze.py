"""``infomorph analyze``: how the PID atoms of every neuron change during learning."""

from __future__ import annotations

import contextlib
import sys
import warnings
from pathlib import Path

import click
import numpy as np

from .output import (
    DataError,
    InputError,
    atomic_write_many,
    check_figure_format,
    check_output,
    dumps,
    for_cli,
    format_option,
    render_csv,
    render_table,
)

#: Variable names written by ``infomorph train`` (the record schema), used when none are given.
DEFAULT_TARGET = "output"
DEFAULT_SOURCES = ("receptive", "context")
#: Rough size of one chunk of input data; bounds memory whatever the dataset's size.
CHUNK_BYTES = 64 * 2**20


def open_activations(path: Path):
    """Open a netCDF file or zarr store lazily (dask-backed); exit 2 with a clear message."""
    import xarray as xr

    if not path.exists():
        raise InputError(f"{path} does not exist: give the path of a netCDF file or zarr store")
    is_zarr = path.is_dir() or path.suffix == ".zarr"
    try:
        if is_zarr:
            with warnings.catch_warnings():  # stores without consolidated metadata are fine
                warnings.simplefilter("ignore", RuntimeWarning)
                return xr.open_zarr(path, chunks={})
        return xr.open_dataset(path, chunks={})
    except Exception as err:  # the backends raise many types for unreadable files
        kind = "zarr store" if is_zarr else "netCDF file"
        raise InputError(
            f"{path} is not a readable {kind} ({type(err).__name__}: {str(err).splitlines()[0][:120]}); "
            "write it with xarray's to_netcdf or to_zarr"
        ) from None


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


def _report_table(summary, over: str) -> str:
    lines = [render_table([over, *summary.atoms], summary.rows())]
    trend_rows = [
        [lab, t["first"], t["last"], t["change"], t["rho"], t["p_value"]]
        for lab, t in summary.trend.items()
    ]
    lines += ["", render_table(["atom", "first", "last", "change", "rho", "p"], trend_rows)]
    lines += [
        "",
        f"dominant atom: {summary.dominant['first']} at the start, {summary.dominant['last']} at the end "
        f"(means over {summary.n_units} units per {over})",
    ]
    return "\n".join(lines)


@click.command("analyze")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--target", help=f"Target variable (default {DEFAULT_TARGET!r}).")
@click.option(
    "--source",
    "sources",
    multiple=True,
    help=f"Source variable, repeatable (default {', '.join(DEFAULT_SOURCES)}).",
)
@click.option("--over", default="epoch", show_default=True, help="The learning dimension.")
@click.option(
    "--sample-dim", default="sample", show_default=True, help="The dimension holding the samples."
)
@click.option("--measure", default="sx", show_default=True, help="Redundancy measure.")
@click.option(
    "--bins", default=8, show_default=True, type=click.IntRange(2), help="Bins for float variables."
)
@click.option(
    "--binning", type=click.Choice(["quantile", "uniform"]), default="quantile", show_default=True
)
@click.option(
    "--estimator", type=click.Choice(["plugin", "shuffle"]), default="plugin", show_default=True
)
@click.option(
    "--shuffles",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Target shuffles (null, p-values).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random state for shuffles.")
@format_option
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write per-neuron atoms as netCDF."
)
@click.option("--plot", type=click.Path(path_type=Path), help="Write a figure (.png, .pdf, .svg).")
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Start a local dask cluster with N worker processes.",
)
@click.option("--scheduler", help="Address of a running dask.distributed scheduler.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def analyze_command(debug, **options):
    """Report how redundancy, unique information and synergy change during learning.

    PATH is a netCDF file or zarr store of activations with a sample dimension and a learning
    dimension (e.g. written by `infomorph train`, or by any framework, see the README). For
    every unit (neuron, layer, ...) and epoch the PID of the target given the sources is
    estimated from the samples; the report gives per epoch the mean and spread over units of
    every atom, and each atom's trend.

    \b
    Examples:
      infomorph analyze run.nc
      infomorph analyze acts.zarr --target hidden --source receptive --source label --format json
      infomorph analyze run.nc -o atoms.nc --plot atoms.png --workers 2
    """
    try:
        run_analysis(**options)
    except click.ClickException:
        raise
    except (ValueError, TypeError, KeyError) as err:
        if debug:
            raise
        raise InputError(for_cli(str(err).strip("'\"").splitlines()[0])) from None
    except Exception as err:
        if debug:
            raise
        raise DataError(
            f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        ) from None


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
        skip_missing=True,
    )
    with dask_context(workers, scheduler, not quiet and sys.stderr.isatty()):
        return lazy.compute()


def run_analysis(
    *, path, target, sources, over, sample_dim, measure, bins, binning, estimator, shuffles,
    seed, fmt, output, plot, workers, scheduler, quiet,
):  # fmt: skip
    """Everything `analyze` does after parsing its options; returns the :class:`Summary`."""
    from infomorph.analysis import plot_dynamics, summarize

    if estimator == "shuffle" and shuffles < 1:
        raise InputError(
            "--estimator shuffle subtracts a shuffled null: give --shuffles N (e.g. 50)"
        )
    check_output(output, "-o", inputs=[path])
    check_output(plot, "--plot", inputs=[path])
    check_figure_format(plot, "--plot")
    if output is not None and plot is not None and Path(output).resolve() == plot.resolve():
        raise InputError(f"-o and --plot are the same file {plot}; give two names")
    ds = open_activations(path)
    target, sources = resolve_variables(ds, target, sources, over, sample_dim)
    ds = _chunked(ds, (target, *sources), over, sample_dim)
    n_samples = ds.sizes[sample_dim]
    if n_samples < bins:
        raise InputError(
            f"{n_samples} samples along {sample_dim!r} but --bins {bins}: use fewer bins than samples"
        )
    settings = {
        "path": str(path),
        "target": target,
        "sources": list(sources),
        "over": over,
        "sample_dim": sample_dim,
        "measure": measure,
        "bins": bins,
        "binning": binning,
        "estimator": estimator,
        "n_shuffles": shuffles,
        "seed": seed,
        "n_samples": n_samples,
    }
    try:
        result = _compute(ds, target, sources, sample_dim, settings, workers, scheduler, quiet)
    except (ValueError, TypeError) as err:
        raise InputError(for_cli(str(err).splitlines()[0], sources, target)) from None
    if over not in result["atoms"].dims:
        raise InputError(f"the atoms do not vary along {over!r}: check --over")
    if not np.isfinite(result["atoms"].values).any():
        raise InputError(
            f"no unit has finite values of {target} and {', '.join(sources)} at any "
            f"{over}: every unit was skipped for NaN or inf; check the data"
        )
    result = result.transpose(over, ..., "atom")
    result.attrs.update({k: str(v) if isinstance(v, list) else v for k, v in settings.items()})
    summary = summarize(result["atoms"], over=over, settings=settings)
    writes = []
    if output is not None:
        writes.append((output, lambda tmp: result.to_netcdf(tmp, engine="h5netcdf"), "-o"))
    if plot is not None:
        names = ", ".join(f"{i} = {s}" for i, s in enumerate(sources, 1))
        title = f"{Path(path).name}: PID of {target} ({measure}; sources {names})"
        writes.append(
            (
                plot,
                lambda tmp: plot_dynamics(result["atoms"], summary, tmp, over=over, title=title),
                "--plot",
            )
        )
    atomic_write_many(writes)
    if fmt == "json":
        click.echo(dumps(summary.to_dict()))
    elif fmt == "csv":
        click.echo(render_csv([over, *summary.atoms], summary.rows()))
    else:
        click.echo(_report_table(summary, over))
    return summary
