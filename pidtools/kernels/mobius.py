"""The sparse Mobius inversion of a redundancy lattice: atoms from redundancies."""

from __future__ import annotations

import numpy as np
from numba import prange

from ._jit import batch_kernel
from ._lanes import LANES, axpy_lanes


@batch_kernel
def mobius_rows(red, ptr, index, sign, atoms):
    """``atoms[b, i] = sum_k sign[k] * red[b, index[k]]`` over ``k`` in ``ptr[i]:ptr[i+1]``.

    Full groups of :data:`LANES` pmfs are summed side by side (each term's index and sign is
    read once per group: the term tables of 5 sources, 4.8 MB, do not fit a core's cache), the
    rows left over one by one, with the same operations in the same order: a pmf's atoms never
    depend on the rows around it. A NaN redundancy makes every atom that needs it NaN.
    """
    n_batch, n_nodes = red.shape
    n_groups = n_batch // LANES
    n_rest = n_batch - n_groups * LANES
    for g in prange(n_groups + n_rest):
        if g < n_groups:
            b0 = g * LANES
            lanes = np.empty(n_nodes * LANES)  # the group's redundancies, node-major
            for a in range(n_nodes):
                for l in range(LANES):
                    lanes[a * LANES + l] = red[b0 + l, a]
            acc = np.empty(LANES)
            for i in range(n_nodes):
                acc[:] = 0.0
                for k in range(ptr[i], ptr[i + 1]):
                    axpy_lanes(acc, 0, sign[k], lanes, index[k] * LANES)
                for l in range(LANES):
                    atoms[b0 + l, i] = acc[l]
        else:
            b = n_groups * LANES + g - n_groups
            for i in range(n_nodes):
                acc1 = 0.0
                for k in range(ptr[i], ptr[i + 1]):
                    acc1 += sign[k] * red[b, index[k]]
                atoms[b, i] = acc1
