"""Shared output helpers: formats, messages, atomic writes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import click
import numpy as np

FORMATS = ("table", "json", "csv")

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format on stdout.",
)


class DataError(click.ClickException):
    """A runtime/data problem: exit code 1, one-line message."""

    exit_code = 1


class InputError(click.ClickException):
    """Malformed input or usage: exit code 2, one-line message."""

    exit_code = 2


def to_jsonable(obj):
    """Convert numpy scalars/arrays (NaN -> None) for json.dumps."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def dumps(obj) -> str:
    return json.dumps(to_jsonable(obj), indent=2)


def render_table(header: Sequence[str], rows: Sequence[Sequence], floatfmt: str = "{: .4f}") -> str:
    """A plain aligned text table."""
    cells = [
        [floatfmt.format(v) if isinstance(v, float | np.floating) else str(v) for v in r]
        for r in rows
    ]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]

    def line(r):
        first = str(r[0]).ljust(widths[0])
        return "  ".join(
            [first, *(str(c).rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))]
        )

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, cells)])


def render_csv(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[to_jsonable(v) for v in r] for r in rows])
    return buf.getvalue().rstrip("\n")


def atomic_write(
    path: str | os.PathLike, write: Callable[[str], None], what: str = "output"
) -> Path:
    """Write ``path`` through a temporary file (see :func:`infomorph._io.atomic_write`), with a
    usage error (exit 2) when its folder is missing or not writable."""
    from infomorph._io import atomic_write as write_atomically

    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(
            f"cannot write {what} {path}: folder {parent} does not exist; create it first"
        )
    if not os.access(parent, os.W_OK):
        raise InputError(
            f"cannot write {what} {path}: folder {parent} is not writable; choose another path"
        )
    return write_atomically(path, write)
