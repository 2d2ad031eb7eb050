"""Shared helpers for comparing with dit, and the digits data set as a fixture."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from infomorph.data import load

GOLDEN = Path(__file__).parent / "golden"


def dit_label(node, offset: int = 0) -> str:
    """Our label of a dit lattice node (tuple of tuples of variable indices + ``offset``)."""
    sets = sorted((tuple(sorted(i + offset for i in a)) for a in node), key=lambda a: (len(a), a))
    return "".join("{" + "".join(map(str, a)) + "}" for a in sets)


def golden_cases(measure: str) -> list[dict]:
    """Cases of ``tests/golden/dit_<measure>.json`` (made by tests/golden/make_dit_golden.py)."""
    path = GOLDEN / f"dit_{measure}.json"
    if not path.exists():
        pytest.skip(f"{path.name} missing: run python tests/golden/make_dit_golden.py")
    data = json.loads(path.read_text())
    for case in data["cases"]:
        case["pmf"] = np.asarray(case["p"], dtype=float).reshape(case["shape"])
    return data["cases"]


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's bundled digits with the default splits (:func:`infomorph.data.load`)."""
    return load("digits")
