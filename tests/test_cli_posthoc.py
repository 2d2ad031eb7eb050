"""Post-hoc analysis of a network this package did not train (scikit-learn's MLPClassifier)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from infomorph_cli.main import cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from record_sklearn_mlp import record_mlp  # noqa: E402


@pytest.fixture(scope="module")
def mlp_record(tmp_path_factory):
    path = tmp_path_factory.mktemp("mlp") / "mlp.nc"
    record_mlp(n_epochs=5, n_hidden=6, random_state=0).to_netcdf(path, engine="h5netcdf")
    return path


def test_analyze_sklearn_mlp_record(mlp_record, tmp_path):
    out_nc = tmp_path / "atoms.nc"
    res = CliRunner().invoke(
        cli,
        [
            "analyze",
            str(mlp_record),
            "--target",
            "hidden",
            "--source",
            "drive",
            "--source",
            "label",
            "--bins",
            "8",
            "--binning",
            "quantile",
            "--estimator",
            "plugin",
            "--shuffles",
            "0",
            "--format",
            "json",
            "--quiet",
            "-o",
            str(out_nc),
        ],
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["epochs"] == [1, 2, 3, 4, 5]
    assert summary["n_units"] == 6
    atoms = xr.open_dataset(out_nc)
    assert atoms["atoms"].shape == (5, 6, 4)
    # the label is broadcast over epochs and neurons; atoms add up to I(hidden; drive, label)
    np.testing.assert_allclose(atoms["atoms"].sum("atom"), atoms["mi"], atol=1e-9)
    # the hidden activation is a monotone function of its drive: with equal-count bins it is
    # the same variable, so I(hidden; drive, label) = H(binned hidden) = log2(8 bins)
    np.testing.assert_allclose(atoms["mi"], 3.0, atol=1e-9)
    # learning makes the drive share more with the label
    assert summary["trend"]["{1}{2}"]["change"] > 0
