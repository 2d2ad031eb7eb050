"""Writing files so that a failure leaves nothing half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path


def _new_file_mode(path: Path) -> int:
    """The mode ``open()`` would give: an existing file's own, else 0o666 minus the umask."""
    if path.is_file():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | os.PathLike, write: Callable[[str], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it onto ``path``.

    The temporary file keeps ``path``'s suffix (writers that pick a format by suffix still
    work) and is removed if ``write`` fails. The file ends with the permissions a plain
    ``open(path, "w")`` would give it (not the private mode of temporary files).
    """
    return atomic_write_many([(path, write)])[0]


def atomic_write_many(items: Sequence[tuple[str | os.PathLike, Callable[[str], object]]]):
    """Write several files together: every ``write(tmp)`` goes to a temporary file beside its
    path, and only when all of them succeeded are they renamed into place, so a failing writer
    leaves none of them behind. Returns the paths."""
    staged: list[tuple[Path, str]] = []
    try:
        for path, write in items:
            path = Path(path)
            parent = path.parent if str(path.parent) else Path(".")
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=parent)
            os.close(fd)
            staged.append((path, tmp))
            write(tmp)
            os.chmod(tmp, _new_file_mode(path))
        for path, tmp in staged:
            os.replace(tmp, path)
    except BaseException:
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    return [path for path, _ in staged]
