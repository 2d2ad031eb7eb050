"""Williams-Beer I_min and minimum mutual information I_mmi, batched over pmfs.

Both come from the specific information of every source collection ``m`` about each target
value, ``I(T = t; S_m) = sum_s p(s | t) log2 p(t | s) / p(t)``, read off the sparse marginals
``P(T, S_m)`` and ``P(S_m)``:

- ``I_min(alpha) = sum_t p(t) min_{a in alpha} I(T = t; S_a)``
- ``I_mmi(alpha) = min_{a in alpha} I(T; S_a)`` with ``I(T; S_a) = sum_t p(t) I(T = t; S_a)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit
from .marginals import clear, fill_marginals, workspace


@jit
def specific_information(buf_s, buf_ts, size, off_s, off_ts, n_t, spec):
    """``spec[t, m] = I(T = t; S_m)`` for every mask ``m >= 1`` from filled marginal buffers."""
    for m in range(1, size.shape[0]):
        for t in range(n_t):
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
def wb_forward(
    P, shape, size, off_s, off_ts, stride, len_s, len_ts, node_ptr, node_mask, n_chunks,
    minimum_per_target, red,
):  # fmt: skip
    """Redundancy of every node: I_min with ``minimum_per_target``, else I_mmi."""
    n_batch, n_cells = P.shape
    n_masks = size.shape[0]
    n_nodes = node_ptr.shape[0] - 1
    n_t = shape[0]
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        buf_s, buf_ts, cells, target, idx, w = workspace(n_cells, n_masks, len_s, len_ts)
        spec = np.zeros((n_t, n_masks))
        mi = np.zeros(n_masks)
        for b in range(lo, hi):
            p = P[b]
            k = fill_marginals(
                p, shape, size, off_s, off_ts, stride, cells, target, idx, w, buf_s, buf_ts
            )
            specific_information(buf_s, buf_ts, size, off_s, off_ts, n_t, spec)
            for m in range(1, n_masks):
                acc = 0.0
                for t in range(n_t):
                    acc += buf_ts[off_ts[0] + t] * spec[t, m]
                mi[m] = acc
            for a in range(n_nodes):
                if minimum_per_target:
                    acc = 0.0
                    for t in range(n_t):
                        pt = buf_ts[off_ts[0] + t]
                        if pt > 0.0:
                            low = math.inf
                            for q in range(node_ptr[a], node_ptr[a + 1]):
                                low = min(low, spec[t, node_mask[q]])
                            acc += pt * low
                    red[b, a] = acc
                else:
                    low = math.inf
                    for q in range(node_ptr[a], node_ptr[a + 1]):
                        low = min(low, mi[node_mask[q]])
                    red[b, a] = low
            clear(k, target, idx, size, off_s, off_ts, buf_s, buf_ts)
