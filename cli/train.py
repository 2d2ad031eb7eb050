"""``infomorph train``: train an infomorphic network and write its record."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from infomorph._checks import MAX_NEURONS, MAX_SEED
from infomorph.goals import PRESETS

from .output import InputError, atomic_write, check_output, handle_errors

#: Defaults of ``train``: a hidden layer of infomorphic neurons with the papers' three input
#: classes and optimised goal, and small batches, so that a plain ``infomorph train -o run.nc``
#: gives a network that classifies digits well (the read-out alone with large batches does not).
DEFAULTS = {"arch": "hidden", "neurons": 100, "epochs": 30, "batch_size": 128}


def _list_goals(ctx: click.Context, _param, value: bool) -> None:
    """``--list-goals``: print the presets and exit before any other option is checked."""
    if not value or ctx.resilient_parsing:
        return
    from infomorph.goals import PRESETS

    for name, weights in PRESETS.items():
        click.echo(f"{name:22s} {weights}")
    ctx.exit()


@click.command("train")
@click.option(
    "--dataset",
    default="digits",
    show_default=True,
    type=click.Choice(["digits", "fashion-mnist", "mnist", "mnist1d"]),
    help="Data set: digits is bundled with scikit-learn; fashion-mnist and mnist are read from "
    "--data-path; mnist1d needs the mnist1d package.",
)
@click.option(
    "--data-path",
    type=click.Path(path_type=Path),
    help="Folder of IDX files (fashion-mnist, mnist).",
)
@click.option(
    "--arch",
    default=DEFAULTS["arch"],
    show_default=True,
    type=click.Choice(["readout", "hidden"]),
    help="readout: one layer of infomorphic read-out neurons; hidden: a hidden infomorphic "
    "layer (--neurons) and a read-out layer.",
)
@click.option(
    "--neurons",
    default=DEFAULTS["neurons"],
    show_default=True,
    type=click.IntRange(2, MAX_NEURONS),
    help="Hidden neurons (--arch hidden).",
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
    type=click.Choice(list(PRESETS)),
    metavar="PRESET",
    help="Goal preset of the hidden layer (read-out only: of the read-out); default: the "
    "papers' preset for the setting; one of --list-goals.",
)
@click.option(
    "--epochs",
    default=DEFAULTS["epochs"],
    show_default=True,
    type=click.IntRange(1),
    help="Passes over the training split.",
)
@click.option(
    "--batch-size",
    default=DEFAULTS["batch_size"],
    show_default=True,
    type=click.IntRange(2),
    help="Samples per mini-batch (each update's histograms are estimated from one batch).",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(0, MAX_SEED),
    help="Random state of initialisation, batch order and sampling.",
)
@click.option(
    "--probe",
    default=1000,
    show_default=True,
    type=click.IntRange(0),
    help="Training samples whose activations are recorded every epoch (for analyze).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Record file (.nc) to write; an existing file is replaced.",
)
@click.option(
    "--eval-samples",
    default=None,
    type=click.IntRange(1),
    help="Recorded accuracies average the read-out over this many random draws of the hidden "
    "layer (1: one stochastic pass). Default: the hidden layer passes on its expected output "
    "(mean field).",
)
@click.option(
    "--list-goals",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_list_goals,
    help="List the goal presets and exit.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@handle_errors
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
    quiet,
):
    """Train an infomorphic network and record every neuron's atoms epoch by epoch.

    \b
    Examples:
      infomorph train -o run.nc
      infomorph train --arch readout --epochs 30 -o readout.nc
      infomorph train --dataset fashion-mnist --data-path fmnist/ -o fmnist.nc
    """
    check_output(output, "-o")
    from infomorph._io import write_netcdf
    from infomorph.record import check_schema
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
    except FileNotFoundError as err:
        raise InputError(f"{err} (on the command line: --data-path FOLDER)") from None
    check_schema(record)
    atomic_write(output, lambda tmp: write_netcdf(record, tmp), "-o")
    acc = record["accuracy"].isel(epoch=-1)
    click.echo(
        f"{dataset}, {arch}: after {epochs} epochs accuracy "
        + ", ".join(f"{s} {float(acc.sel(split=s)):.4f}" for s in acc["split"].values)
        + f"; record written to {output}"
    )
