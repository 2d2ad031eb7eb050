"""Dense marginals of one pmf, and moving values between the grids of two source masks.

For pmfs whose cells are (nearly) all non-zero, listing the support only adds work: these
helpers address every marginal as a dense C-ordered grid instead. The grid of a source mask
``M`` holds one value per joint value of the sources in ``M`` (``size[M]`` of them, the last
source of ``M`` varying fastest). Values travel between the grid of ``M`` and that of a submask
``m`` in runs: along the trailing sources of ``M`` that are all in ``m`` the two grids are both
contiguous, and along those all outside ``m`` the value of ``m``'s grid is constant, so every
inner loop runs over contiguous memory and vectorises. The offsets of the runs are tabulated
once per pmf shape (:func:`dense_plan`). Buffers are those of
:mod:`pidtools.kernels.marginals` (``buf_s`` / ``buf_ts`` with offsets ``off_s`` / ``off_ts``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._jit import jit


class DensePlan(NamedTuple):
    """The tables of the dense path for pmfs of one shape (:func:`dense_plan`)."""

    order: np.ndarray  #: masks below the full one, each parent before its children
    parent: np.ndarray  #: (2**n,) the mask with one source more that each mask is summed from
    outer: np.ndarray  #: (2**n,) the parent grid viewed as (outer, n_sum, inner) ...
    n_sum: np.ndarray  #: (2**n,) ... with the dropped source in the middle axis
    inner: np.ndarray  #: (2**n,)
    run: np.ndarray  #: (4**n,) run length of each transfer pair
    along: np.ndarray  #: (4**n,) 1: runs contiguous in the small grid, 0: constant there
    start: np.ndarray  #: (4**n + 1,) first run of each pair in ``row_off``
    row_off: np.ndarray  #: offset of each run in the small grid


def dense_plan(shape: np.ndarray, size: np.ndarray, stride: np.ndarray) -> DensePlan:
    """Tables of the dense path for pmfs of shape ``(nT, n1, ..., nn)``.

    Marginals: the masks below the full one in an order where each parent comes first; for
    mask ``m`` its parent mask (one more source) and the parent grid viewed as
    ``(outer, n_sum, inner)`` with the dropped source in the middle axis, chosen so that
    ``inner > 1`` where possible (the sum then runs over contiguous rows).

    Transfers between the grid of ``big`` and that of a submask ``small``, pair
    ``k = big * 2**n + small``: the grid of ``big`` is cut into runs of ``run[k]`` values that
    are contiguous in ``small``'s grid too (``along[k] = 1``) or share one value of it
    (``along[k] = 0``); run ``r`` starts at ``row_off[start[k] + r]`` in ``small``'s grid
    (``start[k + 1] - start[k]`` runs).
    """
    n = len(shape) - 1
    n_masks = 1 << n
    full = n_masks - 1
    order = sorted(range(full), key=lambda m: -bin(m).count("1"))
    parent = np.zeros(n_masks, dtype=np.int64)
    outer = np.ones(n_masks, dtype=np.int64)
    n_sum = np.ones(n_masks, dtype=np.int64)
    inner = np.ones(n_masks, dtype=np.int64)
    last = [max((i for i in range(n) if m >> i & 1), default=-1) for m in range(n_masks)]
    for m in order:
        missing = [i for i in range(n) if not m >> i & 1]
        below = [i for i in missing if i < last[m]]
        drop = below[-1] if below else missing[0]
        par = m | 1 << drop
        parent[m] = par
        outer[m] = shape[0] * int(np.prod([shape[i + 1] for i in range(drop) if par >> i & 1]))
        n_sum[m] = shape[drop + 1]
        inner[m] = int(np.prod([shape[i + 1] for i in range(drop + 1, n) if par >> i & 1]))
    run = np.ones(n_masks * n_masks, dtype=np.int64)
    along = np.zeros(n_masks * n_masks, dtype=np.int64)
    start = np.zeros(n_masks * n_masks + 1, dtype=np.int64)
    offsets = []
    for big in range(n_masks):
        srcs = [i for i in range(n) if big >> i & 1]
        for small in range(n_masks):
            k = big * n_masks + small
            start[k] = sum(len(o) for o in offsets)
            if small & ~big or big == 0:
                continue
            # the trailing sources of big that are all in small, or all outside it
            inside = bool(small >> srcs[-1] & 1)
            cut = len(srcs)
            while cut > 0 and bool(small >> srcs[cut - 1] & 1) == inside:
                cut -= 1
            run[k] = int(np.prod([shape[i + 1] for i in srcs[cut:]]))
            along[k] = int(inside)
            head = srcs[:cut]  # sources that step from run to run, in C order
            coords = np.indices([shape[i + 1] for i in head], dtype=np.int64)
            coords = coords.reshape(len(head), -1) if head else np.zeros((0, 1), dtype=np.int64)
            off = np.zeros(coords.shape[1], dtype=np.int64)
            for row, i in zip(coords, head, strict=True):
                if small >> i & 1:
                    off += row * stride[small, i]
            offsets.append(off)
    start[-1] = sum(len(o) for o in offsets)
    row_off = np.concatenate(offsets) if offsets else np.zeros(0, dtype=np.int64)
    return DensePlan(
        np.asarray(order, dtype=np.int64),
        parent,
        outer,
        n_sum,
        inner,
        run,
        along,
        start,
        row_off,
    )


@jit
def dense_marginals(
    p, shape, size, off_s, off_ts, order, parent, outer, n_sum, inner, buf_s, buf_ts
):
    """Fill ``buf_ts`` with ``P(T, S_m)`` and ``buf_s`` with ``P(S_m)`` for every mask ``m``.

    Indices are unsigned so that the compiler drops numpy's negative-index handling and
    vectorises the inner loops.
    """
    n_t = shape[0]
    full = size.shape[0] - 1
    f0 = ix(off_ts[full])
    for c in range(ix(p.shape[0])):
        buf_ts[f0 + c] = p[c]
    for m in order:
        n_in = ix(inner[m])
        n_k = ix(n_sum[m])
        for o in range(ix(outer[m])):
            s = ix(off_ts[parent[m]]) + o * n_k * n_in
            d = ix(off_ts[m]) + o * n_in
            if n_in == 1:
                buf_ts[d] = row_sum(buf_ts, s, n_k)
                continue
            for r in range(n_in):
                buf_ts[d + r] = buf_ts[s + r]
            for k in range(ix(1), n_k):
                sk = s + k * n_in
                for r in range(n_in):
                    buf_ts[d + r] += buf_ts[sk + r]
    for m in range(size.shape[0]):
        g = ix(size[m])
        d = ix(off_s[m])
        s = ix(off_ts[m])
        for r in range(g):
            buf_s[d + r] = buf_ts[s + r]
        for t in range(ix(1), ix(n_t)):
            st = s + t * g
            for r in range(g):
                buf_s[d + r] += buf_ts[st + r]


@jit
def ix(i):
    """``i`` as an unsigned index (no negative-index wrap-around, so loops vectorise)."""
    return np.uint64(i)


@jit(fastmath={"reassoc"})
def row_sum(x, start, n):
    """``sum(x[start:start + n])``, summed in any order (vectorised)."""
    a = ix(start)
    acc = 0.0
    for j in range(ix(n)):
        acc += x[a + j]
    return acc


@jit(fastmath={"reassoc"})
def dot(x, y, n):
    """``sum(x[:n] * y[:n])``, summed in any order (vectorised)."""
    acc = 0.0
    for j in range(n):
        acc += x[j] * y[j]
    return acc


@jit(inline=True)
def _transfer(c, src, s0, dst, d0, run, along, row_off, first, n_runs, mode):
    """Run by run: ``mode`` 0 broadcasts and adds, 1 broadcasts and assigns, 2 marginalises."""
    n_run = ix(run)
    for r in range(n_runs):
        g = ix(r * run)  # offset in the grid of big
        h = ix(row_off[first + r])  # offset in the grid of small
        if mode == 2:
            if along:
                for j in range(n_run):
                    dst[ix(d0) + h + j] += c * src[ix(s0) + g + j]
            else:
                dst[ix(d0) + h] += c * row_sum(src, ix(s0) + g, n_run)
        elif mode == 1:
            if along:
                for j in range(n_run):
                    dst[ix(d0) + g + j] = c * src[ix(s0) + h + j]
            else:
                v = c * src[ix(s0) + h]
                for j in range(n_run):
                    dst[ix(d0) + g + j] = v
        elif along:
            for j in range(n_run):
                dst[ix(d0) + g + j] += c * src[ix(s0) + h + j]
        else:
            v = c * src[ix(s0) + h]
            for j in range(n_run):
                dst[ix(d0) + g + j] += v


@jit(inline=True)
def broadcast_add(c, src, s0, dst, d0, pair, run, along, start, row_off, assign=False):
    """``dst[d0 + g] += c * src[s0 + proj(g)]`` over the grid ``g`` of mask ``big`` (``=``
    instead of ``+=`` with ``assign``).

    ``pair = big * 2**n + small``; ``proj`` maps a joint value of the sources in ``big`` to that
    of the sources in ``small`` (a submask of ``big``); ``run``, ``along``, ``start``,
    ``row_off`` are the transfer tables of :func:`dense_plan`.
    """
    first = start[pair]
    n_runs = start[pair + 1] - first
    mode = 1 if assign else 0
    _transfer(c, src, s0, dst, d0, run[pair], along[pair], row_off, first, n_runs, mode)


@jit(inline=True)
def reduce_add(c, src, s0, dst, d0, pair, run, along, start, row_off):
    """``dst[d0 + h] += c * sum(src[s0 + g] for g with proj(g) = h)``: marginalise ``big`` to
    ``small``, the adjoint of :func:`broadcast_add`."""
    first = start[pair]
    n_runs = start[pair + 1] - first
    _transfer(c, src, s0, dst, d0, run[pair], along[pair], row_off, first, n_runs, 2)
