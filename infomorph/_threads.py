"""How many threads infomorph's work uses, and the one switch that sets them.

numba's thread pool does all parallel work; BLAS runs on one thread, called from inside the
numba kernels once per block (:mod:`infomorph.kernels`). Two pools whose workers spin while they
wait (numba's OpenMP workers and OpenBLAS's threads) would otherwise compete for the same cores,
and the BLAS thread count would change the products in their last bits.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numba
import numpy as np
from threadpoolctl import threadpool_limits

__all__ = ["available_threads", "default_threads", "thread_limits"]


def available_threads() -> int:
    """Cores this process may run on (its CPU affinity), at most numba's ``NUMBA_NUM_THREADS``."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, numba.config.NUMBA_NUM_THREADS))


def _other_runnable() -> int:
    """Threads of other work that want a core right now (Linux: ``/proc/loadavg``'s count of
    runnable threads, less this one; the median of five looks a millisecond apart), else 0."""
    counts = []
    for _ in range(5):
        try:
            running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return 0
        counts.append(max(0, running - 1))
        time.sleep(0.001)
    return sorted(counts)[2]


def default_threads() -> int:
    """What ``n_threads=None`` uses: :func:`available_threads`, less the cores that other work
    keeps busy right now, at least 1.

    A parallel region ends when its slowest thread does; on a machine with more runnable
    threads than cores a thread waits a whole time slice for its core, and many short regions
    per batch then make several threads far slower than one.
    """
    free = (os.cpu_count() or 1) - _other_runnable()
    return max(1, min(available_threads(), free))


def check_threads(n_threads) -> int:
    """``n_threads`` as an int (``None``: :func:`default_threads`), or a ValueError."""
    if n_threads is None:
        return default_threads()
    if isinstance(n_threads, bool) or not isinstance(n_threads, int | np.integer) or n_threads < 1:
        raise ValueError(
            f"n_threads must be a positive int or None (the cores this process may use that are "
            f"not busy), got "
            f"{n_threads!r}"
        )
    return min(int(n_threads), numba.config.NUMBA_NUM_THREADS)


@contextmanager
def thread_limits(n_threads: int | None = None) -> Iterator[int]:
    """Run with ``n_threads`` numba threads and one BLAS thread; restore both afterwards.

    ``None`` takes :func:`default_threads`. More threads than numba's ``NUMBA_NUM_THREADS``
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
