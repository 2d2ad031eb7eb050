"""Tests of pidtools.xarray.pid_dataset: labels, broadcasting, dask laziness and chunking."""

import numpy as np
import pytest
import xarray as xr

import pidtools
import pidtools.xarray as px

pytest.importorskip("dask")


@pytest.fixture(scope="module")
def ds():
    """Activations (epoch, neuron, sample) of two input classes and a label per sample."""
    rng = np.random.default_rng(4)
    n_epochs, n_neurons, n = 3, 5, 600
    label = rng.integers(0, 3, n)
    gain = np.linspace(0, 1.5, n_neurons)[None, :, None]
    a1 = rng.normal(size=(n_epochs, n_neurons, n)) + gain * label
    a2 = rng.normal(size=(n_epochs, n_neurons, n)) + gain * (label == 1)
    spikes = rng.poisson(2 + label, size=(n_neurons, n))  # integer source without epochs
    return xr.Dataset(
        {
            "label": ("sample", label),
            "a1": (("epoch", "neuron", "sample"), a1),
            "a2": (("epoch", "neuron", "sample"), a2),
            "spikes": (("neuron", "sample"), spikes),
        },
        coords={"neuron": [f"n{i}" for i in range(n_neurons)], "epoch": [0, 10, 20]},
    )


STAT_KW = dict(
    bins=4, binning="quantile", estimator="shuffle", n_shuffles=8, n_boot=8, random_state=5
)


def test_matches_estimate_on_arrays(ds):
    out = px.pid_dataset(ds, "label", ["a1", "a2"], **STAT_KW)
    res = pidtools.estimate(ds.label.values, [ds.a1.values, ds.a2.values], **STAT_KW)
    assert out.atoms.dims == ("epoch", "neuron", "atom")
    assert list(out.atom.values) == list(res.labels)
    assert list(out.neuron.values) == list(ds.neuron.values)
    for name in (
        "atoms",
        "mi",
        "plugin_atoms",
        "null_mean",
        "null_std",
        "p_value",
        "ci_low",
        "ci_high",
    ):
        np.testing.assert_allclose(out[name].values, getattr(res, name), rtol=1e-12, atol=1e-15)
    assert out.attrs["measure"] == "sx" and out.attrs["estimator"] == "shuffle"
    assert out.attrs["binning"] == "'quantile'" and out.attrs["n_shuffles"] == 8
    assert out.attrs["pidtools_version"] == pidtools.__version__


@pytest.mark.parametrize("chunks", [{"epoch": 1}, {"neuron": 2}, {"epoch": 2, "neuron": 3}])
def test_dask_is_lazy_and_chunking_does_not_change_results(ds, chunks):
    eager = px.pid_dataset(ds, "label", ["a1", "a2"], **STAT_KW)
    lazy = px.pid_dataset(ds.chunk(chunks), "label", ["a1", "a2"], **STAT_KW)
    assert lazy.atoms.chunks is not None  # nothing computed yet
    computed = lazy.compute()
    for name in eager.data_vars:
        np.testing.assert_allclose(
            computed[name].values, eager[name].values, rtol=1e-12, atol=1e-15
        )
    assert computed.attrs == eager.attrs


def test_integer_source_broadcast_and_chunked(ds):
    kw = dict(n_shuffles=5, random_state=1)
    eager = px.pid_dataset(
        ds, "label", ["spikes", "a1"], bins=(None, None, 3), binning="uniform", **kw
    )
    lazy = px.pid_dataset(
        ds.chunk({"neuron": 2, "epoch": 1}),
        "label",
        ["spikes", "a1"],
        bins=(None, None, 3),
        binning="uniform",
        **kw,
    ).compute()
    assert eager.atoms.dims == ("neuron", "epoch", "atom")
    xr.testing.assert_allclose(lazy, eager, rtol=1e-12, atol=1e-15)
    # the integer alphabet is the whole array's, even in a chunk that lacks some values
    one = pidtools.estimate(
        ds.label.values,
        [ds.spikes.values[1], ds.a1.values[2, 1]],
        bins=(None, None, 3),
        binning="uniform",
    )
    np.testing.assert_allclose(
        eager.atoms.sel(neuron="n1", epoch=20), one.atoms, rtol=1e-12, atol=1e-15
    )


