"""``infomorph pid``: the decomposition of one pmf (a canonical gate or a file)."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

import pidtools
from pidtools.distributions import GATES, gate

from .output import InputError, dumps, format_option, render_csv, render_table


def _load_pmf(path: Path, shape: str | None) -> np.ndarray:
    if path.suffix == ".npy":
        try:
            return np.load(path, allow_pickle=False)
        except ValueError as err:
            raise InputError(f"{path} is not a readable .npy array ({err}); save it with numpy.save") from None
    if path.suffix in (".csv", ".txt"):
        try:
            flat = np.loadtxt(path, delimiter="," if path.suffix == ".csv" else None, ndmin=1).ravel()
        except ValueError as err:
            raise InputError(f"{path} does not hold numbers only ({err}); write one probability per cell") from None
        if shape is None:
            raise InputError(f"{path}: a CSV pmf needs --shape T,S1,...,Sn (e.g. --shape 2,2,2)")
        dims = tuple(int(s) for s in shape.split(","))
        if int(np.prod(dims)) != flat.size:
            raise InputError(f"--shape {shape} has {int(np.prod(dims))} cells but {path} holds {flat.size} numbers")
        return flat.reshape(dims)
    raise InputError(f"{path}: unknown pmf file type {path.suffix!r}; use .npy, or .csv with --shape")


@click.command("pid")
@click.argument("pmf_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--gate", "gate_name", type=click.Choice(list(GATES)), help="A canonical distribution.")
@click.option("--measure", default="sx", show_default=True, help="Redundancy measure (see --list-measures).")
@click.option("--shape", help="Shape T,S1,...,Sn for a CSV pmf file.")
@click.option("--normalize", is_flag=True, help="Rescale the pmf to sum to 1.")
@click.option("--list-measures", is_flag=True, help="List the measures and exit.")
@format_option
def pid_command(pmf_file, gate_name, measure, shape, normalize, list_measures, fmt):
    """Decompose the information a pmf's sources carry about its target.

    The pmf's first axis is the target T, the others the sources S1..Sn.

    \b
    Examples:
      infomorph pid --gate xor
      infomorph pid pmf.npy --measure sx --format json
      infomorph pid pmf.csv --shape 2,3,3 --normalize
    """
    if list_measures:
        for name, text in pidtools.measures().items():
            click.echo(f"{name:8s} {text}")
        return
    if (pmf_file is None) == (gate_name is None):
        raise click.UsageError("give either a PMF_FILE or --gate NAME (one of them)")
    p = gate(gate_name) if gate_name else _load_pmf(pmf_file, shape)
    try:
        res = pidtools.pid(p, measure, normalize=normalize)
    except (ValueError, TypeError) as err:
        raise InputError(str(err)) from None
    source = f"gate {gate_name}" if gate_name else str(pmf_file)
    if fmt == "json":
        click.echo(dumps({"source": source, "measure": res.measure, "atoms": res.as_dict(), "mi": float(res.mi)}))
        return
    rows = [(lab, v) for lab, v in res.as_dict().items()]
    if fmt == "csv":
        click.echo(render_csv(["atom", "bits"], rows))
        return
    click.echo(f"{source}: measure {res.measure}, I(T;S) = {float(res.mi):.4f} bit")
    click.echo(render_table(["atom", "bits"], rows))
