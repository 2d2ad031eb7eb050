"""The accuracy benchmark scripts run end to end on a tiny budget and reject bad arguments."""

import importlib
import json
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_accuracy_benchmark_writes_every_model(tmp_path, monkeypatch):
    # importable by name: the worker processes (spawned) import the script's functions
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_infomorph")
    out = tmp_path / "acc.json"
    args = ["--datasets", "digits", "--digits-epochs", "2", "--seeds", "0", "1", "--jobs", "2"]
    bench.main([*args, "--n-hidden", "8", "--json", str(out), "--out", str(tmp_path / "a.md")])
    rows = json.loads(out.read_text())["digits"]
    assert len(rows) == 6
    for name, row in rows.items():
        assert row["seeds"] == [0, 1]
        assert len(row["test_accuracy"]) == 2
        assert all(0.0 <= a <= 1.0 for a in row["test_accuracy"])
        trained = not name.startswith("logistic")
        assert all((1 <= e <= 2) if trained else e == 0 for e in row["best_validation_epoch"])
    # logistic regression is deterministic: both seeds agree, and it is far above chance
    assert len(set(rows["logistic regression (lbfgs, 200 iterations)"]["test_accuracy"])) == 1
    assert rows["logistic regression (lbfgs, 200 iterations)"]["median"] > 0.9
    written = (tmp_path / "a.md").read_text()
    assert "| infomorphic read-out only |" in written
    assert "| infomorphic 8 hidden, three-class (optimised goal) |" in written
    assert "- infomorphic read-out only minus logistic regression:" in written
    assert "- infomorphic 8 hidden, three-class (optimised goal) minus backprop:" in written
    # --from-json renders the same tables and goals without training
    bench.main(["--from-json", str(out), "--out", str(tmp_path / "b.md")])
    assert (tmp_path / "b.md").read_text() == written
    # --models picks rows, in table order whatever the order given
    bench.main([*args, "--models", "logistic", "readout", "--json", str(out)])
    assert list(json.loads(out.read_text())["digits"]) == [
        "infomorphic read-out only",
        "logistic regression (lbfgs, 200 iterations)",
    ]


def test_accuracy_benchmark_rejects_bad_arguments_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_infomorph")
    missing = tmp_path / "no-such-folder" / "acc.json"
    bad = tmp_path / "bad.json"
    bad.write_text('{"digits": {"model": {"median": 0.9}}}')
    empty = tmp_path / "empty.json"
    empty.write_text('{"digits": {}}')
    for args, message in (
        (["--jobs", "0"], "--jobs: must be an int >= 1"),
        (["--epochs", "x"], "--epochs: must be an int >= 1"),
        (["--models", "mlp"], "--models: invalid choice: 'mlp'"),
        (["--n-hidden", "1"], "--n-hidden must be >= 2"),
        (["--json", str(missing)], "does not exist or is not writable"),
        (["--from-json", str(missing)], "no such file; give a JSON written by --json"),
        (["--from-json", str(bad)], "not a results file written by --json"),
        (["--from-json", str(empty)], "not a results file written by --json"),
        (["--from-json", str(bad), "--json", "x.json"], "trains nothing: drop --json"),
        (["--from-json", str(bad), "--out", str(bad)], "is the --from-json input"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            bench.main(["--datasets", "digits", *args])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == [bad, empty]


def _model(test, last):
    return {"test_accuracy": test, "test_accuracy_last_epoch": last}


def test_accuracy_goals_are_judged_after_the_last_epoch(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_infomorph")
    models = {
        "infomorphic read-out only": _model([0.90, 0.94, 0.95], [0.96, 0.95, 0.97]),
        "logistic regression (lbfgs, 200 iterations)": _model([0.97] * 3, [0.97] * 3),
        "backprop, same architecture (8 sigmoid hidden)": _model([0.99] * 3, [0.99] * 3),
    }
    text = bench.goals(models)
    # medians: last epoch 0.96 - 0.97 = -1 point (met); early-stopped 0.94 - 0.97 = -3 (missed)
    assert "minus logistic regression: -1.00 points after the last epoch (met)" in text
    assert "[-3.00 early-stopped, missed]" in text
    # the three-class goal is left out when its model was not run
    assert "backprop" not in text
    assert bench.goals({}) == ""


def test_readout_splits_benchmark_pairs_both_readouts(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_readout_splits")
    bench.main(["--splits", "2", "--epochs", "3"])
    out = capsys.readouterr().out
    assert out.count("split ") >= 2 and "split 1: logistic" in out
    assert "| papers' (exact gradient) |" in out and "| wrong-side slope 0.25 |" in out
    assert "wrong-side slope minus papers' read-out" in out
    assert "| one-vs-rest logistic regression |" in out
    assert "papers' read-out: splits within 1.5 points of logistic regression:" in out
    for args, message in (
        (["--splits", "1"], "--splits must be >= 2"),
        (["--wrong-side-slope", "0.3"], "--wrong-side-slope must be in (0, 0.25]"),
        (["--readout-lr", "0"], "--readout-lr must be > 0"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            bench.main(args)
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err
