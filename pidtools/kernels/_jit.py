"""The one place that holds the numba compilation options of the project."""

from __future__ import annotations

import hashlib
import os
import types
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numba

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


def batch_kernel(func) -> KernelPair:
    """Compile a ``prange`` batch kernel in its serial and its parallel variant.

    The parallel variant compiles a copy of the function under another qualified name: numba's
    on-disk cache is keyed by the function's name and signature, not by its options, so the
    two variants of one function would otherwise load each other's machine code.
    """
    twin = types.FunctionType(
        func.__code__,
        func.__globals__,
        func.__name__ + "_parallel",
        func.__defaults__,
        func.__closure__,
    )
    twin.__qualname__ = func.__qualname__ + "_parallel"
    twin.__doc__ = func.__doc__
    return KernelPair(jit(func), jit(twin, parallel=True))


def n_chunks(n_items: int) -> int:
    """How many chunks a batch of ``n_items`` is split into for the parallel kernels."""
    return max(1, min(n_items, 8 * numba.get_num_threads()))


#: Kernel sources of this package; a kernel may inline functions from any of them.
KERNEL_SOURCES = tuple(sorted(Path(__file__).parent.glob("*.py")))


def refresh_cache(folder: Path, sources: Iterable[Path]) -> bool:
    """Drop numba's cached machine code in ``folder/__pycache__`` if ``sources`` changed.

    numba checks a cached kernel against the file that defines it only, not against the files
    of the functions it calls and inlines: after an edit of one of those, it would keep loading
    the old machine code. A digest of ``sources`` is kept next to the cache; when it differs,
    the cache files of ``folder`` are deleted and the kernels compile afresh. Caches elsewhere
    (``NUMBA_CACHE_DIR``) and read-only installs are left alone. Returns whether it deleted.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return False
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in sources):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    cache = Path(folder) / "__pycache__"
    stamp = cache / "kernel-sources.sha256"
    try:
        if stamp.read_text() == digest.hexdigest():
            return False
    except OSError:
        pass
    try:
        for f in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            f.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
    except OSError:
        return False
    return True
