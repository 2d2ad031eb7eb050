"""dit as the oracle for the measure tests: calls, stall detection, and an exact maxent for dit.

dit computes maximum-entropy distributions (I_ccs, I_dep) by IPF with a marginal tolerance of
1e-10 and 1000 cycles; when IPF stalls (the maxent distribution has zeros that the marginals
only imply) it falls back to SLSQP, which is accurate to about 1e-6 only. For those cases the
tests rerun dit's own measure code with :func:`exact_maxent_dist` patched in: an independent
numpy maxent (support from a linear programme, then IPF on it to 1e-15).
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np


def to_dit(p: np.ndarray):
    """A dit Distribution of our pmf (T, S1..Sn) with the target last (dit variable i = S_{i+1})."""
    import dit

    cells = np.argwhere(p > 0)
    outcomes = [tuple(int(i) for i in c[1:]) + (int(c[0]),) for c in cells]
    return dit.Distribution(outcomes, [float(p[tuple(c)]) for c in cells])


def dit_pid(class_name: str, p: np.ndarray, **kwargs):
    """Run ``dit.pid.<class_name>`` on our pmf ``p`` (sources [[0], ..., [n-1]], target [n])."""
    import dit.pid

    n = p.ndim - 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(dit.pid, class_name)(
            to_dit(p), sources=[[i] for i in range(n)], target=[n], **kwargs
        )


def dit_ipf_converges(p: np.ndarray, node) -> bool:
    """Whether dit's IPF converges for the maxent problem of I_ccs (and I_dep) at ``node``.

    ``node`` is a sequence of sets of 1-based sources; the call mirrors ``PID_CCS._measure``
    (coalesce each set into one variable, keep the joint of the sets and each set with T).
    """
    from dit.algorithms.ipf import ipf_dist

    n = p.ndim - 1
    sources = tuple(tuple(sorted(i - 1 for i in a)) for a in node)
    d = to_dit(p).coalesce(sources + ((n,),))
    k = len(sources)
    marginals = [list(range(k))] + [[i, k] for i in range(k)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(ipf_dist(d, marginals, maxiter=1000, sparse=False, return_status=True)[1])


def exact_maxent(data: np.ndarray, groups: list[tuple[int, ...]], tol: float = 1e-15) -> np.ndarray:
    """Maxent pmf with the marginals of ``data`` on the axis groups ``groups`` (dense numpy).

    The support is the union of the supports of all pmfs with those marginals: one LP over the
    cone ``{(q, lam) >= 0 : A q = lam b}`` maximising ``sum y``, ``0 <= y <= min(q, 1)``. IPF on
    that support then converges linearly.
    """
    from scipy.optimize import linprog

    axes = range(data.ndim)
    others = [tuple(i for i in axes if i not in g) for g in groups]
    margs = [data.sum(axis=o) for o in others]
    cand = np.ones(data.shape, dtype=bool)
    for o, m in zip(others, margs, strict=True):
        cand &= np.expand_dims(m > 0, o)
    idx = np.argwhere(cand)
    k = len(idx)
    blocks, rhs = [], []
    for g, m in zip(groups, margs, strict=True):
        keys = [tuple(c[list(g)]) for c in idx]
        pos = {u: r for r, u in enumerate(sorted(set(keys)))}
        block = np.zeros((len(pos), k))
        block[[pos[key] for key in keys], np.arange(k)] = 1.0
        blocks.append(block)
        rhs.append(np.array([m[u] for u in sorted(pos)]))
    A, b = np.vstack(blocks), np.concatenate(rhs)
    res = linprog(
        np.r_[np.zeros(k), -np.ones(k), 0.0],
        A_ub=np.hstack([-np.eye(k), np.eye(k), np.zeros((k, 1))]),
        b_ub=np.zeros(k),
        A_eq=np.hstack([A, np.zeros((A.shape[0], k)), -b[:, None]]),
        b_eq=np.zeros(A.shape[0]),
        bounds=[(0, None)] * k + [(0, 1)] * k + [(0, None)],
        method="highs",
    )
    q = np.zeros(data.shape)
    q[tuple(idx[res.x[k : 2 * k] > 0.5].T)] = 1.0
    for _ in range(100_000):
        dev = 0.0
        for o, m in zip(others, margs, strict=True):
            cur = q.sum(axis=o)
            dev = max(dev, float(np.abs(cur - m).max()))
            q = q * np.expand_dims(np.divide(m, cur, out=np.zeros_like(m), where=cur > 0), o)
        if dev < tol:
            break
    return q / q.sum()


def exact_maxent_dist(dist, rvs, *args, **kwargs):
    """Drop-in for ``dit.algorithms.maxent_dist`` computing the maxent exactly."""
    from dit.algorithms.optutil import prepare_dist
    from dit.helpers import parse_rvs

    dist = prepare_dist(dist.copy())
    groups = [tuple(parse_rvs(dist, rv, unique=True, sort=True)[1]) for rv in rvs]
    shape = tuple(len(a) for a in dist.alphabet)
    q = exact_maxent(dist.pmf.reshape(shape), groups)
    new = dist.copy()
    new.pmf = q.ravel()
    if kwargs.get("sparse", True):
        new.make_sparse()
    return new


@contextlib.contextmanager
def dit_with_exact_maxent():
    """Run dit's I_ccs and I_dep code with :func:`exact_maxent_dist` as their maxent solver."""
    import dit.pid.measures.iccs as iccs
    import dit.profiles.information_partitions as partitions

    saved = iccs.maxent_dist, partitions.maxent_dist
    iccs.maxent_dist = partitions.maxent_dist = exact_maxent_dist
    try:
        yield
    finally:
        iccs.maxent_dist, partitions.maxent_dist = saved
