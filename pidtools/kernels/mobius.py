"""The sparse Mobius inversion of a redundancy lattice: atoms from redundancies."""

from __future__ import annotations

from numba import prange

from ._jit import batch_kernel


@batch_kernel
def mobius_rows(red, ptr, index, sign, atoms):
    """``atoms[b, i] = sum_k sign[k] * red[b, index[k]]`` over ``k`` in ``ptr[i]:ptr[i+1]``.

    Each atom is summed in the same order whatever the batch, so a pmf's atoms never depend on
    the rows around it; a NaN redundancy makes every atom that needs it NaN.
    """
    for b in prange(red.shape[0]):
        for i in range(ptr.shape[0] - 1):
            acc = 0.0
            for k in range(ptr[i], ptr[i + 1]):
                acc += sign[k] * red[b, index[k]]
            atoms[b, i] = acc
