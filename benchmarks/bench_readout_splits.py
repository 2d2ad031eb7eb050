"""Infomorphic read-out against logistic regression over many random splits of digits.

The bundled digits set has no official split and only 360 test images, so one split's test
accuracy moves by about 1 point (one standard error) with the split. This script repeats the
read-out-only comparison of ``bench_infomorph.py`` on ``--splits`` random stratified splits
(``split_seed`` 0, 1, ...; the network's seed equals the split seed) and reports, per split,
logistic regression's test accuracy and the infomorphic read-out's (early-stopped at the
best-validation epoch, and after the last epoch), the mean paired difference with its
standard error and how many splits are within the goal's 1.5 points.

It trains two read-outs per split: the papers' (exact goal gradient) and one with
``readout_wrong_side_slope`` (``--wrong-side-slope``, not in the papers; see
:class:`infomorph.layer.InfomorphicLayer`). The papers' read-out reaches its weights through
``theta = sigma(r)``; for a training image whose own-class neuron is confidently wrong the factor
``theta (1 - theta)`` is near 0, where logistic regression's ``1 - p`` is near 1. The script
counts, after the last epoch, the training errors and how many of them have
``theta (1 - theta) < 0.01`` at their own class's neuron; the second read-out, which raises that
factor on the wrong side only, tests whether the vanished gradient is what costs accuracy.

Each infomorphic read-out neuron learns alone, one class against the rest; the script therefore
also reports one-vs-rest logistic regression (ten binary logistic regressions, argmax of their
scores), which separates the cost of independent neurons from the rest of the gap.

Example (about a minute)::

    python benchmarks/bench_readout_splits.py --splits 30
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_infomorph import GOAL_POINTS, positive_int, within_goal

from infomorph.baselines import logistic_regression
from infomorph.data import load
from infomorph.train import fit

COLUMNS = ("logistic", "early-stopped", "last epoch", "training errors", "saturated", "one-vs-rest")


def _one_vs_rest(data) -> float:
    """Test accuracy of one-vs-rest logistic regression (scikit-learn lbfgs, 200 iterations)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    model = OneVsRestClassifier(LogisticRegression(max_iter=200))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.X_train, data.y_train)
    return float(model.score(data.X_test, data.y_test))


def _saturated_errors(net, X: np.ndarray, y: np.ndarray) -> tuple[int, int]:
    """(misclassified samples, those whose own-class neuron has theta (1 - theta) < 0.01)."""
    zeros = np.zeros((len(X), net.n_classes))
    theta = net.layers["readout"].forward({"receptive": X, "context": zeros}).theta
    wrong = net.predict(X) != y
    own = theta[np.arange(len(y)), y]
    return int(wrong.sum()), int((wrong & (own * (1.0 - own) < 0.01)).sum())


def run(
    splits: int, epochs: int, batch_size: int, readout_lr: float, slopes: tuple[float, ...]
) -> dict[float, np.ndarray]:
    """Per read-out slope, one row per split with the values of ``COLUMNS``."""
    rows: dict[float, list] = {s: [] for s in slopes}
    for seed in range(splits):
        data = load("digits", split_seed=seed)
        logistic = logistic_regression(data, random_state=seed)["test"]
        one_vs_rest = _one_vs_rest(data)
        for slope in slopes:
            net, rec = fit(
                data,
                arch="readout",
                epochs=epochs,
                batch_size=batch_size,
                random_state=seed,
                record_atoms=False,
                progress=False,
                readout_lr=readout_lr,
                readout_wrong_side_slope=slope,
            )
            acc = rec.accuracy.sel(split=["validation", "test"]).values
            errors = _saturated_errors(net, data.X_train, data.y_train)
            best = acc[np.argmax(acc[:, 0]), 1]
            rows[slope].append((logistic, best, acc[-1, 1], *errors, one_vs_rest))
        print(
            f"split {seed}: logistic {logistic:.4f}, one-vs-rest {one_vs_rest:.4f}; "
            + "; ".join(
                f"slope {s}: read-out {rows[s][-1][1]:.4f} (last epoch {rows[s][-1][2]:.4f}), "
                f"training errors {rows[s][-1][3]}, saturated {rows[s][-1][4]}"
                for s in slopes
            ),
            flush=True,
        )
    return {s: np.array(r) for s, r in rows.items()}


