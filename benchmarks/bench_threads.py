"""Thread scaling of the threaded work of every benchmark: 1, 2 and all cores, side by side.

Each case is the main call of one script in ``benchmarks/`` at a size that takes 0.1 to 1 s
on one thread. Every (repeat, case, thread count) runs in a fresh process whose environment
sets the thread count for every pool it could use (``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, dask's ``DASK_NUM_WORKERS``): what a user gets
who runs that script with so many threads. A warm-up call compiles the kernels first; the
process reports the median of ``--calls`` timed calls. Runs are interleaved (repeat, case,
thread count); the table gives the median over ``--repeats`` and the median of the per-repeat
ratios to one thread (runs next to each other in time: steadier where the machine's speed
drifts). Run on an otherwise idle machine: the load average before and after is printed.

Cases (the script each comes from):

- ``bench_sx``: ``pidtools.pid`` of 100 000 random 2x8x8 pmfs; the I^sx goal gradient of the
  same batch;
- ``bench_measures``: ``pidtools.pid`` of a batch of random 2x2x2 pmfs for min, mmi, pm, ccs,
  broja and dep;
- ``bench_estimate`` / ``bench_null``: ``pidtools.estimate`` of 200 neurons x 10 000 samples
  (8 quantile bins, 8-class target), plug-in and with 20 target shuffles;
- ``bench_knn``: ``pidtools.knn.estimate_knn`` of 50 units x 2 000 samples;
- ``bench_layer``: ``pidtools.pid`` of 200 random 5-source binary pmfs; ``layer_pid`` of 26
  five-unit subsets of 100 binary units x 10 000 samples;
- ``bench_analyze``: ``pidtools.xarray.pid_dataset`` (the work of ``infomorph analyze``) on a
  dask-backed record of 4 epochs x 200 neurons x 2 000 samples, shuffle-corrected with 20
  shuffles, computed by dask's threaded scheduler.

The infomorph training epochs have their own script (``bench_infomorph_speed.py``).

    python benchmarks/bench_threads.py [--repeats 3] [--calls 3] [--threads 1 2 all]
        [--cases sx_pid estimate_shuffles ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _random_pmfs(shape: tuple[int, ...], n: int, seed: int = 0) -> np.ndarray:
    from pidtools.testing import random_pmf

    rng = np.random.default_rng(seed)
    return np.stack([random_pmf(shape, rng) for _ in range(n)])


def _estimate_data(n_neurons: int = 200, n_samples: int = 10_000, seed: int = 0):
    """An 8-class label and two sources per neuron that depend on it (as bench_estimate)."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 8, n_samples)
    gain = rng.uniform(0, 1, (n_neurons, 1))
    x1 = rng.normal(size=(n_neurons, n_samples)) + gain * label
    x2 = rng.normal(size=(n_neurons, n_samples)) + (1 - gain) * (label % 3) + 0.3 * x1
    return label, x1, x2


def case_sx_pid() -> Callable[[], object]:
    import pidtools

    P = _random_pmfs((2, 8, 8), 100_000)
    return lambda: pidtools.pid(P, n_sources=2)


def case_sx_gradient() -> Callable[[], object]:
    import pidtools
    from pidtools.core import goal_node_weights
    from pidtools.measures.sx import sx_redundancy_gradient

    P = _random_pmfs((2, 8, 8), 100_000)
    goal = {lab: 1.0 for lab in pidtools.lattice(2).labels}
    c, _ = goal_node_weights(goal, 2)
    return lambda: sx_redundancy_gradient(P, 2, c, 0.0, True)


def _case_measure(measure: str, n: int) -> Callable[[], Callable[[], object]]:
    def make():
        import pidtools

        P = _random_pmfs((2, 2, 2), n)
        return lambda: pidtools.pid(P, measure, n_sources=2)

    make.__doc__ = f"pidtools.pid(P, {measure!r}) of {n} 2x2x2 pmfs"
    return make


def case_estimate_plugin() -> Callable[[], object]:
    import pidtools

    label, x1, x2 = _estimate_data()
    return lambda: pidtools.estimate(label, [x1, x2], bins=(None, 8, 8), binning="quantile")


def case_estimate_shuffles() -> Callable[[], object]:
    import pidtools

    label, x1, x2 = _estimate_data()
    return lambda: pidtools.estimate(
        label, [x1, x2], bins=(None, 8, 8), binning="quantile", n_shuffles=20, random_state=0
    )


def case_knn() -> Callable[[], object]:
    from pidtools.knn import estimate_knn

    rng = np.random.default_rng(0)
    t = rng.standard_normal(2_000)
    s1 = 0.5 * t + rng.standard_normal((50, 2_000))
    s2 = 0.5 * t + 0.5 * s1 + rng.standard_normal((50, 2_000))
    return lambda: estimate_knn(t, [s1, s2], k=4, random_state=0)


def case_layer_five() -> Callable[[], object]:
    import pidtools

    P = _random_pmfs((2,) * 6, 200)
    return lambda: pidtools.pid(P, n_sources=5)


