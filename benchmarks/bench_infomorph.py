"""Accuracy table of infomorphic networks against logistic regression and backprop.

Runs, per data set and seed: the read-out-only infomorphic network (the papers', and with the
option ``readout_wrong_side_slope=0.25``, which is not in the papers), 100 hidden three-class
neurons (optimised goal) + read-out, 100 hidden two-class context neurons (heuristic goal) +
read-out, logistic regression (scikit-learn lbfgs, 200 iterations) and the same one-hidden-layer
architecture trained by backprop (sigmoid hidden, softmax, Adam lr 0.001, cross-entropy).
Reports the median (and range) of the test accuracy over the seeds and writes a markdown table.

Every trained model (infomorphic networks and backprop) gets the same epoch budget and is
evaluated after each epoch. The table gives the test accuracy after the last epoch, the papers'
protocol (their figures take each run's test accuracy after its last epoch, median over seeds),
and at the epoch of the best validation accuracy (early-stopped, one rule for all). Below each
table the goals are checked: read-out only within 1.5 points of logistic regression and 100
hidden three-class neurons within 1.5 points of backprop, judged after the last epoch, with the
early-stopped gaps beside. The budget (default 200 epochs, 300 on digits) is above the papers'
100 epochs because the infomorphic hidden network is still improving at epoch 100 on
Fashion-MNIST while backprop has stopped improving (benchmarks/infomorph_results.md gives both
budgets); 300 digits epochs at batch 128 are 2700 Adam steps, fewer than the papers' 4700 (100
MNIST epochs at batch 1024). Infomorphic networks with a hidden layer predict with the hidden
layer's expected outputs (mean field, the default of ``InfomorphicNetwork.predict``). Runs go to
``--jobs`` worker processes, one numba and one BLAS thread each.

Example (about 50 minutes on 2 cores)::

    python benchmarks/bench_infomorph.py --datasets fashion-mnist digits --seeds 0 1 2 \
        --json benchmarks/infomorph_accuracy.json --out accuracy.md

``--from-json FILE`` renders the tables and goals of such a JSON file again without training.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from infomorph._io import atomic_write
from infomorph.baselines import fit_mlp, logistic_regression
from infomorph.data import DATASETS, load
from infomorph.train import fit, thread_limits

#: Infomorphic models: table name (``{n}``: hidden neurons) -> :func:`fit` arguments.
MODELS = {
    "infomorphic read-out only": dict(arch="readout"),
    "infomorphic read-out only, wrong-side slope 0.25 (not in the papers)": dict(
        arch="readout", readout_wrong_side_slope=0.25
    ),
    "infomorphic {n} hidden, three-class (optimised goal)": dict(
        arch="hidden", hidden_classes="three", goal="trivariate_optimized"
    ),
    "infomorphic {n} hidden, two-class context (heuristic goal)": dict(
        arch="hidden", hidden_classes="context", goal="context_heuristic"
    ),
}


def _infomorphic(n_hidden: int) -> dict[str, dict]:
    """:data:`MODELS` with the hidden layer's size in the names."""
    return {name.format(n=n_hidden): kwargs for name, kwargs in MODELS.items()}


def _early_stopped(per_epoch: np.ndarray) -> tuple[float, float, int]:
    """(test at the best-validation epoch, test at the last epoch, that epoch), 1-based."""
    best = int(np.argmax(per_epoch[:, 1]))
    return float(per_epoch[best, 2]), float(per_epoch[-1, 2]), best + 1


LOGREG = "logistic regression (lbfgs, 200 iterations)"

#: Short names for ``--models``, in table order.
MODEL_KEYS = ("readout", "readout-wrong-side", "three-class", "context", "logistic", "backprop")


def _backprop_name(n_hidden: int) -> str:
    return f"backprop, same architecture ({n_hidden} sigmoid hidden)"


def _model_names(keys, n_hidden: int) -> list[str]:
    """Table names of the models with short names ``keys``, in table order."""
    models = [*_infomorphic(n_hidden), LOGREG, _backprop_name(n_hidden)]
    names = dict(zip(MODEL_KEYS, models, strict=True))
    return [names[k] for k in MODEL_KEYS if k in keys]


@functools.cache
def _data(dataset: str):
    """The data set, loaded once per worker process."""
    return load(dataset)


