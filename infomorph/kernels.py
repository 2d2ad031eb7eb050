"""Compiled per-batch work of infomorphic layers: soft histograms and the chain rule through theta.

Kernels take C-contiguous float64/int64 arrays, are parallel over neurons and never raise; the
callers in :mod:`infomorph.layer` check shapes once.

A neuron's soft histogram over a batch of ``B`` samples is
``p(y, b) = (1/B) sum_n theta_n(y) 1[cell of sample n = b]`` with ``theta_n(+1) = theta_n`` and
``theta_n(-1) = 1 - theta_n``. It is stored flat as ``(2 * n_cells,)``: target index 0 is
``Y = -1``, index 1 is ``Y = +1``, then the joint source cell (C order of the bin axes).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numba import prange

from pidtools.kernels import KERNEL_SOURCES, jit, refresh_cache

refresh_cache(Path(__file__).parent, [Path(__file__), *KERNEL_SOURCES])


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
def theta_gradient(grad_p, cells, n_cells, out):
    """``out[n, k] = dG/dtheta_n`` of neuron ``k`` from ``grad_p = dG/dp`` (neurons, 2 n_cells).

    With ``p`` the soft histogram, ``dG/dtheta_n = (g(+1, b_n) - g(-1, b_n)) / B``.
    """
    n_batch, n_neurons = cells.shape
    inv = 1.0 / n_batch
    for k in prange(n_neurons):
        for n in range(n_batch):
            c = cells[n, k]
            out[n, k] = (grad_p[k, n_cells + c] - grad_p[k, c]) * inv


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
