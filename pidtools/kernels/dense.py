"""Dense marginals of one pmf, and moving values between the grids of two source masks.

For pmfs whose cells are (nearly) all non-zero, listing the support only adds work: these
helpers address every marginal as a dense C-ordered grid instead. The grid of a source mask
``M`` holds one value per joint value of the sources in ``M`` (``size[M]`` of them, the last
source of ``M`` varying fastest). Values travel between the grid of ``M`` and that of a submask
``m`` row by row: along the last source of ``M`` the two grids are either both contiguous (the
source is in ``m``) or ``m``'s value is constant, so every inner loop runs over contiguous
memory and vectorises. Buffers are those of :mod:`pidtools.kernels.marginals` (``buf_s`` /
``buf_ts`` with offsets ``off_s`` / ``off_ts``).
"""

from __future__ import annotations

import numpy as np

from ._jit import jit


def dense_plan(shape: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, ...]:
    """How to derive every marginal ``P(T, S_m)`` from a parent marginal with one more source.

    Returns ``(order, parent, outer, n_sum, inner, last)``: the masks below the full one in an
    order where each parent comes first; for mask ``m`` the parent mask and the parent grid
    viewed as ``(outer, n_sum, inner)`` with the dropped source in the middle axis; and
    ``last[m]``, the highest source index in ``m`` (-1 for the empty mask). The dropped source
    is chosen so that ``inner > 1`` where possible (the sum then runs over contiguous rows).
    """
    n = len(shape) - 1
    n_masks = 1 << n
    full = n_masks - 1
    order = sorted(range(full), key=lambda m: -bin(m).count("1"))
    parent = np.zeros(n_masks, dtype=np.int64)
    outer = np.ones(n_masks, dtype=np.int64)
    n_sum = np.ones(n_masks, dtype=np.int64)
    inner = np.ones(n_masks, dtype=np.int64)
    last = np.full(n_masks, -1, dtype=np.int64)
    for m in range(1, n_masks):
        last[m] = max(i for i in range(n) if m >> i & 1)
    for m in order:
        missing = [i for i in range(n) if not m >> i & 1]
        below = [i for i in missing if i < last[m]]
        drop = below[-1] if below else missing[0]
        par = m | 1 << drop
        parent[m] = par
        outer[m] = shape[0] * int(np.prod([shape[i + 1] for i in range(drop) if par >> i & 1]))
        n_sum[m] = shape[drop + 1]
        inner[m] = int(np.prod([shape[i + 1] for i in range(drop + 1, n) if par >> i & 1]))
    return np.asarray(order, dtype=np.int64), parent, outer, n_sum, inner, last


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


@jit
def _runs(big, small, shape, last):
    """View the grid of ``big`` as rows of runs for a transfer to or from ``small``.

    A run spans the trailing sources of ``big`` that are all in ``small`` (``along = 1``: the
    run is contiguous in both grids) or all outside it (``along = 0``: one value of ``small``
    per run). Returns ``(run, top, along)``: ``top`` is the highest source of ``big`` outside
    the run (-1 if none); rows step through the sources of ``big`` up to ``top``.
    """
    lb = last[big]
    along = (small >> lb) & 1
    run = 1
    i = lb
    while i >= 0:
        if big >> i & 1:
            if (small >> i) & 1 != along:
                break
            run *= shape[i + 1]
        i -= 1
    return run, i, along


@jit
def _next_block(off, big, small, shape, stride, top, coord):
    """Advance the odometer over the sources of ``big`` below ``top`` by one step.

    ``coord`` holds the current source values; returns the offset in the grid of ``small`` of
    the new position given the offset ``off`` of the current one.
    """
    i = top - 1
    while i >= 0:
        if big >> i & 1:
            coord[i] += 1
            inc = stride[small, i] if small >> i & 1 else 0
            if coord[i] < shape[i + 1]:
                return off + inc
            coord[i] = 0
            off -= (shape[i + 1] - 1) * inc
        i -= 1
    return off


@jit(inline=True)
def _transfer(c, src, s0, dst, d0, big, small, shape, size, stride, last, coord, reduce):
    """Broadcast (``reduce = False``) or marginalise (``reduce = True``) between the grids.

    Rows run over the values of source ``top`` (stride ``inc`` in ``small``'s grid) inside
    blocks that an odometer steps through.
    """
    run, top, along = _runs(big, small, shape, last)
    n_k = 1 if top < 0 else shape[top + 1]
    inc = stride[small, top] if top >= 0 and small >> top & 1 else 0
    coord[:] = 0
    base = 0
    n_run = ix(run)
    row = 0
    for _ in range(size[big] // (run * n_k)):
        for k in range(n_k):
            g = ix(row * run)  # offset in big's grid
            h = ix(base + k * inc)  # offset in small's grid
            if reduce:
                if along:
                    for j in range(n_run):
                        dst[ix(d0) + h + j] += c * src[ix(s0) + g + j]
                else:
                    dst[ix(d0) + h] += c * row_sum(src, ix(s0) + g, n_run)
            elif along:
                for j in range(n_run):
                    dst[ix(d0) + g + j] += c * src[ix(s0) + h + j]
            else:
                v = c * src[ix(s0) + h]
                for j in range(n_run):
                    dst[ix(d0) + g + j] += v
            row += 1
        base = _next_block(base, big, small, shape, stride, top, coord)


@jit(inline=True)
def broadcast_add(c, src, s0, dst, d0, big, small, shape, size, stride, last, coord):
    """``dst[d0 + g] += c * src[s0 + proj(g)]`` over the grid ``g`` of mask ``big``.

    ``proj`` maps a joint value of the sources in ``big`` to that of the sources in ``small``
    (a submask of ``big``).
    """
    _transfer(c, src, s0, dst, d0, big, small, shape, size, stride, last, coord, False)


@jit(inline=True)
def reduce_add(c, src, s0, dst, d0, big, small, shape, size, stride, last, coord):
    """``dst[d0 + h] += c * sum(src[s0 + g] for g with proj(g) = h)``: marginalise ``big`` to
    ``small``, the adjoint of :func:`broadcast_add`."""
    _transfer(c, src, s0, dst, d0, big, small, shape, size, stride, last, coord, True)
