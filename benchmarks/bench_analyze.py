"""`infomorph analyze` at scale: time on the issue's size, peak memory on a 3x larger store.

Writes synthetic activations as zarr stores (float32; dims epoch x neuron x sample; a target
and two sources per neuron whose dependence grows over epochs), then runs the command as a
subprocess, with its default settings (auto binning, shuffle-corrected atoms, 100 shuffles,
significance) and with the plug-in settings of earlier versions (8 quantile bins, no shuffles),
and reports wall time and the child's peak resident memory (getrusage). The baseline of the
same run is the time to read the data once (xarray + dask, no PID).

    python benchmarks/bench_analyze.py [--epochs 100 --neurons 1000 --samples 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dask.array as da
import numpy as np
import xarray as xr

#: The settings compared: today's default, and the plug-in settings of earlier versions.
SETTINGS = {
    "plug-in (8 quantile bins, no shuffles)": [
        "--estimator", "plugin", "--shuffles", "0", "--bins", "8", "--binning", "quantile",
    ],
    "default (auto binning, 100 shuffles, significance)": [],
}  # fmt: skip


def make_store(path: Path, n_epochs: int, n_neurons: int, n_samples: int, seed: int = 0) -> float:
    """Write the synthetic store chunk by chunk (never all in memory); return its size in GB."""
    chunks = (1, n_neurons, n_samples)
    shape = (n_epochs, n_neurons, n_samples)
    rs = da.random.RandomState(seed)
    s1 = rs.standard_normal(shape, chunks=chunks).astype(np.float32)
    s2 = rs.standard_normal(shape, chunks=chunks).astype(np.float32)
    w = (da.arange(n_epochs, chunks=1) / max(n_epochs - 1, 1)).astype(np.float32)[:, None, None]
    noise = rs.standard_normal(shape, chunks=chunks).astype(np.float32)
    target = w * (s1 * s2) + (1 - w) * noise
    dims = ("epoch", "neuron", "sample")
    ds = xr.Dataset(
        {"output": (dims, target), "receptive": (dims, s1), "context": (dims, s2)},
        coords={"epoch": np.arange(1, n_epochs + 1)},
    )
    ds.to_zarr(path, mode="w", consolidated=False)
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e9


def run_analyze(path: Path, *extra: str) -> tuple[float, float]:
    """Wall time (s) and peak RSS (GB) of `infomorph analyze` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "infomorph_cli.main",
            "analyze",
            str(path),
            "--quiet",
            "--format",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1e6  # ru_maxrss is in KiB on Linux


def read_once(path: Path) -> float:
    t0 = time.perf_counter()
    ds = xr.open_zarr(path, consolidated=False)
    for v in ds.data_vars.values():
        v.data.sum().compute()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--neurons", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--keep", type=Path, help="folder for the stores (default: a temporary one)")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_analyze_"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        print(
            "| store | size | read once (baseline) | settings | analyze | analyze / read "
            "| peak RSS |\n|---|---|---|---|---|---|---|"
        )
        for factor in (1, 3):
            e = args.epochs * factor
            path = root / f"acts_{e}x{args.neurons}x{args.samples}.zarr"
            gb = make_store(path, e, args.neurons, args.samples)
            t_read = read_once(path)
            for name, extra in SETTINGS.items():
                if factor == 3 and not name.startswith("default"):
                    continue
                wall, rss = run_analyze(path, *extra)
                print(
                    f"| {e} epochs x {args.neurons} neurons x {args.samples} samples | "
                    f"{gb:.1f} GB | {t_read:.1f} s | {name} | {wall:.1f} s | "
                    f"{wall / t_read:.1f} | {rss:.2f} GB |",
                    flush=True,
                )
            if factor == 3:
                break
            shutil.rmtree(path)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
