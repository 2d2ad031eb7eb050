"""The ``infomorph`` command group."""

from __future__ import annotations

import sys

import click

import pidtools

from .pid import pid_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(pidtools.__version__, prog_name="infomorph")
def cli() -> None:
    """Partial information decomposition of networks and data.

    \b
    Examples:
      infomorph pid --gate xor
      infomorph pid --gate and --compare
    """


cli.add_command(pid_command)


def main() -> None:
    """Console entry point."""
    cli(prog_name="infomorph")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