def _one_run(dataset: str, name: str, seed: int, epochs: int, batch_size: int, n_hidden: int):
    """Train and evaluate one model with one seed on one numba and one BLAS thread.

    Returns ``((early-stopped test, last-epoch test, best epoch), seconds)``.
    """
    data = _data(dataset)
    t = time.perf_counter()
    infomorphic = _infomorphic(n_hidden)
    if name in infomorphic:
        _, rec = fit(
            data,
            epochs=epochs,
            batch_size=batch_size,
            random_state=seed,
            n_hidden=n_hidden,
            record_atoms=False,
            progress=False,
            n_threads=1,
            **infomorphic[name],
        )
        result = _early_stopped(rec.accuracy.sel(split=["train", "validation", "test"]).values)
    else:
        with thread_limits(1):
            if name == LOGREG:
                acc = logistic_regression(data, random_state=seed)["test"]
                result = (acc, acc, 0)
            else:
                _, acc = fit_mlp(data, n_hidden, epochs, batch_size, 0.001, seed, history=True)
                result = _early_stopped(acc["history"])
    return result, time.perf_counter() - t


def run(dataset: str, names, seeds, epochs: int, batch_size: int, n_hidden: int, jobs: int, log):
    """Every model of ``names`` x seed on ``dataset``, ``jobs`` runs at a time; rows for
    :func:`table`."""
    tasks = [(name, seed) for name in names for seed in seeds]
    args = [(dataset, name, seed, epochs, batch_size, n_hidden) for name, seed in tasks]
    done = {}
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_one_run, *a): task for a, task in zip(args, tasks, strict=True)}
        for future in as_completed(futures):
            name, seed = futures[future]
            done[name, seed] = future.result()
            log(
                f"{dataset} | {name} | seed {seed} | test {done[name, seed][0]} | "
                f"{done[name, seed][1]:.0f} s"
            )
    rows = {}
    for name in names:
        runs = [done[name, seed][0] for seed in seeds]
        secs = np.median([done[name, seed][1] for seed in seeds])
        what = "-" if name == LOGREG else f"{epochs} epochs, batch {batch_size}"
        rows[name] = (runs, what, secs)
    return rows


def summarise(rows, seeds) -> dict:
    """The JSON form of :func:`run`'s rows: per model, every seed's accuracies and the timing."""
    return {
        name: {
            "test_accuracy": [r[0] for r in runs],
            "median": float(np.median([r[0] for r in runs])),
            "test_accuracy_last_epoch": [r[1] for r in runs],
            "best_validation_epoch": [r[2] for r in runs],
            "training": what,
            "seconds_per_run": float(secs),
            "seeds": list(seeds),
        }
        for name, (runs, what, secs) in rows.items()
    }


