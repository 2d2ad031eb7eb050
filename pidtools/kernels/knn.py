"""Nearest-neighbour (KSG-type) local shared-exclusion redundancies, batched over elements.

Every batch element holds a target and ``n`` scalar sources, rows of one float64 array
``data`` (``rows[b, v]`` is the row of variable ``v`` of element ``b``, target first, as in
:mod:`pidtools.kernels.estimate`). One job is an element and a draw (the data as given, a
target shuffle or a bootstrap resample); it

1. transforms each variable (seeded tie-breaking; rank -> uniform, or scale + tiny noise),
2. finds for every sample ``i`` the distance ``eps_i`` to its ``k``-th neighbour in the joint
   max-norm space (for a discrete target: among the samples of its own class, in the sources'
   space),
3. counts per sample, with one pass over the other samples, which sources lie within ``eps_i``
   (a bit mask per neighbour, histogrammed over the ``2**n`` masks), from which the counts of
   every lattice node follow (``weights[node, mask]``: how often such a neighbour counts for
   the node; ``weights[node, 0]`` for the sample itself),
4. writes the local redundancy ``psi(N) + psi(m_joint) - psi(m_target) - psi(m_node)`` (bits).

The search is a plain scan over all pairs (``O(N^2)`` per job, branch-light, no tree): for the
low dimensions here (2-5 coordinates) and a few thousand samples it beats a tree, and its cost
does not depend on the data. Random numbers come from splitmix64 seeded per element and draw,
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
def _local_sx(x, orig, discrete, k, weights, psi, local):
    """Local redundancies ``local[i, node]`` (bits) of the transformed samples ``x``.

    ``x[0]`` is the target (class codes when ``discrete``), ``x[1:]`` the sources; samples with
    the same ``orig`` (bootstrap copies of one sample) are not neighbours of each other. A
    sample without another one of its class gets NaN.
    """
    n_vars, n = x.shape
    n_src = n_vars - 1
    n_masks = 1 << n_src
    n_nodes = weights.shape[0]
    kbuf = np.empty(k)
    hist_lt = np.empty(n_masks, dtype=np.int64)
    hist_le = np.empty(n_masks, dtype=np.int64)
    for i in range(n):
        # k-th neighbour distance in the joint max-norm (own class only for a discrete target)
        kbuf[:] = np.inf
        eligible = 0
        ti = x[0, i]
        for j in range(n):
            if orig[j] == orig[i]:
                continue
            if discrete:
                if x[0, j] != ti:
                    continue
                d = 0.0
            else:
                d = abs(x[0, j] - ti)
            for v in range(1, n_vars):
                d = max(d, abs(x[v, j] - x[v, i]))
            eligible += 1
            if d < kbuf[k - 1]:
                p = k - 1
                while p > 0 and kbuf[p - 1] > d:
                    kbuf[p] = kbuf[p - 1]
                    p -= 1
                kbuf[p] = d
        kk = min(k, eligible)
        if kk == 0:
            local[i, :] = np.nan
            continue
        eps = kbuf[kk - 1]
        # neighbour counts: strict for the marginals, within eps for the joint
        hist_lt[:] = 0
        hist_le[:] = 0
        m_t = 1
        for j in range(n):
            if orig[j] == orig[i]:
                continue
            if discrete:
                t_lt = x[0, j] == ti
                t_le = t_lt
            else:
                dt = abs(x[0, j] - ti)
                t_lt = dt < eps
                t_le = dt <= eps
            m_lt = 0
            m_le = 0
            for s in range(n_src):
                d = abs(x[s + 1, j] - x[s + 1, i])
                m_lt |= np.int64(d < eps) << s
                m_le |= np.int64(d <= eps) << s
            hist_lt[m_lt] += 1
            if t_le:
                hist_le[m_le] += 1
            m_t += t_lt
        base = psi[n] - psi[m_t]  # node counts: 1 <= m <= weights[node, 0] * n < len(psi)
        for a in range(n_nodes):
            m_a = weights[a, 0]
            m_at = 0
            for m in range(1, n_masks):
                w = weights[a, m]
                m_a += w * hist_lt[m]
                m_at += w * hist_le[m]
            local[i, a] = (base + psi[m_at] - psi[m_a]) * _INV_LN2


@jit(parallel=True)
def knn_sx(data, rows, discrete, mode, seeds, k, weights, psi, resample, red, local_out):
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
        _local_sx(x, orig, discrete, k, weights, psi, local)
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
