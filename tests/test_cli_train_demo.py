"""`infomorph train` and `infomorph demo` end to end on the bundled digits."""

import json

import numpy as np
import xarray as xr
from click.testing import CliRunner

from infomorph.record import check_schema
from infomorph_cli.main import cli


def test_train_writes_a_valid_record_that_analyze_reads(tmp_path):
    run = tmp_path / "run.nc"
    res = CliRunner().invoke(
        cli,
        [
            "train",
            "--arch",
            "readout",
            "--epochs",
            "3",
            "--batch-size",
            "256",
            "--probe",
            "300",
            "-o",
            str(run),
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "accuracy" in res.stdout
    rec = xr.open_dataset(run)
    check_schema(rec)
    assert rec.sizes["epoch"] == 3 and rec.sizes["sample"] == 300
    out = CliRunner().invoke(cli, ["analyze", str(run), "--format", "json", "--quiet"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert summary["n_units"] == 10 and len(summary["epochs"]) == 3


def test_train_eval_samples(tmp_path):
    from infomorph.network import PREDICT_SAMPLES

    run = tmp_path / "run.nc"
    args = ["train", "--arch", "hidden", "--neurons", "8", "--epochs", "1", "--batch-size", "256"]
    res = CliRunner().invoke(cli, [*args, "--probe", "0", "-o", str(run), "--quiet"])
    assert res.exit_code == 0, res.output
    hyper = json.loads(xr.open_dataset(run).attrs["hyperparameters"])
    assert PREDICT_SAMPLES is None  # the library's default: mean field
    assert hyper["eval_samples"] == "mean field"  # the command's default is the library's
    run.unlink()
    res = CliRunner().invoke(cli, [*args, "--eval-samples", "1", "-o", str(run), "--quiet"])
    assert res.exit_code == 0, res.output
    assert json.loads(xr.open_dataset(run).attrs["hyperparameters"])["eval_samples"] == 1
    res = CliRunner().invoke(cli, [*args, "--eval-samples", "0", "-o", str(run), "--quiet"])
    assert res.exit_code == 2


def test_train_bad_input(tmp_path):
    res = CliRunner().invoke(cli, ["train", "--epochs", "1"])
    assert res.exit_code == 2 and "Missing option '-o' / '--output'" in res.output
    res = CliRunner().invoke(
        cli, ["train", "--goal", "nope", "-o", str(tmp_path / "r.nc"), "--quiet"]
    )
    assert res.exit_code == 2 and "is not one of" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_demo_writes_everything(tmp_path):
    out = tmp_path / "demo"
    res = CliRunner().invoke(
        cli, ["demo", "-o", str(out), "--epochs", "4", "--neurons", "12", "--quiet"]
    )
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "atoms.nc",
        "atoms.png",
        "report.txt",
        "run.nc",
        "summary.json",
        "training.png",
    ]
    summary = json.loads((out / "summary.json").read_text())
    groups = {g["name"]: g for g in summary["groups"]}
    assert list(groups) == ["hidden", "readout"]  # layers are never pooled
    assert groups["hidden"]["sources"] == ["receptive", "context", "lateral"]
    assert len(groups["hidden"]["atoms"]) == 18 and len(groups["hidden"]["epochs"]) == 4
    assert groups["readout"]["atoms"] == ["{1}{2}", "{1}", "{2}", "{12}"]
    assert summary["settings"]["estimator"] == "shuffle"
    atoms = xr.open_dataset(out / "atoms.nc")["atoms"]
    assert atoms.dims == ("epoch", "layer", "neuron", "atom")
    # padded read-out neurons (12 hidden, 10 read-out) are NaN, real ones finite
    assert np.isfinite(atoms.sel(layer="hidden")).all()
    assert np.isnan(atoms.sel(layer="readout").isel(neuron=slice(10, None))).all()
    assert "test accuracy" in res.stdout
