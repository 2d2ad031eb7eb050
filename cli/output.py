"""Shared output helpers: formats, messages, atomic writes."""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import signal
import stat
import threading
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


def binning_options(what: str) -> Callable:
    """The ``--bins`` and ``--binning`` options of the commands that bin samples (``what``:
    the noun for the binned things in the help, e.g. "variable" or "column")."""
    bins = click.option(
        "--bins",
        default="auto",
        show_default=True,
        callback=lambda ctx, param, v: bins_option(v),
        help=f"Bins per real-valued {what}, or 'auto': the most (up to 16) that leave 5 samples "
        "per joint cell.",
    )
    binning = click.option(
        "--binning",
        type=click.Choice(["auto", "quantile", "uniform"]),
        default="auto",
        show_default=True,
        help=f"'auto': a code per distinct value for {what}s with at most --bins of them, else "
        "equal-count bins that never split tied values.",
    )
    return lambda command: bins(binning(command))


def measure_option(
    help_text: str = "Redundancy measure (see infomorph pid --list-measures).",
) -> Callable:
    """The ``--measure`` option: one of the built-in measures, I^sx by default."""
    import pidtools

    return click.option(
        "--measure",
        default="sx",
        show_default=True,
        type=click.Choice(list(pidtools.list_measures())),
        help=help_text,
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


#: Library parameter -> the command-line option that sets it. Errors of the library that carry
#: their parameter (:class:`pidtools.errors.ParameterError`) are shown with the option's name.
PARAM_OPTIONS = {
    "arch": "--arch",
    "batch_size": "--batch-size",
    "bins": "--bins",
    "binning": "--binning",
    "data_path": "--data-path",
    "dataset": "--dataset",
    "epochs": "--epochs",
    "estimator": "--estimator",
    "eval_samples": "--eval-samples",
    "goal": "--goal",
    "group_dim": "--unit-dim",
    "groups": "--unit-groups",
    "hidden_classes": "--classes",
    "hidden_goal": "--goal",
    "measure": "--measure",
    "n_boot": "--boot",
    "n_hidden": "--neurons",
    "n_shuffles": "--shuffles",
    "normalize": "--normalize",
    "random_state": "--seed",
    "readout_goal": "--goal",
    "record_probe": "--probe",
    "sample_dim": "--sample-dim",
}


def name_parameters(**names: str) -> None:
    """Name, for the errors of this command invocation, parameters whose option depends on the
    input: ``name_parameters(p="pmf.npy", target="--target y")``. ``sources[i]`` is passed as
    ``**{"sources[0]": "--source x"}``."""
    click.get_current_context().meta.setdefault("infomorph.names", {}).update(names)


def _in_cli_words(err: Exception) -> str:
    """The message of ``err``; for an error that carries its parameter, the parameter and any
    ``name=value`` hint of a library parameter in the command line's words."""
    message = str(err).strip("'\"").splitlines()[0] if str(err) else type(err).__name__
    param = getattr(err, "param", None)
    if param is None:
        return message
    ctx = click.get_current_context(silent=True)
    names = {**PARAM_OPTIONS, **(ctx.meta.get("infomorph.names", {}) if ctx else {})}

    def hint(match: re.Match) -> str:  # "normalize=True" -> "--normalize", "bins=8" -> "--bins 8"
        name, value = match.groups()
        return names[name] if value == "True" else f"{names[name]} {value}"

    hints = "|".join(re.escape(k) for k in sorted(PARAM_OPTIONS, key=len, reverse=True))
    message = re.sub(rf"(?<![\w.-])({hints})=([\w.+-]+)", hint, message)
    for name in (k for k in PARAM_OPTIONS if "_" in k):  # identifiers, never plain words
        message = re.sub(
            rf"(?<![\w.\[-]){re.escape(name)}(?![\w\[=])", PARAM_OPTIONS[name], message
        )
    if param in names:  # the parameter at fault, wherever the message names it
        message = re.sub(
            rf"(?<![\w.\[-]){re.escape(param)}(?![\w\[])", lambda m: names[param], message
        )
    return message


def check_output(path: Path | None, what: str, inputs: Sequence[Path] = ()) -> None:
    """Fail before any work (usage error, exit 2) if ``path`` cannot be written as a file:
    it is a folder or another non-regular file (FIFO, device, socket), its folder is missing,
    not a folder or not writable, or it is an input. An existing regular file is replaced."""
    if path is None:
        return
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{what} {path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        mode = path.stat().st_mode
        kind = (
            "a FIFO" if stat.S_ISFIFO(mode)
            else "a character device" if stat.S_ISCHR(mode)
            else "a block device" if stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode)
            else "not a regular file"
        )  # fmt: skip
        raise InputError(
            f"{what} {path} is {kind}, not a regular file; give the path of a regular file"
        )
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
    """Write files together (:func:`infomorph._io.atomic_write_many`): all land, or none of them
    and no temporary file. A path that cannot be written is a usage error (exit 2) naming its
    option; a full disk or a failing device is a data error (exit 1)."""
    from infomorph._io import atomic_write_many as write_together

    for path, _, what in items:
        check_output(Path(path), what)
    try:
        return write_together([(path, write) for path, write, _ in items])
    except OSError as err:
        whats = ", ".join(f"{what} {path}" for path, _, what in items)
        if err.errno in _DEVICE_ERRORS:
            raise DataError(f"{os.strerror(err.errno).lower()} writing {whats}") from None
        raise InputError(
            f"cannot write {whats}: {err.strerror or err}; choose another path"
        ) from None


#: errno values of a device that cannot take the data (not a wrong path): exit 1.
_DEVICE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS})
#: Of those, the ones that only writes raise.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is so that cleanups run as for Ctrl-C."""


