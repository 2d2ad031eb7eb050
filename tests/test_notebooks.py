"""Every notebook runs in FAST mode (nbclient), writes its figures, and leaves the checkout clean.

FAST runs write their reduced figures to a temporary folder (not over the committed
notebooks/figures) unless FIGURES_DIR is set.
"""

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: notebook -> figure files it must write (PNG and PDF each)
EXPECTED = {
    "01_gates_measures.py": ["01_gates_measures"],
    "02_estimators.py": ["02_estimators", "02_calibration"],
    "03_learning_dynamics.py": ["03_learning_dynamics"],
    "04_accuracy.py": ["04_accuracy"],
    "05_speed.py": ["05_speed"],
    "06_layer_complexity.py": ["06_layer_complexity"],
    "07_continuous_estimator.py": ["07_continuous_estimator"],
}


def _git_status() -> str | None:
    """``git status`` of the checkout (untracked files too), or None outside a git checkout."""
    if shutil.which("git") is None:
        return None
    run = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return run.stdout if run.returncode == 0 else None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_and_writes_figures(name, tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    from nbclient import NotebookClient

    nb = jupytext.read(NOTEBOOKS / name)
    monkeypatch.setenv("FAST", "1")
    monkeypatch.delenv("FIGURES_DIR", raising=False)  # the default a user gets
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # so the kernel's temporary folder is found here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    before = _git_status()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    assert _git_status() == before, "a FAST notebook run changed files in the checkout"
    (figures,) = tmp_path.glob("infomorph-fast-figures-*")
    for stem in EXPECTED[name]:
        for ext in ("png", "pdf"):
            path = figures / f"{stem}.{ext}"
            assert path.exists() and path.stat().st_size > 1000, path
    assert os.environ["FAST"] == "1"


def _load_style(monkeypatch, tmp_path, **env):
    for key in ("FAST", "FIGURES_DIR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    spec = importlib.util.spec_from_file_location("_style_under_test", NOTEBOOKS / "_style.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figures_folder_rules(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    explicit = tmp_path / "chosen"
    assert _load_style(monkeypatch, tmp_path, FAST="1", FIGURES_DIR=str(explicit)).FIGURES == (
        explicit
    )
    assert _load_style(monkeypatch, tmp_path, FIGURES_DIR=str(explicit)).FIGURES == explicit
    fast = _load_style(monkeypatch, tmp_path, FAST="1").FIGURES
    assert fast.parent == tmp_path and fast.name.startswith("infomorph-fast-figures-")
    assert _load_style(monkeypatch, tmp_path).FIGURES == NOTEBOOKS / "figures"
    assert _load_style(monkeypatch, tmp_path, FAST="0").FIGURES == NOTEBOOKS / "figures"
