"""One pass over a batch of flat pmfs: input checks and Shannon terms."""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit


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
def entropies(P, n_target, h_t, h_res):
    """``H(T)`` and ``H(T | S)`` (bits) of normalised flat pmfs whose first axis is T."""
    n_src = P.shape[1] // n_target
    pt = np.empty(n_target)
    for b in range(P.shape[0]):
        joint = 0.0
        for t in range(n_target):
            pt[t] = 0.0
        src = 0.0
        for s in range(n_src):
            ps = 0.0
            for t in range(n_target):
                v = P[b, t * n_src + s]
                if v > 0.0:
                    ps += v
                    pt[t] += v
                    joint -= v * math.log2(v)
            if ps > 0.0:
                src -= ps * math.log2(ps)
        ht = 0.0
        for t in range(n_target):
            if pt[t] > 0.0:
                ht -= pt[t] * math.log2(pt[t])
        h_t[b] = ht
        h_res[b] = joint - src