def _mean_and_error(diff: np.ndarray) -> str:
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    return f"{100 * diff.mean():+.2f} ({100 * se:.2f})"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", type=positive_int, default=30, help="at least 2")
    ap.add_argument("--epochs", type=positive_int, default=300)
    ap.add_argument("--batch-size", type=positive_int, default=128)
    ap.add_argument("--readout-lr", type=float, default=0.003)
    ap.add_argument(
        "--wrong-side-slope",
        type=float,
        default=0.25,
        help="slope of the second read-out, in (0, 0.25]",
    )
    args = ap.parse_args(argv)
    if args.splits < 2:
        ap.error(f"--splits must be >= 2 for a standard error, got {args.splits}")
    if not args.readout_lr > 0:
        ap.error(f"--readout-lr must be > 0, got {args.readout_lr}")
    if not 0 < args.wrong_side_slope <= 0.25:
        ap.error(f"--wrong-side-slope must be in (0, 0.25], got {args.wrong_side_slope}")
    slopes = (0.0, args.wrong_side_slope)
    rows = run(args.splits, args.epochs, args.batch_size, args.readout_lr, slopes)
    print(
        f"\n{args.splits} digits splits, {args.epochs} epochs, batch {args.batch_size}, "
        f"read-out lr {args.readout_lr}; mean paired difference in points (standard error)\n"
    )
    print(
        "| read-out | median test, early-stopped | median test, last epoch "
        "| minus logistic, early-stopped | minus logistic, last epoch "
        "| training errors (saturated) |"
    )
    print("|---|---|---|---|---|---|")
    logistic = rows[0.0][:, 0]
    print(f"| logistic regression | {np.median(logistic):.4f} | - | - | - | - |")
    ovr = rows[0.0][:, 5]
    print(
        f"| one-vs-rest logistic regression | {np.median(ovr):.4f} | - "
        f"| {_mean_and_error(ovr - logistic)} | {_mean_and_error(ovr - logistic)} | - |"
    )
    for slope, r in rows.items():
        name = "papers' (exact gradient)" if slope == 0 else f"wrong-side slope {slope}"
        wrong, saturated = r[:, 3].sum(), r[:, 4].sum()
        print(
            f"| {name} | {np.median(r[:, 1]):.4f} | {np.median(r[:, 2]):.4f} "
            f"| {_mean_and_error(r[:, 1] - logistic)} | {_mean_and_error(r[:, 2] - logistic)} "
            f"| {wrong:.0f} ({saturated:.0f}, {100 * saturated / max(wrong, 1):.0f}%) |"
        )
    variant, exact = rows[slopes[1]], rows[0.0]
    print(
        f"\nwrong-side slope minus papers' read-out: early-stopped "
        f"{_mean_and_error(variant[:, 1] - exact[:, 1])}, last epoch "
        f"{_mean_and_error(variant[:, 2] - exact[:, 2])} points"
    )
    print(
        f"wrong-side slope minus one-vs-rest logistic regression: early-stopped "
        f"{_mean_and_error(variant[:, 1] - ovr)}, last epoch {_mean_and_error(variant[:, 2] - ovr)}"
    )
    for slope, r in rows.items():
        name = "papers' read-out" if slope == 0 else f"wrong-side slope {slope}"
        within = [int(within_goal(100 * (r[:, k] - logistic)).sum()) for k in (2, 1)]
        print(
            f"{name}: splits within {GOAL_POINTS} points of logistic regression: "
            f"{within[0]} of {len(r)} after the last epoch, {within[1]} early-stopped"
        )
    print(
        "saturated = training errors after the last epoch whose own-class neuron has "
        "theta (1 - theta) < 0.01"
    )


if __name__ == "__main__":
    main()
