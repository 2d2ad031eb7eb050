"""Shared output helpers: formats, messages, atomic writes."""

from __future__ import annotations

import json
import os
import re
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


def bins_option(value):
    """``--bins``: an int >= 2 or ``auto``."""
    if isinstance(value, int) or value is None:
        return value
    if str(value).lower() == "auto":
        return "auto"
    try:
        b = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an integer >= 2 or 'auto'") from None
    if b < 2:
        raise click.BadParameter(f"{b} bins: give an integer >= 2 or 'auto'")
    return b


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


#: Library hints in error messages and the command-line options that do the same.
_OPTION_HINTS = (
    ("pass normalize=True", "pass --normalize"),
    ("n_shuffles=", "--shuffles "),
    ("pass path=", "pass --data-path"),
    ("sample_dim ", "--sample-dim "),
    ("batch element", "unit"),
)


def for_cli(message: str, sources: Sequence[str] = (), target: str | None = None) -> str:
    """A library error message in the command line's words: ``normalize=True`` becomes
    ``--normalize``, ``sources[i]`` becomes ``--source NAME``, ``target`` becomes
    ``--target NAME`` when ``target`` is given, and so on."""
    for library, option in _OPTION_HINTS:
        message = message.replace(library, option)
    for i, name in enumerate(sources):
        message = message.replace(f"sources[{i}]", f"--source {name}")
    if target is not None:
        message = re.sub(r"(?<![-\w])target\b", f"--target {target}", message)
    return message


def check_output(path: Path | None, what: str, inputs: Sequence[Path] = ()) -> None:
    """Fail before any work (usage error, exit 2) if ``path`` cannot be written as a file:
    it is a folder, its folder is missing, not a folder or not writable, or it is an input."""
    if path is None:
        return
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{what} {path} is a folder; give a file name")
    if not parent.is_dir():
        reason = "is a file, not a folder" if parent.exists() else "does not exist"
        raise InputError(f"{what} {path}: {parent} {reason}; create the folder first")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{what} {path}: folder {parent} is not writable; choose another path")
    for source in inputs:
        if Path(source).exists() and path.resolve() == Path(source).resolve():
            raise InputError(
                f"{what} {path} is the input file and would be overwritten; choose another name"
            )


def check_figure_format(path: Path | None, what: str) -> None:
    """Fail before any work if matplotlib cannot write ``path``'s file type."""
    if path is None:
        return
    from matplotlib.figure import Figure

    kinds = Figure().canvas.get_supported_filetypes()
    if Path(path).suffix.lstrip(".").lower() not in kinds:
        raise InputError(
            f"{what} {path}: unknown figure type {Path(path).suffix or '(none)'}; end the name "
            f"with one of {', '.join('.' + k for k in sorted(kinds))}"
        )


def atomic_write(
    path: str | os.PathLike, write: Callable[[str], None], what: str = "output"
) -> Path:
    """Write ``path`` through a temporary file (see :func:`infomorph._io.atomic_write`)."""
    return atomic_write_many([(path, write, what)])[0]


def atomic_write_many(items: Sequence[tuple[str | os.PathLike, Callable[[str], None], str]]):
    """Write files together (:func:`infomorph._io.atomic_write_many`); a path that cannot be
    written is a usage error (exit 2) naming its option, and none of the files is left."""
    from infomorph._io import atomic_write_many as write_together

    for path, _, what in items:
        check_output(Path(path), what)
    try:
        return write_together([(path, write) for path, write, _ in items])
    except OSError as err:
        whats = ", ".join(f"{what} {path}" for path, _, what in items)
        raise InputError(
            f"cannot write {whats}: {err.strerror or err}; choose another path"
        ) from None
