"""Writing files so that a failure leaves nothing half-written.

Every file goes to a temporary file beside its destination and is renamed into place when it is
complete. A temporary is named ``.NAME.partial-HOST-PID-XXXX.SUFFIX``: a process killed before
it could clean up (SIGKILL, power loss) leaves one behind, and the next write of ``NAME`` on the
same host removes it once its process is gone.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

#: Marks temporary files in their names.
_PARTIAL = ".partial-"


def _new_file_mode(path: Path) -> int:
    """The mode ``open()`` would give: an existing file's own, else 0o666 minus the umask."""
    if path.is_file():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _host() -> str:
    return socket.gethostname().replace("-", "_").replace(os.sep, "_") or "host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale_partials(path: str | os.PathLike) -> list[Path]:
    """Remove temporaries of ``path`` left by processes of this host that no longer run.

    Temporaries of live processes (a concurrent write of the same file) and of other hosts
    (a shared file system) are kept. Returns the removed paths.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name}{_PARTIAL}{_host()}-"
    removed = []
    try:
        candidates = [p for p in parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return removed
    for tmp in candidates:
        pid = tmp.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            try:
                tmp.unlink()
                removed.append(tmp)
            except OSError:
                pass
    return removed


def atomic_write(path: str | os.PathLike, write: Callable[[str], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it onto ``path``.

    The temporary file keeps ``path``'s suffix (writers that pick a format by suffix still
    work) and is removed if ``write`` fails or the process is interrupted (any exception,
    KeyboardInterrupt included). The file ends with the permissions a plain
    ``open(path, "w")`` would give it (not the private mode of temporary files). An existing
    file at ``path`` is replaced.
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
            remove_stale_partials(path)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{path.name}{_PARTIAL}{_host()}-{os.getpid()}-",
                suffix=path.suffix,
                dir=parent,
            )
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


def write_netcdf(ds, path: str | os.PathLike) -> None:
    """Write ``ds`` as netCDF-4 (h5netcdf) to ``path``, a plain (not atomic) write.

    The file is built in memory and then written with ordinary file I/O: HDF5 never writes to
    the destination, so a full disk or a failing device is an ``OSError`` (``ENOSPC``) rather
    than a failure inside HDF5's flush, which can crash the process.
    """
    data = ds.to_netcdf(engine="h5netcdf")
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
