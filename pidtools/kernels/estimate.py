"""Samples to histograms: binning, joint counts and resampled (shuffled / bootstrap) counts.

Variables are stored as rows of one int64 code array ``codes`` of shape ``(n_rows, n_samples)``;
``rows[b, v]`` is the row that holds variable ``v`` (0 = target, then the sources) of batch
element ``b``, so a variable shared across the batch (a broadcast target) is stored once. The
flat cell of sample ``s`` in a pmf of shape ``(nT, n1, ..., nn)`` (C order) is
``sum_v codes[rows[b, v], s] * strides[v]``.

Random numbers come from splitmix64 (Steele, Lea & Flood 2014) seeded per batch element, so the
draws of an element depend only on its seed, never on the thread or the rest of the batch.

References
----------
Steele, G. L., Lea, D. & Flood, C. H. (2014). Fast splittable pseudorandom number generators.
Proc. OOPSLA 2014, 453-472.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ._jit import jit

#: Number of fine bins of the first pass of :func:`quantile_codes`.
FINE_BINS = 2048

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@jit
def _mix(z):
    """The splitmix64 output function (a bijection of uint64)."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@jit
def _next(state):
    state[0] += _GAMMA
    return _mix(state[0])


@jit
def _below(state, n):
    """A uniform integer in ``0..n-1``: ``floor(u n)`` for ``u`` uniform on 53-bit dyadics
    (exact below ``n = 2**53``: ``u n`` never rounds up to ``n``)."""
    u = np.float64(_next(state) >> np.uint64(11)) * 1.1102230246251565e-16  # 2**-53
    return min(np.int64(u * n), n - 1)


@jit
def element_seeds(key, index, seeds):
    """``seeds[b]``: the seed of the element with global flat index ``index[b]`` under ``key``."""
    for b in range(index.shape[0]):
        seeds[b] = _mix(key[0] ^ _mix(np.uint64(index[b]) + key[1]))


@jit
def _digitize(x, inner_edges, out):
    """``out[s]`` = number of inner edges ``<= x[s]`` (branch-free count for few edges, else
    binary search)."""
    n_edges = inner_edges.shape[0]
    if n_edges <= 32:
        for s in range(x.shape[0]):
            c = 0
            for e in range(n_edges):
                c += inner_edges[e] <= x[s]
            out[s] = c
        return
    for s in range(x.shape[0]):
        lo = 0
        hi = n_edges
        while lo < hi:
            mid = (lo + hi) >> 1
            if inner_edges[mid] <= x[s]:
                lo = mid + 1
            else:
                hi = mid
        out[s] = lo


@jit(parallel=True)
def edge_codes(x, inner_edges, codes):
    """Bin every row of ``x`` with the same sorted ``inner_edges`` (bins ``[e_k, e_k+1)``)."""
    for r in prange(x.shape[0]):
        _digitize(x[r], inner_edges, codes[r])


@jit(parallel=True)
def uniform_codes(x, n_bins, codes):
    """Equal-width bins between each row's minimum and maximum (a constant row gets bin 0)."""
    for r in prange(x.shape[0]):
        row = x[r]
        lo = row.min()
        hi = row.max()
        scale = n_bins / (hi - lo) if hi > lo else 0.0
        if not np.isfinite(scale):
            scale = 0.0
        out = codes[r]
        for s in range(row.shape[0]):
            out[s] = min(np.int64((row[s] - lo) * scale), n_bins - 1)