def _on_sigterm(signum, frame):
    raise _Terminated()


def handle_errors(command: Callable) -> Callable:
    """The error handling of every subcommand, and its ``--debug`` option.

    Library errors that carry their parameter (``ParameterError``) are shown in the command
    line's words (:data:`PARAM_OPTIONS`), other ``ValueError``/``TypeError``/``KeyError`` as
    they are: usage errors, exit 2. A full disk, missing memory and any other failure are
    one-line data errors, exit 1. Ctrl-C and SIGTERM stop the command; files being written are
    removed and the exit status is 130 (SIGINT) or 143 (SIGTERM). ``--debug`` shows the
    traceback instead. Prints once that kernels compile when numba's cache is cold.
    """

    @functools.wraps(command)
    def run(*args, debug: bool = False, **kwargs):
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            _say_if_compiling()
            return command(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt as err:
            if debug:
                raise
            signum = signal.SIGTERM if isinstance(err, _Terminated) else signal.SIGINT
            click.echo(f"interrupted ({signal.Signals(signum).name}); nothing written", err=True)
            raise SystemExit(128 + signum) from None
        except (ValueError, TypeError, KeyError) as err:
            if debug:
                raise
            raise InputError(_in_cli_words(err)) from None
        except MemoryError:
            if debug:
                raise
            raise DataError("not enough memory: use smaller input or fewer resamples") from None
        except OSError as err:
            if debug:
                raise
            if err.errno in _FULL and err.filename:
                raise DataError(
                    f"{os.strerror(err.errno).lower()} writing {err.filename}"
                ) from None
            where = f": {err.filename}" if err.filename else ""
            raise DataError(f"{err.strerror or err}{where}") from None
        except Exception as err:
            if debug:
                raise
            first = str(err).splitlines()[0] if str(err) else ""
            raise DataError(f"{type(err).__name__}: {first}") from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return click.option("--debug", is_flag=True, help="Show tracebacks instead of one line.")(run)


def _say_if_compiling() -> None:
    from pidtools.kernels._jit import cache_is_cold

    if cache_is_cold():
        click.echo("compiling kernels (first run only, cached afterwards)", err=True)
