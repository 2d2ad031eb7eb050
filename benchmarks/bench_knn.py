#!/usr/bin/env python
"""Benchmark of the nearest-neighbour I^sx estimator (pidtools.knn) against a numpy/scipy one.

Workload (issue 17): 1 000 units x 2 000 samples, 2 continuous sources, k = 4, a continuous
target shared by all units (goal: under 60 s on a 2-core machine); the same with a binary
target.

Baseline: the same estimator (rank transform, joint k-th neighbour distance, leading-order
union counts) written with numpy and scipy's ``cKDTree`` (max-norm ball queries), one unit at a
time, in this file. Both are timed in the same run, interleaved, ``--repeats`` times; the table
gives medians and the ratio. As a check, the baseline's atoms are compared with pidtools' on the
baseline's own rank-transformed data (``transform="none"``: only 1e-10 tie-breaking noise
differs), which must agree to rounding.

Usage::

    python benchmarks/bench_knn.py                        # full run, a few minutes on 2 cores
    python benchmarks/bench_knn.py --quick                # smoke run (100 units)
    python benchmarks/bench_knn.py --out benchmarks/knn_results.md
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numba
import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

import pidtools
from pidtools.knn import estimate_knn

LN2 = np.log(2.0)


def make_data(n_units: int, n_samples: int, seed: int = 0):
    """A shared continuous target, its binary version, and two sources per unit."""
    rng = np.random.default_rng(seed)
    t = rng.standard_normal(n_samples)
    gain = rng.uniform(0, 1, (n_units, 1))
    s1 = gain * t + rng.standard_normal((n_units, n_samples))
    s2 = (1 - gain) * t + 0.5 * s1 + rng.standard_normal((n_units, n_samples))
    return t, (t > 0).astype(np.int64), s1, s2


def rank_uniform(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``(rank + u) / n`` with ``u`` uniform on [0, 1): uniform margins, no ties."""
    ranks = np.empty(len(x))
    ranks[np.argsort(x, kind="stable")] = np.arange(len(x))
    return (ranks + rng.random(len(x))) / len(x)


