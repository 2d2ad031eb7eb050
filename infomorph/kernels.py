"""Compiled per-batch work of infomorphic layers: matrix products, soft histograms and the chain
rule through theta.

Kernels take C-contiguous float64/int64 arrays, run on numba's threads and never raise; the
callers in :mod:`infomorph.layer` check shapes once.

Threads: numba's thread pool is the only one that works in parallel. The matrix products call
BLAS from inside the kernels, one call per block of rows or columns, while BLAS itself runs on
one thread (:func:`infomorph.train.thread_limits`): two pools that both spin while they wait
would compete for the same cores. The blocks have a fixed size, so that every product (and
with it every trained network) is the same to the last bit whatever the number of threads.

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

from pidtools.kernels import KERNEL_SOURCES, jit, refresh_cache

refresh_cache(Path(__file__).parent, [Path(__file__), *KERNEL_SOURCES])

#: Rows (samples) per block of :func:`take_rows`, :func:`affine` and :func:`weight_gradient`.
#: Fixed, so that the blocks and the results do not depend on the number of threads.
BLOCK = 128


@jit(parallel=True)
def take_rows(X, idx, out):
    """``out[i] = X[idx[i]]``, in blocks of rows."""
    n, n_in = out.shape
    for blk in prange((n + BLOCK - 1) // BLOCK):
        for i in range(blk * BLOCK, min(n, (blk + 1) * BLOCK)):
            r = idx[i]
            for j in range(n_in):
                out[i, j] = X[r, j]


@jit(parallel=True)
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


@jit(parallel=True)
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


#: Elements per block of the elementwise kernels.
ELEMENTS = 16384


@jit(inline=True)
def _sigmoid(x):
    return 0.5 * (1.0 + math.tanh(0.5 * x))


@jit(parallel=True)
def two_class_activation(r, c, k1, k2, a, d_r, d_c):
    """``a = r [k1 + (1 - k1) 2 sigmoid(k2 r c)]`` and its derivatives, on flat arrays."""
    n = r.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        for i in range(blk * ELEMENTS, min(n, (blk + 1) * ELEMENTS)):
            s = _sigmoid(k2 * r[i] * c[i])
            gain = k1 + (1.0 - k1) * 2.0 * s
            ds = (1.0 - k1) * 2.0 * s * (1.0 - s) * k2 * r[i]
            a[i] = r[i] * gain
            d_r[i] = gain + ds * c[i]
            d_c[i] = ds * r[i]


@jit(parallel=True)
def three_class_activation(r, c, l, a1, a2, b1, b2, a, d_r, d_c, d_l):
    """``a = r [(1 - a1 - a2) + a1 sigmoid(b1 r c) + a2 sigmoid(b2 r l)]`` and its derivatives,
    on flat arrays."""
    n = r.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        for i in range(blk * ELEMENTS, min(n, (blk + 1) * ELEMENTS)):
            s1 = _sigmoid(b1 * r[i] * c[i])
            s2 = _sigmoid(b2 * r[i] * l[i])
            gain = 1.0 - a1 - a2 + a1 * s1 + a2 * s2
            g1 = a1 * s1 * (1.0 - s1) * b1 * r[i]
            g2 = a2 * s2 * (1.0 - s2) * b2 * r[i]
            a[i] = r[i] * gain
            d_r[i] = gain + g1 * c[i] + g2 * l[i]
            d_c[i] = g1 * r[i]
            d_l[i] = g2 * r[i]


@jit(parallel=True)
def clipped_sigmoid(a, bound, out):
    """``out = sigmoid(clip(a, -bound, bound))`` on flat arrays."""
    n = a.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        for i in range(blk * ELEMENTS, min(n, (blk + 1) * ELEMENTS)):
            out[i] = _sigmoid(min(max(a[i], -bound), bound))


@jit(parallel=True)
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


@jit(parallel=True)
def adam_update(w, g, m, v, lr, weight_decay, b1, b2, c1, c2, eps, sign):
    """One Adam step on flat arrays: ``g' = sign g - weight_decay w``, moments ``m``, ``v``
    updated in place, ``w += lr (m / c1) / (sqrt(v / c2) + eps)``."""
    n = w.shape[0]
    for blk in prange((n + ELEMENTS - 1) // ELEMENTS):
        for i in range(blk * ELEMENTS, min(n, (blk + 1) * ELEMENTS)):
            gi = sign * g[i] - weight_decay * w[i]
            m[i] = b1 * m[i] + (1.0 - b1) * gi
            v[i] = b2 * v[i] + (1.0 - b2) * gi * gi
            w[i] += lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps)


@jit(parallel=True)
def soft_histogram(theta, cells, n_cells, out):
    """Fill ``out[k]`` (zeroed first) with the soft histogram of neuron ``k``.

    ``theta`` and ``cells`` have shape (batch, neurons); ``out`` has shape (neurons, 2 n_cells).
    """
    n_batch, n_neurons = theta.shape
    inv = 1.0 / n_batch
    for k in prange(n_neurons):
        for j in range(out.shape[1]):
            out[k, j] = 0.0
        for n in range(n_batch):
            c = cells[n, k]
            t = theta[n, k]
            out[k, c] += (1.0 - t) * inv
            out[k, n_cells + c] += t * inv


@jit(parallel=True)
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
