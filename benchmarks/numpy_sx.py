"""A plain vectorised numpy I^sx (dense arrays, batched): the baseline of bench_sx.py.

Written straight from the definitions, independent of the numba kernels; tests use it as a
second oracle at sizes where dit is too slow.
"""

from __future__ import annotations

import numpy as np

from pidtools.lattice import lattice


def _marginals(P: np.ndarray, n: int):
    """Dense marginals P(S_m) and P(T, S_m) for every source mask, kept broadcastable."""
    t_ax = P.ndim - n - 1
    out_s, out_ts = {}, {}
    for m in range(1 << n):
        drop = tuple(t_ax + 1 + i for i in range(n) if not m >> i & 1)
        ts = P.sum(axis=drop, keepdims=True)
        out_ts[m] = ts
        out_s[m] = ts.sum(axis=t_ax, keepdims=True)
    return out_s, out_ts


def _unions(coef_row, marg_s, marg_ts):
    a = sum(c * marg_ts[m] for m, c in enumerate(coef_row) if c)
    b = sum(c * marg_s[m] for m, c in enumerate(coef_row) if c)
    return a, b


def numpy_sx_redundancy(P: np.ndarray, n: int) -> np.ndarray:
    """Redundancy of every node, shape (batch, n_nodes), for pmfs P of shape (batch, T, S...)."""
    lat = lattice(n)
    marg_s, marg_ts = _marginals(P, n)
    axes = tuple(range(1, P.ndim))
    support = P > 0
    out = np.empty((P.shape[0], lat.n_nodes))
    with np.errstate(divide="ignore", invalid="ignore"):
        for k, row in enumerate(lat.union_coefficients):
            a, b = _unions(row, marg_s, marg_ts)
            local = np.log2(a / (b * marg_ts[0]))
            out[:, k] = np.where(support, P * local, 0.0).sum(axis=axes)
    return out


def numpy_sx_gradient(P: np.ndarray, n: int, node_weights: np.ndarray) -> np.ndarray:
    """dG/dP for G = sum_alpha node_weights[alpha] I_alpha, dense, same shape as P."""
    lat = lattice(n)
    marg_s, marg_ts = _marginals(P, n)
    grad = np.zeros_like(P)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k, row in enumerate(lat.union_coefficients):
            c = node_weights[k]
            if c == 0:
                continue
            a, b = _unions(row, marg_s, marg_ts)
            grad += c * np.log2(a / (b * marg_ts[0]))
            wa = np.where(P > 0, P / a, 0.0)
            wb = np.where(P > 0, P / b, 0.0)
            ma_s, ma_ts = _marginals(wa, n)
            mb_s, _ = _marginals(wb, n)
            sa, sb = _unions(row, ma_s, ma_ts)[0], _unions(row, mb_s, mb_s)[1]
            grad += c * (sa - sb - 1.0) / np.log(2.0)
    return grad
