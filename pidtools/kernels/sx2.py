"""Two-source I^sx from integer counts, and fused plug-in and target-shuffle kernels.

For two sources the whole shared-exclusion decomposition of a count table ``n[t, s1, s2]``
(total ``N``) is a handful of sums over the table and its marginals. With ``L(k) = log2 k``
and ``xl(k) = k L(k)`` (``xl(0) = 0``), marginal counts written by their variables
(``n_t``, ``n_ts1``, ``n_s1s2``, ...):

- ``H(T) = L(N) - sum_t xl(n_t) / N``
- ``I(T; S1) = L(N) + [sum xl(n_ts1) - sum xl(n_t) - sum xl(n_s1)] / N`` (likewise ``S2``)
- ``I(T; S1, S2) = L(N) + [sum xl(n_ts1s2) - sum xl(n_t) - sum xl(n_s1s2)] / N``
- ``I_sx({1}{2}) = sum_x n(x)/N log2 [P(t, s1 v s2) / (P(s1 v s2) P(t))]`` with the union event
  ``s1 v s2`` ("S1 = s1 or S2 = s2"): ``N P(t, s1 v s2) = n_ts1 + n_ts2 - n_ts1s2`` and
  ``N P(s1 v s2) = n_s1 + n_s2 - n_s1s2``. Summed over the cells, the second count depends on
  the sources only and the third on the target only, so ``I_sx = L(N) + [sum_x n(x)
  L(n_ts1 + n_ts2 - n(x)) - sum_{s1,s2} n_s1s2 L(n_s1 + n_s2 - n_s1s2) - sum_t xl(n_t)] / N``.

The atoms follow by the Mobius inversion of the four-node lattice: ``{1}{2} = I_sx``,
``{1} = I(T;S1) - I_sx``, ``{2} = I(T;S2) - I_sx``, ``{12} = I(T;S1,S2) - I(T;S1) - I(T;S2) +
I_sx``. Every logarithm is of an integer in ``0..N``, read from a table ``L[k] = log2 k`` with
``L[0] = 0`` (it is only ever multiplied by a zero count), so the sums have no branches.

A target shuffle keeps ``n_t``, ``n_s1``, ``n_s2`` and ``n_s1s2``: the sums over them
(:func:`_fixed_sums`) are computed once per batch element, and each draw needs only the four
sums of :func:`_draw_sums`.

Samples use the layout of :mod:`pidtools.kernels.estimate`: ``codes[rows[b, v], s]`` is the
code of variable ``v`` (0 = target, 1, 2 = sources) of batch element ``b`` at sample ``s``, and
``strides = (n1 n2, n2, 1)``. The shuffle kernel draws exactly the permutations of
:func:`pidtools.kernels.estimate.resampled_counts` (same splitmix64 stream per element seed,
same Fisher-Yates order), but counts each draw in a small integer table and decomposes it at
once instead of writing a float histogram per draw.

References
----------
Makkeh, A., Gutknecht, A. J. & Wibral, M. (2021). Introducing a differentiable measure of
pointwise shared information. Phys. Rev. E 103, 032149.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import prange

from ..errors import ParameterError, ParameterTypeError
from ._jit import jit, n_chunks
from .estimate import _GAMMA, _mix

__all__ = ["COLUMNS", "sx2_counts_atoms", "sx2_plugin_atoms", "sx2_shuffled_atoms"]

#: What the last axis of the outputs holds, in order: the atoms in the order of
#: ``pidtools.lattice(2).labels``, then ``I(T; S1, S2)`` and ``H(T)``. An output with four
#: columns receives the atoms only.
COLUMNS = ("{1}{2}", "{1}", "{2}", "{12}", "mi", "entropy")

#: Largest total count of a table (number of samples) the kernels take: the log table has
#: this many entries plus one, and every count fits an int32.
MAX_TOTAL = 1 << 24


# ------------------------------------------------------------------------------ kernels


@jit
def _fixed_sums(cnt, n_t, n1, n2, L, work):
    """The sums of a count table that a target shuffle keeps.

    Returns ``(N, sum xl(n_t), sum xl(n_s1), sum xl(n_s2), sum xl(n_s1s2),
    sum n_s1s2 L(n_s1 + n_s2 - n_s1s2))``; ``work`` is int64 scratch of
    ``n_t + n1 + n2 + n1 n2`` entries.
    """
    o_a = n_t
    o_b = o_a + n1
    o_ab = o_b + n2
    work[:] = 0
    c = 0
    for t in range(n_t):
        for a in range(n1):
            for b in range(n2):
                v = cnt[c]
                work[t] += v
                work[o_ab + a * n2 + b] += v
                c += 1
    for a in range(n1):
        for b in range(n2):
            v = work[o_ab + a * n2 + b]
            work[o_a + a] += v
            work[o_b + b] += v
    n = 0
    xl_t = 0.0
    for t in range(n_t):
        n += work[t]
        xl_t += work[t] * L[work[t]]
    xl_a = 0.0
    for a in range(n1):
        xl_a += work[o_a + a] * L[work[o_a + a]]
    xl_b = 0.0
    for b in range(n2):
        xl_b += work[o_b + b] * L[work[o_b + b]]
    xl_ab = 0.0
    union_s = 0.0
    for a in range(n1):
        na = work[o_a + a]
        for b in range(n2):
            v = work[o_ab + a * n2 + b]
            xl_ab += v * L[v]
            union_s += v * L[na + work[o_b + b] - v]
    return n, xl_t, xl_a, xl_b, xl_ab, union_s


@jit
def _draw_sums(cnt, n_t, n1, n2, L, ta, tb):
    """The sums of a count table that a target shuffle changes.

    Returns ``(sum xl(n_ts1s2), sum n(x) L(n_ts1 + n_ts2 - n(x)), sum xl(n_ts1),
    sum xl(n_ts2))``; ``ta`` and ``tb`` are int32 scratch for the ``(T,S1)`` and ``(T,S2)``
    marginals.
    """
    m = n1 * n2
    ta[:] = 0
    tb[:] = 0
    for t in range(n_t):
        for a in range(n1):
            base = t * m + a * n2
            acc = 0
            for b in range(n2):
                v = cnt[base + b]
                acc += v
                tb[t * n2 + b] += v
            ta[t * n1 + a] = acc
    xl_tab = 0.0
    union_t = 0.0
    for t in range(n_t):
        for a in range(n1):
            base = t * m + a * n2
            x = ta[t * n1 + a]
            for b in range(n2):
                v = cnt[base + b]
                xl_tab += v * L[v]
                union_t += v * L[x + tb[t * n2 + b] - v]
    xl_ta = 0.0
    for i in range(n_t * n1):
        xl_ta += ta[i] * L[ta[i]]
    xl_tb = 0.0
    for i in range(n_t * n2):
        xl_tb += tb[i] * L[tb[i]]
    return xl_tab, union_t, xl_ta, xl_tb


@jit
def _columns(fixed, varying, L, out):
    """Write :data:`COLUMNS` (the first ``len(out)`` of them) from the two groups of sums."""
    n, xl_t, xl_a, xl_b, xl_ab, union_s = fixed
    xl_tab, union_t, xl_ta, xl_tb = varying
    if n == 0:
        out[:] = np.nan
        return
    lg_n = L[n]
    red = lg_n + (union_t - union_s - xl_t) / n
    mi1 = lg_n + (xl_ta - xl_t - xl_a) / n
    mi2 = lg_n + (xl_tb - xl_t - xl_b) / n
    mi = lg_n + (xl_tab - xl_t - xl_ab) / n
    out[0] = red
    out[1] = mi1 - red
    out[2] = mi2 - red
    out[3] = mi - mi1 - mi2 + red
    if out.shape[0] > 4:
        out[4] = mi
        out[5] = lg_n - xl_t / n


@jit
def _scratch(n_t, n1, n2):
    """Integer scratch of the sums: count table, ``(T,S1)``, ``(T,S2)``, fixed marginals."""
    cnt = np.empty(n_t * n1 * n2, dtype=np.int32)
    ta = np.empty(n_t * n1, dtype=np.int32)
    tb = np.empty(n_t * n2, dtype=np.int32)
    work = np.empty(n_t + n1 + n2 + n1 * n2, dtype=np.int64)
    return cnt, ta, tb, work


@jit
def counts_kernel(counts, n_t, n1, n2, L, out):
    """``out[b]``: :data:`COLUMNS` of the flat int32 count table ``counts[b]`` of shape
    ``(n_t, n1, n2)``; ``L[k] = log2 k`` up to the largest total, ``L[0] = 0``.

    Serial: a table takes about as long as a few hundred of its cells, and one kernel less to
    compile in parallel.
    """
    _, ta, tb, work = _scratch(n_t, n1, n2)
    for b in range(counts.shape[0]):
        fixed = _fixed_sums(counts[b], n_t, n1, n2, L, work)
        _columns(fixed, _draw_sums(counts[b], n_t, n1, n2, L, ta, tb), L, out[b])


@jit
def _gather(codes, rows_b, strides, n_t, n1, n2, tgt, src):
    """The target's codes times its stride into ``tgt``, the sources' joint cell into ``src``.

    Returns whether every code lies in its alphabet (``0..size - 1``); if not, the cells are
    not to be used.
    """
    t_row = codes[rows_b[0]]
    r1 = codes[rows_b[1]]
    r2 = codes[rows_b[2]]
    st0, st1, st2 = strides[0], strides[1], strides[2]
    u_t, u1, u2 = np.uint64(n_t), np.uint64(n1), np.uint64(n2)
    outside = False
    for s in range(tgt.shape[0]):
        a, b, c = t_row[s], r1[s], r2[s]  # a negative code wraps to a huge unsigned one
        outside |= (np.uint64(a) >= u_t) | (np.uint64(b) >= u1) | (np.uint64(c) >= u2)
        tgt[s] = a * st0
        src[s] = b * st1 + c * st2
    return not outside


@jit
def _count(tgt, src, cnt):
    cnt[:] = 0
    for s in range(tgt.shape[0]):
        cnt[np.uint32(tgt[s] + src[s])] += 1


@jit
def _swap_positions(base, swap_with):
    """``swap_with[k]``: the position that Fisher-Yates step ``k`` (position ``s = m - k``,
    ``m = len(swap_with)``) exchanges with, drawn from the splitmix64 stream after ``base``.

    Output ``k`` of the stream is ``mix(base + (k + 1) gamma)`` and is mapped to ``0..s`` as
    :func:`pidtools.kernels.estimate._below` does; the outputs do not depend on each other, so
    the loop vectorises.
    """
    m = swap_with.shape[0]
    for k in range(m):
        x = _mix(base + np.uint64(k + 1) * _GAMMA)
        u = np.float64(np.int64(x >> np.uint64(11))) * 1.1102230246251565e-16  # 2**-53
        s = m - k
        swap_with[k] = min(np.int64(u * (s + 1)), s)


@jit
def _shuffle_count(tgt, src, swap_with, cnt):
    """Apply the Fisher-Yates steps ``swap_with`` to ``tgt`` and count ``tgt[s] + src[s]``.

    Step ``k`` fixes position ``s = n - 1 - k`` for good, so it is counted at once. Indices are
    unsigned: no negative-index wrap-around in the inner loop.
    """
    n = tgt.shape[0]
    cnt[:] = 0
    for k in range(n - 1):
        s = np.uint32(n - 1 - k)
        j = np.uint32(swap_with[k])
        v = tgt[j]
        tgt[j] = tgt[s]
        tgt[s] = v
        cnt[np.uint32(v + src[s])] += 1
    cnt[np.uint32(tgt[0] + src[0])] += 1


@jit(parallel=True)
def samples_kernel(codes, rows, strides, n_t, n1, n2, seeds, L, n_chunks, plugin, null, outside):
    """Plug-in and target-shuffled :data:`COLUMNS` of coded samples.

    ``plugin[b]``: those of the joint histogram of batch element ``b``; ``null[b, d]``: those
    of draw ``d`` of its target-shuffled null (none when ``null.shape[1] == 0``). The draws are
    those of :func:`pidtools.kernels.estimate.resampled_counts` without bootstrap: the
    target's codes are permuted in place, draw after draw, by Fisher-Yates from the last
    position down, with ``_below`` on the splitmix64 stream seeded by ``seeds[b]`` (``n - 1``
    outputs per draw). An element with a code outside its alphabet gets NaN and
    ``outside[b] = True``.
    """
    n_batch, n_draws = null.shape[0], null.shape[1]
    n = codes.shape[1]
    for ch in prange(n_chunks):
        tgt = np.empty(n, dtype=np.int32)
        src = np.empty(n, dtype=np.int32)
        swap_with = np.empty(n - 1, dtype=np.int32)
        cnt, ta, tb, work = _scratch(n_t, n1, n2)
        for b in range(ch * n_batch // n_chunks, (ch + 1) * n_batch // n_chunks):
            if not _gather(codes, rows[b], strides, n_t, n1, n2, tgt, src):
                outside[b] = True
                plugin[b] = np.nan
                null[b] = np.nan
                continue
            _count(tgt, src, cnt)
            fixed = _fixed_sums(cnt, n_t, n1, n2, L, work)
            _columns(fixed, _draw_sums(cnt, n_t, n1, n2, L, ta, tb), L, plugin[b])
            if n_draws == 0:
                continue
            state = seeds[b]
            for d in range(n_draws):
                _swap_positions(state, swap_with)
                state += np.uint64(n - 1) * _GAMMA
                _shuffle_count(tgt, src, swap_with, cnt)
                _columns(fixed, _draw_sums(cnt, n_t, n1, n2, L, ta, tb), L, null[b, d])


# ----------------------------------------------------------------------- entry points

#: Largest number of cells of one count table (each thread holds one as int32).
MAX_CELLS = 1 << 24


def log2_table(n_max: int) -> np.ndarray:
    """``L[k] = log2 k`` for ``k = 1..n_max`` and ``L[0] = 0``, read-only."""
    table = np.zeros(n_max + 1)
    table[1:] = np.log2(np.arange(1, n_max + 1, dtype=np.float64))
    table.flags.writeable = False
    return table


def _check_out(out: Any, shape: tuple[int, ...], name: str) -> np.ndarray:
    """``out`` must be a writeable C-contiguous float64 array of ``shape`` plus 4 or 6 columns."""
    if not isinstance(out, np.ndarray) or out.dtype != np.float64:
        raise ParameterTypeError(
            f"{name} must be a float64 numpy array, got {getattr(out, 'dtype', type(out).__name__)}"
            f": allocate it with np.empty({(*shape, len(COLUMNS))})",
            param=name,
        )
    if out.shape[:-1] != shape or out.ndim != len(shape) + 1 or out.shape[-1] not in (4, 6):
        raise ParameterError(
            f"{name} has shape {out.shape}, expected {shape} plus a last axis of 4 (atoms) or 6 "
            f"({', '.join(COLUMNS)}) columns: allocate it with np.empty({(*shape, 6)})",
            param=name,
        )
    if not (out.flags.c_contiguous and out.flags.writeable):
        raise ParameterError(
            f"{name} must be C-contiguous and writeable: allocate it with np.empty", param=name
        )
    return out


def _check_samples(codes: Any, rows: Any, strides: Any, sizes: Any):
    """Check the sample layout of :mod:`pidtools.kernels.estimate` for two sources."""
    if not isinstance(codes, np.ndarray) or not np.issubdtype(codes.dtype, np.integer):
        raise ParameterTypeError(
            "codes must be an integer numpy array of shape (n_rows, n_samples): code the "
            "samples first (pidtools.binning)",
            param="codes",
        )
    if codes.ndim != 2 or not 1 <= codes.shape[1] <= MAX_TOTAL:
        raise ParameterError(
            f"codes must have shape (n_rows, n_samples) with 1 <= n_samples <= 2**24, got "
            f"shape {codes.shape}",
            param="codes",
        )
    try:
        sizes = tuple(sizes)
    except TypeError:
        sizes = (sizes,)
    if (
        len(sizes) != 3
        or not all(isinstance(k, int | np.integer) and not isinstance(k, bool) for k in sizes)
        or min(sizes) < 1
    ):
        raise ParameterError(
            f"sizes must be three positive ints (n_target, n_source1, n_source2), got {sizes!r}"
            ": these kernels are for two sources; use pidtools.pid for more",
            param="sizes",
        )
    sizes = tuple(int(k) for k in sizes)
    if sizes[0] * sizes[1] * sizes[2] > MAX_CELLS:
        raise ParameterError(
            f"sizes {sizes} make {sizes[0] * sizes[1] * sizes[2]} cells, more than 2**24: use "
            "fewer bins",
            param="sizes",
        )
    expected = (sizes[1] * sizes[2], sizes[2], 1)
    if np.shape(strides) != (3,) or tuple(int(x) for x in np.asarray(strides)) != expected:
        raise ParameterError(
            f"strides must be the C-order strides {expected} of sizes {sizes}, got {strides!r}",
            param="strides",
        )
    rows_arr = np.asarray(rows)
    if (
        not np.issubdtype(rows_arr.dtype, np.integer)
        or rows_arr.ndim != 2
        or (rows_arr.shape[1] != 3)
    ):
        raise ParameterError(
            f"rows must be an integer array of shape (n_batch, 3) (target, source 1, source 2 "
            f"rows of codes), got {rows_arr.dtype} of shape {rows_arr.shape}",
            param="rows",
        )
    if rows_arr.size and (rows_arr.min() < 0 or rows_arr.max() >= codes.shape[0]):
        raise ParameterError(
            f"rows must index rows of codes, 0..{codes.shape[0] - 1}, got values "
            f"{rows_arr.min()}..{rows_arr.max()}",
            param="rows",
        )
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    rows_arr = np.ascontiguousarray(rows_arr, dtype=np.int64)
    return codes, rows_arr, np.asarray(expected, dtype=np.int64), sizes


def _raise_if_outside(outside: np.ndarray, codes, rows, sizes) -> None:
    """Name the first variable whose codes leave its alphabet (the kernels flag elements)."""
    if not outside.any():
        return
    b = int(np.argmax(outside))
    for v, name in enumerate(("target", "source 1", "source 2")):
        row = codes[rows[b, v]]
        lo, hi = int(row.min()), int(row.max())
        if lo < 0 or hi >= sizes[v]:
            raise ParameterError(
                f"codes of the {name} must lie in 0..{sizes[v] - 1} (sizes[{v}] = {sizes[v]}), "
                f"got {lo}..{hi} in batch element {b}: recode the samples or pass the right "
                "sizes",
                param="codes",
            )


def sx2_counts_atoms(counts: Any) -> np.ndarray:
    """Two-source I^sx atoms, ``I(T; S1, S2)`` and ``H(T)`` of integer count tables.

    Parameters
    ----------
    counts : array_like, shape (..., n_target, n_source1, n_source2)
        Non-negative whole counts (integer, boolean or whole-valued float), each table with a
        total of at most ``2**24``; leading axes are a batch.

    Returns
    -------
    ndarray, shape (..., 6)
        The :data:`COLUMNS` of every table: the same values as ``pidtools.pid(counts / N,
        n_sources=2)`` (atoms, ``mi``, ``entropy``); NaN for an all-zero table.
    """
    arr = np.asarray(counts)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.integer)
        or np.issubdtype(arr.dtype, np.floating)
        or arr.dtype == bool
    ):
        raise ParameterTypeError(
            f"counts must hold numbers, got dtype {arr.dtype}: pass an integer array",
            param="counts",
        )
    if arr.ndim < 3 or min(arr.shape[-3:]) < 1:
        raise ParameterError(
            f"counts must have axes (..., T, S1, S2) of positive lengths, got shape {arr.shape}",
            param="counts",
        )
    n_t, n1, n2 = (int(k) for k in arr.shape[-3:])
    if n_t * n1 * n2 > MAX_CELLS:
        raise ParameterError(
            f"counts has {n_t * n1 * n2} cells per table, more than 2**24", param="counts"
        )
    flat = arr.reshape(-1, n_t * n1 * n2)
    if flat.size and not (np.all(flat >= 0) and np.all(np.floor(flat) == flat)):
        raise ParameterError(
            "counts must be non-negative whole numbers: pass histogram counts, not "
            "probabilities (use pidtools.pid for pmfs)",
            param="counts",
        )
    totals = flat.sum(axis=1, dtype=np.float64) if flat.size else np.zeros(0)
    if totals.size and totals.max() > MAX_TOTAL:
        raise ParameterError(
            f"counts has a table with a total of {totals.max():.0f}, more than 2**24: use "
            "pidtools.pid(counts / total, n_sources=2)",
            param="counts",
        )
    flat = np.ascontiguousarray(flat, dtype=np.int32)
    out = np.empty((flat.shape[0], len(COLUMNS)))
    table = log2_table(int(totals.max()) if totals.size else 0)
    counts_kernel(flat, n_t, n1, n2, table, out)
    return out.reshape(arr.shape[:-3] + (len(COLUMNS),))


def _run_samples(codes, rows, strides, sizes, seeds, plugin, null) -> None:
    """Run :func:`samples_kernel` on checked samples (``null=None``: plug-in only)."""
    plugin = _check_out(plugin, (rows.shape[0],), "plugin_out" if null is not None else "out")
    if null is None:
        null = np.empty((rows.shape[0], 0, plugin.shape[1]))
        seeds = np.zeros(rows.shape[0], dtype=np.uint64)
    outside = np.zeros(rows.shape[0], dtype=np.bool_)
    samples_kernel(
        codes, rows, strides, *sizes, seeds, log2_table(codes.shape[1]), n_chunks(rows.shape[0]),
        plugin, null, outside,
    )  # fmt: skip
    _raise_if_outside(outside, codes, rows, sizes)


def sx2_plugin_atoms(
    codes: np.ndarray, rows: np.ndarray, strides: np.ndarray, sizes: Any, out: np.ndarray
) -> np.ndarray:
    """Plug-in two-source I^sx atoms of coded samples, without a histogram array.

    Parameters
    ----------
    codes : ndarray of int, shape (n_rows, n_samples)
        Integer codes of all variables, one row per variable and batch element (a variable
        shared across the batch is stored once), as in :mod:`pidtools.kernels.estimate`.
    rows : ndarray of int, shape (n_batch, 3)
        ``rows[b]``: the rows of ``codes`` that hold the target, source 1 and source 2 of batch
        element ``b``.
    strides : ndarray of int, shape (3,)
        The C-order strides of a count table of shape ``sizes``: ``(n1 n2, n2, 1)``.
    sizes : sequence of 3 ints
        Alphabet sizes ``(n_target, n_source1, n_source2)``; codes must lie in ``0..size - 1``.
    out : ndarray of float64, shape (n_batch, 4) or (n_batch, 6)
        Receives the :data:`COLUMNS` of each element's joint histogram (atoms, then ``mi``
        and ``entropy`` if there are 6 columns): the values of ``pidtools.pid`` of the
        normalised histogram of :func:`pidtools.kernels.estimate.joint_counts`.

    Returns
    -------
    ndarray
        ``out``.
    """
    _run_samples(*_check_samples(codes, rows, strides, sizes), None, out, None)
    return out


def sx2_shuffled_atoms(
    codes: np.ndarray,
    rows: np.ndarray,
    strides: np.ndarray,
    sizes: Any,
    seeds: np.ndarray,
    out: np.ndarray,
    plugin_out: np.ndarray | None = None,
) -> np.ndarray:
    """Two-source I^sx atoms of target-shuffled draws, without a histogram array.

    The draws of element ``b`` are those of :func:`pidtools.kernels.estimate.resampled_counts`
    (``bootstrap=False``) with seed ``seeds[b]``: the same permutations, in the same order, so
    ``out[b, d]`` equals ``pidtools.pid`` of that function's normalised histogram
    ``counts[b, d]``. The samples are read once for the plug-in and all draws.

    Parameters
    ----------
    codes, rows, strides, sizes
        The samples, as in :func:`sx2_plugin_atoms`.
    seeds : ndarray of uint64, shape (n_batch,)
        One seed per batch element (:func:`pidtools.kernels.estimate.element_seeds`).
    out : ndarray of float64, shape (n_batch, n_draws, 4) or (n_batch, n_draws, 6)
        Receives the :data:`COLUMNS` of every draw; ``n_draws = out.shape[1]``.
    plugin_out : ndarray of float64, shape (n_batch, 4) or (n_batch, 6), optional
        Also receives the plug-in :data:`COLUMNS`, as :func:`sx2_plugin_atoms` would.

    Returns
    -------
    ndarray
        ``out``.
    """
    codes, rows, strides, sizes = _check_samples(codes, rows, strides, sizes)
    n_batch = rows.shape[0]
    if not isinstance(seeds, np.ndarray) or seeds.dtype != np.uint64 or seeds.shape != (n_batch,):
        raise ParameterTypeError(
            f"seeds must be a uint64 array of shape ({n_batch},), one per batch element, got "
            f"{getattr(seeds, 'dtype', type(seeds).__name__)} of shape {np.shape(seeds)}: make "
            "them with pidtools.kernels.estimate.element_seeds",
            param="seeds",
        )
    if not isinstance(out, np.ndarray) or out.ndim != 3:
        raise ParameterError(
            f"out must have shape (n_batch, n_draws, 4 or 6), got {np.shape(out)}", param="out"
        )
    out = _check_out(out, (n_batch, out.shape[1]), "out")
    plugin = np.empty((n_batch, 4)) if plugin_out is None else plugin_out
    _run_samples(codes, rows, strides, sizes, seeds, plugin, out)
    return out
