"""`infomorph analyze --group-units / --unit-groups`: grouped units as joint variables, their
labels in every output format, and bad groupings."""

import csv
import io
import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import pidtools.xarray as px
from infomorph_cli.main import cli

N_EPOCHS, N_UNITS, N_SAMPLES = 4, 6, 3000


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Binary units a, b (epoch, neuron, sample) and a label that is a[0] xor b[1] from the
    third epoch on (a coin flip before): only the pair of units 0 and 1 holds it, jointly."""
    rng = np.random.default_rng(9)
    a, b = rng.integers(0, 2, (2, N_EPOCHS, N_UNITS, N_SAMPLES))
    late = (np.arange(N_EPOCHS) >= 2)[:, None]
    label = np.where(late, a[:, 0] ^ b[:, 1], rng.integers(0, 2, (N_EPOCHS, N_SAMPLES)))
    dims = ("epoch", "neuron", "sample")
    ds = xr.Dataset(
        {"label": (("epoch", "sample"), label), "a": (dims, a), "b": (dims, b)},
        coords={"epoch": np.arange(1, N_EPOCHS + 1), "neuron": np.arange(N_UNITS)},
    )
    path = tmp_path_factory.mktemp("groups") / "planted.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    return path, ds


BASE = ["--target", "label", "--source", "a", "--source", "b", "--quiet", "--shuffles", "30"]


def run(path, *args):
    res = CliRunner().invoke(cli, ["analyze", str(path), *BASE, *map(str, args)])
    return res


def test_pairs_in_json_and_netcdf(planted, tmp_path):
    path, ds = planted
    nc = tmp_path / "atoms.nc"
    res = run(path, "--group-units", 2, "--measure", "mmi", "--format", "json", "-o", nc)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["settings"]["unit_dim"] == "neuron" and out["settings"]["unit_groups"] == 2
    group = out["groups"][0]
    assert group["unit_groups"] == ["0+1", "2+3", "4+5"] and group["n_units"] == 3
    saved = xr.open_dataset(nc)
    assert saved["atoms"].dims == ("epoch", "neuron_group", "atom")
    assert list(saved["neuron_group"].values) == ["0+1", "2+3", "4+5"]
    assert saved.attrs["groups"] == "0+1;2+3;4+5" and saved.attrs["grouped_dim"] == "neuron"
    # the pair (0, 1) holds the label only jointly once it is planted: with the minimum-MI
    # measure I(T; S1) = I(T; S2) = 0 and I(T; S1, S2) = 1 bit, all synergy
    syn = saved["atoms"].sel(atom="{12}")
    np.testing.assert_allclose(syn.sel(neuron_group="0+1").values[2:], 1.0, atol=0.02)
    assert np.abs(syn.sel(neuron_group="0+1").values[:2]).max() < 0.02
    assert np.abs(syn.sel(neuron_group=["2+3", "4+5"]).values).max() < 0.02
    # the same numbers as the library on the dataset
    lib = px.pid_dataset(
        ds, "label", ["a", "b"], groups=2, measure="mmi", estimator="shuffle", n_shuffles=30,
        random_state=0,
    )  # fmt: skip
    np.testing.assert_allclose(saved["atoms"].values, lib["atoms"].values, atol=1e-12)
    # the mean over the three pairs: a third of the pair's synergy
    mean = np.array(group["mean"]["{12}"])
    np.testing.assert_allclose(mean, syn.mean("neuron_group").values, atol=1e-12)


def test_explicit_groups_in_csv_and_table(planted):
    path, ds = planted
    res = run(path, "--unit-groups", "0,1;2,3;4", "--format", "csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == N_EPOCHS * 4
    assert {r["unit_groups"] for r in rows} == {"0+1;2+3;4"}
    lib = px.pid_dataset(
        ds, "label", ["a", "b"], groups=[[0, 1], [2, 3], [4]], estimator="shuffle",
        n_shuffles=30, random_state=0,
    )  # fmt: skip
    last = [r for r in rows if r["epoch"] == str(N_EPOCHS) and r["atom"] == "{12}"][0]
    expected = float(lib["atoms"].sel(atom="{12}").isel(epoch=-1).mean())
    assert float(last["mean"]) == pytest.approx(expected, abs=1e-12)
    table = run(path, "--unit-groups", "0,1;2,3;4")
    assert table.exit_code == 0, table.output
    assert "units: 3 groups of 'neuron'" in table.stdout and "0+1, 2+3, 4" in table.stdout
    assert "a per member codes/codes" in table.stdout


def test_without_groups_the_column_is_empty(planted):
    path, _ = planted
    res = run(path, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {r["unit_groups"] for r in rows} == {""}
    out = json.loads(run(path, "--format", "json").stdout)
    assert out["groups"][0]["unit_groups"] is None and out["groups"][0]["n_units"] == N_UNITS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group-units", "4"], "--group-units 4 does not split the 6 units of 'neuron'"),
        (
            ["--unit-groups", "0,1;1,2"],
            "unit 1 is in group 0 and again in group 1 of --unit-groups",
        ),
        (["--unit-groups", "0,6"], "group 0 of --unit-groups names unit 6, outside 0..5"),
        (["--unit-groups", "0,x"], "--unit-groups '0,x' is not a list of unit positions"),
        (["--unit-groups", ";"], "holds no group"),
        (["--group-units", "2", "--unit-groups", "0,1"], "not both"),
        (["--group-units", "2", "--unit-dim", "cell"], "--unit-dim 'cell' is not a dimension"),
        (["--group-units", "0"], "Invalid value for '--group-units'"),
        (["--group-units", "2", "--estimator", "knn"], "joint states of several units"),
    ],
)
def test_bad_groupings_exit_2_naming_the_option(planted, args, message):
    path, _ = planted
    res = run(path, *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert "Traceback" not in res.output