@jit(parallel=True)
def quantile_codes(x, n_bins, codes):
    """Equal-count bins per row: inner edge ``k`` is the order statistic of rank ``k n // B``.

    A value goes to the number of edges ``<= value``, so tied values share a bin. The order
    statistics are exact and found in linear time: a histogram over ``FINE_BINS`` equal-width
    bins (a monotone map of the values) locates the fine bin of each rank; only the values of
    those few fine bins are then sorted.
    """
    n_rows, n = x.shape
    for r in prange(n_rows):
        row = x[r]
        out = codes[r]
        lo = row.min()
        hi = row.max()
        scale = FINE_BINS / (hi - lo) if hi > lo else 0.0
        if not np.isfinite(scale):  # a range below ~1e-305: one fine bin, still exact
            scale = 0.0
        cum = np.zeros(FINE_BINS + 1, dtype=np.int64)
        for s in range(n):
            f = min(np.int64((row[s] - lo) * scale), FINE_BINS - 1)
            out[s] = f  # fine bin, overwritten by the code below
            cum[f + 1] += 1
        for f in range(FINE_BINS):
            cum[f + 1] += cum[f]
        ranks = np.empty(n_bins - 1, dtype=np.int64)
        fine_of = np.empty(n_bins - 1, dtype=np.int64)
        needed = np.zeros(FINE_BINS, dtype=np.bool_)
        for k in range(n_bins - 1):
            ranks[k] = (k + 1) * n // n_bins
            fine_of[k] = np.searchsorted(cum, ranks[k], side="right") - 1
            needed[fine_of[k]] = True
        before = np.zeros(FINE_BINS + 1, dtype=np.int64)  # values in needed fine bins below f
        for f in range(FINE_BINS):
            before[f + 1] = before[f] + (cum[f + 1] - cum[f] if needed[f] else 0)
        work = np.empty(before[FINE_BINS])
        m = 0
        for s in range(n):
            if needed[out[s]]:
                work[m] = row[s]
                m += 1
        work.sort()  # grouped by fine bin, as the fine map is monotone
        edges = np.empty(n_bins - 1)
        for k in range(n_bins - 1):
            f = fine_of[k]
            edges[k] = work[before[f] + ranks[k] - cum[f]]
        _digitize(row, edges, out)


@jit
def _cells(codes, rows_b, strides, first, out):
    """Flat cells of all samples of one element, counting variables from ``first`` on."""
    out[:] = 0
    for v in range(first, strides.shape[0]):
        row = codes[rows_b[v]]
        st = strides[v]
        for s in range(out.shape[0]):
            out[s] += row[s] * st


@jit(parallel=True)
def joint_counts(codes, rows, strides, counts):
    """``counts[b, cell]``: the joint histogram of batch element ``b`` (float64 counts)."""
    n_batch = rows.shape[0]
    n = codes.shape[1]
    for b in prange(n_batch):
        cells = np.empty(n, dtype=np.int64)
        _cells(codes, rows[b], strides, 0, cells)
        counts[b, :] = 0.0
        for s in range(n):
            counts[b, cells[s]] += 1.0


@jit(parallel=True)
def resampled_counts(codes, rows, strides, seeds, bootstrap, counts):
    """``counts[b, d, cell]``: histograms of ``counts.shape[1]`` resamplings of element ``b``.

    Without ``bootstrap`` each draw pairs a uniformly random permutation of the target with the
    sources as they are (a target-shuffled null); with ``bootstrap`` each draw takes ``n``
    samples with replacement.
    """
    n_batch, n_draws, _ = counts.shape
    n = codes.shape[1]
    for b in prange(n_batch):
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[b]
        src = np.empty(n, dtype=np.int64)
        _cells(codes, rows[b], strides, 1, src)
        tgt = codes[rows[b, 0]].copy()
        st = strides[0]
        for d in range(n_draws):
            hist = counts[b, d]
            hist[:] = 0.0
            if bootstrap:
                for _ in range(n):
                    i = _below(state, n)
                    hist[tgt[i] * st + src[i]] += 1.0
            else:
                for s in range(n - 1, 0, -1):  # Fisher-Yates
                    j = _below(state, s + 1)
                    tmp = tgt[s]
                    tgt[s] = tgt[j]
                    tgt[j] = tmp
                for s in range(n):
                    hist[tgt[s] * st + src[s]] += 1.0
