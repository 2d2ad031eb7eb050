"""Shared figure settings of the notebooks: fonts, output folder, FAST switch."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: FAST=1 (the tests) runs every notebook in seconds on small sizes; unset, the full figure.
FAST = os.environ.get("FAST", "0") not in ("0", "", "false", "False")


def _figures_dir() -> Path:
    """$FIGURES_DIR if set; else a new temporary folder under FAST (its reduced figures must not
    replace the committed ones); else notebooks/figures beside this file."""
    if os.environ.get("FIGURES_DIR"):
        return Path(os.environ["FIGURES_DIR"])
    if FAST:
        return Path(tempfile.mkdtemp(prefix="infomorph-fast-figures-"))
    return Path(__file__).resolve().parent / "figures"


#: Where figures go (see :func:`_figures_dir`).
FIGURES = _figures_dir()
FIGURES.mkdir(parents=True, exist_ok=True)

plt.rcParams.update(
    {
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 8.5,
        "figure.dpi": 110,
        "savefig.dpi": 200,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def save(fig, name: str) -> list[Path]:
    """Write ``name``.png and ``name``.pdf into FIGURES; return the paths."""
    paths = [FIGURES / f"{name}.{ext}" for ext in ("png", "pdf")]
    for path in paths:
        fig.savefig(path, bbox_inches="tight")
    return paths
