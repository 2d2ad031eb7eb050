"""Finn-Lizier I_plus-minus (specificity and ambiguity), batched over pmfs.

For an outcome ``(t, s)`` and node ``alpha``: specificity ``r+ = min_{a in alpha} -log2 p(s_a)``,
ambiguity ``r- = min_{a in alpha} -log2 p(s_a | t)`` and local redundancy ``r+ - r-``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._jit import batch_kernel
from .marginals import clear, fill_marginals, workspace


@batch_kernel
def pm_forward(
    P, shape, size, off_s, off_ts, stride, len_s, len_ts, node_ptr, node_mask, n_chunks,
    want_local, red, local,
):  # fmt: skip
    """Global redundancy ``red[b, alpha]``; with ``want_local`` also ``local[b, cell, alpha]``."""
    n_batch, n_cells = P.shape
    n_masks = size.shape[0]
    n_nodes = node_ptr.shape[0] - 1
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        buf_s, buf_ts, cells, target, idx, w = workspace(n_cells, n_masks, len_s, len_ts)
        h_s = np.empty(n_masks)
        h_s_t = np.empty(n_masks)
        for b in range(lo, hi):
            p = P[b]
            k = fill_marginals(
                p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts
            )
            for a in range(n_nodes):
                red[b, a] = 0.0
            for j in range(k):
                t = target[j]
                pt = buf_ts[off_ts[0] + t]
                for m in range(1, n_masks):
                    h_s[m] = -math.log2(buf_s[off_s[m] + idx[j, m]])
                    h_s_t[m] = -math.log2(buf_ts[off_ts[m] + t * size[m] + idx[j, m]] / pt)
                for a in range(n_nodes):
                    plus = math.inf
                    minus = math.inf
                    for q in range(node_ptr[a], node_ptr[a + 1]):
                        plus = min(plus, h_s[node_mask[q]])
                        minus = min(minus, h_s_t[node_mask[q]])
                    i_loc = plus - minus
                    red[b, a] += w[j] * i_loc
                    if want_local:
                        local[b, cells[j], a] = i_loc
            clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts)