def test_sample_dim_chunks_are_merged(ds):
    lazy = px.pid_dataset(ds.chunk({"sample": 100}), "label", ["a1"], bins=3, binning="quantile")
    eager = px.pid_dataset(ds, "label", ["a1"], bins=3, binning="quantile")
    xr.testing.assert_allclose(lazy.compute(), eager, rtol=1e-12, atol=1e-15)


def test_random_state_none_is_resolved_once_and_recorded(ds):
    sub = ds.isel(epoch=[0], neuron=[0, 1])
    a = px.pid_dataset(sub.chunk({"neuron": 1}), "label", ["a1"], bins=3, n_shuffles=4)
    b = px.pid_dataset(
        sub, "label", ["a1"], bins=3, n_shuffles=4, random_state=int(a.attrs["random_state"])
    )
    np.testing.assert_allclose(a.null_mean.values, b.null_mean.values, rtol=1e-12, atol=1e-15)


def test_errors(ds):
    with pytest.raises(ValueError, match="no sample dimension 'time'"):
        px.pid_dataset(ds, "label", ["a1"], sample_dim="time", bins=3)
    with pytest.raises(ValueError, match="not a variable of ds"):
        px.pid_dataset(ds, "label", ["a3"], bins=3)
    with pytest.raises(ValueError, match="unknown binning"):
        px.pid_dataset(ds.chunk({"neuron": 1}), "label", ["a1"], bins=3, binning="kde")
    with pytest.raises(TypeError, match="list of variable names"):
        px.pid_dataset(ds, "label", "a1")


def test_skip_missing_pads_absent_elements_with_nan():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 300))
    y = x + rng.normal(size=x.shape)
    x[1, 3:] = np.nan  # a layer with three neurons padded to five
    y[1, 3:] = np.nan
    ds = xr.Dataset(
        {"x": (("layer", "neuron", "sample"), x), "y": (("layer", "neuron", "sample"), y)}
    )
    out = px.pid_dataset(ds, "y", ["x"], bins=4, binning="quantile", skip_missing=True)
    assert np.isnan(out["atoms"].values[1, 3:]).all() and np.isnan(out["mi"].values[1, 3:]).all()
    ref = px.pid_dataset(ds.isel(layer=[0]), "y", ["x"], bins=4, binning="quantile")
    np.testing.assert_allclose(out["atoms"].values[0], ref["atoms"].values[0], rtol=1e-12)
    lazy = px.pid_dataset(
        ds.chunk({"neuron": 2}), "y", ["x"], bins=4, binning="quantile", skip_missing=True
    )
    np.testing.assert_allclose(lazy["atoms"].values, out["atoms"].values, rtol=1e-12)
    x[0, 0, 7] = np.nan  # NaN at some samples only is still an error
    with pytest.raises(ValueError, match="NaN"):
        px.pid_dataset(
            ds.assign(x=(("layer", "neuron", "sample"), x)), "y", ["x"], bins=4, skip_missing=True
        )
    # the message names the variable's role and the sample dimension, lazily too
    bad = ds.assign(x=(("layer", "neuron", "sample"), x)).chunk({"neuron": 2})
    message = r"sources\[0\] contains NaN or infinite values along sample_dim 'sample'"
    with pytest.raises(ValueError, match=message):
        px.pid_dataset(bad, "y", ["x"], bins=4, skip_missing=True).compute()
    padded = r"target contains NaN or infinite values along sample_dim 'sample' \(pass skip_missing"
    with pytest.raises(ValueError, match=padded):
        px.pid_dataset(ds.isel(layer=[1]), "y", ["x"], bins=4).compute()
