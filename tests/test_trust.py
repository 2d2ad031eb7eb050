"""Numbers a reviewer can trust: calibration on independent data, power on planted data, and
agreement of the post-hoc analysis with the atoms a network recorded while it learned."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from infomorph.record import atom as record_atom
from infomorph_cli.main import cli
from pidtools.calibration import null_calibration
from pidtools.dynamics import planted_dataset

ALPHA = 0.05


def _within_binomial(rate: float, n: int, alpha: float, z: float) -> bool:
    return abs(rate - alpha) <= z * np.sqrt(alpha * (1 - alpha) / n)


#: (n_sources, n_samples, kind, bins): 2 and 3 sources, N = 500 and 5000, 4 to 16 bins,
#: discrete and continuous variables (fresh seeds below, not used anywhere else)
FAST_GRID = [
    (2, 500, "continuous", 4),
    (2, 500, "discrete", "auto"),
    (3, 500, "continuous", 4),
    (2, 5000, "mixed", 8),
    (3, 5000, "discrete", "auto"),
]
SLOW_GRID = [
    (2, 500, "continuous", 16),
    (3, 500, "continuous", 16),
    (2, 5000, "continuous", 4),
    (2, 5000, "continuous", 16),
    (3, 5000, "continuous", 4),
    (3, 500, "discrete", "auto"),
    (2, 5000, "discrete", "auto"),
    (3, 500, "mixed", 8),
]


def _check_calibration(grid, n_units, seed0):
    rates, n_total = [], 0
    for i, (n_sources, n, kind, bins) in enumerate(grid):
        c = null_calibration(
            n_units=n_units, n_samples=n, n_sources=n_sources, kind=kind, bins=bins,
            random_state=seed0 + i,
        )  # fmt: skip
        rate = float(c.unit_rate[list(c.alphas).index(ALPHA)])
        # each configuration within its 99 % binomial band, the pooled rate within 2 sigma
        assert _within_binomial(rate, n_units, ALPHA, z=2.58), (n_sources, n, kind, bins, rate)
        # bias: corrected atoms centre on 0 (the plug-in ones need not)
        assert np.abs(c.corrected_mean).max() <= 0.02, (n_sources, n, kind, bins)
        rates.append(rate * n_units)
        n_total += n_units
    assert _within_binomial(sum(rates) / n_total, n_total, ALPHA, z=2.0)


def test_false_positive_rate_on_independent_data_is_alpha():
    _check_calibration(FAST_GRID, n_units=300, seed0=9100)


@pytest.mark.slow
def test_false_positive_rate_on_independent_data_is_alpha_full_grid():
    _check_calibration(SLOW_GRID, n_units=300, seed0=9200)


def test_plugin_bias_is_large_where_the_corrected_atoms_are_not():
    """The reason for the default: 500 samples, 8 bins each, independent variables."""
    c = null_calibration(n_units=50, n_samples=500, n_sources=2, kind="continuous", bins=8,
                         random_state=9301)  # fmt: skip
    syn = list(c.labels).index("{12}")
    assert c.plugin_mean[syn] > 0.3  # pure sampling bias, reported as synergy by the plug-in
    assert abs(c.corrected_mean[syn]) < 0.02


@pytest.mark.parametrize(
    ("kind", "atom", "rising"),
    [("xor", "{12}", True), ("copy", "{1}", True), ("rdn", "{1}{2}", True)],
)
def test_planted_dynamics_are_detected_with_2000_samples(tmp_path, kind, atom, rising):
    ds = planted_dataset(kind, n_epochs=6, n_neurons=5, n_samples=2000, random_state=9400)
    path = tmp_path / f"{kind}.nc"
    ds.to_netcdf(path)
    res = CliRunner().invoke(cli, ["analyze", str(path), "--format", "json", "--quiet"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    g = out["groups"][0]
    assert not any(g["distinguishable"][atom][:1])  # epoch 1: the rule is never followed
    assert all(g["distinguishable"][atom][2:])
    assert g["dominant"]["last"] == ("{1}" if kind == "copy" else atom) or kind == "xor"
    trend = g["trend"][atom]
    assert (trend["rho"] > 0.9) == rising and trend["p_value"] < 0.05


def test_independent_units_report_nothing(tmp_path):
    """A dataset of pure noise: no atom distinguishable, no dominant atom, no trend."""
    rng = np.random.default_rng(9500)
    ds = planted_dataset("xor", n_epochs=5, n_neurons=20, n_samples=500, random_state=9501)
    ds["output"].values = rng.choice([-1, 1], size=ds["output"].shape)
    ds["receptive"] = ds["receptive"].astype(float) + rng.normal(size=ds["receptive"].shape)
    path = tmp_path / "noise.nc"
    ds.to_netcdf(path)
    res = CliRunner().invoke(cli, ["analyze", str(path), "--format", "json", "--quiet"])
    assert res.exit_code == 0, res.output
    g = json.loads(res.stdout)["groups"][0]
    assert g["dominant"] == {"first": None, "last": None}
    assert g["trend"] == {}
    assert all(f <= 0.2 for fr in g["fraction_significant"].values() for f in fr)
    assert "no atom is distinguishable" in res.stderr


def test_readout_analysis_agrees_with_the_atoms_recorded_in_training(tmp_path):
    """The read-out's output (+-1) and label-bit context (0/1) are coded, not merged into one
    bin; the analysed redundancy then follows what the neurons recorded while learning.

    Tolerance: the two are different estimates of the same quantity. The recorded atoms are
    means over the epoch's training mini-batches of plug-in atoms of histograms weighted by the
    firing probability (20 equal-width receptive bins, 128 samples each); the analysis uses 500
    probe samples after the epoch, the sampled output, tie-aware bins of the receptive input and
    the shuffle correction. Over the layer they agree within 0.05 bit at every epoch, and their
    per-neuron values correlate (r >= 0.9) across neurons and epochs.
    """
    run = tmp_path / "run.nc"
    res = CliRunner().invoke(
        cli,
        ["train", "--arch", "readout", "--epochs", "12", "--batch-size", "128",
         "--probe", "500", "--seed", "3", "-o", str(run), "--quiet"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out_nc = tmp_path / "atoms.nc"
    res = CliRunner().invoke(cli, ["analyze", str(run), "-o", str(out_nc), "--format", "json",
                                   "--quiet"])  # fmt: skip
    assert res.exit_code == 0, res.output
    import xarray as xr

    from infomorph.record import load

    rec = load(run)
    an = xr.open_dataset(out_nc).sel(layer="readout")
    labels = [str(v) for v in an["atom_label"].values]
    analysed = an["atoms"].isel(atom=labels.index("{1}{2}"), neuron=slice(0, 10)).values
    recorded = record_atom(rec, "readout", "{1}{2}").values
    assert np.isfinite(analysed).all()  # no read-out neuron lost to a merged bin
    assert np.abs(analysed.mean(axis=1) - recorded.mean(axis=1)).max() <= 0.05
    assert np.corrcoef(analysed.ravel(), recorded.ravel())[0, 1] >= 0.9
