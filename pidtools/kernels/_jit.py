"""The one place that holds the numba compilation options of the project."""

from __future__ import annotations

import numba

#: Options shared by every kernel: on-disk cache, numpy semantics for division by zero
#: (inf/nan instead of exceptions) and fast-math left off so that results match the reference
#: implementations to the last bits.
JIT_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}


def jit(func=None, *, parallel: bool = False):
    """Compile ``func`` with the project's options (``parallel=True`` for ``prange`` kernels)."""
    options = dict(JIT_OPTIONS, parallel=parallel)
    if func is None:
        return numba.njit(**options)
    return numba.njit(**options)(func)


def n_chunks(n_items: int) -> int:
    """How many chunks a batch of ``n_items`` is split into for the parallel kernels."""
    return max(1, min(n_items, 8 * numba.get_num_threads()))
