"""The thread-scaling benchmark gives every pool of a worker process the same thread count and
prints one row per case."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("bench_threads")


def test_thread_env_sets_every_pool(monkeypatch):
    env = _bench(monkeypatch).thread_env(3)
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "DASK_NUM_WORKERS"):
        assert env[var] == "3"
    assert env["PYTHONPATH"] == str(BENCHMARKS.parent)


def test_one_case_runs_in_worker_processes(monkeypatch, capsys):
    bench = _bench(monkeypatch)
    bench.main(["--repeats", "1", "--calls", "1", "--threads", "1", "--cases", "estimate_plugin"])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| estimate_plugin |")]
    assert len(rows) == 1
    seconds = float(rows[0].split("|")[3])
    assert 0.0 < seconds < 600.0


def test_worker_sees_its_thread_count(monkeypatch):
    # the worker's numba pool has the count the environment gave it
    env = _bench(monkeypatch).thread_env(1)
    code = "import numba; print(numba.config.NUMBA_NUM_THREADS)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "1"


def test_bad_arguments_are_refused(monkeypatch, capsys):
    bench = _bench(monkeypatch)
    for args in (["--threads", "0"], ["--threads", "two"], ["--repeats", "0"], ["--cases", "x"]):
        with pytest.raises(SystemExit) as err:
            bench.main(args)
        assert err.value.code == 2
    assert "positive integer or 'all'" in capsys.readouterr().err
