"""Infomorphic read-out against logistic regression over many random splits of digits.

The bundled digits set has no official split and only 360 test images, so one split's test
accuracy moves by about 1 point (one standard error) with the split. This script repeats the
read-out-only comparison of ``bench_infomorph.py`` on ``--splits`` random stratified splits
(``split_seed`` 0, 1, ...; the network's seed equals the split seed) and reports, per split,
logistic regression's test accuracy and the infomorphic read-out's (early-stopped at the
best-validation epoch, and after the last epoch), and the mean paired difference with its
standard error. It also reports, after the last epoch, how many training images are
misclassified and for how many of them the gradient factor ``theta (1 - theta)`` of their own
class's read-out neuron is below 0.01: such a neuron is confidently wrong and its goal gradient
(which reaches the weights through ``theta = sigma(r)``) has almost vanished, where logistic
regression's gradient ``1 - p`` would be near 1.

Example (about 20 s)::

    python benchmarks/bench_readout_splits.py --splits 10
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_infomorph import positive_int

from infomorph.baselines import logistic_regression
from infomorph.data import load
from infomorph.train import fit


def _saturated_errors(net, X: np.ndarray, y: np.ndarray) -> tuple[int, int]:
    """(misclassified samples, those whose own-class neuron has theta (1 - theta) < 0.01)."""
    zeros = np.zeros((len(X), net.n_classes))
    theta = net.layers["readout"].forward({"receptive": X, "context": zeros}).theta
    wrong = net.predict(X) != y
    own = theta[np.arange(len(y)), y]
    return int(wrong.sum()), int((wrong & (own * (1.0 - own) < 0.01)).sum())


def run(splits: int, epochs: int, batch_size: int, readout_lr: float) -> np.ndarray:
    """Per split: logistic, read-out early-stopped and last-epoch test accuracy, training
    errors after the last epoch and how many of them are saturated (see the module docstring)."""
    rows = []
    for seed in range(splits):
        data = load("digits", split_seed=seed)
        logistic = logistic_regression(data, random_state=seed)["test"]
        net, rec = fit(
            data,
            arch="readout",
            epochs=epochs,
            batch_size=batch_size,
            random_state=seed,
            record_atoms=False,
            progress=False,
            readout_lr=readout_lr,
        )
        acc = rec.accuracy.sel(split=["validation", "test"]).values
        errors = _saturated_errors(net, data.X_train, data.y_train)
        rows.append((logistic, acc[np.argmax(acc[:, 0]), 1], acc[-1, 1], *errors))
        print(
            f"split {seed}: logistic {rows[-1][0]:.4f}, read-out {rows[-1][1]:.4f} "
            f"(last epoch {rows[-1][2]:.4f}); training errors {errors[0]}, saturated {errors[1]}",
            flush=True,
        )
    return np.array(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", type=positive_int, default=10)
    ap.add_argument("--epochs", type=positive_int, default=100)
    ap.add_argument("--batch-size", type=positive_int, default=128)
    ap.add_argument("--readout-lr", type=float, default=0.003)
    args = ap.parse_args(argv)
    if not args.readout_lr > 0:
        ap.error(f"--readout-lr must be > 0, got {args.readout_lr}")
    rows = run(args.splits, args.epochs, args.batch_size, args.readout_lr)
    print(
        f"\n{args.splits} splits, {args.epochs} epochs, batch {args.batch_size}, "
        f"read-out lr {args.readout_lr}"
    )
    print("| | logistic regression | read-out, early-stopped | read-out, last epoch |")
    print("|---|---|---|---|")
    medians = np.median(rows[:, :3], 0)
    print("| median test accuracy | " + " | ".join(f"{m:.4f}" for m in medians) + " |")
    for col, what in ((1, "early-stopped"), (2, "last epoch")):
        diff = rows[:, col] - rows[:, 0]
        se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
        print(
            f"read-out ({what}) - logistic: mean {100 * diff.mean():+.2f} points "
            f"(standard error {100 * se:.2f}), range {100 * diff.min():+.2f} to "
            f"{100 * diff.max():+.2f}"
        )

    wrong, saturated = rows[:, 3].sum(), rows[:, 4].sum()
    print(
        f"training errors after the last epoch: {wrong:.0f} over all splits, {saturated:.0f} "
        f"({100 * saturated / max(wrong, 1):.0f}%) with theta (1 - theta) < 0.01 at their own "
        "class's neuron"
    )


if __name__ == "__main__":
    main()
