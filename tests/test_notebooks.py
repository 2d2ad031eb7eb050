"""Every notebook runs in FAST mode (nbclient) and writes its figures."""

import os
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: notebook -> figure files it must write (PNG and PDF each)
EXPECTED = {
    "01_gates_measures.py": ["01_gates_measures"],
    "02_estimators.py": ["02_estimators", "02_calibration"],
    "03_learning_dynamics.py": ["03_learning_dynamics"],
    "04_accuracy.py": ["04_accuracy"],
    "05_speed.py": ["05_speed"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_and_writes_figures(name, tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    from nbclient import NotebookClient

    nb = jupytext.read(NOTEBOOKS / name)
    monkeypatch.setenv("FAST", "1")
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    for stem in EXPECTED[name]:
        for ext in ("png", "pdf"):
            path = tmp_path / f"{stem}.{ext}"
            assert path.exists() and path.stat().st_size > 1000, path
    assert os.environ["FAST"] == "1"
