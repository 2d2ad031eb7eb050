"""Seconds per training epoch of infomorphic networks on Fashion-MNIST (48 000 samples, batch 1024).

Times :func:`infomorph.train.train_epoch` (forward, goal gradients, Adam; no evaluation) for
100 hidden three-class neurons + read-out and for the read-out-only network, with and without
the per-batch atoms that the record keeps, as the median over ``--repeats`` epochs after one
warm-up epoch. For comparison it times one batch of the same layer's goal gradient computed on
dense ``(neurons, 2, 20, 20, 20)`` numpy arrays (benchmarks/numpy_sx.py, all cells).

Run on an otherwise idle machine. The thread counts are numba's (``NUMBA_NUM_THREADS``) and
OpenBLAS's (``OPENBLAS_NUM_THREADS``); ``--thread-settings`` reruns the benchmark in a fresh
process for each ``numba:blas`` pair::

    python benchmarks/bench_infomorph_speed.py --repeats 3 --thread-settings 1:1 2:1 2:2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np

from infomorph.data import load
from infomorph.network import build_network
from infomorph.train import Adam, _one_hot, train_epoch

sys.path.insert(0, str(Path(__file__).parent))
from numpy_sx import numpy_sx_gradient  # noqa: E402


def epoch_seconds(data, arch: str, record_atoms: bool, repeats: int, batch_size: int) -> float:
    net = build_network(data.n_features, arch=arch, n_hidden=100, hidden_classes="three")
    opts = {
        k: Adam(lay.params, lay.trainable, lay.lr, lay.weight_decay)
        for k, lay in net.layers.items()
    }
    rng = np.random.default_rng(0)
    times = []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        train_epoch(net, opts, data.X_train, data.y_train, batch_size, rng, record_atoms)
        times.append(time.perf_counter() - t)
    return float(np.median(times[1:])), net


def dense_batch_seconds(net, data, batch_size: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    X, y = data.X_train[:batch_size], data.y_train[:batch_size]
    out = {}
    for name, (_, state) in net.forward(X, _one_hot(y, 10), rng).items():
        layer = net.layers[name]
        pmf = layer.pmf(state)
        t = time.perf_counter()
        with np.errstate(divide="ignore", invalid="ignore"):
            numpy_sx_gradient(pmf, layer.n_sources, layer.node_weights)
        out[name] = time.perf_counter() - t
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=1024)
    ap.add_argument("--thread-settings", nargs="+", default=None, metavar="NUMBA:BLAS")
    args = ap.parse_args(argv)
    if args.thread_settings:
        for setting in args.thread_settings:
            numba_threads, blas_threads = setting.split(":")
            env = dict(
                os.environ,
                NUMBA_NUM_THREADS=numba_threads,
                OPENBLAS_NUM_THREADS=blas_threads,
                OMP_NUM_THREADS=blas_threads,
            )
            print(f"\nthreads numba:blas = {setting}", flush=True)
            cmd = [
                sys.executable,
                __file__,
                "--repeats",
                str(args.repeats),
                "--batch-size",
                str(args.batch_size),
            ]
            subprocess.run(cmd, env=env, check=True)
        return
    data = load("fashion-mnist")
    n_batches = -(-len(data.y_train) // args.batch_size)
    print(f"numba threads: {numba.get_num_threads()}, batches per epoch: {n_batches}")
    print(
        "| network | s/epoch (learning only) | s/epoch (+ atoms every batch) | goal | "
        "dense numpy, one batch: per layer | dense numpy x batches |"
    )
    print("|---|---|---|---|---|---|")
    for arch, label, goal in (
        ("hidden", "100 hidden three-class + read-out", 4.0),
        ("readout", "read-out only", 0.3),
    ):
        learn, net = epoch_seconds(data, arch, False, args.repeats, args.batch_size)
        full, _ = epoch_seconds(data, arch, True, args.repeats, args.batch_size)
        dense = dense_batch_seconds(net, data, args.batch_size)
        per_layer = ", ".join(f"{k} {v:.3f} s" for k, v in dense.items())
        print(
            f"| {label} | {learn:.2f} | {full:.2f} | <= {goal} | {per_layer} | "
            f"{sum(dense.values()) * n_batches:.1f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
