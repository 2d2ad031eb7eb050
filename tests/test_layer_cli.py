"""`infomorph layer` on small planted layers: closed-form complexities, outputs, bad input."""

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from infomorph_cli.main import cli
from pidtools.layer import layer_pid, shannon_invariants

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
        "--format", "json", "-o", out_nc, "--plot", fig, "--estimator", "plugin",
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


def test_defaults_follow_analyze_shuffle_correction_and_auto_binning(gates):
    """By default every printed number is shuffle-corrected (20 shuffles), as the library
    gives it, and the report says so; on these exact gates the correction is small."""
    res = run("layer", gates, "--layer", "hidden", "--target", "label", "--run-dim", "run",
              "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    st = out["settings"]
    assert (st["estimator"], st["n_shuffles"], st["binning"]) == ("shuffle", 20, "auto")
    assert st["bins"] == "codes"  # integer units and label: nothing to bin
    ds = xr.open_dataset(gates, engine="h5netcdf")
    act, label = ds["hidden"].values[0, 0], ds["label"].values[0]
    lay = layer_pid(label, act, estimator="shuffle", n_shuffles=20, seed=0)
    inv = shannon_invariants(label, act, estimator="shuffle", n_shuffles=20, random_state=0)
    assert out["complexity"][0] == pytest.approx(lay.complexity, abs=1e-12)
    np.testing.assert_allclose(out["pi"][0], lay.pi, atol=1e-12)
    assert out["mi_layer"][0] == pytest.approx(inv.mi, abs=1e-12)
    assert out["vulnerability"][0] == pytest.approx(inv.vulnerability, abs=1e-12)
    plug = layer_pid(label, act)
    assert out["mi_layer"][0] < 1.0 and lay.result.mi < plug.result.mi  # bias removed
    assert out["complexity"][0] == pytest.approx(XOR_C, abs=0.05)
    table = run("layer", gates, "--layer", "hidden", "--target", "label", "--run-dim", "run")
    assert "estimator shuffle: 20 target shuffles per step" in table.stdout
    assert "integer codes" in table.stdout


def test_real_valued_layer_is_binned_once_for_all_steps(tmp_path):
    """Real-valued units: --bins auto is resolved from the first step for one PID's joint
    histogram (binary label x 3 units: 5 * 2 * B**3 <= 1200 -> B = 4) and used at every step;
    on independent noise the corrected complexity terms are near 0, the plug-in ones are not."""
    rng = np.random.default_rng(3)
    act = rng.normal(size=(2, 3, 1200))
    label = rng.integers(0, 2, 1200)
    path = tmp_path / "noise.nc"
    xr.Dataset({"h": (("epoch", "neuron", "sample"), act), "y": (("sample",), label)}).to_netcdf(
        path, engine="h5netcdf"
    )
    res = run("layer", path, "--layer", "h", "--target", "y", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["settings"]["bins"] == 4
    plug = json.loads(
        run("layer", path, "--layer", "h", "--target", "y", "--format", "json",
            "--estimator", "plugin").stdout
    )  # fmt: skip
    corrected, biased = np.array(out["pi"]), np.array(plug["pi"])
    assert np.abs(corrected).max() < 0.02 < biased[:, -1].min()
    lay = layer_pid(label, act[1], bins=4, estimator="shuffle", n_shuffles=20, seed=0)
    np.testing.assert_allclose(out["pi"][1], lay.pi, atol=1e-12)
    assert out["settings"]["warnings"] == []  # 1200 samples, 5 per cell by construction


def test_sparse_layers_are_flagged(tmp_path):
    """200 samples of 12 binary units and a 10-class label: a 5-source PID has 320 cells
    and the layer up to 200 distinct states, so both the subset PIDs and the whole-layer
    invariants are flagged; the numbers are still written."""
    rng = np.random.default_rng(4)
    act = rng.integers(0, 2, size=(2, 12, 200))
    label = rng.integers(0, 10, 200)
    path = tmp_path / "sparse.nc"
    xr.Dataset({"h": (("epoch", "neuron", "sample"), act), "y": (("sample",), label)}).to_netcdf(
        path, engine="h5netcdf"
    )
    args = ("layer", path, "--layer", "h", "--target", "y", "--subsets", "3", "--shuffles", "5")
    out = json.loads(run(*args, "--format", "json").stdout)
    st = out["settings"]
    assert st["min_samples_per_cell"] < 5
    assert st["max_layer_states"] > 200 / 5
    assert len(st["warnings"]) == 2
    text = run(*args).stdout
    assert "warning: as few as" in text and "distinct joint states in 200 samples" in text


def test_one_joint_source_from_grouped_units(gates):
    res = run("layer", gates, "--layer", "hidden", "--target", "label", "--run-dim", "run",
              "--group-size", "2", "--format", "csv")  # fmt: skip
    assert res.exit_code == 0, res.output
    header, first, second = res.stdout.strip().splitlines()
    assert header.split(",")[:6] == ["epoch", "C", "C_low", "C_high", "C_n", "Pi_1"]
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
        (("--layer", "hidden", "--target", "label", "--shuffles", "0"), "give --shuffles N"),
        (("--layer", "hidden", "--target", "label", "--bins", "1"), "integer >= 2 or 'auto'"),
        (("--layer", "hidden", "--target", "label", "--binning", "kde"), "'kde' is not one of"),
        (("--layer", "hidden", "--target", "label", "--select", "run"), "DIM=VALUE"),
    ],
)
def test_bad_input_exits_2_naming_the_option(gates, args, match):
    res = run("layer", gates, *args)
    assert res.exit_code == 2
    last = res.output.strip().splitlines()[-1]
    assert match in last, last


def test_complexity_counts_the_subsets_where_it_is_defined(tmp_path):
    """Units of pure noise: C is NaN in most subsets (no information above the null) and the
    report counts the subsets that do define it; a planted label copy defines it everywhere."""
    rng = np.random.default_rng(5)
    label = rng.integers(0, 2, 600)
    noise = rng.integers(0, 2, size=(1, 8, 600))
    copies = np.where(rng.random((1, 8, 600)) < 0.2, 1 - label, label)
    for name, act, expect_all in (("noise", noise, False), ("copies", copies, True)):
        path = tmp_path / f"{name}.nc"
        xr.Dataset(
            {"h": (("epoch", "neuron", "sample"), act), "y": (("sample",), label)}
        ).to_netcdf(path, engine="h5netcdf")
        args = ("layer", path, "--layer", "h", "--target", "y", "--subsets", "10")
        out = json.loads(run(*args, "--format", "json").stdout)
        assert out["complexity_of"] == 10
        defined = out["complexity_defined"][0]
        assert (defined == 10) if expect_all else (defined < 5)
        assert "C_n" in run(*args).stdout