def _count(points: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Points within ``radius`` (max-norm, boundary included) of each point, itself included."""
    return cKDTree(points).query_ball_point(points, radius, p=np.inf, return_length=True)


def scipy_sx_unit(t, s1, s2, k: int = 4, discrete: bool = False) -> np.ndarray:
    """Redundancies ({1}{2}, {1}, {2}, {12}) in bits of one unit, already on the rank scale."""
    n = len(t)
    src = np.column_stack([s1, s2])
    inside = lambda r: np.nextafter(r, 0)  # noqa: E731 - strictly inside
    if discrete:
        eps = np.empty(n)
        m_t = np.empty(n)
        for c in np.unique(t):
            idx = np.flatnonzero(t == c)
            eps[idx] = cKDTree(src[idx]).query(src[idx], k + 1, p=np.inf)[0][:, -1]
            m_t[idx] = len(idx)
        joint_a = []
        for a in (0, 1):
            cnt = np.empty(n)
            for c in np.unique(t):
                idx = np.flatnonzero(t == c)
                cnt[idx] = _count(src[idx][:, [a]], eps[idx]) - 1
            joint_a.append(cnt)
    else:
        joint = np.column_stack([t, src])
        eps = cKDTree(joint).query(joint, k + 1, p=np.inf)[0][:, -1]
        m_t = _count(t[:, None], inside(eps))
        joint_a = [_count(np.column_stack([t, src[:, a]]), eps) - 1 for a in (0, 1)]
    m_a = [_count(src[:, [a]], inside(eps)) for a in (0, 1)]
    base = digamma(n) - digamma(m_t)
    red = [
        base + digamma(joint_a[0] + joint_a[1]) - digamma(m_a[0] + m_a[1]),
        base + digamma(joint_a[0]) - digamma(m_a[0]),
        base + digamma(joint_a[1]) - digamma(m_a[1]),
        base + digamma(k) - digamma(_count(src, inside(eps))),
    ]
    return np.array([r.mean() for r in red]) / LN2


MOBIUS = np.array([[1, 0, 0, 0], [-1, 1, 0, 0], [-1, 0, 1, 0], [1, -1, -1, 1]], dtype=float)


def scipy_sx(t, s1, s2, k=4, discrete=False, seed=0, transformed=False):
    """Atoms of every unit with the scipy baseline (rank transform unless ``transformed``)."""
    rng = np.random.default_rng(seed)
    out = np.empty((s1.shape[0], 4))
    for u in range(s1.shape[0]):
        tt = t if discrete or transformed else rank_uniform(t, rng)
        a, b = (s1[u], s2[u]) if transformed else (rank_uniform(x[u], rng) for x in (s1, s2))
        out[u] = MOBIUS @ scipy_sx_unit(tt, a, b, k, discrete)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--quick", action="store_true", help="100 units, 1 repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", help="write the markdown table here")
    args = parser.parse_args(argv)
    n_units = 100 if args.quick else 1000
    repeats = 1 if args.quick else args.repeats
    n_samples, k = 2000, 4
    t, label, s1, s2 = make_data(n_units, n_samples)
    load = os.getloadavg()[0]
    estimate_knn(t[:50], [s1[:2, :50], s2[:2, :50]], k=k)  # compile (or load the cache)

    # agreement on identical rank-scale data
    rng = np.random.default_rng(1)
    check = 20
    tu = rank_uniform(t, rng)
    a = np.array([rank_uniform(x, rng) for x in s1[:check]])
    b = np.array([rank_uniform(x, rng) for x in s2[:check]])
    diff = {}
    for name, target, disc in (("continuous", tu, False), ("binary", label, True)):
        ours = estimate_knn(target, [a, b], k=k, transform="none").atoms
        ref = scipy_sx(target, a, b, k, disc, transformed=True)
        diff[name] = float(np.abs(ours - ref).max())

    rows = []
    for name, target, disc in (("continuous", t, False), ("binary", label, True)):
        times = {key: [] for key in ("pidtools", "scipy", "pidtools cpu", "scipy cpu")}
        for _ in range(repeats):
            for key, run in (
                ("pidtools", lambda: estimate_knn(target, [s1, s2], k=k)),  # noqa: B023
                ("scipy", lambda: scipy_sx(target, s1, s2, k, disc)),  # noqa: B023
            ):
                t0, c0 = time.perf_counter(), time.process_time()
                run()
                times[key].append(time.perf_counter() - t0)
                times[key + " cpu"].append(time.process_time() - c0)
        med = {key: float(np.median(v)) for key, v in times.items()}
        rows.append((name, med))

    lines = [
        "# pidtools.knn benchmark",
        "",
        f"`python benchmarks/bench_knn.py{' --quick' if args.quick else ''}` (numba threads "
        f"{numba.get_num_threads()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"pidtools {pidtools.__version__}, python {platform.python_version()}, "
        f"{platform.machine()}, load average at start {load:.1f}).",
        "",
        f"{n_units} units x {n_samples} samples, 2 continuous sources, k = {k}, target shared "
        f"by all units; medians of {repeats} interleaved repeats; baseline: the same estimator "
        "with numpy + scipy cKDTree, unit by unit (this file).",
        "",
        "| target | pidtools.knn wall (s) | scipy wall (s) | ratio | pidtools.knn CPU (s) | "
        "scipy CPU (s) | ratio |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {name} | {m['pidtools']:.2f} | {m['scipy']:.2f} | "
            f"{m['scipy'] / m['pidtools']:.1f} | {m['pidtools cpu']:.2f} | {m['scipy cpu']:.2f} "
            f"| {m['scipy cpu'] / m['pidtools cpu']:.1f} |"
            for name, m in rows
        ),
        "",
        "Wall: elapsed time; CPU: process CPU time over all threads (pidtools runs on "
        f"{numba.get_num_threads()} numba threads, the baseline on one), which a shared machine "
        "inflates less than the wall time.",
        "",
        "Largest atom difference on identical rank-scale data (first "
        f"{check} units): continuous {diff['continuous']:.1e} bit, binary {diff['binary']:.1e} bit.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
