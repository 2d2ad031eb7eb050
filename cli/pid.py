"""``infomorph pid``: the decomposition of one pmf (a canonical gate or a file)."""

from __future__ import annotations

import math
from pathlib import Path

import click
import numpy as np

import pidtools
from pidtools._validation import check_pmf_size
from pidtools.binning import MIN_SAMPLES_PER_CELL
from pidtools.distributions import GATES, gate

from .output import (
    InputError,
    binning_options,
    dumps,
    format_option,
    handle_errors,
    measure_option,
    name_parameters,
    render_csv,
    render_table,
)


def _load_pmf(path: Path, shape: str | None) -> np.ndarray:
    if path.suffix == ".npy":
        try:
            _check_npy_header(path)
            return np.load(path, allow_pickle=False)
        except (ValueError, EOFError, OSError) as err:
            reason = str(err) or type(err).__name__
            raise InputError(
                f"{path} is not a readable .npy array ({reason}); save it with numpy.save"
            ) from None
    if path.suffix in (".csv", ".txt"):
        try:
            flat = np.loadtxt(
                path, delimiter="," if path.suffix == ".csv" else None, ndmin=1
            ).ravel()
        except ValueError as err:
            raise InputError(
                f"{path} does not hold numbers only ({err}); write one probability per cell"
            ) from None
        if shape is None:
            raise InputError(f"{path}: a CSV pmf needs --shape T,S1,...,Sn (e.g. --shape 2,2,2)")
        dims = _parse_shape(shape)
        if int(np.prod(dims)) != flat.size:
            raise InputError(
                f"--shape {shape} has {int(np.prod(dims))} cells but {path} holds {flat.size} numbers"
            )
        return flat.reshape(dims)
    raise InputError(
        f"{path}: unknown pmf file type {path.suffix!r}; use .npy, or .csv with --shape"
    )


def _check_npy_header(path: Path) -> None:
    """Reject, from its header alone, a .npy array too large for a pmf or larger than its
    file: nothing of the claimed size is allocated."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        read = {(1, 0): np.lib.format.read_array_header_1_0}.get(
            version, np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read(f)
        data_start = f.tell()
    try:
        check_pmf_size(shape, str(path))
    except ValueError as err:
        raise InputError(str(err)) from None
    claimed = math.prod(shape) * dtype.itemsize
    if not dtype.hasobject and claimed > path.stat().st_size - data_start:
        raise InputError(
            f"{path}: its header claims shape {shape} ({claimed} bytes) but the file holds "
            f"{path.stat().st_size - data_start} bytes of data; the file is truncated or damaged"
        )


def _parse_shape(shape: str) -> tuple[int, ...]:
    """``--shape T,S1,...,Sn`` as a tuple of alphabet sizes, each a positive int."""
    try:
        dims = tuple(int(s) for s in shape.split(","))
    except ValueError:
        dims = ()
    if not dims or any(d < 1 for d in dims):
        raise InputError(
            f"--shape {shape!r} must be positive ints separated by commas, target first "
            "(e.g. --shape 2,2,2)"
        )
    return dims


def _check_axes(p: np.ndarray, source: str) -> None:
    """A pmf file must have axes T, S1..Sn with 1 to 4 sources."""
    if not 2 <= p.ndim <= 5:
        raise InputError(
            f"{source}: a pmf has axes T,S1,...,Sn with 1 to 4 sources, got {p.ndim} axes "
            f"(shape {p.shape}); save it with that layout"
        )


def _load_columns(
    path: Path, target: str | None, sources: tuple[str, ...]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sample columns from a CSV file (header row) or 1-D variables of a netCDF file."""
    if target is None or not sources:
        raise InputError("--samples needs --target COLUMN and at least one --source COLUMN")
    names = [target, *sources]
    if path.suffix in (".nc", ".nc4", ".h5"):
        import xarray as xr

        try:
            ds = xr.open_dataset(path)
        except Exception as err:
            raise InputError(
                f"{path} is not a readable netCDF file ({type(err).__name__})"
            ) from None
        have = list(ds.data_vars)
        columns = {}
        for n in names:
            if n not in ds:
                raise InputError(f"{n!r} is not a variable of {path}; it has {have}")
            if ds[n].ndim != 1:
                raise InputError(
                    f"{_role(n, target)} is a variable with dims {ds[n].dims}, not a column: "
                    "--samples takes 1-D variables, one value per sample; for data with "
                    "units and epochs use `infomorph analyze`"
                )
            columns[n] = ds[n].values
    else:
        import pandas as pd

        try:
            df = pd.read_csv(path)
        except Exception as err:
            raise InputError(
                f"{path} is not a readable CSV file with a header row ({type(err).__name__})"
            ) from None
        for n in names:
            if n not in df.columns:
                raise InputError(f"{n!r} is not a column of {path}; it has {list(df.columns)}")
        if len(df) == 0:
            raise InputError(f"{path} has a header row but no samples; add one row per sample")
        columns = {n: df[n].to_numpy() for n in names}
    for n, values in columns.items():
        if not (np.issubdtype(values.dtype, np.number) or values.dtype == bool):
            text = next((v for v in values if isinstance(v, str)), None)
            raise InputError(
                f"{_role(n, target)} holds text ({text!r}, dtype {values.dtype}), not numbers: "
                "give integer codes (e.g. 0, 1, 2 for categories) or real values"
            )
    return columns[target], [columns[s] for s in sources]


