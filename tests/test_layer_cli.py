"""`infomorph layer` on small planted layers: closed-form complexities, outputs, bad input."""

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from infomorph_cli.main import cli

XOR_C = np.log2(3 / 2) + 2 * np.log2(4 / 3)  # C of the I^sx atoms of XOR (1.4150)
COPY_C = 1 + np.log2(4 / 3) / 2  # COPY: Pi_2 = log2(4/3) of I = 2 bits (1.2075)


@pytest.fixture(scope="module")
def gates(tmp_path_factory):
    """Two binary units at every epoch and run; the label is XOR of them in the first epoch and
    their joint state (COPY) in the second; balanced designs, so the plug-in pmf is exact."""
    s = np.array([[0, 0, 1, 1], [0, 1, 0, 1]]).repeat(50, axis=1)  # (neuron, sample)
    act = np.broadcast_to(s, (2, 3, 2, 200)).copy()  # (epoch, run, neuron, sample)
    label = np.stack([s[0] ^ s[1], 2 * s[0] + s[1]])  # (epoch, sample)
    ds = xr.Dataset(
        {
            "hidden": (("epoch", "run", "neuron", "sample"), act.astype(np.int8)),
            "label": (("epoch", "sample"), label),
        },
        coords={"epoch": [1, 2]},
    )
    path = tmp_path_factory.mktemp("layer") / "gates.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    return path


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    rng = np.random.default_rng(0)
    label = rng.integers(0, 2, 600)
    act = rng.integers(0, 2, (2, 7, 600))
    act[:, 0] = label
    ds = xr.Dataset(
        {"h": (("epoch", "unit", "sample"), act), "y": (("sample",), label)},
        coords={"epoch": [0, 5]},
    )
    path = tmp_path_factory.mktemp("layer") / "wide.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_full_pid_of_two_units_gives_gate_complexities(gates, tmp_path):
    out_nc, fig = tmp_path / "c.nc", tmp_path / "c.png"
    res = run(
        "layer", gates, "--layer", "hidden", "--target", "label", "--run-dim", "run",
        "--format", "json", "-o", out_nc, "--plot", fig,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["steps"] == [1, 2]
    np.testing.assert_allclose(out["complexity"], [XOR_C, COPY_C], atol=1e-9)
    np.testing.assert_allclose(out["complexity_low"], out["complexity"], atol=1e-9)
    np.testing.assert_allclose(out["pi"][0], [np.log2(3 / 2), np.log2(4 / 3)], atol=1e-9)
    # Shannon invariants: XOR degree 0, vulnerability 2; COPY degree 1, vulnerability 1
    np.testing.assert_allclose(out["redundancy_degree"], [0, 1], atol=1e-9)
    np.testing.assert_allclose(out["vulnerability"], [2, 1], atol=1e-9)
    assert out["settings"]["full_pid"] is True and out["settings"]["n_sources"] == 2
    saved = xr.open_dataset(out_nc, engine="h5netcdf")
    assert saved["complexity"].shape == (2, 3, 1)
    assert fig.stat().st_size > 0


def test_one_joint_source_from_grouped_units(gates):
    res = run("layer", gates, "--layer", "hidden", "--target", "label", "--run-dim", "run",
              "--group-size", "2", "--format", "csv")  # fmt: skip
    assert res.exit_code == 0, res.output
    header, first, second = res.stdout.strip().splitlines()
    assert header.split(",")[:5] == ["epoch", "C", "C_low", "C_high", "Pi_1"]
    assert float(first.split(",")[1]) == pytest.approx(1.0)  # one source: C = 1


def test_wide_layer_is_subsampled_with_a_band(wide):
    res = run("layer", wide, "--layer", "h", "--target", "y", "--neuron-dim", "unit",
              "--subsets", "4", "--estimator", "shuffle", "--shuffles", "2")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "mean of 4 random 5-source subsets" in res.stdout
    assert "estimator shuffle" in res.stdout


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("--layer", "nope", "--target", "label"), "--layer 'nope' is not in the dataset"),
        (("--layer", "hidden", "--target", "label"), "--select run=VALUE"),
        (
            ("--layer", "hidden", "--target", "label", "--run-dim", "run", "--neuron-dim", "n"),
            "pass --neuron-dim",
        ),
        (
            ("--layer", "hidden", "--target", "label", "--run-dim", "run", "--groups", "0,5"),
            "--groups '0,5' names unit 5",
        ),
        (("--layer", "hidden", "--target", "label", "--estimator", "shuffle"), "--shuffles"),
        (("--layer", "hidden", "--target", "label", "--select", "run"), "DIM=VALUE"),
    ],
)
def test_bad_input_exits_2_naming_the_option(gates, args, match):
    res = run("layer", gates, *args)
    assert res.exit_code == 2
    last = res.output.strip().splitlines()[-1]
    assert match in last, last
