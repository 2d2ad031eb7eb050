"""Nearest-neighbour (KSG-type) local shared-exclusion redundancies, batched over elements.

Every batch element holds a target and ``n`` scalar sources, rows of one float64 array
``data`` (``rows[b, v]`` is the row of variable ``v`` of element ``b``, target first, as in
:mod:`pidtools.kernels.estimate`). One job is an element and a draw (the data as given, a
target shuffle or a bootstrap resample); it

1. transforms each variable (seeded tie-breaking; rank -> uniform, or scale + tiny noise),
2. finds for every sample ``i`` the distance ``eps_i`` to its ``k``-th neighbour in the joint
   max-norm space (for a discrete target: among the samples of its own class, in the sources'
   space),
3. counts per sample the neighbours whose sources in ``mask`` all lie within ``eps_i``, for
   every set ``mask`` of sources, and combines them into the count of every lattice node
   (``coef[node, mask]``: the leading-order sum over the node's smallest sets, or the
   inclusion-exclusion sum of the union event),
4. writes the local redundancy ``psi(N) + psi(m_joint) - psi(m_target) - psi(m_node)`` (bits).

Neighbour search and counting use sorted orders, one per variable (and per class for a discrete
target): the k-th neighbour is found by scanning outward along one variable until that variable
alone is farther than the current k-th distance, and every count scans the window of one
variable, so the work per sample is a few windows of about ``2 eps N`` samples. Random numbers come from splitmix64 seeded per element and draw,
so results do not depend on threads or on how the batch is split.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._jit import jit
from .estimate import _below, _mix, _next

#: Variable transforms (the ``mode`` argument).
RANK, STANDARDIZE, RAW = 0, 1, 2
#: Resampling kinds (the ``resample`` argument).
NONE, SHUFFLE, BOOTSTRAP = 0, 1, 2

_INV_LN2 = 1.0 / math.log(2.0)
_DRAW_KEY = np.uint64(0xD1B54A32D192ED03)


@jit
def _uniform(state):
    """A uniform float in ``[0, 1)`` (53-bit dyadics)."""
    return np.float64(_next(state) >> np.uint64(11)) * 1.1102230246251565e-16


@jit
def _transform(src, out, mode, state):
    """``out``: ``src`` transformed by ``mode`` with seeded tie-breaking.

    ``RANK``: ``(rank + u) / n`` with ties ranked in random order and ``u`` uniform on ``[0, 1)``
    (a randomised probability integral transform: uniform margins, no ties, order kept).
    ``STANDARDIZE`` / ``RAW``: divided by the standard deviation (or not), plus uniform noise of
    amplitude ``1e-10 * max(1, mean |x|)``.
    """
    n = src.shape[0]
    if mode == RANK:
        perm = np.arange(n)
        for s in range(n - 1, 0, -1):  # Fisher-Yates: random order among ties
            j = _below(state, s + 1)
            tmp = perm[s]
            perm[s] = perm[j]
            perm[j] = tmp
        order = np.argsort(src[perm], kind="mergesort")
        for r in range(n):
            out[perm[order[r]]] = (r + _uniform(state)) / n
        return
    scale = 1.0
    if mode == STANDARDIZE:
        sd = src.std()
        if sd > 0.0:
            scale = 1.0 / sd
    mean_abs = 0.0
    for s in range(n):
        mean_abs += abs(src[s] * scale)
    amp = 1e-10 * max(1.0, mean_abs / n)
    for s in range(n):
        out[s] = src[s] * scale + amp * (2.0 * _uniform(state) - 1.0)


@jit
def _window(xv, order, p, lo, hi, eps, strict):
    """Positions ``[a, b)`` of ``order[lo:hi]`` (sorted by ``xv``) around position ``p`` whose
    values lie within ``eps`` of ``xv[order[p]]`` (``< eps`` if ``strict``, else ``<= eps``).

    Rounding is monotone, so ``|xv[j] - c|`` grows along each side and the scan is exact."""
    c = xv[order[p]]
    a = p
    while a > lo:
        d = abs(xv[order[a - 1]] - c)
        if d > eps or (strict and d == eps):
            break
        a -= 1
    b = p + 1
    while b < hi:
        d = abs(xv[order[b]] - c)
        if d > eps or (strict and d == eps):
            break
        b += 1
    return a, b


@jit
def _source_mask(x, i, j, eps, strict):
    """Bit ``s`` set if source ``s + 1`` of sample ``j`` lies within ``eps`` of sample ``i``'s."""
    m = 0
    for s in range(x.shape[0] - 1):
        d = abs(x[s + 1, j] - x[s + 1, i])
        m |= np.int64(d < eps if strict else d <= eps) << s
    return m


