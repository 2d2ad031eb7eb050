"""One pass over a batch of flat pmfs: input checks and Shannon terms."""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._jit import batch_kernel, jit
from ._math import log2_inplace
from .dense import dot, row_sum


@jit
def scan_pmfs(P, totals):
    """Write each row's total to ``totals``; return (#non-finite entries, smallest entry)."""
    bad = 0
    low = np.inf
    for b in range(P.shape[0]):
        s = 0.0
        for c in range(P.shape[1]):
            v = P[b, c]
            if not math.isfinite(v):
                bad += 1
            elif v < low:
                low = v
            s += v
        totals[b] = s
    return bad, low


@jit
def _entropy(x, n, scratch):
    """``-sum(x[:n] log2 x[:n])`` with ``0 log 0 = 0``; ``scratch`` holds at least ``n`` values."""
    for c in range(n):
        scratch[c] = x[c] if x[c] > 0.0 else 1.0
    log2_inplace(scratch, n)
    return -dot(x, scratch, n)


@batch_kernel
def entropies(P, n_target, n_chunks, h_t, h_res):
    """``H(T)`` and ``H(T | S)`` (bits) of normalised flat pmfs whose first axis is T.

    Logarithms of whole rows at once (vectorised), zero cells counted as ``0 log 0 = 0``.
    """
    n_batch, n_cells = P.shape
    n_src = n_cells // n_target
    for ch in prange(n_chunks):
        lo = ch * n_batch // n_chunks
        hi = (ch + 1) * n_batch // n_chunks
        lg = np.empty(n_cells)
        ps = np.empty(n_src)
        pt = np.empty(n_target)
        for b in range(lo, hi):
            p = P[b]
            joint = _entropy(p, n_cells, lg)
            ps[:] = p[:n_src]
            for t in range(1, n_target):
                row = p[t * n_src : (t + 1) * n_src]
                for s in range(n_src):
                    ps[s] += row[s]
            src = _entropy(ps, n_src, lg)
            ht = 0.0
            for t in range(n_target):
                pt[t] = row_sum(p, t * n_src, n_src)
                if pt[t] > 0.0:
                    ht -= pt[t] * math.log2(pt[t])
            h_t[b] = ht
            h_res[b] = joint - src
