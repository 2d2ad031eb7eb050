"""I^sx speed: pidtools against dit (per pmf) and against plain vectorised numpy (batches).

Run: python benchmarks/bench_sx.py [--quick]. Prints a markdown table; every ratio is against a
baseline measured in the same run. Numba compilation is excluded (a warm-up call runs first).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numba
import numpy as np

import pidtools
from pidtools.core import goal_node_weights
from pidtools.measures.sx import sx_redundancy, sx_redundancy_gradient
from pidtools.testing import random_pmf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from numpy_sx import numpy_sx_gradient, numpy_sx_redundancy  # noqa: E402


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def dit_sx(p: np.ndarray) -> float:
    import dit
    from dit.pid import PID_SX

    n = p.ndim - 1
    cells = [tuple(int(i) for i in idx) for idx in zip(*np.nonzero(p), strict=True)]
    # dit's PID_SX needs the target as the last variable
    d = dit.Distribution([c[1:] + c[:1] for c in cells], [p[c] for c in cells])
    t0 = time.perf_counter()
    PID_SX(d, sources=[[i] for i in range(n)], target=[n])
    return time.perf_counter() - t0


def per_pmf_vs_dit(shape, n_dit: int, rng) -> tuple[str, float, float]:
    pmfs = [random_pmf(shape, rng) for _ in range(n_dit)]
    t_dit = statistics.median(dit_sx(p) for p in pmfs)
    pidtools.pid(pmfs[0])  # warm-up
    n_rep = 2000
    t_ours = best_of(lambda: [pidtools.pid(p) for p in pmfs[:1] * n_rep], 3) / n_rep
    return "x".join(map(str, shape)), t_dit, t_ours


def histograms(shape, n_batch: int, n_samples: int, rng) -> np.ndarray:
    """Empirical pmfs of ``n_samples`` draws from random pmfs: sparse, like binned data."""
    out = np.empty((n_batch, *shape))
    for b in range(n_batch):
        counts = rng.multinomial(n_samples, random_pmf(shape, rng).ravel())
        out[b] = (counts / n_samples).reshape(shape)
    return out


def batch_vs_numpy(shape, n_batch: int, rng, n_samples: int | None = None):
    n = len(shape) - 1
    if n_samples is None:
        P = np.stack([random_pmf(shape, rng) for _ in range(n_batch)])
    else:
        P = histograms(shape, n_batch, n_samples, rng)
    goal = {lab: float(rng.normal()) for lab in pidtools.lattice(n).labels}
    c, _ = goal_node_weights(goal, n)
    sx_redundancy(P[:2], n)
    all_cells = n_samples is None  # histograms: the gradient on the support, as training uses it
    sx_redundancy_gradient(P[:2], n, c, 0.0, all_cells)
    fwd = best_of(lambda: sx_redundancy(P, n), 3)
    pidtools.pid(P[:2], n_sources=n)
    public = best_of(lambda: pidtools.pid(P, n_sources=n), 3)
    both = best_of(
        lambda: (sx_redundancy(P, n), sx_redundancy_gradient(P, n, c, 0.0, all_cells)), 3
    )
    # numpy on the same whole batch, as one array operation
    whole_fwd = best_of(lambda: numpy_sx_redundancy(P, n), 1)
    whole_both = whole_fwd + best_of(lambda: numpy_sx_gradient(P, n, c), 1)
    # and, a stronger baseline, in the chunk size that suits it best (its temporaries then stay
    # in cache), timed on a slice of the batch and scaled per pmf
    m = min(n_batch, 256 if n == 2 else 32)
    best_fwd, best_both = np.inf, np.inf
    for size in (4, 16, 64, 256):
        chunks = [P[lo : lo + size] for lo in range(0, m, size)]
        t_fwd = best_of(lambda: [numpy_sx_redundancy(q, n) for q in chunks], 2)  # noqa: B023
        t_grad = best_of(lambda: [numpy_sx_gradient(q, n, c) for q in chunks], 2)  # noqa: B023
        best_fwd, best_both = min(best_fwd, t_fwd), min(best_both, t_fwd + t_grad)
    best_fwd *= n_batch / m
    best_both *= n_batch / m
    ok = np.allclose(sx_redundancy(P[:m], n)[0], numpy_sx_redundancy(P[:m], n), atol=1e-10)
    return fwd, both, public, (whole_fwd, best_fwd), (whole_both, best_both), ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller batches, one dit pmf per shape")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(
        f"numba threads: {numba.get_num_threads()}, numpy {np.__version__}, numba {numba.__version__}"
    )
    print("\n### Per pmf: pidtools.pid vs dit.pid.PID_SX (median over random pmfs)\n")
    print("| pmf shape | dit | pidtools | speed-up |\n|---|---|---|---|")
    for shape in [(2, 4, 4), (2, 2, 2, 2)]:
        name, t_dit, t_ours = per_pmf_vs_dit(shape, 1 if args.quick else 3, rng)
        print(f"| {name} | {t_dit:.2f} s | {t_ours * 1e6:.1f} µs | {t_dit / t_ours:,.0f}x |")
    sizes = [
        ((2, 20, 20), 10_000, None),
        ((2, 20, 20, 20), 1_000, None),
        ((2, 20, 20, 20), 1_000, 1024),
    ]
    if args.quick:
        sizes = [
            ((2, 20, 20), 1000, None),
            ((2, 20, 20, 20), 100, None),
            ((2, 20, 20, 20), 100, 1024),
        ]
    rows = []
    for shape, n_batch, n_samples in sizes:
        fwd, both, public, np_fwd, np_both, ok = batch_vs_numpy(shape, n_batch, rng, n_samples)
        assert ok, "numba and numpy disagree"
        kind = (
            "dense random pmfs"
            if n_samples is None
            else f"histograms of {n_samples} samples (gradient on the support)"
        )
        rows.append(
            (
                f"{n_batch:,} x {'x'.join(map(str, shape))}, {kind}",
                n_batch,
                fwd,
                both,
                public,
                np_fwd,
                np_both,
            )
        )
    print(
        "\n### Batches: numba kernels vs plain vectorised numpy\n\n"
        "numpy runs the same whole batch as one array operation, and (a stronger baseline) in the\n"
        "chunk size of 4-256 pmfs that suits it best, timed on 256 (2 sources) or 32 (3 sources)\n"
        "pmfs and scaled.\n"
    )
    titles = (
        ("forward (the redundancy of every node)", 0),
        ("forward + gradient", 1),
        ("forward through `pidtools.pid` (input checks, atoms, MI and entropies too)", 2),
    )
    for title, k in titles:
        print(
            f"\n#### {title}\n\n| batch | pidtools | numpy, whole batch | ratio | numpy, best chunk | ratio |\n"
            "|---|---|---|---|---|---|"
        )
        for name, n_batch, fwd, both, public, np_fwd, np_both in rows:
            ours, (whole, best) = [(fwd, np_fwd), (both, np_both), (public, np_fwd)][k]
            print(
                f"| {name} | {ours:.3f} s ({n_batch / ours:,.0f} pmf/s) | {whole:.2f} s | "
                f"{whole / ours:.1f}x | {best:.2f} s | {best / ours:.1f}x |"
            )


if __name__ == "__main__":
    main()