def table(dataset: str, models: dict) -> str:
    """Markdown table of one data set's :func:`summarise` output."""
    seeds = next(iter(models.values()))["seeds"]
    lines = [
        f"### {dataset} (test accuracy, median over seeds {list(seeds)})",
        "",
        "| model | early-stopped | min-max | best epochs | last epoch | training | time per run |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in models.items():
        stopped, last = np.array(m["test_accuracy"]), np.array(m["test_accuracy_last_epoch"])
        best = m["best_validation_epoch"]
        epochs = "-" if not any(best) else ", ".join(str(int(b)) for b in best)
        lines.append(
            f"| {name} | {np.median(stopped):.4f} | {stopped.min():.4f}-{stopped.max():.4f} "
            f"| {epochs} | {np.median(last):.4f} | {m['training']} "
            f"| {m['seconds_per_run']:.0f} s |"
        )
    return "\n".join(lines) + "\n"


#: The benchmark's goals: (infomorphic model, its baseline, short name of the baseline); the
#: models as regular expressions matching their whole table names.
GOALS = (
    (r"infomorphic read-out only", r"logistic regression .*", "logistic regression"),
    (
        r"infomorphic \d+ hidden, three-class \(optimised goal\)",
        r"backprop, same architecture .*",
        "backprop",
    ),
)
#: Largest allowed gap to the baseline, in points of test accuracy.
GOAL_POINTS = 1.5


def within_goal(gap):
    """Whether a gap to the baseline, in points (a float or an array), meets the goal; the
    bound is inclusive, up to floating-point rounding."""
    return np.asarray(gap) >= -GOAL_POINTS - 1e-9


def goals(models: dict) -> str:
    """The goals' check for one data set's :func:`summarise` output, as markdown lines.

    Judged on the median test accuracy after the last epoch, the papers' protocol (their figures
    take each run's test accuracy after its last epoch, median over seeds); the early-stopped
    medians are given in brackets. Goals whose models are not in ``models`` are left out.
    """
    lines = []
    for model_pattern, base_pattern, base_short in GOALS:
        model = next((n for n in models if re.fullmatch(model_pattern, n)), None)
        base = next((n for n in models if re.fullmatch(base_pattern, n)), None)
        if model is None or base is None:
            continue
        gap = {
            key: 100 * (np.median(models[model][key]) - np.median(models[base][key]))
            for key in ("test_accuracy_last_epoch", "test_accuracy")
        }
        verdict = {k: "met" if within_goal(g) else "missed" for k, g in gap.items()}
        lines.append(
            f"- {model} minus {base_short}: {gap['test_accuracy_last_epoch']:+.2f} points after "
            f"the last epoch ({verdict['test_accuracy_last_epoch']}) "
            f"[{gap['test_accuracy']:+.2f} early-stopped, {verdict['test_accuracy']}]"
        )
    if not lines:
        return ""
    head = (
        f"Goals: within {GOAL_POINTS} points of the baseline, judged after the last epoch as in "
        "the papers (early-stopped in brackets)."
    )
    return "\n".join([head, "", *lines]) + "\n"


def _read_results(parser: argparse.ArgumentParser, path: Path) -> dict:
    """The results a ``--json`` run wrote to ``path``; a usage error if it is not such a file."""
    keys = {
        "test_accuracy",
        "test_accuracy_last_epoch",
        "best_validation_epoch",
        "training",
        "seconds_per_run",
        "seeds",
    }
    try:
        results = json.loads(path.read_text())
        if results and all(
            models and all(keys <= set(m) for m in models.values()) for models in results.values()
        ):
            return results
    except (ValueError, AttributeError, TypeError):
        pass
    parser.error(
        f"--from-json {path}: not a results file written by --json (data set -> model -> "
        f"{sorted(keys)}); rerun with --json"
    )


def positive_int(text: str) -> int:
    """argparse type: an int >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an int >= 1, got {text!r}")
    return value


def _writable(parser: argparse.ArgumentParser, option: str, path: Path | None) -> None:
    """Fail before hours of training if ``path``'s folder does not exist or is not writable."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        parser.error(
            f"{option} {path}: folder {folder} does not exist or is not writable; "
            "create it or choose another path"
        )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", choices=DATASETS, default=["fashion-mnist", "digits"])
    ap.add_argument(
        "--epochs", type=positive_int, default=200, help="epoch budget of every trained model"
    )
    ap.add_argument(
        "--digits-epochs", type=positive_int, default=300, help="epoch budget on digits"
    )
    ap.add_argument(
        "--models", nargs="+", choices=MODEL_KEYS, default=list(MODEL_KEYS), help="default: all"
    )
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--batch-size", type=positive_int, default=1024)
    ap.add_argument("--digits-batch-size", type=positive_int, default=128)
    ap.add_argument("--n-hidden", type=positive_int, default=100)
    ap.add_argument(
        "--jobs", type=positive_int, default=2, help="runs at a time (each on one thread)"
    )
    ap.add_argument("--out", type=Path, default=None, help="markdown file to (re)write")
    ap.add_argument(
        "--json", type=Path, default=None, help="JSON file of every accuracy (notebook 4 reads it)"
    )
    ap.add_argument(
        "--from-json",
        type=Path,
        default=None,
        help="render the tables and goals of a JSON file written by --json, without training",
    )
    args = ap.parse_args(argv)
    if args.from_json is not None and not args.from_json.is_file():
        ap.error(f"--from-json {args.from_json}: no such file; give a JSON written by --json")
    if args.from_json is not None and args.json is not None:
        ap.error("--from-json renders saved results and trains nothing: drop --json")
    if args.from_json is not None and args.out is not None:
        if args.out.resolve() == args.from_json.resolve():
            ap.error(f"--out {args.out} is the --from-json input and would be overwritten")
    if args.n_hidden < 2:
        ap.error(f"--n-hidden must be >= 2 (build_network's rule), got {args.n_hidden}")
    _writable(ap, "--out", args.out)
    _writable(ap, "--json", args.json)
    if args.from_json is not None:
        results = _read_results(ap, args.from_json)
    else:
        results = {}
        for ds in args.datasets:
            digits = ds == "digits"
            epochs = args.digits_epochs if digits else args.epochs
            batch = args.digits_batch_size if digits else args.batch_size
            names = _model_names(args.models, args.n_hidden)
            rows = run(ds, names, args.seeds, epochs, batch, args.n_hidden, args.jobs, print)
            results[ds] = summarise(rows, args.seeds)
            if args.json is not None:
                text = json.dumps(results, indent=2)
                atomic_write(args.json, lambda tmp, text=text: Path(tmp).write_text(text))
            print(table(ds, results[ds]), goals(results[ds]), sep="\n", flush=True)
    parts = ["\n".join(filter(None, [table(ds, m), goals(m)])) for ds, m in results.items()]
    if args.from_json is not None:
        print(*parts, sep="\n")
    if args.out is not None:
        text = "## Accuracy (benchmarks/bench_infomorph.py)\n\n" + "\n".join(parts)
        atomic_write(args.out, lambda tmp, text=text: Path(tmp).write_text(text))


if __name__ == "__main__":
    main()
