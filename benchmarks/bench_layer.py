"""Layer analysis speed: 5-source I^sx per pmf, and subsampled PIDs of a wide layer over training.

Run: python benchmarks/bench_layer.py [--epochs E] [--dit N]. Prints markdown; ratios are
against baselines measured in the same run, medians of interleaved repeats. Numba compilation
is excluded (warm-up calls first).

1. I^sx of 5 binary sources (pmfs of 2^6 cells, full support), per pmf:
   - pidtools.pid (up-set chains, pidtools/kernels/sx.py ``sx_chain``),
   - the inclusion-exclusion numba kernel that serves 1-4 sources (``sx_forward``) at n = 5,
   - plain vectorised numpy from the definitions (benchmarks/numpy_sx.py: inclusion-exclusion
     sums of dense marginals per node, the algorithm of the SxPID reference code),
   - dit's PID_SX on ``--dit`` pmfs (0 skips it; it builds the 7 579-node lattice itself).
2. A layer of 100 binary neurons x ``--epochs`` epochs x 10 000 samples with a 10-class target:
   per epoch, pidtools.layer.layer_pid on 26 random 5-neuron subsets (plug-in), plus the Shannon
   invariants of the whole layer.
3. The same layer with the defaults of ``infomorph layer`` (``estimator="shuffle"``, 20 target
   shuffles) for the first ``--shuffle-epochs`` epochs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numba
import numpy as np

import pidtools
from pidtools.kernels.sx import sx_forward
from pidtools.layer import layer_pid, shannon_invariants
from pidtools.measures.sx import _kernel_args
from pidtools.testing import random_pmf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from numpy_sx import numpy_sx_redundancy  # noqa: E402


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def inclusion_exclusion(P: np.ndarray) -> np.ndarray:
    """The 1-4-source kernel (support path) run at 5 sources."""
    n_nodes = pidtools.lattice(5).n_nodes
    red = np.empty((P.shape[0], n_nodes))
    args = list(_kernel_args(P, 5))
    args[4] = P[0].size + 1  # dense_min: always the support path
    sx_forward(P.size, *args, False, red, np.empty((1, 1, n_nodes)))
    return red


def dit_seconds(p: np.ndarray) -> float:
    import dit
    from dit.pid import PID_SX

    cells = [tuple(int(i) for i in idx) for idx in zip(*np.nonzero(p), strict=True)]
    d = dit.Distribution([c[1:] + c[:1] for c in cells], [p[c] for c in cells])
    return timed(lambda: PID_SX(d, sources=[[i] for i in range(5)], target=[5]))


def per_pmf(n_batch: int, n_numpy: int, repeats: int, n_dit: int, rng) -> list[str]:
    P = np.stack([random_pmf((2,) * 6, rng) for _ in range(n_batch)])
    Q = P[:n_numpy]
    ours = pidtools.pid(P[:2], n_sources=5)
    np.testing.assert_allclose(inclusion_exclusion(P[:2]), ours.redundancy, atol=1e-10)
    np.testing.assert_allclose(numpy_sx_redundancy(P[:2], 5), ours.redundancy, atol=1e-10)
    times = {"pidtools.pid": [], "inclusion-exclusion kernel": [], "numpy (SxPID algorithm)": []}
    for _ in range(repeats):  # interleaved
        times["pidtools.pid"].append(timed(lambda: pidtools.pid(P, n_sources=5)) / n_batch)
        times["inclusion-exclusion kernel"].append(timed(lambda: inclusion_exclusion(P)) / n_batch)
        times["numpy (SxPID algorithm)"].append(timed(lambda: numpy_sx_redundancy(Q, 5)) / n_numpy)
    med = {k: statistics.median(v) for k, v in times.items()}
    if n_dit:
        med["dit PID_SX"] = statistics.median(dit_seconds(p) for p in P[:n_dit])
    base = med["pidtools.pid"]
    rows = [
        "| implementation | time per pmf | ratio to pidtools.pid |",
        "|---|---|---|",
    ]
    for name, t in med.items():
        rows.append(f"| {name} | {t * 1e3:,.3f} ms | {t / base:,.1f}x |")
    return rows


def layer(n_epochs: int, n_neurons: int, n_samples: int, n_subsets: int, rng) -> list[str]:
    label = rng.integers(0, 10, n_samples)
    # neurons that carry more of the label as training goes on (binary states)
    w = rng.normal(size=(n_neurons, 10))
    warm = rng.integers(0, 2, (6, 200))
    layer_pid(label[:200], warm, k=5, n_subsets=2)
    t_pid = t_inv = cpu_pid = cpu_inv = 0.0
    complexity = []
    for e in range(n_epochs):
        drive = w[:, label] * (e + 1) / n_epochs + rng.normal(size=(n_neurons, n_samples))
        act = (drive > 0).astype(np.int8)
        t0, c0 = time.perf_counter(), time.process_time()
        res = layer_pid(label, act, k=5, n_subsets=n_subsets, seed=e)
        t1, c1 = time.perf_counter(), time.process_time()
        shannon_invariants(label, act)
        t_inv += time.perf_counter() - t1
        cpu_inv += time.process_time() - c1
        t_pid += t1 - t0
        cpu_pid += c1 - c0
        complexity.append(res.complexity)
    rows = [
        (f"{n_subsets} subsets x 5-source PID (layer_pid)", t_pid, cpu_pid),
        (f"Shannon invariants of all {n_neurons} neurons", t_inv, cpu_inv),
        ("both", t_pid + t_inv, cpu_pid + cpu_inv),
    ]
    return [
        "| what | wall total | wall per epoch | CPU total (all threads) |",
        "|---|---|---|---|",
        *(
            f"| {name} | {wall:.1f} s | {wall / n_epochs * 1e3:.0f} ms | {cpu:.1f} s |"
            for name, wall, cpu in rows
        ),
        "",
        f"C first / last epoch: {complexity[0]:.3f} / {complexity[-1]:.3f}",
    ]


#: Target shuffles of the ``infomorph layer`` defaults.
SHUFFLES = 20


def layer_shuffled(n_epochs: int, n_neurons: int, n_samples: int, n_subsets: int, rng) -> list[str]:
    """Section 3: wall time per epoch of the shuffle-corrected layer analysis."""
    label = rng.integers(0, 10, n_samples)
    w = rng.normal(size=(n_neurons, 10))
    warm = rng.integers(0, 2, (6, n_samples))  # big enough for the parallel kernels
    layer_pid(label, warm, k=5, n_subsets=2, estimator="shuffle", n_shuffles=2)
    shannon_invariants(label, warm, estimator="shuffle", n_shuffles=2)
    t_pid = t_inv = 0.0
    for e in range(n_epochs):
        drive = w[:, label] * (e + 1) / n_epochs + rng.normal(size=(n_neurons, n_samples))
        act = (drive > 0).astype(np.int8)
        t0 = time.perf_counter()
        layer_pid(label, act, k=5, n_subsets=n_subsets, seed=e, estimator="shuffle",
                  n_shuffles=SHUFFLES)  # fmt: skip
        t1 = time.perf_counter()
        shannon_invariants(label, act, estimator="shuffle", n_shuffles=SHUFFLES, random_state=e)
        t_inv += time.perf_counter() - t1
        t_pid += t1 - t0
    return [
        "| what | wall per epoch |",
        "|---|---|",
        f"| {n_subsets} subsets x 5-source PID, {SHUFFLES} shuffles | {t_pid / n_epochs * 1e3:,.0f} ms |",
        f"| Shannon invariants of all {n_neurons} neurons, {SHUFFLES} shuffles | "
        f"{t_inv / n_epochs * 1e3:,.0f} ms |",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--dit", type=int, default=1, help="pmfs for dit (0: skip)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--shuffle-epochs", type=int, default=3, help="epochs of section 3 (0: skip)")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"numba threads: {numba.get_num_threads()}, numpy {np.__version__}, "
          f"numba {numba.__version__}, load average at start {load:.1f}\n")  # fmt: skip
    print("### I^sx of 5 binary sources, per pmf (2^6 cells, full support)\n")
    print("\n".join(per_pmf(200, 4, args.repeats, args.dit, rng)))
    print(f"\n### Layer: 100 neurons x {args.epochs} epochs x 10,000 samples, 26 subsets\n")
    print("\n".join(layer(args.epochs, 100, 10_000, 26, rng)))
    if args.shuffle_epochs:
        print(f"\n### The same layer, shuffle-corrected ({SHUFFLES} shuffles; the `infomorph layer` "
              f"defaults), {args.shuffle_epochs} epochs\n")  # fmt: skip
        print("\n".join(layer_shuffled(args.shuffle_epochs, 100, 10_000, 26, rng)))


if __name__ == "__main__":
    main()
