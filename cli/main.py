"""The ``infomorph`` command group."""

from __future__ import annotations

import sys

import click

import pidtools

from .analyze import analyze_command
from .demo import demo_command
from .layer import layer_command
from .pid import pid_command
from .train import train_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(pidtools.__version__, prog_name="infomorph")
def cli() -> None:
    """Partial information decomposition of networks and data.

    \b
    Examples:
      infomorph demo -o demo-out
      infomorph analyze run.nc --plot atoms.png
      infomorph pid --gate xor
    """


cli.add_command(analyze_command)
cli.add_command(demo_command)
cli.add_command(layer_command)
cli.add_command(pid_command)
cli.add_command(train_command)


def main() -> None:
    """Console entry point."""
    cli(prog_name="infomorph")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