def _role(name: str, target: str) -> str:
    return f"--target {name}" if name == target else f"--source {name}"


def _emit(res, source: str, fmt: str) -> None:
    stats = res.statistics() if hasattr(res, "statistics") else {}
    header = ["atom", "bits", *stats]
    rows = [
        [lab, float(res.atoms[i]), *(float(v[i]) for v in stats.values())]
        for i, lab in enumerate(res.labels)
    ]
    if fmt == "json":
        out = {
            "source": source,
            "measure": res.measure,
            "atoms": res.as_dict(),
            "mi": float(res.mi),
        }
        out.update({k: dict(zip(res.labels, v.tolist(), strict=True)) for k, v in stats.items()})
        if hasattr(res, "settings"):
            out["settings"] = res.settings
            if res.samples_per_cell is not None:
                out["samples_per_cell"] = float(res.samples_per_cell)
            out["notes"] = _sample_notes(res)
        click.echo(dumps(out))
    elif fmt == "csv":
        click.echo(render_csv(header, rows))
    else:
        click.echo(f"{source}: measure {res.measure}, I(T;S) = {float(res.mi):.4f} bit")
        click.echo(render_table(header, rows))
        for line in _sample_notes(res):
            click.echo(line)


def _sample_notes(res) -> list[str]:
    """What a reader of an estimate from samples needs beside the atoms: the estimator, the
    samples per occupied joint cell, and a warning when they are too few to trust."""
    settings = getattr(res, "settings", None)
    if not settings or "n_samples" not in settings:
        return []
    lines = []
    estimator = settings.get("estimator")
    n_shuffles = settings.get("n_shuffles") or 0
    what = f"estimator {estimator}" + (f" ({n_shuffles} target shuffles)" if n_shuffles else "")
    spc = res.samples_per_cell
    if spc is not None:
        spc = float(spc)
        what += (
            f"; {settings['n_samples']} samples in {int(res.occupied)} occupied joint cells "
            f"({spc:.1f} per cell)"
        )
    lines.append(what)
    if spc is not None and spc < MIN_SAMPLES_PER_CELL:
        lines.append(
            f"warning: fewer than {MIN_SAMPLES_PER_CELL} samples per occupied joint cell: the "
            "plug-in atoms are strongly biased upwards; use fewer --bins or more samples"
            + ("" if estimator == "shuffle" else ", and --estimator shuffle")
        )
    if estimator == "plugin" and not n_shuffles:
        lines.append(
            "note: plug-in atoms without a null; --estimator shuffle says which are above noise"
        )
    return lines


