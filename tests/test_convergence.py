"""Tests of pidtools.convergence.convergence: bias of the plug-in and shuffle estimators."""

import numpy as np
import pytest

import pidtools
from pidtools.convergence import convergence


@pytest.fixture(scope="module")
def pmf():
    return np.random.default_rng(2024).dirichlet(np.ones(32)).reshape(2, 4, 4)


@pytest.fixture(scope="module")
def plugin(pmf):
    return convergence(pmf, [50, 200, 1000, 10_000], "sx", "plugin", 50, 0)


def test_report_layout(pmf, plugin):
    assert plugin.bias.dims == ("n_samples", "atom")
    assert list(plugin.atom.values) == list(pidtools.pid(pmf).labels)
    np.testing.assert_allclose(plugin.true.values, pidtools.pid(pmf).atoms, atol=1e-12)
    np.testing.assert_allclose(
        plugin.bias, plugin.estimates.mean("repeat") - plugin.true, atol=1e-12
    )
    assert plugin.attrs["estimator"] == "plugin"


def test_plugin_bias_and_spread_shrink_with_n(plugin):
    syn = plugin.sel(atom="{12}")
    assert (np.diff(np.abs(syn.bias.values)) < 0).all()
    assert (np.diff(plugin["std"].values, axis=0) < 0).all()
    assert abs(syn.bias.sel(n_samples=10_000)) < 0.005


def test_plugin_mi_bias_matches_panzeri_treves(pmf):
    """Bias of I(T;S) ~ (nT - 1)(nS - 1) / (2 N ln 2) bits with nS = 16 joint source values."""
    n = 2000
    report = convergence(pmf, [n], "sx", "plugin", 400, 1)
    mi_bias = float(report.bias.sum("atom").item())
    assert mi_bias == pytest.approx((2 - 1) * (16 - 1) / (2 * n * np.log(2)), rel=0.3)


def test_shuffle_estimator_reduces_synergy_bias_at_small_n(pmf, plugin):
    shuffle = convergence(pmf, [50, 200], "sx", "shuffle", 50, 0, n_shuffles=20)
    for n in (50, 200):
        b_shuffle = abs(float(shuffle.bias.sel(atom="{12}", n_samples=n)))
        b_plugin = abs(float(plugin.bias.sel(atom="{12}", n_samples=n)))
        assert b_shuffle < 0.7 * b_plugin


def test_bad_input(pmf):
    with pytest.raises(ValueError, match="n_repeats"):
        convergence(pmf, [10], n_repeats=1)
    with pytest.raises(ValueError, match="sample_sizes"):
        convergence(pmf, [0])
    with pytest.raises(ValueError, match="does not sum to 1"):
        convergence(pmf * 2, [10])
    with pytest.raises(ValueError, match="unknown estimator"):
        convergence(pmf, [10], estimator="jackknife")
