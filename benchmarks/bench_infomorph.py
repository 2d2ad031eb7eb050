"""Accuracy table of infomorphic networks against logistic regression and backprop.

Runs, per data set and seed: the read-out-only infomorphic network, 100 hidden three-class
neurons (optimised goal) + read-out, 100 hidden two-class context neurons (heuristic goal) +
read-out, logistic regression (scikit-learn lbfgs, 200 iterations) and the same one-hidden-layer
architecture trained by backprop (sigmoid hidden, softmax, Adam lr 0.001, cross-entropy).
Reports the median (and range) of the test accuracy over the seeds and writes a markdown table.

Every trained model is evaluated after each epoch and reported at the epoch of its best
validation accuracy (early stopping, the same rule for infomorphic networks and backprop); the
test accuracy after the last epoch is reported too. Infomorphic networks with a hidden layer
predict with the hidden layer's expected outputs (mean field, the default of
``InfomorphicNetwork.predict``).

Example (long: hours for 100 epochs on Fashion-MNIST)::

    python benchmarks/bench_infomorph.py --datasets fashion-mnist digits --epochs 100 \
        --seeds 0 1 2 --out benchmarks/infomorph_results.md
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from infomorph.baselines import fit_mlp, logistic_regression
from infomorph.data import load
from infomorph.train import fit

MODELS = {
    "infomorphic read-out only": dict(arch="readout"),
    "infomorphic 100 hidden, three-class (optimised goal)": dict(
        arch="hidden", hidden_classes="three", goal="trivariate_optimized"
    ),
    "infomorphic 100 hidden, two-class context (heuristic goal)": dict(
        arch="hidden", hidden_classes="context", goal="context_heuristic"
    ),
}


def _early_stopped(per_epoch: np.ndarray) -> tuple[float, float, int]:
    """(test at the best-validation epoch, test at the last epoch, that epoch), 1-based."""
    best = int(np.argmax(per_epoch[:, 1]))
    return float(per_epoch[best, 2]), float(per_epoch[-1, 2]), best + 1


def run(dataset: str, seeds, epochs: int, batch_size: int, mlp_epochs: int, n_hidden: int, log):
    data = load(dataset)
    rows = {}
    for name, kwargs in MODELS.items():
        runs, secs = [], []
        for seed in seeds:
            t = time.perf_counter()
            _, rec = fit(
                data,
                epochs=epochs,
                batch_size=batch_size,
                random_state=seed,
                n_hidden=n_hidden,
                record_atoms=False,
                progress=True,
                **kwargs,
            )
            secs.append(time.perf_counter() - t)
            per_epoch = rec.accuracy.sel(split=["train", "validation", "test"]).values
            runs.append(_early_stopped(per_epoch))
            log(f"{dataset} | {name} | seed {seed} | test {runs[-1]} | {secs[-1]:.0f} s")
        rows[name] = (runs, f"{epochs} epochs, batch {batch_size}", np.median(secs))
    runs, secs = [], []
    for seed in seeds:
        t = time.perf_counter()
        acc = logistic_regression(data, random_state=seed)["test"]
        runs.append((acc, acc, 0))
        secs.append(time.perf_counter() - t)
        log(f"{dataset} | logistic regression | seed {seed} | test {acc:.4f}")
    rows["logistic regression (lbfgs, 200 iterations)"] = (runs, "-", np.median(secs))
    runs, secs = [], []
    for seed in seeds:
        t = time.perf_counter()
        _, acc = fit_mlp(data, n_hidden, mlp_epochs, batch_size, 0.001, seed, history=True)
        runs.append(_early_stopped(acc["history"]))
        secs.append(time.perf_counter() - t)
        log(f"{dataset} | backprop MLP | seed {seed} | test {runs[-1]}")
    rows[f"backprop, same architecture ({n_hidden} sigmoid hidden)"] = (
        runs,
        f"{mlp_epochs} epochs, batch {batch_size}",
        np.median(secs),
    )
    return rows


def table(dataset: str, rows, seeds) -> str:
    lines = [
        f"### {dataset} (test accuracy, median over seeds {list(seeds)})",
        "",
        "| model | early-stopped | min-max | best epochs | last epoch | training | time per run |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (runs, what, secs) in rows.items():
        stopped, last, best = (np.array(x) for x in zip(*runs, strict=True))
        epochs = "-" if not best.any() else ", ".join(str(int(b)) for b in best)
        lines.append(
            f"| {name} | {np.median(stopped):.4f} | {stopped.min():.4f}-{stopped.max():.4f} "
            f"| {epochs} | {np.median(last):.4f} | {what} | {secs:.0f} s |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["fashion-mnist", "digits"])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument(
        "--digits-epochs", type=int, default=None, help="epochs on digits (default --epochs)"
    )
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--batch-size", type=int, default=1024)
    ap.add_argument("--digits-batch-size", type=int, default=128)
    ap.add_argument("--mlp-epochs", type=int, default=30)
    ap.add_argument("--digits-mlp-epochs", type=int, default=300)
    ap.add_argument("--n-hidden", type=int, default=100)
    ap.add_argument("--out", type=Path, default=None, help="markdown file to (re)write")
    ap.add_argument(
        "--json", type=Path, default=None, help="JSON file of every accuracy (notebook 4 reads it)"
    )
    args = ap.parse_args(argv)
    parts, results = [], {}
    for ds in args.datasets:
        digits = ds == "digits"
        epochs = args.digits_epochs if digits and args.digits_epochs else args.epochs
        batch = args.digits_batch_size if digits else args.batch_size
        mlp_epochs = args.digits_mlp_epochs if digits else args.mlp_epochs
        rows = run(ds, args.seeds, epochs, batch, mlp_epochs, args.n_hidden, print)
        parts.append(table(ds, rows, args.seeds))
        results[ds] = {
            name: {
                "test_accuracy": [r[0] for r in runs],
                "median": float(np.median([r[0] for r in runs])),
                "test_accuracy_last_epoch": [r[1] for r in runs],
                "best_validation_epoch": [r[2] for r in runs],
                "training": what,
                "seconds_per_run": float(secs),
                "seeds": list(args.seeds),
            }
            for name, (runs, what, secs) in rows.items()
        }
        if args.json is not None:
            args.json.write_text(json.dumps(results, indent=2))
        print(parts[-1], flush=True)
        if args.out is not None:
            args.out.write_text(
                "## Accuracy (benchmarks/bench_infomorph.py)\n\n" + "\n".join(parts)
            )


if __name__ == "__main__":
    main()
