"""The one place that holds the numba compilation options of the project."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import types
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numba
from numba.core.caching import CacheImpl, InTreeCacheLocator

#: Options shared by every kernel: on-disk cache, numpy semantics for division by zero
#: (inf/nan instead of exceptions), fast-math left off so that results match the reference
#: implementations to the last bits.
JIT_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}

#: Below this many pmf cells in a batch, the serial variant of a kernel runs: waking the thread
#: pool costs more than the work.
PARALLEL_MIN_CELLS = 20_000


def jit(
    func=None, *, parallel: bool = False, fastmath: frozenset = frozenset(), inline: bool = False
):
    """Compile ``func`` with the project's options.

    ``parallel=True`` for ``prange`` kernels. ``fastmath`` takes single LLVM flags for small
    helpers whose result may change in the last bits: ``{"reassoc"}`` reorders sums (so that
    reductions vectorise), ``{"contract"}`` fuses multiply-adds. ``inline=True`` inlines the
    function into its callers before compilation.
    """
    options = dict(JIT_OPTIONS, parallel=parallel)
    if fastmath:
        options["fastmath"] = set(fastmath)
    if inline:
        options["inline"] = "always"
    if func is None:
        return numba.njit(**options)
    return numba.njit(**options)(func)


class KernelPair(NamedTuple):
    """A batch kernel compiled twice: serial (``prange`` runs as ``range``) and parallel."""

    serial: object
    parallel: object

    def __call__(self, n_cells_total: int, *args):
        """Run the variant that suits a batch of ``n_cells_total`` pmf cells in all."""
        kernel = self.parallel if n_cells_total >= PARALLEL_MIN_CELLS else self.serial
        return kernel(*args)


def batch_kernel(func=None, *, fastmath: frozenset = frozenset()) -> KernelPair:
    """Compile a ``prange`` batch kernel in its serial and its parallel variant.

    The parallel variant compiles a copy of the function under another qualified name: numba's
    on-disk cache is keyed by the function's name and signature, not by its options, so the
    two variants of one function would otherwise load each other's machine code. ``fastmath``
    as in :func:`jit`, for both variants.
    """
    if func is None:
        return lambda f: batch_kernel(f, fastmath=fastmath)
    twin = types.FunctionType(
        func.__code__,
        func.__globals__,
        func.__name__ + "_parallel",
        func.__defaults__,
        func.__closure__,
    )
    twin.__qualname__ = func.__qualname__ + "_parallel"
    twin.__doc__ = func.__doc__
    return KernelPair(jit(func, fastmath=fastmath), jit(twin, parallel=True, fastmath=fastmath))


def n_chunks(n_items: int) -> int:
    """How many chunks a batch of ``n_items`` is split into for the parallel kernels."""
    return max(1, min(n_items, 8 * numba.get_num_threads()))


#: Kernel sources of this package; a kernel may inline functions from any of them.
KERNEL_SOURCES = tuple(sorted(Path(__file__).parent.glob("*.py")))

#: Cache folders of numba's machine code are named by this prefix and the sources' digest.
CACHE_PREFIX = "numba-"

#: A cache folder of other sources is deleted only when unused for this long (seconds): a
#: process started before the sources changed may still be loading from it.
STALE_AFTER = 600.0

#: Source folder -> digest of the kernel sources its kernels were compiled from (this process).
_DIGESTS: dict[str, str] = {}


def _digest(sources: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in sources):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cache_folder(folder: Path) -> Path | None:
    """Where the kernels defined in ``folder`` keep their machine code in this process, or
    None if :func:`refresh_cache` did not register ``folder`` (or ``NUMBA_CACHE_DIR`` is set)."""
    digest = _DIGESTS.get(os.path.realpath(folder))
    if digest is None or numba.config.CACHE_DIR:
        return None
    return Path(folder) / "__pycache__" / f"{CACHE_PREFIX}{digest}"


class _DigestCacheLocator(InTreeCacheLocator):
    """numba's in-tree cache, in a folder named by the digest of every kernel source.

    numba checks a cached kernel against the file that defines it only, not against the files
    of the functions it calls and inlines. With one folder per digest of all the sources, a
    process only ever loads machine code compiled from the sources it imported: a process that
    started before an edit saves into the old digest's folder, never into the new one.
    """

    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        self._cache_path = str(cache_folder(Path(py_file).parent))

    @classmethod
    def from_function(cls, py_func, py_file):
        if cache_folder(Path(py_file).parent) is None:
            return None
        return super().from_function(py_func, py_file)


if _DigestCacheLocator not in CacheImpl._locator_classes:
    CacheImpl._locator_classes.insert(0, _DigestCacheLocator)


def refresh_cache(folder: Path, sources: Iterable[Path]) -> bool:
    """Keep the numba cache of the kernels in ``folder`` per digest of ``sources``.

    Call it before the module defining kernels in ``folder`` compiles them; ``sources`` are
    every file those kernels' code comes from. The kernels' machine code then lives in
    ``folder/__pycache__/numba-DIGEST`` (:class:`_DigestCacheLocator`), so an edit of any source
    means new machine code, and concurrent processes on old and new sources never share it.
    Folders of other digests unused for :data:`STALE_AFTER` seconds, and cache files of the
    former layout (``__pycache__/*.nbi``, ``*.nbc``, ``kernel-sources.sha256``), are deleted. Caches elsewhere
    (``NUMBA_CACHE_DIR``) are left alone. Returns whether anything was deleted.
    """
    if os.environ.get("NUMBA_CACHE_DIR") or numba.config.CACHE_DIR:
        return False
    digest = _digest(sources)
    _DIGESTS[os.path.realpath(folder)] = digest
    cache = Path(folder) / "__pycache__"
    deleted = False
    try:
        old = [*cache.glob("*.nbi"), *cache.glob("*.nbc"), *cache.glob("kernel-sources.sha256")]
        for sub in cache.glob(f"{CACHE_PREFIX}*"):
            if sub.name != f"{CACHE_PREFIX}{digest}" and time.time() - _last_use(sub) > STALE_AFTER:
                old.append(sub)
    except OSError:
        return False
    for path in old:
        try:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            deleted = True
        except OSError:
            pass
    return deleted


def _last_use(folder: Path) -> float:
    """Latest modification time of ``folder`` and its files."""
    return max([folder.stat().st_mtime, *(f.stat().st_mtime for f in folder.iterdir())])


def cache_is_cold(folder: Path | None = None) -> bool:
    """Whether the kernels of ``folder`` (default: of every folder registered so far) have no
    machine code cached for the current sources, so that their first calls compile. False where
    the cache is not ours to judge (``NUMBA_CACHE_DIR``, an unregistered folder, a read-only
    install)."""
    folders = [Path(folder)] if folder is not None else [Path(f) for f in _DIGESTS]
    return any(_cold(cache_folder(f)) for f in folders)


def _cold(where: Path | None) -> bool:
    if where is None:
        return False
    if not where.is_dir():
        return os.access(where.parent if where.parent.is_dir() else where.parent.parent, os.W_OK)
    return not any(where.glob("*.nbi"))