@jit
def _mask_hist(x, order, a, b, i, orig, eps, strict, hist):
    """``hist[mask]``: the samples at positions ``[a, b)`` of ``order`` (other than ``i`` and
    its copies) by the mask of their sources within ``eps`` of sample ``i``."""
    hist[:] = 0
    for q in range(a, b):
        j = order[q]
        if orig[j] != orig[i]:
            hist[_source_mask(x, i, j, eps, strict)] += 1


@jit
def _nearest(x, orig, order, p, lo, hi, i, discrete, kbuf):
    """Fill ``kbuf`` (sorted) with the ``len(kbuf)`` smallest joint max-norm distances from
    sample ``i`` (at position ``p`` of ``order[lo:hi]``), scanning outward along the order's
    variable and stopping a side once that variable alone is farther than the current k-th."""
    k = kbuf.shape[0]
    kbuf[:] = np.inf
    v0 = 1 if discrete else 0
    for step in (-1, 1):
        q = p + step
        while lo <= q < hi:
            j = order[q]
            q += step
            d = abs(x[v0, j] - x[v0, i])
            if d >= kbuf[k - 1]:
                break
            if orig[j] == orig[i]:
                continue
            for v in range(1, x.shape[0]):
                d = max(d, abs(x[v, j] - x[v, i]))
            if d < kbuf[k - 1]:
                r = k - 1
                while r > 0 and kbuf[r - 1] > d:
                    kbuf[r] = kbuf[r - 1]
                    r -= 1
                kbuf[r] = d


@jit
def _orders(x, discrete):
    """Sort orders and positions: ``order[v]`` sorts variable ``v`` over all samples; for a
    discrete target ``order[0]`` is unused and ``cls[v]`` sorts source ``v`` within classes
    (classes contiguous); ``seg[i]`` holds the class segment ``[lo, hi)`` of sample ``i``."""
    n_vars, n = x.shape
    order = np.empty((n_vars, n), dtype=np.int64)
    pos = np.empty((n_vars, n), dtype=np.int64)
    cls = np.empty((n_vars, n), dtype=np.int64)
    cpos = np.empty((n_vars, n), dtype=np.int64)
    seg = np.empty((n, 2), dtype=np.int64)
    for v in range(n_vars):
        order[v] = np.argsort(x[v], kind="mergesort")
        for r in range(n):
            pos[v, order[v, r]] = r
    if discrete:
        for v in range(1, n_vars):
            by_class = np.argsort(x[0][order[v]], kind="mergesort")
            for r in range(n):
                cls[v, r] = order[v, by_class[r]]
                cpos[v, cls[v, r]] = r
        lo = 0
        for r in range(1, n + 1):
            if r == n or x[0, cls[1, r]] != x[0, cls[1, lo]]:
                for q in range(lo, r):
                    seg[cls[1, q], 0] = lo
                    seg[cls[1, q], 1] = r
                lo = r
    return order, pos, cls, cpos, seg


@jit
def _superset_sums(hist, out, first):
    """``out[mask] += sum of hist[m] over m containing mask``, for the masks whose lowest bit
    is ``first``."""
    n_masks = hist.shape[0]
    for mask in range(1, n_masks):
        if (mask & -mask) != (1 << first):
            continue
        acc = 0
        for m in range(mask, n_masks):
            if m & mask == mask:
                acc += hist[m]
        out[mask] += acc


