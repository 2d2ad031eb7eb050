"""Seconds per training epoch of infomorphic networks on Fashion-MNIST (48 000 samples, batch 1024)
on 1, 2 and all cores, against a baseline version of the code measured in the same run.

Times :func:`infomorph.train.train_epoch` (forward, goal gradients, Adam; no evaluation, no
atoms) for 100 hidden three-class neurons + read-out and for the read-out-only network, on the
training inputs as ``fit`` stores them (``infomorph.train.training_inputs``, float32, converted
once before the timing; float64 for versions without it). Every
measurement runs in a fresh process: one warm-up epoch, then the median of ``--epochs`` epochs,
inside ``infomorph.train.thread_limits(n)`` (what ``fit(n_threads=n)`` uses; in code before the
threading design of ``infomorph._threads`` that meant n numba and n BLAS threads). The runs
are interleaved (repeat, thread count, code version) and the table shows the median over
``--repeats``, and the median of the per-repeat ratios to the lowest thread count (runs next to
each other in time: the steadier number where the machine's speed drifts). ``--baseline`` takes a folder with another version of the repository, e.g.::

    git worktree add /tmp/infomorph-main main
    python benchmarks/bench_infomorph_speed.py --baseline /tmp/infomorph-main --repeats 3

For scale it also times one batch of the hidden layer's goal gradient computed on dense
``(neurons, 2, 20, 20, 20)`` numpy arrays (benchmarks/numpy_sx.py, all cells), and prints the
authors' PyTorch code's times as given in issue 19 (not measured here). Run on an otherwise
idle machine: the load average before and after is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NETWORKS = {"hidden": "100 hidden three-class + read-out", "readout": "read-out only"}

#: The authors' PyTorch code (Priesemann-Group/Infomorphic_Networks) on a 2-core Intel Xeon,
#: Fashion-MNIST, 48 000 samples, batch 1024, learning only: s/epoch as reported in issue 19.
AUTHORS = {("hidden", 1): 34.5, ("hidden", 2): 18.3, ("readout", 1): 0.461, ("readout", 2): 0.392}


def worker(code: str, n_threads: int, epochs: int, batch_size: int, samples: int) -> dict:
    """Run in a fresh process with ``code`` first on sys.path; seconds per epoch per network
    (the time of ``samples`` training samples, scaled to the 48 000 of an epoch)."""
    sys.path.insert(0, code)
    import numpy as np

    from infomorph import train
    from infomorph.data import load
    from infomorph.network import build_network
    from infomorph.train import Adam, _one_hot, thread_limits, train_epoch

    assert Path(sys.modules["infomorph"].__file__).is_relative_to(code), "wrong infomorph"
    data = load("fashion-mnist")
    X, y = data.X_train[:samples], data.y_train[:samples]
    if hasattr(train, "training_inputs"):  # the inputs as fit stores them, converted once
        X = train.training_inputs(X)
    scale = len(data.y_train) / len(y)
    out = {}
    with thread_limits(n_threads):
        for arch in NETWORKS:
            net = build_network(data.n_features, arch=arch, n_hidden=100, hidden_classes="three")
            opts = {
                k: Adam(lay.params, lay.trainable, lay.lr, lay.weight_decay)
                for k, lay in net.layers.items()
            }
            rng = np.random.default_rng(0)
            times = []
            for _ in range(epochs + 1):
                t = time.perf_counter()
                train_epoch(net, opts, X, y, batch_size, rng, False)
                times.append(time.perf_counter() - t)
            out[arch] = float(np.median(times[1:])) * scale
        if code == str(REPO):
            sys.path.insert(0, str(HERE))
            from numpy_sx import numpy_sx_gradient

            X, y = data.X_train[:batch_size], data.y_train[:batch_size]
            net = build_network(data.n_features, arch="hidden")
            state = net.forward(X, _one_hot(y, 10), np.random.default_rng(0))["hidden"][1]
            layer = net.layers["hidden"]
            pmf = layer.pmf(state)
            t = time.perf_counter()
            with np.errstate(divide="ignore", invalid="ignore"):
                numpy_sx_gradient(pmf, layer.n_sources, layer.node_weights)
            out["dense_numpy_batch"] = time.perf_counter() - t
    return out


def run_worker(code: Path, n_threads: int, args) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        str(code),
        "--threads",
        str(n_threads),
        "--epochs",
        str(args.epochs),
        "--batch-size",
        str(args.batch_size),
        "--samples",
        str(args.samples),
    ]
    env = dict(os.environ, PYTHONPATH=str(code))
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, help="folder of the baseline version's repository")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=2, help="timed epochs per run (median)")
    ap.add_argument("--batch-size", type=int, default=1024)
    ap.add_argument(
        "--samples",
        type=int,
        default=48000,
        help="time this many training samples per epoch and scale to 48 000 (default: all)",
    )
    ap.add_argument("--threads", nargs="+", default=["1", "2", "all"], metavar="N")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        res = worker(args.worker, int(args.threads[0]), args.epochs, args.batch_size, args.samples)
        print(json.dumps(res))
        return
    sys.path.insert(0, str(REPO))
    from infomorph._threads import available_threads

    n_all = available_threads()
    counts = sorted({n_all if t == "all" else int(t) for t in args.threads})
    codes = {"this": REPO}
    if args.baseline:
        codes = {"baseline": args.baseline.resolve(), "this": REPO}
    print(f"load average before: {os.getloadavg()}; all cores = {n_all}", flush=True)
    runs: dict[tuple[str, int], list[dict]] = {}
    for r in range(args.repeats):
        for n in counts:
            for name, code in codes.items():
                res = run_worker(code, n, args)
                runs.setdefault((name, n), []).append(res)
                print(f"repeat {r + 1}, {n} threads, {name}: {res}", flush=True)
    print(f"load average after: {os.getloadavg()}\n")

    import numpy as np

    def med(name, n, key):
        return float(np.median([x[key] for x in runs[(name, n)]]))

    def paired(name, n, key):
        """Median over repeats of the ratio to the lowest thread count in the same repeat:
        runs next to each other in time, so a machine whose speed drifts between repeats
        (shared hosts) moves both."""
        pairs = zip(runs[(name, n)], runs[(name, counts[0])], strict=True)
        return float(np.median([x[key] / y[key] for x, y in pairs]))

    head = (
        "| network | threads | this code s/epoch | vs this code on 1 thread | "
        "the same, paired per repeat |"
    )
    rule = "|---|---|---|---|---|"
    if args.baseline:
        head += " baseline s/epoch | this / baseline | this / baseline on 1 thread |"
        rule += "---|---|---|"
    head += " authors' code s/epoch (issue 19) |"
    rule += "---|"
    print(head + "\n" + rule)
    for arch, label in NETWORKS.items():
        one = med("this", counts[0], arch)
        for n in counts:
            tag = f"{n} (all)" if n == n_all else str(n)
            this = med("this", n, arch)
            ratio = paired("this", n, arch)
            row = f"| {label} | {tag} | {this:.3f} | {this / one:.2f} | {ratio:.2f} |"
            if args.baseline:
                base, base1 = med("baseline", n, arch), med("baseline", counts[0], arch)
                row += f" {base:.3f} | {this / base:.2f} | {this / base1:.2f} |"
            authors = AUTHORS.get((arch, n))
            row += f" {authors} |" if authors else " |"
            print(row)
    n_batches = -(-48000 // args.batch_size)
    for n in counts:
        dense = med("this", n, "dense_numpy_batch")
        print(
            f"\ndense numpy goal gradient of the hidden layer, {n} threads: {dense:.3f} s per "
            f"batch, x {n_batches} batches = {dense * n_batches:.1f} s per epoch"
        )


if __name__ == "__main__":
    main()
