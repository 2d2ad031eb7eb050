"""Redundancies from specific information: Williams-Beer I_min and I_mmi, batched over pmfs.

Both come from the specific information of every source collection ``m`` about each target
value, ``I(T = t; S_m) = sum_s p(s | t) log2 p(t | s) / p(t)``, read off the sparse marginals
``P(T, S_m)`` and ``P(S_m)``; they differ only in where the minimum over a node's sets is taken
(:class:`Redundancy`).
"""

from __future__ import annotations

import math
from enum import IntEnum

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit
from .marginals import fill, marginal_buffers, reset


class Redundancy(IntEnum):
    """The redundancy of a node ``alpha`` that :func:`specific_redundancy_forward` computes."""

    #: Williams-Beer ``I_min(alpha) = sum_t p(t) min_{a in alpha} I(T = t; S_a)``
    IMIN = 0
    #: ``I_mmi(alpha) = min_{a in alpha} I(T; S_a)``, ``I(T; S_a) = sum_t p(t) I(T = t; S_a)``
    IMMI = 1


@jit
def specific_information(lay, mg, spec):
    """``spec[t, m] = I(T = t; S_m)`` for every mask ``m >= 1`` from the filled marginals."""
    size, off_s, off_ts = lay.size, lay.off_s, lay.off_ts
    buf_s, buf_ts = mg.buf_s, mg.buf_ts
    for m in range(1, size.shape[0]):
        for t in range(lay.shape[0]):
            pt = buf_ts[off_ts[0] + t]
            acc = 0.0
            if pt > 0.0:
                base = off_ts[m] + t * size[m]
                for j in range(size[m]):
                    pts = buf_ts[base + j]
                    if pts > 0.0:
                        acc += pts * math.log2(pts / (pt * buf_s[off_s[m] + j]))
                acc /= pt
            spec[t, m] = acc


@batch_kernel
def specific_redundancy_forward(P, lay, nodes, n_chunks, redundancy, red):
    """``red[b, a]``: the redundancy ``redundancy`` (a :class:`Redundancy` value, as int) of
    node ``a`` of the flat pmf ``P[b]``, for the nodes' sets ``nodes``
    (:class:`.marginals.NodeSets`)."""
    n_batch = P.shape[0]
    n_masks = lay.size.shape[0]
    n_nodes = nodes.ptr.shape[0] - 1
    n_t = lay.shape[0]
    p_t = lay.off_ts[0]  # P(T) in the target-source buffer
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        mg = marginal_buffers(lay)
        spec = np.zeros((n_t, n_masks))
        mi = np.zeros(n_masks)
        for b in range(lo, hi):
            k = fill(P[b], lay, mg)
            specific_information(lay, mg, spec)
            for m in range(1, n_masks):
                acc = 0.0
                for t in range(n_t):
                    acc += mg.buf_ts[p_t + t] * spec[t, m]
                mi[m] = acc
            for a in range(n_nodes):
                if redundancy == Redundancy.IMIN:
                    acc = 0.0
                    for t in range(n_t):
                        pt = mg.buf_ts[p_t + t]
                        if pt > 0.0:
                            low = math.inf
                            for r in range(nodes.ptr[a], nodes.ptr[a + 1]):
                                low = min(low, spec[t, nodes.mask[r]])
                            acc += pt * low
                    red[b, a] = acc
                else:
                    low = math.inf
                    for r in range(nodes.ptr[a], nodes.ptr[a + 1]):
                        low = min(low, mi[nodes.mask[r]])
                    red[b, a] = low
            reset(k, lay, mg)
