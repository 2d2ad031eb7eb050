"""Numba kernels. They take C-contiguous float64/int64 arrays, trust their input and never raise.

Validation lives in the public wrappers (:mod:`pidtools.core`, :mod:`pidtools.measures`).
"""

from ._jit import KERNEL_SOURCES, batch_kernel, jit, n_chunks, refresh_cache

__all__ = ["KERNEL_SOURCES", "batch_kernel", "jit", "n_chunks", "refresh_cache"]

refresh_cache(KERNEL_SOURCES[0].parent, KERNEL_SOURCES)
