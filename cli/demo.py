"""``infomorph demo``: train, record, analyse and report on the embedded digits data."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from infomorph._checks import MAX_NEURONS, MAX_SEED

from .analyze import run_analysis
from .output import InputError, atomic_write_many, check_output, dumps, handle_errors

#: What ``demo`` writes into its folder.
OUTPUTS = ("run.nc", "training.png", "atoms.nc", "atoms.png", "summary.json", "report.txt")


@click.command("demo")
@click.option(
    "-o",
    "--output-dir",
    default="infomorph-demo",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the record, the analysis, the report and the figures.",
)
@click.option(
    "--epochs",
    default=40,
    show_default=True,
    type=click.IntRange(2),
    help="Training epochs (at least 2, for trends over learning).",
)
@click.option(
    "--neurons",
    default=100,
    show_default=True,
    type=click.IntRange(2, MAX_NEURONS),
    help="Hidden neurons.",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(0, MAX_SEED),
    help="Random seed of initialisation, batches and shuffles.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@handle_errors
def demo_command(output_dir, epochs, neurons, seed, quiet):
    """Train, record, analyse and report on scikit-learn's bundled 8x8 digits (no download).

    A hidden layer of infomorphic neurons with three input classes (receptive, context = label,
    lateral) and the papers' optimised goal, plus a read-out layer, are trained; every epoch
    the atoms of every neuron and the activations of a probe set are recorded. The record is
    then analysed like any saved activations: the PID of each neuron's output given its
    receptive and context input, per epoch, pooled over neurons.

    \b
    Writes into the folder:
      run.nc         the training record (schema infomorph-record/1)
      atoms.nc       per-neuron, per-epoch atoms from `infomorph analyze`
      summary.json   the analysis summary (the JSON of `analyze --format json`)
      report.txt     the analysis table and the accuracies
      atoms.png      atoms over epochs and the dominant atom per neuron
      training.png   accuracy and recorded atoms of both layers over epochs
    """
    if output_dir.exists() and not output_dir.is_dir():
        raise InputError(f"-o {output_dir} is a file; give a folder")
    created = not output_dir.exists()
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(
            f"-o {output_dir}: cannot create the folder ({err.strerror}); choose another path"
        ) from None
    for name in OUTPUTS:
        check_output(output_dir / name, "-o")
    before = {name: _stamp(output_dir / name) for name in OUTPUTS}
    try:
        _run(output_dir, epochs, neurons, seed, quiet)
    except BaseException:
        _remove_written(output_dir, before, created)
        raise


def _stamp(path: Path):
    """What identifies the version of a file (None if there is none)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _remove_written(output_dir: Path, before: dict, created: bool) -> None:
    """After a failure: remove the outputs this run wrote, and the folder if it made it."""
    for name, stamp in before.items():
        if _stamp(output_dir / name) != stamp:
            (output_dir / name).unlink(missing_ok=True)
    if created:
        try:
            output_dir.rmdir()
        except OSError:
            pass


def _run(output_dir: Path, epochs: int, neurons: int, seed: int, quiet: bool) -> None:
    """Train, write, analyse and report: what ``demo`` does once its folder is checked."""
    from infomorph._io import write_netcdf
    from infomorph.analysis import plot_training
    from infomorph.record import check_schema
    from infomorph.train import fit

    t0 = time.perf_counter()
    progress = not quiet and sys.stderr.isatty()
    click.echo(
        f"training {neurons} hidden + 10 read-out infomorphic neurons on digits for {epochs} epochs",
        err=True,
    )
    _, record = fit(
        "digits",
        arch="hidden",
        n_hidden=neurons,
        hidden_classes="three",
        goal="trivariate_optimized",
        epochs=epochs,
        batch_size=128,
        random_state=seed,
        record_probe=200,
        progress=progress,
    )
    check_schema(record)
    atomic_write_many(
        [
            (output_dir / "run.nc", lambda tmp: write_netcdf(record, tmp), "-o"),
            (
                output_dir / "training.png",
                lambda tmp: plot_training(
                    {"three-class hidden layer, optimised goal": record}, tmp
                ),
                "-o",
            ),
        ]
    )
    click.echo("analysing the recorded activations", err=True)
    summary = run_analysis(
        path=output_dir / "run.nc",
        target="output",
        sources=(),  # each layer's own input classes
        over="epoch",
        sample_dim="sample",
        measure="sx",
        bins="auto",
        binning="auto",
        estimator="shuffle",
        shuffles=100,
        seed=seed,
        fmt="table",
        output=output_dir / "atoms.nc",
        plot=output_dir / "atoms.png",
        workers=None,
        scheduler=None,
        quiet=quiet,
    )
    acc = record["accuracy"].isel(epoch=-1)
    acc_line = "test accuracy after {} epochs: {:.4f} (train {:.4f}, validation {:.4f})".format(
        epochs, *(float(acc.sel(split=s)) for s in ("test", "train", "validation"))
    )
    from .analyze import report_text

    title = "infomorph demo: PID atoms of every layer's neurons over training (digits)"
    text = f"{report_text(summary, 'epoch', title)}\n\n{acc_line}\n"
    atomic_write_many(
        [
            (
                output_dir / "summary.json",
                lambda tmp: Path(tmp).write_text(dumps(summary.to_dict())),
                "-o",
            ),
            (output_dir / "report.txt", lambda tmp: Path(tmp).write_text(text), "-o"),
        ]
    )
    files = ", ".join(sorted(p.name for p in output_dir.iterdir()))
    click.echo(f"\n{acc_line}\nwrote {files} to {output_dir} in {time.perf_counter() - t0:.0f} s")