def case_layer_subsets() -> Callable[[], object]:
    from pidtools.layer import layer_pid

    rng = np.random.default_rng(0)
    label = rng.integers(0, 10, 10_000)
    act = (rng.random((100, 10_000)) < 0.3 + 0.04 * label).astype(np.int64)
    return lambda: layer_pid(label, act, k=5, n_subsets=26, seed=0)


def case_analyze() -> Callable[[], object]:
    import xarray as xr

    from pidtools.xarray import pid_dataset

    rng = np.random.default_rng(0)
    shape = (4, 200, 2_000)
    label = rng.integers(0, 4, shape[-1])
    x1 = rng.normal(size=shape) + 0.5 * label
    x2 = rng.normal(size=shape) + 0.3 * x1
    dims = ("epoch", "neuron", "sample")
    ds = xr.Dataset(
        {
            "target": (dims, np.broadcast_to(label, shape).astype(np.float32)),
            "x1": (dims, x1.astype(np.float32)),
            "x2": (dims, x2.astype(np.float32)),
        }
    ).chunk({"epoch": 1, "neuron": 100, "sample": -1})

    def run():
        lazy = pid_dataset(
            ds, "target", ["x1", "x2"], sample_dim="sample", estimator="shuffle",
            n_shuffles=20, random_state=0,
        )  # fmt: skip
        return lazy.compute(scheduler="threads")

    return run


CASES: dict[str, tuple[str, Callable[[], Callable[[], object]]]] = {
    "sx_pid": ("bench_sx", case_sx_pid),
    "sx_gradient": ("bench_sx", case_sx_gradient),
    **{
        f"measure_{m}": ("bench_measures", _case_measure(m, n))
        for m, n in (
            ("min", 200_000),
            ("mmi", 200_000),
            ("pm", 200_000),
            ("ccs", 20_000),
            ("broja", 10_000),
            ("dep", 20_000),
        )
    },
    "estimate_plugin": ("bench_estimate", case_estimate_plugin),
    "estimate_shuffles": ("bench_estimate, bench_null", case_estimate_shuffles),
    "knn": ("bench_knn", case_knn),
    "layer_five_sources": ("bench_layer", case_layer_five),
    "layer_subsets": ("bench_layer", case_layer_subsets),
    "analyze": ("bench_analyze", case_analyze),
}


def worker(name: str, calls: int) -> float:
    """Median seconds of ``calls`` timed calls of case ``name`` after a warm-up call."""
    sys.path.insert(0, str(REPO))
    run = CASES[name][1]()
    run()
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def thread_env(n: int) -> dict[str, str]:
    """The environment of a process that may use ``n`` threads in every pool."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for var in (
        "NUMBA_NUM_THREADS",
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "DASK_NUM_WORKERS",
    ):
        env[var] = str(n)
    return env


def run_worker(name: str, n: int, calls: int) -> float:
    cmd = [sys.executable, __file__, "--worker", name, "--calls", str(calls)]
    done = subprocess.run(cmd, env=thread_env(n), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"case {name!r} on {n} threads failed:\n{done.stderr}")
    return float(done.stdout.strip().splitlines()[-1])


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def thread_count(text: str) -> int | str:
    """An argparse type for ``--threads``: a positive integer or ``all``."""
    if text == "all":
        return text
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or 'all', got {text!r}"
        ) from None


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=positive_int, default=3)
    ap.add_argument(
        "--calls", type=positive_int, default=3, help="timed calls per process (median)"
    )
    ap.add_argument(
        "--threads", nargs="+", type=thread_count, default=[1, 2, "all"], metavar="N|all"
    )
    ap.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.calls)))
        return
    sys.path.insert(0, str(REPO))
    from infomorph._threads import available_threads

    n_all = available_threads()
    counts = sorted({n_all if t == "all" else t for t in args.threads})
    print(f"load average before: {os.getloadavg()}; all cores = {n_all}", flush=True)
    runs: dict[tuple[str, int], list[float]] = {}
    for r in range(args.repeats):
        for name in args.cases:
            for n in counts:
                runs.setdefault((name, n), []).append(t := run_worker(name, n, args.calls))
                print(f"repeat {r + 1}, {name}, {n} threads: {t:.4f} s", flush=True)
    print(f"load average after: {os.getloadavg()}\n")
    head = ["case", "from", *(f"{n} thr. s" for n in counts)]
    head += [f"{n}/{counts[0]} thr., medians" for n in counts[1:]]
    head += [f"{n}/{counts[0]} thr., paired" for n in counts[1:]]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for name in args.cases:
        med = {n: float(np.median(runs[(name, n)])) for n in counts}
        paired = {
            n: float(np.median(np.divide(runs[(name, n)], runs[(name, counts[0])])))
            for n in counts[1:]
        }
        row = [name, CASES[name][0], *(f"{med[n]:.4f}" for n in counts)]
        row += [f"{med[n] / med[counts[0]]:.2f}" for n in counts[1:]]
        row += [f"{paired[n]:.2f}" for n in counts[1:]]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
