"""Speed of this checkout's measures against another revision's, call by call in one process.

Run: python benchmarks/bench_before_after.py BASE_DIR [--repeats 7]

``BASE_DIR`` holds the other revision's tree (e.g. ``git archive main | tar -x -C BASE_DIR``);
its ``pidtools`` is imported under the name ``pidtools_base`` beside this checkout's. Each case
alternates the two versions call by call, so that a load that changes over time slows both
alike; it reports the best and the median time per pmf of each and their ratios (after /
before). Cases: every measure of ``benchmarks/bench_measures.py`` on its shapes, in a batch
and one pmf per ``pidtools.pid`` call; I^sx forward, local and gradient kernels on the shapes of
``benchmarks/bench_sx.py`` and on sparse histograms. Numba compilation is excluded (a warm-up
call runs first).
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import pidtools
from pidtools.core import goal_node_weights
from pidtools.testing import random_pmf

SHAPES = [(2, 2, 2), (2, 8, 8), (2, 4, 4, 4)]
MEASURES = ["min", "mmi", "pm", "ccs", "broja", "dep"]


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def paired(name, before, after, per: int, repeats: int) -> float:
    """Print one row; return the ratio of the best times (after / before)."""
    before(), after()  # warm-up (compilation)
    t_before, t_after = [], []
    for _ in range(repeats):
        for fn, times in ((before, t_before), (after, t_after)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    best = min(t_after) / min(t_before)
    med = statistics.median(b / a for a, b in zip(t_before, t_after, strict=True))
    print(
        f"| {name} | {fmt(min(t_before) / per)} | {fmt(min(t_after) / per)} | {best:.2f} | "
        f"{fmt(statistics.median(t_before) / per)} | {fmt(statistics.median(t_after) / per)} | "
        f"{med:.2f} |",
        flush=True,
    )
    return best


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base", type=Path, help="folder holding the other revision's pidtools/")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(args.base / "pidtools", tmp / "pidtools_base")
    sys.path.insert(0, str(tmp))
    base = importlib.import_module("pidtools_base")
    sx_base = importlib.import_module("pidtools_base.measures.sx")
    sx_now = importlib.import_module("pidtools.measures.sx")
    warnings.simplefilter("ignore", UserWarning)  # broja/dep on three sources: incomplete
    rng = np.random.default_rng(2026)
    r = args.repeats
    print(
        "| case (time per pmf) | before, best | after, best | ratio of bests | before, median | "
        "after, median | median of paired ratios |\n|---|---|---|---|---|---|---|"
    )
    ratios = []
    for measure in MEASURES:
        for shape in SHAPES:
            n = len(shape) - 1
            heavy = measure in ("broja", "ccs", "dep") and n == 3
            n_batch = (
                20 if heavy and measure == "broja" else 100 if heavy or measure == "broja" else 1000
            )
            P = np.stack([random_pmf(shape, rng) for _ in range(n_batch)])
            p, reps = P[0], 5 if heavy else 20
            name = f"{measure} {'×'.join(map(str, shape))}"
            ratios.append(paired(
                f"{name}, batch of {n_batch}",
                lambda: base.pid(P, measure, n_sources=n),  # noqa: B023
                lambda: pidtools.pid(P, measure, n_sources=n),  # noqa: B023
                n_batch, r,
            ))  # fmt: skip
            ratios.append(paired(
                f"{name}, 1 pmf per call",
                lambda: [base.pid(p, measure) for _ in range(reps)],  # noqa: B023
                lambda: [pidtools.pid(p, measure) for _ in range(reps)],  # noqa: B023
                reps, r,
            ))  # fmt: skip
    for shape, n_batch, n_samples in [
        ((2, 20, 20), 1000, None),
        ((2, 20, 20, 20), 100, 1024),
        ((2, 4, 4), 2000, 64),
    ]:
        n = len(shape) - 1
        if n_samples is None:
            P = np.stack([random_pmf(shape, rng) for _ in range(n_batch)])
            kind = "dense"
        else:
            counts = [
                rng.multinomial(n_samples, random_pmf(shape, rng).ravel()) for _ in range(n_batch)
            ]
            P = np.stack(counts).reshape(n_batch, *shape) / n_samples
            kind = f"histograms of {n_samples} samples"
        c, _ = goal_node_weights(
            {lab: float(rng.normal()) for lab in pidtools.lattice(n).labels}, n
        )
        name = f"{'×'.join(map(str, shape))}, {kind}, batch of {n_batch}"
        all_cells = n_samples is None
        for what, call in [
            ("sx forward", lambda m: m.sx_redundancy(P, n)),  # noqa: B023
            ("sx forward and local", lambda m: m.sx_redundancy(P, n, True)),  # noqa: B023
            ("sx gradient", lambda m: m.sx_redundancy_gradient(P, n, c, 0.0, all_cells)),  # noqa: B023
        ]:
            ratios.append(paired(
                f"{what} {name}", lambda: call(sx_base), lambda: call(sx_now), n_batch, r,  # noqa: B023
            ))  # fmt: skip
    print(
        f"\n{len(ratios)} cases, ratio of bests (after / before): geometric mean "
        f"{statistics.geometric_mean(ratios):.3f}, median {statistics.median(ratios):.3f}, range "
        f"{min(ratios):.2f}-{max(ratios):.2f}"
    )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
