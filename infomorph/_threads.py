"""How many threads infomorph's work uses, and the one switch that sets them.

numba's thread pool does all parallel work; BLAS runs on one thread, called from inside the
numba kernels once per block (:mod:`infomorph.kernels`). Two pools whose workers spin while they
wait (numba's OpenMP workers and OpenBLAS's threads) would otherwise compete for the same cores,
and the BLAS thread count would change the products in their last bits.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np
from threadpoolctl import threadpool_limits

__all__ = ["available_threads", "thread_limits"]


def available_threads() -> int:
    """Cores this process may run on (its CPU affinity), at most numba's ``NUMBA_NUM_THREADS``."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, numba.config.NUMBA_NUM_THREADS))


def check_threads(n_threads) -> int:
    """``n_threads`` as an int (``None``: :func:`available_threads`), or a ValueError."""
    if n_threads is None:
        return available_threads()
    if isinstance(n_threads, bool) or not isinstance(n_threads, int | np.integer) or n_threads < 1:
        raise ValueError(
            f"n_threads must be a positive int or None (all cores this process may use), got "
            f"{n_threads!r}"
        )
    return min(int(n_threads), numba.config.NUMBA_NUM_THREADS)


@contextmanager
def thread_limits(n_threads: int | None = None) -> Iterator[int]:
    """Run with ``n_threads`` numba threads and one BLAS thread; restore both afterwards.

    ``None`` takes :func:`available_threads`. More threads than numba's ``NUMBA_NUM_THREADS``
    (set before numba starts) cannot be had; the count is capped there. Yields the count used.
    """
    n = check_threads(n_threads)
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        with threadpool_limits(1, user_api="blas"):
            yield n
    finally:
        numba.set_num_threads(old)