@jit
def _local_sx(x, orig, discrete, k, coef, psi, local):
    """Local redundancies ``local[i, node]`` (bits) of the transformed samples ``x``.

    ``x[0]`` is the target (class codes when ``discrete``), ``x[1:]`` the sources; samples with
    the same ``orig`` (bootstrap copies of one sample) are not neighbours of each other. The
    count of node ``a`` is ``sum_mask coef[a, mask] * C(mask)``, with ``C(mask)`` the samples
    whose sources in ``mask`` all lie within ``eps_i``. A sample without another one of its
    class gets NaN.

    ``C(mask)`` is summed from histograms of exact masks, one per lowest source ``v`` of
    ``mask``, over the samples in the window of ``v`` (sorted order): the work per sample is a
    few windows of about ``2 eps_i N`` samples instead of all ``N``.
    """
    n_vars, n = x.shape
    n_src = n_vars - 1
    n_masks = 1 << n_src
    n_nodes = coef.shape[0]
    order, pos, cls, cpos, seg = _orders(x, discrete)
    copies = np.zeros(n, dtype=np.int64)  # samples with the same orig, itself included
    for i in range(n):
        copies[orig[i]] += 1
    kbuf = np.empty(k)
    hist = np.empty(n_masks, dtype=np.int64)
    c_lt = np.empty(n_masks, dtype=np.int64)
    c_le = np.empty(n_masks, dtype=np.int64)
    for i in range(n):
        if discrete:
            lo, hi = seg[i, 0], seg[i, 1]
            _nearest(x, orig, cls[1], cpos[1, i], lo, hi, i, True, kbuf)
        else:
            lo, hi = 0, n
            _nearest(x, orig, order[0], pos[0, i], 0, n, i, False, kbuf)
        kk = min(k, hi - lo - copies[orig[i]])
        if kk <= 0:
            local[i, :] = np.nan
            continue
        eps = kbuf[kk - 1]
        # strict counts over all samples, by lowest source (C includes i itself)
        c_lt[:] = 1
        for v in range(n_src):
            a, b = _window(x[v + 1], order[v + 1], pos[v + 1, i], 0, n, eps, True)
            if v == n_src - 1:  # the last source is the lowest of its singleton only
                for q in range(a, b):
                    c_lt[1 << v] += orig[order[v + 1, q]] != orig[i]
                continue
            _mask_hist(x, order[v + 1], a, b, i, orig, eps, True, hist)
            _superset_sums(hist, c_lt, v)
        # joint counts (target and sources within eps, boundary included), i excluded
        c_le[:] = 0
        if discrete:
            m_t = hi - lo - copies[orig[i]] + 1
            for v in range(n_src):
                a, b = _window(x[v + 1], cls[v + 1], cpos[v + 1, i], lo, hi, eps, False)
                _mask_hist(x, cls[v + 1], a, b, i, orig, eps, False, hist)
                _superset_sums(hist, c_le, v)
        else:
            a, b = _window(x[0], order[0], pos[0, i], 0, n, eps, False)
            _mask_hist(x, order[0], a, b, i, orig, eps, False, hist)
            a, b = _window(x[0], order[0], pos[0, i], a, b, eps, True)
            m_t = 1
            for q in range(a, b):
                m_t += orig[order[0, q]] != orig[i]
            for v in range(n_src):
                _superset_sums(hist, c_le, v)
        base = psi[n] - psi[m_t]  # node counts: 1 <= m < len(psi)
        for node in range(n_nodes):
            m_a = 0
            m_at = 0
            for mask in range(1, n_masks):
                w = coef[node, mask]
                m_a += w * c_lt[mask]
                m_at += w * c_le[mask]
            local[i, node] = (base + psi[m_at] - psi[m_a]) * _INV_LN2


@jit(parallel=True)
def knn_sx(data, rows, discrete, mode, seeds, k, coef, psi, resample, red, local_out):
    """Global redundancies ``red[b, d, node]`` of every element ``b`` and draw ``d`` (bits).

    ``resample``: ``NONE`` (one draw: the data), ``SHUFFLE`` (the target permuted) or
    ``BOOTSTRAP`` (``n`` samples drawn with replacement). With ``NONE`` and a ``local_out`` of
    shape ``(n_batch, n, n_nodes)``, the local values are written there too. A global value is
    the mean over the samples with a finite local value.
    """
    n_batch, n_draws, n_nodes = red.shape
    n_vars = rows.shape[1]
    n = data.shape[1]
    want_local = local_out.shape[0] == n_batch and resample == NONE
    for job in prange(n_batch * n_draws):
        b = job // n_draws
        d = job - b * n_draws
        state = np.empty(1, dtype=np.uint64)
        state[0] = _mix(seeds[b] ^ _mix(np.uint64(d) + _DRAW_KEY))
        orig = np.arange(n)
        if resample == BOOTSTRAP:
            for s in range(n):
                orig[s] = _below(state, n)
            orig.sort()
        x = np.empty((n_vars, n))
        raw = np.empty(n)
        for v in range(n_vars):
            row = data[rows[b, v]]
            for s in range(n):
                raw[s] = row[orig[s]]
            if v == 0 and discrete:
                x[0, :] = raw
            else:
                _transform(raw, x[v], mode, state)
        if resample == SHUFFLE:
            t = x[0]
            for s in range(n - 1, 0, -1):
                j = _below(state, s + 1)
                tmp = t[s]
                t[s] = t[j]
                t[j] = tmp
        local = np.empty((n, n_nodes))
        _local_sx(x, orig, discrete, k, coef, psi, local)
        n_ok = 0
        acc = np.zeros(n_nodes)
        for i in range(n):
            if local[i, 0] == local[i, 0]:
                n_ok += 1
                for a in range(n_nodes):
                    acc[a] += local[i, a]
        for a in range(n_nodes):
            red[b, d, a] = acc[a] / n_ok if n_ok > 0 else np.nan
        if want_local:
            local_out[b] = local
