"""Finn-Lizier I_plus-minus (specificity and ambiguity), batched over pmfs.

For an outcome ``(t, s)`` and node ``alpha``: specificity ``r+ = min_{a in alpha} -log2 p(s_a)``,
ambiguity ``r- = min_{a in alpha} -log2 p(s_a | t)`` and local redundancy ``r+ - r-``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._jit import batch_kernel
from .marginals import fill, marginal_buffers, reset


@batch_kernel
def pm_forward(P, lay, nodes, n_chunks, want_local, red, local):
    """Global redundancy ``red[b, alpha]``; with ``want_local`` also ``local[b, cell, alpha]``.

    ``nodes`` (:class:`.marginals.NodeSets`) are the sets of every node.
    """
    n_batch = P.shape[0]
    size, off_s, off_ts = lay.size, lay.off_s, lay.off_ts
    n_masks = size.shape[0]
    n_nodes = nodes.ptr.shape[0] - 1
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        mg = marginal_buffers(lay)
        buf_s, buf_ts, idx = mg.buf_s, mg.buf_ts, mg.idx
        h_s = np.empty(n_masks)
        h_s_t = np.empty(n_masks)
        for b in range(lo, hi):
            k = fill(P[b], lay, mg)
            for a in range(n_nodes):
                red[b, a] = 0.0
            for j in range(k):
                t = mg.target[j]
                pt = buf_ts[off_ts[0] + t]
                for m in range(1, n_masks):
                    h_s[m] = -math.log2(buf_s[off_s[m] + idx[j, m]])
                    h_s_t[m] = -math.log2(buf_ts[off_ts[m] + t * size[m] + idx[j, m]] / pt)
                for a in range(n_nodes):
                    plus = math.inf
                    minus = math.inf
                    for r in range(nodes.ptr[a], nodes.ptr[a + 1]):
                        plus = min(plus, h_s[nodes.mask[r]])
                        minus = min(minus, h_s_t[nodes.mask[r]])
                    i_loc = plus - minus
                    red[b, a] += mg.w[j] * i_loc
                    if want_local:
                        local[b, mg.cells[j], a] = i_loc
            reset(k, lay, mg)
