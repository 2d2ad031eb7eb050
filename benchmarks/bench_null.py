#!/usr/bin/env python
"""Speed of the target-shuffle null of two-source I^sx: today's path against the fused kernel.

Workload (issue 14): 1 000 batch elements x 2 000 samples x 100 target shuffles, for the
alphabets (T, S1, S2) 2x8x8, 5x5x5 and 8x8x8. Every element has its own target and sources;
the target depends on the sources, with noise.

- today's path: :func:`pidtools.kernels.estimate.resampled_counts` fills float histograms of
  all draws (in slices of at most ``2**23`` cells, as ``pidtools.estimate`` does), then
  :func:`pidtools.pid` decomposes each;
- fused: :func:`pidtools.kernels.sx2.sx2_shuffled_atoms` shuffles, counts and decomposes each
  draw without a histogram array.

Both get the same seeds, so they decompose the same draws; the run checks that their atoms
agree to 1e-12. The plug-in (no shuffle) is timed the same way: ``joint_counts`` + ``pid``
against ``sx2_plugin_atoms``. Repeats are interleaved (today, fused, today, ...) and every
ratio is of medians measured in the same run; numba compilation is excluded (warm-up first).
Wall time is what a user waits; process CPU time (all threads) is less disturbed by other
programs on a shared machine.

Usage::

    python benchmarks/bench_null.py                           # full run, a few minutes
    python benchmarks/bench_null.py --quick                   # smoke run
    python benchmarks/bench_null.py --out benchmarks/null_results.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from functools import partial

import numba
import numpy as np

import pidtools
from pidtools.kernels._jit import jit
from pidtools.kernels.estimate import element_seeds, joint_counts, resampled_counts
from pidtools.kernels.sx2 import (
    _GAMMA,
    _draw_sums,
    _scratch,
    _shuffle_count,
    _swap_positions,
    log2_table,
    sx2_plugin_atoms,
    sx2_shuffled_atoms,
)

#: Most histogram cells held at once by today's path (the slice size of pidtools.estimate).
MAX_RESAMPLED_CELLS = 1 << 23
ALPHABETS = ((2, 8, 8), (5, 5, 5), (8, 8, 8))


def make_samples(n_batch: int, n_samples: int, sizes, seed: int = 0):
    """Codes in the layout of pidtools.kernels.estimate: rows target, source 1, source 2."""
    rng = np.random.default_rng(seed)
    n_t, n1, n2 = sizes
    s1 = rng.integers(0, n1, (n_batch, n_samples))
    s2 = rng.integers(0, n2, (n_batch, n_samples))
    noise = rng.integers(0, n_t, (n_batch, n_samples))
    t = np.where(rng.random((n_batch, n_samples)) < 0.5, (s1 + s2) % n_t, noise)
    codes = np.concatenate([t, s1, s2]).astype(np.int64)
    rows = np.stack([np.arange(n_batch) + v * n_batch for v in range(3)], axis=1)
    strides = np.array([n1 * n2, n2, 1], dtype=np.int64)
    seeds = np.empty(n_batch, dtype=np.uint64)
    element_seeds(np.array([2026, 14], dtype=np.uint64), np.arange(n_batch), seeds)
    return codes, np.ascontiguousarray(rows, dtype=np.int64), strides, seeds


def today_null(codes, rows, strides, sizes, seeds, n_draws) -> np.ndarray:
    """Atoms of every draw, (n_batch, n_draws, 4): histograms in slices, then pidtools.pid."""
    n_batch, n_cells = rows.shape[0], int(np.prod(sizes))
    step = max(1, MAX_RESAMPLED_CELLS // (n_draws * n_cells))
    parts = []
    for lo in range(0, n_batch, step):
        hi = min(lo + step, n_batch)
        counts = np.empty((hi - lo, n_draws, n_cells))
        resampled_counts(codes, rows[lo:hi], strides, seeds[lo:hi], False, counts)
        res = pidtools.pid(counts.reshape(-1, *sizes), n_sources=2, normalize=True)
        parts.append(res.atoms.reshape(hi - lo, n_draws, 4))
    return np.concatenate(parts)


def fused_null(codes, rows, strides, sizes, seeds, n_draws) -> np.ndarray:
    out = np.empty((rows.shape[0], n_draws, 4))
    return sx2_shuffled_atoms(codes, rows, strides, sizes, seeds, out)


def today_plugin(codes, rows, strides, sizes) -> np.ndarray:
    counts = np.empty((rows.shape[0], int(np.prod(sizes))))
    joint_counts(codes, rows, strides, counts)
    return pidtools.pid(counts.reshape(-1, *sizes), n_sources=2, normalize=True).atoms


def fused_plugin(codes, rows, strides, sizes) -> np.ndarray:
    return sx2_plugin_atoms(codes, rows, strides, sizes, np.empty((rows.shape[0], 4)))


def interleaved(fns: dict, repeats: int) -> dict[str, dict[str, list[float]]]:
    """Wall-clock and process CPU times (s) of each function, the functions taking turns in
    every repeat: ``times[name]["wall" | "cpu"]``."""
    times = {k: {"wall": [], "cpu": []} for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[name]["cpu"].append(time.process_time() - c0)
            times[name]["wall"].append(time.perf_counter() - w0)
    return times


def row(label: str, t: dict, per: float, diff: float) -> str:
    """A table row: medians of wall and CPU time (scaled by ``per``), ratios of medians, the
    range of per-repeat wall-time ratios and the ratio of the best (least disturbed) repeats."""
    med = {k: {c: statistics.median(v[c]) for c in v} for k, v in t.items()}
    ratios = sorted(a / b for a, b in zip(t["today"]["wall"], t["fused"]["wall"], strict=True))
    best = min(t["today"]["wall"]) / min(t["fused"]["wall"])
    return (
        f"| {label} | {med['today']['wall'] * per:.2f} µs | {med['fused']['wall'] * per:.2f} µs "
        f"| **{med['today']['wall'] / med['fused']['wall']:.1f}x** "
        f"({ratios[0]:.1f}-{ratios[-1]:.1f}x) | {med['today']['cpu'] * per:.2f} µs | "
        f"{med['fused']['cpu'] * per:.2f} µs | **{med['today']['cpu'] / med['fused']['cpu']:.1f}x** "
        f"| {best:.1f}x | {diff:.1e} |"
    )


@jit
def _loop_positions(seed, n_draws, swap_with):
    state = np.uint64(seed)
    for _ in range(n_draws):
        _swap_positions(state, swap_with)
        state += np.uint64(swap_with.shape[0]) * _GAMMA


@jit
def _loop_shuffle(tgt, src, swap_with, cnt, n_draws):
    for _ in range(n_draws):
        _shuffle_count(tgt, src, swap_with, cnt)


@jit
def _loop_sums(cnt, n_t, n1, n2, L, ta, tb, n_draws):
    acc = 0.0
    for _ in range(n_draws):
        acc += _draw_sums(cnt, n_t, n1, n2, L, ta, tb)[0]
    return acc


def _draw_steps(sizes, n_samples: int, n_draws: int, rng) -> dict:
    """The steps of a draw of the fused kernel and of today's path, each run on 10 x
    ``n_draws`` draws."""
    n_t, n1, n2 = sizes
    tgt = (rng.integers(0, n_t, n_samples) * n1 * n2).astype(np.int32)
    src = rng.integers(0, n1 * n2, n_samples).astype(np.int32)
    swap_with = np.empty(n_samples - 1, dtype=np.int32)
    cnt, ta, tb, _ = _scratch(n_t, n1, n2)
    L = log2_table(n_samples)
    codes, rows, strides, seeds = make_samples(10, n_samples, sizes)
    counts = np.empty((10, n_draws, n_t * n1 * n2))
    m = 10 * n_draws
    return {
        "positions": partial(_loop_positions, 7, m, swap_with),
        "shuffle": partial(_loop_shuffle, tgt, src, swap_with, cnt, m),
        "sums": partial(_loop_sums, cnt, n_t, n1, n2, L, ta, tb, m),
        "fused": partial(fused_null, codes, rows, strides, sizes, seeds, n_draws),
        "hist": partial(resampled_counts, codes, rows, strides, seeds, False, counts),
        "pid": partial(pidtools.pid, counts.reshape(-1, *sizes), n_sources=2, normalize=True),
    }


def parts(n_samples: int, n_draws: int, repeats: int) -> list[str]:
    """Where the time of one draw goes: one thread, CPU time (time descheduled is left out on
    a busy machine), best of ``repeats``, µs per draw."""
    numba.set_num_threads(1)
    lines = [
        "| alphabet | swap positions (splitmix64) | shuffle + count | sums | fused total | "
        "today: resampled_counts | today: pid |",
        "|---|---|---|---|---|---|---|",
    ]
    rng = np.random.default_rng(1)
    for sizes in ALPHABETS:
        steps = _draw_steps(sizes, n_samples, n_draws, rng)
        for fn in steps.values():
            fn()  # compile
        t = interleaved(steps, repeats)
        us = {k: min(v["cpu"]) * 1e6 / (10 * n_draws) for k, v in t.items()}
        lines.append(
            f"| {'x'.join(map(str, sizes))} | {us['positions']:.2f} | {us['shuffle']:.2f} | "
            f"{us['sums']:.2f} | {us['fused']:.2f} | {us['hist']:.2f} | {us['pid']:.2f} |"
        )
        print(lines[-1], flush=True)
    return [
        f"### Where a draw's time goes ({n_samples} samples, one thread, CPU time, best of "
        f"{repeats}, µs per draw)",
        "",
        *lines,
    ]


HEADER = [
    "| alphabet (T, S1, S2) | today, wall | fused, wall | speed-up, wall (per-repeat range) | "
    "today, CPU | fused, CPU | speed-up, CPU | speed-up, best repeats | max abs difference |",
    "|---|---|---|---|---|---|---|---|---|",
]


def run(n_batch: int, n_samples: int, n_draws: int, repeats: int) -> list[str]:
    null_rows, plugin_rows = list(HEADER), list(HEADER)
    for sizes in ALPHABETS:
        label = "x".join(map(str, sizes))
        codes, rows, strides, seeds = make_samples(n_batch, n_samples, sizes)
        args = (codes, rows, strides, sizes)
        # warm-up (compilation) on a small slice, then the agreement check on everything
        fused_null(codes, rows[:2], strides, sizes, seeds[:2], 2)
        today_null(codes, rows[:2], strides, sizes, seeds[:2], 2)
        diff = np.abs(today_null(*args, seeds, n_draws) - fused_null(*args, seeds, n_draws)).max()
        null_args = (*args, seeds, n_draws)
        t = interleaved(
            {"today": partial(today_null, *null_args), "fused": partial(fused_null, *null_args)},
            repeats,
        )
        null_rows.append(row(label, t, 1e6 / (n_batch * n_draws), diff))
        pdiff = np.abs(today_plugin(*args) - fused_plugin(*args)).max()
        tp = interleaved(
            {"today": partial(today_plugin, *args), "fused": partial(fused_plugin, *args)},
            repeats,
        )
        plugin_rows.append(row(label, tp, 1e6 / n_batch, pdiff))
        print(null_rows[-1], plugin_rows[-1], sep="\n", flush=True)
        if diff > 1e-12 or pdiff > 1e-12:
            raise SystemExit(f"fused and today's atoms differ by {max(diff, pdiff):.1e}")
    return [
        f"### Null: time per shuffle per element ({n_batch} elements x {n_samples} samples x "
        f"{n_draws} shuffles, median of {repeats} interleaved repeats)",
        "",
        "today = resampled_counts + pidtools.pid; fused = sx2_shuffled_atoms.",
        "",
        *null_rows,
        "",
        f"### Plug-in: time per element ({n_batch} elements x {n_samples} samples)",
        "",
        "today = joint_counts + pidtools.pid; fused = sx2_plugin_atoms.",
        "",
        *plugin_rows,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, help="numba threads (default: all cores)")
    parser.add_argument(
        "--parts", action="store_true", help="only time the steps of one draw, one thread"
    )
    parser.add_argument("--out", help="write the markdown report here")
    args = parser.parse_args()
    if args.threads:
        numba.set_num_threads(args.threads)
    n_batch, n_samples, n_draws = (100, 2000, 20) if args.quick else (1000, 2000, 100)
    repeats = 2 if args.quick else args.repeats
    if args.parts:
        body = parts(n_samples, n_draws, 5 * repeats)
    else:
        body = run(n_batch, n_samples, n_draws, repeats)
    load = os.getloadavg()[0]
    flags = " --quick" * args.quick + (f" --threads {args.threads}" if args.threads else "")
    flags += " --parts" * args.parts
    report = [
        "# Shuffle null of two-source I^sx (benchmarks/bench_null.py)",
        "",
        f"`python benchmarks/bench_null.py{flags}`; "
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), numba threads "
        f"{numba.get_num_threads()}, numpy {np.__version__}, numba {numba.__version__}, load "
        f"average at the end {load:.1f}. Compilation excluded.",
        "",
        *body,
        "",
    ]
    text = "\n".join(report)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
