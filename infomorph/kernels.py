"""Compiled per-batch work of infomorphic layers: matrix products, soft histograms and the chain
rule through theta.

Kernels take C-contiguous float64/int64 arrays (the stored inputs that :func:`affine_rows` and
:func:`weight_gradient_rows` read may also be float32), run on numba's threads and never raise;
the callers in :mod:`infomorph.layer` check shapes once.

Threads: numba's thread pool is the only one that works in parallel. The products of a
layer's inputs held in memory (:func:`affine`, :func:`weight_gradient`) call BLAS from inside
the kernels, one call per block of rows, while BLAS itself runs on one thread
(:func:`infomorph.train.thread_limits`): two pools that both spin while they wait would compete
for the same cores. The products over rows of the stored training inputs
(:func:`affine_rows`, :func:`weight_gradient_rows`) are loops of their own that read each row
in place, so a batch is never gathered. The blocks have a fixed size and every sum a fixed
order, so that every product (and with it every trained network) is the same to the last bit
whatever the number of threads.

Kernels made by :func:`pidtools.kernels.batch_kernel` take the size of their work first and
run their serial variant below ``pidtools.kernels._jit.PARALLEL_MIN_CELLS`` values (20 000):
waking the thread pool costs more than such work (a read-out layer's ten neurons).

The sigmoid goes through :func:`_exp_nonpositive`, an ``exp`` without a libm call, so that the
activation loops vectorise.

A neuron's soft histogram over a batch of ``B`` samples is
``p(y, b) = (1/B) sum_n theta_n(y) 1[cell of sample n = b]`` with ``theta_n(+1) = theta_n`` and
``theta_n(-1) = 1 - theta_n``. It is stored flat as ``(2 * n_cells,)``: target index 0 is
``Y = -1``, index 1 is ``Y = +1``, then the joint source cell (C order of the bin axes).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

# numba's np.dot calls scipy's BLAS: loaded here so that thread_limits sees and limits it.
import scipy.linalg.cython_blas  # noqa: F401
from numba import prange

from pidtools.kernels import KERNEL_SOURCES, batch_kernel, jit, refresh_cache
from pidtools.kernels._math import bits, from_bits

refresh_cache(Path(__file__).parent, [Path(__file__), *KERNEL_SOURCES])

#: Rows (samples) per block of :func:`affine`, :func:`affine_rows` and :func:`weight_gradient`.
#: Fixed, so that the blocks and the results do not depend on the number of threads.
BLOCK = 128

#: Columns (inputs) per block of :func:`weight_gradient_rows`, fixed for the same reason: a
#: quarter of a 28 x 28 image (wide blocks sweep the samples fewest times).
COLUMNS = 196

#: The fast-math flags of the products that read stored rows: sums reordered into SIMD lanes
#: (the same order for every row and column, whatever the thread count) and fused multiply-adds.
ROW_PRODUCT_MATH = frozenset({"reassoc", "contract"})


@jit(parallel=True, fastmath=ROW_PRODUCT_MATH)
def affine_rows(X, idx, weight, bias, out):
    """``out[i] = X[idx[i]] @ weight.T + bias``, reading the rows of ``X`` in place.

    ``X`` (stored inputs, float32 or float64) is never copied; each product is summed in
    float64. Four rows and three neurons at a time share one sweep over the inputs, so every
    row is read from memory once per three neurons while it is in the first-level cache. Every
    dot product is summed in the same order (SIMD lanes, then the lanes' sum), whatever its row,
    neuron or thread.
    """
    n = idx.shape[0]
    n_neurons, n_in = weight.shape
    for blk in prange((n + BLOCK - 1) // BLOCK):
        lo, hi = blk * BLOCK, min(n, (blk + 1) * BLOCK)
        for i in range(lo, hi, 4):
            m = min(4, hi - i)
            r0 = idx[i]
            r1 = idx[i + 1] if m > 1 else r0
            r2 = idx[i + 2] if m > 2 else r0
            r3 = idx[i + 3] if m > 3 else r0
            for k in range(0, n_neurons, 3):
                k1 = min(k + 1, n_neurons - 1)
                k2 = min(k + 2, n_neurons - 1)
                a00, a01, a02, a10, a11, a12 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
                a20, a21, a22, a30, a31, a32 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
                for j in range(n_in):
                    w0 = weight[k, j]
                    w1 = weight[k1, j]
                    w2 = weight[k2, j]
                    x0 = np.float64(X[r0, j])
                    x1 = np.float64(X[r1, j])
                    x2 = np.float64(X[r2, j])
                    x3 = np.float64(X[r3, j])
                    a00 += x0 * w0
                    a01 += x0 * w1
                    a02 += x0 * w2
                    a10 += x1 * w0
                    a11 += x1 * w1
                    a12 += x1 * w2
                    a20 += x2 * w0
                    a21 += x2 * w1
                    a22 += x2 * w2
                    a30 += x3 * w0
                    a31 += x3 * w1
                    a32 += x3 * w2
                for q, (b0, b1, b2) in enumerate(
                    ((a00, a01, a02), (a10, a11, a12), (a20, a21, a22), (a30, a31, a32))
                ):
                    if q < m:
                        out[i + q, k] = b0 + bias[k]
                        out[i + q, k1] = b1 + bias[k1]
                        out[i + q, k2] = b2 + bias[k2]


@jit(parallel=True, fastmath=frozenset({"contract"}))
def weight_gradient_rows(d_a, d_agg, X, idx, grad_w, grad_b):
    """:func:`weight_gradient` for the inputs ``X[idx]``, reading the rows of ``X`` in place.

    ``grad_w[k, j] = sum_n g[n, k] X[idx[n], j]`` with ``g = d_a * d_agg``, summed in float64
    over the samples in order, four at a time, two neurons per sweep over the four rows; each
    thread owns fixed blocks of :data:`COLUMNS` columns, so no partial sums are added up and
    the result does not depend on the number of threads.
    """
    n, n_neurons = d_a.shape
    n_in = X.shape[1]
    for blk in prange((n_in + COLUMNS - 1) // COLUMNS):
        g = np.empty((n, n_neurons))  # each block its own copy: one parallel region
        for s in range(n):
            for k in range(n_neurons):
                g[s, k] = d_a[s, k] * d_agg[s, k]
        if blk == 0:
            for k in range(n_neurons):
                total = 0.0
                for s in range(n):
                    total += g[s, k]
                grad_b[k] = total
        lo, hi = blk * COLUMNS, min(n_in, (blk + 1) * COLUMNS)
        width = hi - lo
        acc = np.zeros((n_neurons + 1, width))  # a spare row for an odd neuron count
        for s in range(0, n - 3, 4):
            x0 = X[idx[s], lo:hi]
            x1 = X[idx[s + 1], lo:hi]
            x2 = X[idx[s + 2], lo:hi]
            x3 = X[idx[s + 3], lo:hi]
            for k in range(0, n_neurons, 2):
                k1 = k + 1 if k + 1 < n_neurons else k
                row0 = acc[k]
                row1 = acc[k + 1]
                a0, a1, a2, a3 = g[s, k], g[s + 1, k], g[s + 2, k], g[s + 3, k]
                b0, b1, b2, b3 = g[s, k1], g[s + 1, k1], g[s + 2, k1], g[s + 3, k1]
                for j in range(width):
                    v0 = np.float64(x0[j])
                    v1 = np.float64(x1[j])
                    v2 = np.float64(x2[j])
                    v3 = np.float64(x3[j])
                    row0[j] += (a0 * v0 + a1 * v1) + (a2 * v2 + a3 * v3)
                    row1[j] += (b0 * v0 + b1 * v1) + (b2 * v2 + b3 * v3)
        for s in range(n - n % 4, n):
            xs = X[idx[s], lo:hi]
            for k in range(n_neurons):
                gs = g[s, k]
                for j in range(width):
                    acc[k, j] += gs * xs[j]
        for k in range(n_neurons):
            for j in range(width):
                grad_w[k, lo + j] = acc[k, j]


@batch_kernel
def affine(x, weight, bias, out):
    """``out = x @ weight.T + bias`` (``x`` (batch, inputs), ``weight`` (neurons, inputs)).

    One BLAS product per block of rows; each row's result is the same as in one product of the
    whole batch on one BLAS thread.
    """
    n = x.shape[0]
    wt = weight.T
    for blk in prange((n + BLOCK - 1) // BLOCK):
        lo, hi = blk * BLOCK, min(n, (blk + 1) * BLOCK)
        out[lo:hi] = np.dot(x[lo:hi], wt)
        for i in range(lo, hi):
            for k in range(out.shape[1]):
                out[i, k] += bias[k]


@batch_kernel
def weight_gradient(d_a, d_agg, x, grad_w, grad_b):
    """Gradients of one input class: ``g = d_a * d_agg`` (batch, neurons), then
    ``grad_w = g.T @ x`` and ``grad_b = g.sum(axis=0)``.

    ``grad_w`` is the sum, in block order, of one BLAS product per block of rows (samples).
    """
    n_batch, n_neurons = d_a.shape
    n_in = x.shape[1]
    n_blocks = (n_batch + BLOCK - 1) // BLOCK
    g = np.empty((n_batch, n_neurons))
    partial = np.empty((n_blocks, n_neurons, n_in))
    for blk in prange(n_blocks):
        lo, hi = blk * BLOCK, min(n_batch, (blk + 1) * BLOCK)
        for n in range(lo, hi):
            for k in range(n_neurons):
                g[n, k] = d_a[n, k] * d_agg[n, k]
        partial[blk] = np.dot(g[lo:hi].T, x[lo:hi])
    for k in prange(n_neurons):
        acc = 0.0
        for n in range(n_batch):
            acc += g[n, k]
        grad_b[k] = acc
        for j in range(n_in):
            grad_w[k, j] = partial[0, k, j]
        for blk in range(1, n_blocks):
            for j in range(n_in):
                grad_w[k, j] += partial[blk, k, j]


#: Elements per block of the elementwise kernels (a batch of 1024 x 100 values is 25 blocks:
#: threads get nearly equal shares).
ELEMENTS = 4096


@jit(inline=True)
def _block(blk, n):
    """Bounds of element block ``blk`` of ``n`` values, as unsigned integers: indices that
    cannot be negative need no wrap-around test, so the loops over them vectorise."""
    return np.uint64(blk * ELEMENTS), np.uint64(min(n, (blk + 1) * ELEMENTS))


_LOG2E = 1.4426950408889634
#: ln 2 in two parts (fdlibm's): ``k * _LN2_HI`` is exact for the ``|k| < 1100`` used here.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
#: 1.5 * 2**52: adding it rounds to an integer, which then sits in the low bits of the mantissa.
_ROUND = 6755399441055744.0
#: Smallest argument of :func:`_exp_nonpositive`; ``exp(-700)`` is about 1e-304, a normal number.
_EXP_MIN = -700.0


@jit(inline=True)
def _exp_nonpositive(x):
    """``exp(x)`` for ``x`` in ``[-700, 0]`` without a libm call, so that loops vectorise.

    ``x = k ln 2 + r`` with ``k`` the nearest integer to ``x / ln 2`` and ``|r| <= ln 2 / 2``;
    ``exp(r)`` by its Taylor series to the term ``r^13 / 13!`` (truncation below 1e-17
    relative), times ``2^k`` written into the exponent bits. Within a few ulp of ``math.exp``.
    """
    t = x * _LOG2E + _ROUND
    k = t - _ROUND
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    scale = from_bits((bits(t) - bits(_ROUND) + 1023) << 52)
    return p * scale


@jit(inline=True)
def _sigmoid(x):
    """``1 / (1 + exp(-x))`` through ``e = exp(-|x|)``: ``1 / (1 + e)`` for ``x >= 0``, else
    ``e / (1 + e)`` (no cancellation on either side; ``|x|`` beyond 700 counts as 700)."""
    e = _exp_nonpositive(max(-abs(x), _EXP_MIN))
    return (1.0 if x >= 0.0 else e) / (1.0 + e)


@batch_kernel(fastmath=frozenset({"contract"}))
def two_class_activation(r, c, k1, k2, a, d_r, d_c):
    """``a = r [k1 + (1 - k1) 2 sigmoid(k2 r c)]`` and its derivatives, on flat arrays."""
    n = r.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        lo, hi = _block(blk, n)
        for i in range(lo, hi):
            s = _sigmoid(k2 * r[i] * c[i])
            gain = k1 + (1.0 - k1) * 2.0 * s
            ds = (1.0 - k1) * 2.0 * s * (1.0 - s) * k2 * r[i]
            a[i] = r[i] * gain
            d_r[i] = gain + ds * c[i]
            d_c[i] = ds * r[i]


@batch_kernel(fastmath=frozenset({"contract"}))
def three_class_activation(r, c, l, a1, a2, b1, b2, a, d_r, d_c, d_l):
    """``a = r [(1 - a1 - a2) + a1 sigmoid(b1 r c) + a2 sigmoid(b2 r l)]`` and its derivatives,
    on flat arrays."""
    n = r.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        lo, hi = _block(blk, n)
        for i in range(lo, hi):
            s1 = _sigmoid(b1 * r[i] * c[i])
            s2 = _sigmoid(b2 * r[i] * l[i])
            gain = 1.0 - a1 - a2 + a1 * s1 + a2 * s2
            g1 = a1 * s1 * (1.0 - s1) * b1 * r[i]
            g2 = a2 * s2 * (1.0 - s2) * b2 * r[i]
            a[i] = r[i] * gain
            d_r[i] = gain + g1 * c[i] + g2 * l[i]
            d_c[i] = g1 * r[i]
            d_l[i] = g2 * r[i]


@batch_kernel(fastmath=frozenset({"contract"}))
def clipped_sigmoid(a, bound, out):
    """``out = sigmoid(clip(a, -bound, bound))`` on flat arrays."""
    n = a.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        lo, hi = _block(blk, n)
        for i in range(lo, hi):
            out[i] = _sigmoid(min(max(a[i], -bound), bound))


#: SplitMix64's increment and output mixing constants (Steele, Lea & Flood, OOPSLA 2014).
_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


@jit(inline=True)
def _uniform(key, i):
    """The ``i``-th value of the SplitMix64 stream that starts at ``key``, as a float64 in
    ``[0, 1)``: a function of ``(key, i)`` alone, so that any thread can draw any element."""
    z = key + (i + np.uint64(1)) * _GOLDEN_GAMMA
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@batch_kernel
def sample_signs(key, theta, out):
    """``out = +1`` where ``u < theta``, else ``-1``, on flat arrays; ``u[i]`` is the ``i``-th
    uniform value of the SplitMix64 stream that starts at the uint64 ``key``. The draws are
    made here, in parallel, and do not depend on the number of threads."""
    n = theta.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        lo, hi = _block(blk, n)
        for i in range(lo, hi):
            out[i] = 1.0 if _uniform(key, i) < theta[i] else -1.0


@batch_kernel
def bin_indices(values, n_bins, fixed, bound, cells):
    """``cells = cells * n_bins + bin`` of every (sample, neuron) of ``values`` (batch, neurons).

    ``fixed``: ``n_bins`` equal bins on ``[-bound, bound]``; else on ``[-1, 1]`` after division
    by the neuron's largest magnitude in the batch. Outside values go to the edge bins.
    """
    n_batch, n_neurons = values.shape
    for k in prange(n_neurons):
        lo, scale = -bound, 2.0 * bound
        if not fixed:
            top = 0.0
            for n in range(n_batch):
                top = max(top, abs(values[n, k]))
            scale = top if top > 0.0 else 1.0
        for n in range(n_batch):
            if fixed:
                u = (values[n, k] - lo) / scale
            else:
                u = (values[n, k] / scale + 1.0) * 0.5
            b = min(max(math.floor(u * n_bins), 0.0), n_bins - 1.0)
            cells[n, k] = cells[n, k] * n_bins + np.int64(b)


@batch_kernel
def adam_update(w, g, m, v, lr, weight_decay, b1, b2, c1, c2, eps, sign):
    """One Adam step on flat arrays: ``g' = sign g - weight_decay w``, moments ``m``, ``v``
    updated in place, ``w += lr (m / c1) / (sqrt(v / c2) + eps)``."""
    n = w.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        lo, hi = _block(blk, n)
        for i in range(lo, hi):
            gi = sign * g[i] - weight_decay * w[i]
            m[i] = b1 * m[i] + (1.0 - b1) * gi
            v[i] = b2 * v[i] + (1.0 - b2) * gi * gi
            w[i] += lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps)


@batch_kernel
def soft_histogram(theta, cells, n_cells, previous, out):
    """Fill ``out[k]`` (cleared first) with the soft histogram of neuron ``k``.

    ``theta`` and ``cells`` have shape (batch, neurons); ``out`` has shape (neurons, 2 n_cells).
    ``previous``: the ``cells`` of the histograms that ``out`` holds (zero elsewhere), so that
    only those cells are cleared; an empty array clears all of ``out``.
    """
    n_batch, n_neurons = theta.shape
    inv = 1.0 / n_batch
    for k in prange(n_neurons):
        if previous.shape[0] == 0:
            for j in range(out.shape[1]):
                out[k, j] = 0.0
        else:
            for n in range(previous.shape[0]):
                c = previous[n, k]
                out[k, c] = 0.0
                out[k, n_cells + c] = 0.0
        for n in range(n_batch):
            c = cells[n, k]
            t = theta[n, k]
            out[k, c] += (1.0 - t) * inv
            out[k, n_cells + c] += t * inv


@batch_kernel
def activation_gradient(grad_p, cells, n_cells, theta, slope, a, bound, out):
    """``out[n, k] = dG/dA_n`` of neuron ``k`` from ``grad_p = dG/dp`` (neurons, 2 n_cells).

    With ``p`` the soft histogram, ``dG/dtheta_n = (g(+1, b_n) - g(-1, b_n)) / B``, times the
    slope ``dtheta/dA``: ``slope[n, k]`` if ``slope`` is given (non-empty), else
    ``theta (1 - theta)``; zero where ``|a| >= bound`` (the clipped activations).
    """
    n_batch, n_neurons = cells.shape
    inv = 1.0 / n_batch
    own_slope = slope.shape[0] == 0
    for k in prange(n_neurons):
        for n in range(n_batch):
            c = cells[n, k]
            d_theta = (grad_p[k, n_cells + c] - grad_p[k, c]) * inv
            t = theta[n, k]
            sl = t * (1.0 - t) if own_slope else slope[n, k]
            out[n, k] = d_theta * sl if abs(a[n, k]) < bound else 0.0


@jit
def _binary_entropy(q):
    if q <= 0.0 or q >= 1.0:
        return 0.0
    return -q * math.log2(q) - (1.0 - q) * math.log2(1.0 - q)


@jit(parallel=True)
def output_entropies(theta, cells, n_cells, n_chunks, h_y, h_res):
    """``h_y[k] = H(Y)`` and ``h_res[k] = H(Y | sources)`` of neuron ``k``'s soft histogram.

    Computed from the samples in ``O(batch)`` per neuron (scratch buffers are cleaned up after
    each neuron, so only the occupied cells are touched).
    """
    n_batch, n_neurons = theta.shape
    for ch in prange(n_chunks):
        count = np.zeros(n_cells)
        mass = np.zeros(n_cells)
        for k in range(ch * n_neurons // n_chunks, (ch + 1) * n_neurons // n_chunks):
            total = 0.0
            for n in range(n_batch):
                c = cells[n, k]
                count[c] += 1.0
                mass[c] += theta[n, k]
                total += theta[n, k]
            h_y[k] = _binary_entropy(total / n_batch)
            acc = 0.0
            for n in range(n_batch):
                c = cells[n, k]
                if count[c] > 0.0:
                    acc += count[c] / n_batch * _binary_entropy(mass[c] / count[c])
                    count[c] = 0.0
                    mass[c] = 0.0
            h_res[k] = acc
