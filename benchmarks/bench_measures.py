"""Speed of the pidtools measures against their dit classes, per pmf and in batches.

Run: python benchmarks/bench_measures.py [--quick] [--write benchmarks/measures_results.md]

For each measure (min, mmi, pm, ccs, broja, dep) and random pmf shape (2x2x2, 2x8x8, 2x4x4x4):

- dit: median wall time of one ``dit.pid.PID_*`` call per pmf (target last, as dit needs), each
  call in a forked process with a time limit (dit's BROJA and I_dep can take minutes);
- pidtools, one pmf per call: best of several repeats of ``pidtools.pid(p, measure)``, the whole
  public call (validation, kernel, Mobius inversion, information terms);
- pidtools, batched: ``pidtools.pid(P, measure, n_sources=n)`` on 10 000 pmfs, time per pmf.

Every ratio is dit's time over ours, both measured in this run. Numba compilation is excluded
(a warm-up call runs first). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import time
import warnings

import numba
import numpy as np

import pidtools
from pidtools.testing import random_pmf

DIT_CLASS = {
    "min": "PID_WB",
    "mmi": "PID_MMI",
    "pm": "PID_PM",
    "ccs": "PID_CCS",
    "broja": "PID_BROJA",
    "dep": "PID_dep",
}
SHAPES = [(2, 2, 2), (2, 8, 8), (2, 4, 4, 4)]
GOAL = {"min": 1000, "mmi": 1000, "pm": 1000, "ccs": 1000, "broja": 100, "dep": 100}


def _dit_call(conn, class_name, p):
    import dit
    import dit.pid

    n = p.ndim - 1
    cells = np.argwhere(p > 0)
    outcomes = [tuple(int(i) for i in c[1:]) + (int(c[0]),) for c in cells]
    d = dit.Distribution(outcomes, [float(p[tuple(c)]) for c in cells])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        getattr(dit.pid, class_name)(d, sources=[[i] for i in range(n)], target=[n])
        conn.send(time.perf_counter() - t0)


def time_dit(class_name: str, p: np.ndarray, timeout: float) -> float | None:
    """Seconds of one dit call on ``p``, or None when it exceeds ``timeout``."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_dit_call, args=(send, class_name, p), daemon=True)
    proc.start()
    send.close()
    seconds = recv.recv() if recv.poll(timeout) else None
    proc.kill()
    proc.join()
    return seconds


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _quiet_pid(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # broja/dep on three sources: incomplete
        return pidtools.pid(*args, **kwargs)


def measure_row(measure, shape, rng, n_dit, n_batch, timeout):
    n = len(shape) - 1
    pmfs = [random_pmf(shape, rng) for _ in range(max(n_dit, 1))]
    dit_times = []
    for p in pmfs[:n_dit]:
        seconds = time_dit(DIT_CLASS[measure], p, timeout)
        if seconds is None:
            dit_times = None
            break
        dit_times.append(seconds)
    t_dit = statistics.median(dit_times) if dit_times else None
    _quiet_pid(pmfs[0], measure)  # warm-up (compilation)
    reps = 200 if measure not in ("broja", "ccs") or n == 2 else 20
    t_single = best_of(lambda: [_quiet_pid(p, measure) for p in pmfs[:1] * reps], 3) / reps
    P = np.stack([random_pmf(shape, rng) for _ in range(n_batch)])
    _quiet_pid(P[:64], measure, n_sources=n)  # warm-up of the parallel variant
    t_batch = best_of(lambda: _quiet_pid(P, measure, n_sources=n), 2) / n_batch
    return t_dit, t_single, t_batch, (dit_times is None)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def fmt_ratio(t_dit, t_ours, timed_out, timeout):
    if timed_out:
        return f"> {timeout / t_ours:,.0f}×"
    if t_dit is None:
        return "-"
    return f"{t_dit / t_ours:,.0f}×"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 dit call per cell, 1 000-pmf batches")
    ap.add_argument("--measures", default=",".join(DIT_CLASS))
    ap.add_argument("--dit-timeout", type=float, default=300.0, help="seconds per dit call")
    ap.add_argument("--batch", type=int, default=None, help="batch size (default 10 000)")
    ap.add_argument("--write", default=None, help="also write the table to this markdown file")
    args = ap.parse_args(argv)
    n_dit = 1 if args.quick else 3
    n_batch = args.batch or (1_000 if args.quick else 10_000)
    rng = np.random.default_rng(2026)
    lines = [
        "| measure (dit class) | pmf shape | dit per pmf | pidtools, 1 pmf per call | ratio | "
        f"pidtools, batch of {n_batch:,} | ratio | batch throughput | goal |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for measure in args.measures.split(","):
        for shape in SHAPES:
            slow_dit = measure in ("broja", "dep") and max(shape) > 2
            t_dit, t_single, t_batch, timed_out = measure_row(
                measure, shape, rng, 1 if slow_dit else n_dit, n_batch, args.dit_timeout
            )
            row = (
                f"| {measure} ({DIT_CLASS[measure]}) | {'×'.join(map(str, shape))} | "
                f"{'> ' + fmt_time(args.dit_timeout) if timed_out else fmt_time(t_dit)} | "
                f"{fmt_time(t_single)} | "
                f"{fmt_ratio(t_dit, t_single, timed_out, args.dit_timeout)} | "
                f"{fmt_time(t_batch)} | {fmt_ratio(t_dit, t_batch, timed_out, args.dit_timeout)} | "
                f"{1 / t_batch:,.0f} pmf/s | ≥ {GOAL[measure]:,}× |"
            )
            print(row, flush=True)
            lines.append(row)
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, numba "
        f"{numba.__version__} with {numba.get_num_threads()} threads, Python "
        f"{platform.python_version()}"
    )
    note = (
        f"\nMeasured with `python benchmarks/bench_measures.py{' --quick' if args.quick else ''}` "
        f"on {machine}. dit: median of {n_dit} random pmf(s) per cell (1 for broja/dep beyond "
        f"2×2×2), one call each, limit {args.dit_timeout:.0f} s. broja/dep on 2×4×4×4 are three-"
        "source runs: only the nodes a bivariate measure determines (as dit).\n"
    )
    print(note)
    if args.write:
        with open(args.write, "w") as fh:
            fh.write("### pidtools measures against dit\n\n" + "\n".join(lines) + "\n" + note)


if __name__ == "__main__":
    main()
