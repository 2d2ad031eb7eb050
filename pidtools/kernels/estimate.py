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


@jit
def _half_scale(lo, hi, n_bins):
    """``n_bins / ((hi - lo) / 2)``, or 0 for a constant row.

    Positions are measured in half-units, ``x / 2 - lo / 2``: halving is exact for normal
    numbers, so the codes equal those of ``(x - lo) * n_bins / (hi - lo)``, and the difference
    of any two finite float64 values stays finite (``(x - lo)`` overflows to ``inf`` for a range
    wider than about 1.8e308).
    """
    half_range = hi / 2 - lo / 2
    if not half_range > 0:
        return 0.0
    scale = n_bins / half_range
    return scale if np.isfinite(scale) else 0.0


@jit
def _scaled_code(x, lo, scale, n_bins):
    """``min(floor((x / 2 - lo / 2) * scale), n_bins - 1)``, clamped to ``0..n_bins-1``."""
    f = (x / 2 - lo / 2) * scale
    if not f >= 0.0:  # NaN cannot occur for finite input; clamp all the same
        return 0
    if f >= n_bins - 1:
        return n_bins - 1
    return np.int64(f)


@jit(parallel=True)
def uniform_codes(x, n_bins, codes):
    """Equal-width bins between each row's minimum and maximum (a constant row gets bin 0)."""
    for r in prange(x.shape[0]):
        row = x[r]
        lo = row.min()
        scale = _half_scale(lo, row.max(), n_bins)
        out = codes[r]
        for s in range(row.shape[0]):
            out[s] = _scaled_code(row[s], lo, scale, n_bins)


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
        scale = _half_scale(lo, row.max(), FINE_BINS)  # 0 for a tiny range: one fine bin, exact
        cum = np.zeros(FINE_BINS + 1, dtype=np.int64)
        for s in range(n):
            f = _scaled_code(row[s], lo, scale, FINE_BINS)
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
def _auto_edges(row, n_bins):
    """Inner edges of the ``"auto"`` binning of one row (see :func:`auto_codes`)."""
    v = np.sort(row)
    n = v.shape[0]
    # starts[j]: position of the first copy of the j-th distinct value
    starts = np.empty(n + 1, dtype=np.int64)
    d = 0
    for i in range(n):
        if i == 0 or v[i] != v[i - 1]:
            starts[d] = i
            d += 1
    starts[d] = n
    if d <= n_bins:  # a code per distinct value
        edges = np.empty(d - 1)
        for j in range(1, d):
            edges[j - 1] = v[starts[j]]
        return edges
    edges = np.empty(n_bins - 1)
    j0 = 0  # the current bin starts at distinct value j0
    for k in range(n_bins - 1):
        left = n_bins - k  # bins still to fill, this one included
        begin = starts[j0]
        target = begin + (n - begin) / left
        # the cut goes before distinct value j (j0 < j); leave >= left - 1 values for the rest
        last = d - (left - 1)
        j = j0 + 1
        while j < last and starts[j + 1] <= target:
            j += 1
        # j: the last start at or below target (or j0 + 1); j + 1 may be closer
        if j < last and starts[j] < target and starts[j + 1] - target < target - starts[j]:
            j += 1
        edges[k] = v[starts[j]]
        j0 = j
    return edges


@jit(parallel=True)
def auto_codes(x, n_bins, codes, n_codes):
    """Codes that respect the data: a code per distinct value, else tie-aware quantile bins.

    A row with at most ``n_bins`` distinct values gets the codes ``0..d-1`` of its sorted
    distinct values. Otherwise its sorted values are cut into ``n_bins`` bins only between
    distinct values (tied values always share a bin), each cut at the boundary nearest to the
    equal-count target of the samples not yet binned, ``begin + (n - begin) / bins_left``
    (ties of the distance go to the lower cut), while leaving every later bin at least one
    distinct value. A value holding at least a bin's share of the samples thus gets a bin of its
    own, and without ties the bins hold ``round`` shares of the samples. Only comparisons are
    used, so any finite values are safe. ``n_codes[r]``: the number of codes row ``r`` uses.
    """
    for r in prange(x.shape[0]):
        edges = _auto_edges(x[r], n_bins)
        n_codes[r] = edges.shape[0] + 1
        _digitize(x[r], edges, codes[r])


@jit(parallel=True)
def distinct_up_to(x, cap):
    """The largest number of distinct values in a row of ``x``, counted up to ``cap``."""
    n_rows = x.shape[0]
    found = np.empty(n_rows, dtype=np.int64)
    for r in prange(n_rows):
        seen = np.empty(cap)
        d = 0
        for s in range(x.shape[1]):
            v = x[r, s]
            new = True
            for j in range(d):
                if seen[j] == v:
                    new = False
                    break
            if new:
                seen[d] = v
                d += 1
                if d == cap:
                    break
        found[r] = d
    return found.max() if n_rows else 0


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
