#!/usr/bin/env python
"""Benchmark of pidtools.estimate against dit, measured in the same run.

Workload (issue 4): 1 000 neurons x 10 000 samples; the target is an 8-class label shared by
all neurons, the two sources are a neuron's activations binned into 8 quantile bins; bivariate
I^sx, plug-in, then with 100 target shuffles.

Baseline: dit has no estimator, so "doing the same with dit" means building a
``dit.Distribution`` from each neuron's histogram and running ``PID_SX`` on it (binning counted
for pidtools only, so the baseline is favoured). dit takes minutes per 8x8x8 pmf; it is run on a
few pmfs in a subprocess with a time budget and the time for the whole workload is
extrapolated (per-pmf time x number of pmfs). If not even one pmf finishes within the budget,
the budget is a lower bound of dit's time per pmf and the ratio is a lower bound too. Smaller
alphabets are timed the same way to show how both scale.

Usage::

    python benchmarks/bench_estimate.py                      # full run, ~10 min on 2 cores
    python benchmarks/bench_estimate.py --quick              # smoke run
    python benchmarks/bench_estimate.py --out benchmarks/estimate_results.md
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing as mp
import os
import platform
import time

import numba
import numpy as np

import pidtools


def make_data(n_neurons: int, n_samples: int, n_classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    label = rng.integers(0, n_classes, n_samples)
    gain = rng.uniform(0, 1, (n_neurons, 1))
    x1 = rng.normal(size=(n_neurons, n_samples)) + gain * label
    x2 = rng.normal(size=(n_neurons, n_samples)) + (1 - gain) * (label % 3) + 0.3 * x1
    return label, x1, x2


def timed(fn, *args, repeats: int = 1, **kwargs) -> float:
    """Best of ``repeats`` wall-clock times (s) of ``fn(*args, **kwargs)``."""
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best


def _dit_worker(pmfs: np.ndarray, queue) -> None:
    """Time PID_SX on each pmf (axes T, S1, S2; dit wants the target last); report per pmf."""
    import dit
    from dit.pid import PID_SX

    for P in pmfs:
        t0 = time.perf_counter()
        cells = [c for c in itertools.product(*map(range, P.shape)) if P[c] > 0]
        d = dit.Distribution([(s1, s2, t) for t, s1, s2 in cells], [P[c] for c in cells])
        PID_SX(d, [[0], [1]], [2])
        queue.put(time.perf_counter() - t0)


def dit_seconds_per_pmf(pmfs: np.ndarray, budget: float) -> tuple[float, int]:
    """Mean dit time per pmf over those finished within ``budget`` s, and how many finished.

    With none finished, returns ``(budget, 0)``: a lower bound.
    """
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_dit_worker, args=(pmfs, queue), daemon=True)
    proc.start()
    deadline, times = time.perf_counter() + budget, []
    while len(times) < len(pmfs):
        try:
            times.append(queue.get(timeout=max(0.01, deadline - time.perf_counter())))
        except Exception:  # queue.Empty on timeout
            break
    if proc.is_alive():
        proc.terminate()
    proc.join()
    return (float(np.mean(times)), len(times)) if times else (budget, 0)


def run(args) -> list[dict]:
    rows = []
    label, x1, x2 = make_data(args.neurons, args.samples, args.bins)
    kw = dict(bins=(None, args.bins, args.bins), binning="quantile")
    pidtools.estimate(
        label[:200], [x1[:4, :200], x2[:4, :200]], n_shuffles=2, random_state=0, **kw
    )  # compile
    for k in args.alphabets:
        lab = label % k
        kw_k = dict(bins=(None, k, k), binning="quantile")
        t_plugin = timed(pidtools.estimate, lab, [x1, x2], repeats=3, **kw_k)
        res = pidtools.estimate(lab, [x1[: args.dit_pmfs], x2[: args.dit_pmfs]], **kw_k)
        pmfs = _histograms(lab, x1[: args.dit_pmfs], x2[: args.dit_pmfs], res)
        per_pmf, done = dit_seconds_per_pmf(pmfs, args.dit_budget)
        cube = f"{k}x{k}x{k}"
        rows.append(dict(task=f"plug-in, {cube}", ours=t_plugin, per_pmf=per_pmf, done=done,
                         n_pmfs=args.neurons))  # fmt: skip
        print(_format(rows[-1]), flush=True)
        if k == args.bins and args.shuffles:
            t_null = timed(pidtools.estimate, lab, [x1, x2], n_shuffles=args.shuffles,
                           random_state=0, **kw_k)  # fmt: skip
            rows.append(dict(task=f"{args.shuffles} shuffles, {cube}", ours=t_null,
                             per_pmf=per_pmf, done=done,
                             n_pmfs=args.neurons * (args.shuffles + 1)))  # fmt: skip
            print(_format(rows[-1]), flush=True)
    return rows


def _histograms(label, x1, x2, res) -> np.ndarray:
    """The binned pmfs that pidtools estimated, rebuilt with numpy for the dit baseline."""
    k = res.settings["alphabet"][1]
    pmfs = []
    for a, b in zip(x1, x2, strict=True):
        codes = [
            np.searchsorted(np.sort(v)[np.arange(1, k) * v.size // k], v, side="right")
            for v in (a, b)
        ]
        P = np.zeros(res.settings["alphabet"])
        np.add.at(P, (label, *codes), 1.0)
        pmfs.append(P / P.sum())
    return np.array(pmfs)


def _format(row: dict) -> str:
    dit_total = row["per_pmf"] * row["n_pmfs"]
    bound = "" if row["done"] else ">"
    return (
        f"| {row['task']} | {row['ours']:.3f} | "
        f"{bound}{row['per_pmf']:.3g} ({row['done']} timed) | "
        f"{bound}{dit_total:.3g} | {bound}{dit_total / row['ours']:.3g} |"
    )


HEADER = (
    "| task ({neurons} neurons x {samples} samples) | pidtools (s) | dit s/pmf | dit total, "
    "extrapolated (s) | ratio dit/pidtools |\n|---|---|---|---|---|"
)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--neurons", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument(
        "--bins", type=int, default=8, help="classes of the label and quantile bins per source"
    )
    ap.add_argument("--shuffles", type=int, default=100)
    ap.add_argument("--alphabets", type=int, nargs="+", default=[2, 4, 8])
    ap.add_argument("--dit-pmfs", type=int, default=3, help="pmfs timed with dit per alphabet")
    ap.add_argument("--dit-budget", type=float, default=120.0, help="seconds of dit per alphabet")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--out", help="also write the table as markdown to this file")
    args = ap.parse_args()
    if args.quick:
        args.neurons, args.samples, args.shuffles, args.alphabets = 50, 2000, 10, [2, args.bins]
        args.dit_pmfs, args.dit_budget = 1, 10.0
    env = (
        f"numba threads {numba.get_num_threads()}, numpy {np.__version__}, "
        f"numba {numba.__version__}, pidtools {pidtools.__version__}, "
        f"python {platform.python_version()}, {platform.machine()}, "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )
    print(env)
    header = HEADER.format(neurons=args.neurons, samples=args.samples)
    print(header)
    rows = run(args)
    if args.out:
        with open(args.out, "w") as f:
            f.write("# pidtools.estimate benchmark\n\n")
            f.write(f"`python benchmarks/bench_estimate.py` ({env}).\n\n")
            f.write(
                f"{args.neurons} neurons x {args.samples} samples, target a label with as many "
                "classes as the source bins, shared by all neurons, two sources binned into "
                "quantile bins, bivariate I^sx. dit times are measured on a few pmfs and "
                "extrapolated (s/pmf x number of pmfs); '>' marks a lower bound when not one pmf "
                "finished within the budget.\n\n"
            )
            f.write(header + "\n" + "\n".join(_format(r) for r in rows) + "\n")


if __name__ == "__main__":
    main()
