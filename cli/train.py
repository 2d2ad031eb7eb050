"""``infomorph train``: train an infomorphic network and write its record."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .output import InputError, atomic_write, check_output, for_cli


@click.command("train")
@click.option(
    "--dataset",
    default="digits",
    show_default=True,
    type=click.Choice(["digits", "fashion-mnist", "mnist", "mnist1d"]),
)
@click.option(
    "--data-path",
    type=click.Path(path_type=Path),
    help="Folder of IDX files (fashion-mnist, mnist).",
)
@click.option(
    "--arch", default="readout", show_default=True, type=click.Choice(["readout", "hidden"])
)
@click.option(
    "--neurons", default=100, show_default=True, type=click.IntRange(1), help="Hidden neurons."
)
@click.option(
    "--classes",
    "hidden_classes",
    default="three",
    show_default=True,
    type=click.Choice(["three", "context", "lateral"]),
    help="Input classes of hidden neurons.",
)
@click.option(
    "--goal",
    help="Goal preset of the hidden layer (read-out only: of the read-out); see --list-goals.",
)
@click.option("--epochs", default=10, show_default=True, type=click.IntRange(1))
@click.option("--batch-size", default=1024, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--probe",
    default=1000,
    show_default=True,
    type=click.IntRange(0),
    help="Training samples whose activations are recorded every epoch (for analyze).",
)
@click.option(
    "-o", "--output", required=False, type=click.Path(path_type=Path), help="Record file (.nc)."
)
@click.option(
    "--eval-samples",
    default=None,
    type=click.IntRange(1),
    help="Recorded accuracies average the read-out over this many random draws of the hidden "
    "layer (1: one stochastic pass). Default: the hidden layer passes on its expected output "
    "(mean field).",
)
@click.option("--list-goals", is_flag=True, help="List the goal presets and exit.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def train_command(
    dataset,
    data_path,
    arch,
    neurons,
    hidden_classes,
    goal,
    epochs,
    batch_size,
    seed,
    probe,
    output,
    eval_samples,
    list_goals,
    quiet,
):
    """Train an infomorphic network and record every neuron's atoms epoch by epoch.

    \b
    Examples:
      infomorph train -o run.nc
      infomorph train --arch hidden --neurons 100 --goal trivariate_optimized --epochs 30 -o run.nc
      infomorph train --dataset fashion-mnist --arch hidden -o fmnist.nc
    """
    from infomorph.goals import PRESETS

    if list_goals:
        for name, weights in PRESETS.items():
            click.echo(f"{name:22s} {weights}")
        return
    if output is None:
        raise click.UsageError("give -o/--output, the record file to write (e.g. -o run.nc)")
    check_output(output, "-o")
    from infomorph.record import save
    from infomorph.train import fit

    try:
        net, record = fit(
            dataset,
            arch=arch,
            n_hidden=neurons,
            hidden_classes=hidden_classes,
            goal=goal,
            epochs=epochs,
            batch_size=batch_size,
            random_state=seed,
            record_probe=probe,
            progress=not quiet and sys.stderr.isatty(),
            data_path=None if data_path is None else str(data_path),
            eval_samples=eval_samples,
        )
    except (ValueError, TypeError, FileNotFoundError) as err:
        raise InputError(for_cli(str(err))) from None
    atomic_write(output, lambda tmp: save(record, tmp), "-o")  # the record is validated first
    acc = record["accuracy"].isel(epoch=-1)
    click.echo(
        f"{dataset}, {arch}: after {epochs} epochs accuracy "
        + ", ".join(f"{s} {float(acc.sel(split=s)):.4f}" for s in acc["split"].values)
        + f"; record written to {output}"
    )