@click.command("pid")
@click.argument(
    "pmf_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--gate", "gate_name", type=click.Choice(list(GATES)), help="A canonical distribution."
)
@click.option(
    "--samples",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV (header row) or netCDF file of samples; name --target and --source columns.",
)
@click.option("--target", help="Target column of --samples.")
@click.option(
    "--source", "sources", multiple=True, help="Source column of --samples (repeatable, 1 to 4)."
)
@binning_options("column")
@click.option(
    "--estimator",
    type=click.Choice(["shuffle", "plugin"]),
    default="shuffle",
    show_default=True,
    help="shuffle: the sample pmf's atoms minus their mean under shuffled targets "
    "(bias-corrected); plugin: the sample pmf's atoms (biased upwards).",
)
@click.option(
    "--shuffles",
    default=100,
    show_default=True,
    type=click.IntRange(0),
    help="Target shuffles: null mean, p-values (0: none, plug-in only).",
)
@click.option(
    "--boot", default=0, type=click.IntRange(0), help="Bootstrap resamples: 95% intervals."
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Random state of shuffles/bootstrap.",
)
@measure_option("Redundancy measure (see --list-measures).")
@click.option("--compare", is_flag=True, help="Every measure side by side.")
@click.option("--shape", help="Shape T,S1,...,Sn for a CSV pmf file.")
@click.option("--normalize", is_flag=True, help="Rescale the pmf to sum to 1.")
@click.option("--list-measures", is_flag=True, help="List the measures and exit.")
@format_option
@handle_errors
def pid_command(
    pmf_file,
    gate_name,
    samples,
    target,
    sources,
    bins,
    binning,
    estimator,
    shuffles,
    boot,
    seed,
    measure,
    compare,
    shape,
    normalize,
    list_measures,
    fmt,
):
    """Decompose the information that sources carry about a target.

    The input is a pmf (a .npy array, or a CSV of probabilities with --shape) whose first axis
    is the target T and whose other axes are the sources S1..Sn; a canonical gate; or sample
    columns (--samples) from which the pmf is estimated.

    \b
    Examples:
      infomorph pid --gate xor
      infomorph pid --gate and --compare
      infomorph pid pmf.npy --measure mmi --format json
      infomorph pid pmf.csv --shape 2,3,3 --normalize
      infomorph pid --samples data.csv --target y --source x1 --source x2 --shuffles 200
    """
    if list_measures:
        for name, text in pidtools.list_measures().items():
            click.echo(f"{name:8s} {text}")
        return
    if sum(x is not None for x in (pmf_file, gate_name, samples)) != 1:
        raise click.UsageError("give exactly one of PMF_FILE, --gate NAME or --samples FILE")
    if samples is not None:
        t, srcs = _load_columns(samples, target, sources)
        name_parameters(target=f"--target {target}")
        name_parameters(**{f"sources[{i}]": f"--source {s}" for i, s in enumerate(sources)})
        res = pidtools.estimate(
            t,
            srcs,
            measure=measure,
            bins=bins,
            binning=binning,
            estimator=estimator,
            n_shuffles=shuffles,
            n_boot=boot,
            random_state=seed,
        )
        _emit(res, f"{samples}: {target} given {', '.join(sources)}", fmt)
        return
    p = gate(gate_name) if gate_name else _load_pmf(pmf_file, shape)
    source = f"gate {gate_name}" if gate_name else str(pmf_file)
    name_parameters(p=source)
    _check_axes(np.asarray(p), source)
    if compare:
        _emit_comparison(p, source, normalize, fmt)
        return
    _emit(pidtools.pid(p, measure, n_sources=p.ndim - 1, normalize=normalize), source, fmt)


def _emit_comparison(p, source: str, normalize: bool, fmt: str) -> None:
    table = pidtools.compare(p, n_sources=np.ndim(p) - 1, normalize=normalize)
    if fmt == "json":
        click.echo(dumps({"source": source, "compare": table.to_dict(orient="index")}))
    elif fmt == "csv":
        click.echo(table.to_csv().rstrip("\n"))
    else:
        click.echo(
            f"{source}: atoms (bits) under every measure; last column: measures giving it a negative value"
        )
        click.echo(table.to_string(float_format=lambda v: f"{v: .4f}"))
