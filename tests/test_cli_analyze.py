"""`infomorph analyze` on planted datasets, in-process and as a subprocess; bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from infomorph_cli.main import cli
from pidtools.dynamics import planted_dataset

JSON_KEYS = {"atoms", "epochs", "mean", "std", "trend", "settings"}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    paths = {}
    for kind in ("xor", "copy", "rdn"):
        paths[kind] = root / f"{kind}.nc"
        planted_dataset(kind, n_epochs=8, n_neurons=6, n_samples=4000, random_state=1).to_netcdf(
            paths[kind], engine="h5netcdf"
        )
    paths["zarr"] = root / "xor.zarr"
    planted_dataset("xor", n_epochs=8, n_neurons=6, n_samples=4000, random_state=1).to_zarr(
        paths["zarr"], mode="w", consolidated=False
    )
    return paths


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def analyze_json(path, *extra):
    res = run("analyze", path, "--format", "json", "--quiet", *extra)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert JSON_KEYS <= set(out)
    return out


def test_planted_xor_shows_rising_synergy(planted):
    out = analyze_json(planted["xor"])
    assert out["atoms"] == ["{1}{2}", "{1}", "{2}", "{12}"]
    assert out["epochs"] == list(range(1, 9))
    syn = out["trend"]["{12}"]
    assert syn["rho"] > 0.9 and syn["p_value"] < 0.01
    # at the end the output is XOR of the sources: the I^sx atoms of the XOR gate
    assert syn["last"] == pytest.approx(np.log2(4 / 3), abs=0.03)
    assert out["trend"]["{1}{2}"]["last"] == pytest.approx(np.log2(2 / 3), abs=0.03)
    for key in ("first", "last", "change", "rho", "p_value"):
        assert key in syn
    assert len(out["mean"]["{12}"]) == len(out["std"]["{12}"]) == 8
    assert out["settings"]["measure"] == "sx"


def test_planted_copy_and_redundancy(planted):
    copy = analyze_json(planted["copy"])
    # T = S1 with S2 independent: unique information of S1 rises to log2(3/2)
    assert copy["trend"]["{1}"]["rho"] > 0.9
    assert copy["trend"]["{1}"]["last"] == pytest.approx(np.log2(3 / 2), abs=0.03)
    assert copy["dominant"]["last"] == "{1}"
    rdn = analyze_json(planted["rdn"])
    assert rdn["trend"]["{1}{2}"]["rho"] > 0.9
    assert rdn["trend"]["{1}{2}"]["last"] == pytest.approx(1.0, abs=0.03)
    assert rdn["dominant"]["last"] == "{1}{2}"


def test_zarr_same_as_netcdf_and_outputs(planted, tmp_path):
    a = analyze_json(planted["xor"])
    b = analyze_json(planted["zarr"])
    assert a["mean"] == b["mean"]
    nc, png = tmp_path / "atoms.nc", tmp_path / "atoms.png"
    res = run("analyze", planted["xor"], "-o", nc, "--plot", png, "--quiet")
    assert res.exit_code == 0, res.output
    assert "dominant atom" in res.stdout
    atoms = xr.open_dataset(nc)["atoms"]
    assert atoms.dims == ("epoch", "neuron", "atom") and atoms.shape == (8, 6, 4)
    np.testing.assert_allclose(atoms.mean("neuron").sel(atom="{12}").values, a["mean"]["{12}"])
    assert png.stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atoms.nc", "atoms.png"]


def test_csv_one_row_per_epoch_and_atom(planted):
    res = run("analyze", planted["xor"], "--format", "csv", "--quiet")
    lines = res.stdout.strip().splitlines()
    assert lines[0] == (
        "group,epoch,atom,mean,std,null_std,fraction_significant,distinguishable,unit_groups"
    )
    assert len(lines) == 1 + 8 * 4
    assert lines[-1].startswith("all,8,{12},")


def test_same_numbers_with_local_cluster(planted):
    base = analyze_json(planted["xor"])
    with_workers = analyze_json(planted["xor"], "--workers", "2")
    assert with_workers["mean"] == base["mean"]
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        remote = analyze_json(planted["xor"], "--scheduler", cluster.scheduler_address)
    assert remote["mean"] == base["mean"]


def test_subprocess_and_help():
    out = subprocess.run(
        [sys.executable, "-m", "infomorph_cli.main", "analyze", "--help"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "Examples" in out.stdout


@pytest.mark.parametrize(
    ("make", "args", "code", "message"),
    [
        (None, ["missing.nc"], 2, "does not exist"),
        ("text", [], 2, "not a readable netCDF"),
        ("xor", ["--target", "nope"], 2, "'nope' is not in the dataset"),
        ("xor", ["--sample-dim", "trial"], 2, "without the sample dimension 'trial'"),
        ("xor", ["--over", "step"], 2, "learning dimension 'step'"),
        ("nan", [], 2, "NaN"),
        ("xor", ["--bins", "5000", "--binning", "quantile"], 2, "fewer bins than samples"),
        ("xor", ["-o", "no/such/dir/a.nc"], 2, "does not exist"),
        ("xor", ["--measure", "zzz"], 2, "Invalid value for '--measure'"),
        ("xor", ["--bins", "1"], 2, "give an integer >= 2 or 'auto'"),
        ("xor", ["--estimator", "shuffle", "--shuffles", "0"], 2, "give --shuffles N"),
    ],
)
def test_bad_input(tmp_path, make, args, code, message):
    path = tmp_path / "data.nc"
    if make == "text":
        path.write_text("not a netcdf file")
    elif make == "xor":
        planted_dataset("xor", 3, 2, 100).to_netcdf(path, engine="h5netcdf")
    elif make == "nan":
        ds = planted_dataset("xor", 3, 2, 100).astype(float)
        ds["receptive"][0, 0, 5] = np.nan
        ds.to_netcdf(path, engine="h5netcdf")
    target = args[0] if make is None else path
    rest = args[1:] if make is None else args
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        res = CliRunner().invoke(cli, ["analyze", str(target), *rest, "--quiet"])
    assert res.exit_code == code, res.output
    assert message in res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["data.nc"] if make else [])


def test_bad_input_as_subprocess_exits_without_traceback(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "infomorph_cli.main", "analyze", "missing.nc"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert res.returncode == 2
    assert "missing.nc does not exist" in res.stderr and "Traceback" not in res.stderr


def test_a_unit_dimension_named_unit_is_fine(tmp_path):
    ds = planted_dataset("copy", n_epochs=4, n_neurons=3, n_samples=500).rename(neuron="unit")
    path = tmp_path / "units.nc"
    ds.to_netcdf(path)
    res = run("analyze", path, "--format", "json", "--quiet", "-o", tmp_path / "a.nc")
    assert json.loads(res.stdout)["n_units"] == 3
    assert xr.open_dataset(tmp_path / "a.nc")["atoms"].dims == ("epoch", "unit", "atom")
