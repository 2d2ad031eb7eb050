"""Grouped units in pidtools.xarray.pid_dataset: tuple sources and ``groups=`` along a unit
dimension, against explicitly joint-coded variables, chunking, bad groups, null and planted
data."""

import numpy as np
import pytest
import xarray as xr

import pidtools
import pidtools.xarray as px
from pidtools.errors import ParameterError, ParameterTypeError

pytest.importorskip("dask")

STATS = dict(estimator="shuffle", n_shuffles=12, n_boot=6, random_state=7)
OUTPUTS = ("atoms", "mi", "occupied", "plugin_atoms", "null_mean", "null_std", "p_value",
           "p_adjusted", "ci_low", "ci_high")  # fmt: skip


@pytest.fixture(scope="module")
def codes():
    """Integer units x(epoch, neuron, sample) with 3 values, a second integer variable y with
    the same dims, and a label per sample."""
    rng = np.random.default_rng(11)
    n_epochs, n_units, n = 2, 5, 900
    x = rng.integers(0, 3, (n_epochs, n_units, n))
    y = rng.integers(0, 2, (n_epochs, n_units, n))
    label = (x[0, 0] + x[0, 1] + rng.integers(0, 2, n)) % 3
    return xr.Dataset(
        {
            "label": ("sample", label),
            "x": (("epoch", "neuron", "sample"), x),
            "y": (("epoch", "neuron", "sample"), y),
        },
        coords={"epoch": [1, 2], "neuron": [10, 11, 12, 13, 14]},
    )


def hand_codes(units: np.ndarray, groups, base: int) -> np.ndarray:
    """(..., n_groups, n_samples): per group the joint code sum_k u_k * base**(m-1-k) of its
    members' integer codes ``0..base-1`` (``units``: (..., n_units, n_samples))."""
    out = []
    for group in groups:
        code = np.zeros_like(units[..., 0, :])
        for u in group:
            code = code * base + units[..., u, :]
        out.append(code)
    return np.stack(out, axis=-2)


def assert_outputs_equal(out, res):
    for name in OUTPUTS:
        np.testing.assert_allclose(out[name].values, getattr(res, name), rtol=0, atol=1e-12)


def test_groups_equal_estimate_on_hand_joint_codes(codes):
    groups = [[0, 1], [2, 3], [4]]
    out = px.pid_dataset(codes, "label", ["x", "y"], groups=groups, **STATS)
    assert out.atoms.dims == ("epoch", "neuron_group", "atom")
    assert list(out.neuron_group.values) == ["10+11", "12+13", "14"]
    assert out.attrs["groups"] == "10+11;12+13;14" and out.attrs["grouped_dim"] == "neuron"
    x, y = codes.x.values, codes.y.values
    res = pidtools.estimate(
        codes.label.values, [hand_codes(x, groups, 3), hand_codes(y, groups, 2)], **STATS
    )
    assert_outputs_equal(out, res)


def test_grouped_target_equals_hand_joint_codes(codes):
    """Every variable with the unit dimension is grouped, the target too."""
    out = px.pid_dataset(codes, "y", ["x"], groups=[[4, 0], [1, 2, 3]], **STATS)
    groups = [[4, 0], [1, 2, 3]]
    x, y = codes.x.values, codes.y.values
    res = pidtools.estimate(hand_codes(y, groups, 2), [hand_codes(x, groups, 3)], **STATS)
    assert list(out.neuron_group.values) == ["14+10", "11+12+13"]
    assert_outputs_equal(out, res)


def test_tuple_source_equals_hand_joint_codes(codes):
    out = px.pid_dataset(codes, "label", [("x", "y")], **STATS)
    x, y = codes.x.values, codes.y.values
    res = pidtools.estimate(codes.label.values, [x * 2 + y], **STATS)
    assert out.atoms.dims == ("epoch", "neuron", "atom")
    assert_outputs_equal(out, res)


def test_consecutive_and_explicit_groups_agree(codes):
    sub = codes.isel(neuron=[0, 1, 2, 3])
    a = px.pid_dataset(sub, "label", ["x", "y"], groups=2, **STATS)
    b = px.pid_dataset(sub, "label", ["x", "y"], groups=[[0, 1], [2, 3]], **STATS)
    xr.testing.assert_identical(a, b)
    assert a.attrs == b.attrs


@pytest.fixture(scope="module")
def real():
    """Real-valued units a, b (epoch, neuron, sample); label depends on the pair (0, 1) of a."""
    rng = np.random.default_rng(12)
    n_epochs, n_units, n = 2, 6, 1200
    a = rng.normal(size=(n_epochs, n_units, n))
    b = rng.normal(size=(n_epochs, n_units, n))
    label = ((a[0, 0] > 0) ^ (a[0, 1] > 0)).astype(np.int64)
    return xr.Dataset(
        {
            "label": ("sample", label),
            "a": (("epoch", "neuron", "sample"), a),
            "b": (("epoch", "neuron", "sample"), b),
        }
    )


@pytest.mark.parametrize(
    "kw",
    [
        {},  # auto binning, auto bins
        {"bins": 3, "binning": "quantile"},
        {"bins": [None, 4, 3], "binning": ["auto", "uniform", "quantile"]},
    ],
)
def test_real_members_binned_like_estimate_tuples(real, kw):
    """Each member is binned as a variable of its own, as estimate does for a tuple source."""
    out = px.pid_dataset(real, "label", ["a", "b"], groups=2, **STATS, **kw)
    a, b = real.a.values, real.b.values
    res = pidtools.estimate(
        real.label.values,
        [(a[:, 0::2], a[:, 1::2]), (b[:, 0::2], b[:, 1::2])],
        **STATS,
        **kw,
    )
    assert_outputs_equal(out, res)
    assert list(out.neuron_group.values) == ["0+1", "2+3", "4+5"]


def test_auto_bins_count_every_member():
    """bins="auto" leaves 5 samples per cell of the joint histogram with every member counted
    as a variable: 2 label values x 4 binned members -> 5 * 2 * B**4 <= 1000 -> B = 3."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4, 1000))
    label = rng.integers(0, 2, 1000)
    ds = xr.Dataset({"label": ("sample", label), "a": (("neuron", "sample"), a)})
    out = px.pid_dataset(ds, "label", [("a", "a")], groups=2)
    assert out.attrs["bins"] == "[None, [3, 3, 3, 3]]"
    res = pidtools.estimate(label, [(a[0], a[1], a[0], a[1])])
    assert res.settings["alphabet"][1] <= 3**4
    np.testing.assert_allclose(out.atoms.values[0], res.atoms, atol=1e-12)


@pytest.mark.parametrize(
    "chunks", [{"epoch": 1}, {"neuron": 1}, {"neuron": 4, "epoch": 1}, {"sample": 300}]
)
def test_chunking_does_not_change_grouped_results(real, chunks):
    kw = dict(groups=[[0, 1], [2, 3, 4], [5]], **STATS)
    eager = px.pid_dataset(real, "label", ["a", ("b", "a")], **kw)
    lazy = px.pid_dataset(real.chunk(chunks), "label", ["a", ("b", "a")], **kw)
    assert lazy.atoms.chunks is not None  # nothing computed yet
    computed = lazy.compute()
    for name in eager.data_vars:
        np.testing.assert_array_equal(computed[name].values, eager[name].values)
    assert computed.attrs == eager.attrs
    assert list(computed.neuron_group.values) == ["0+1", "2+3+4", "5"]


def test_padding_member_makes_its_group_absent(real):
    ds = real.copy(deep=True)
    ds["a"][1, 3] = np.nan  # unit 3 is padding at epoch 2
    out = px.pid_dataset(ds, "label", ["a"], groups=2, bins=3, skip_missing=True)
    full = px.pid_dataset(real, "label", ["a"], groups=2, bins=3)
    assert np.isnan(out.atoms.values[1, 1]).all()
    keep = np.ones((2, 3), dtype=bool)
    keep[1, 1] = False
    np.testing.assert_allclose(out.atoms.values[keep], full.atoms.values[keep], atol=1e-12)
    with pytest.raises(ParameterError, match="NaN") as err:
        px.pid_dataset(ds, "label", ["a"], groups=2, bins=3).compute()
    assert err.value.param == "sources[0]"


@pytest.mark.parametrize(
    ("kw", "param", "match"),
    [
        ({"groups": [[0, 6]]}, "groups", r"unit 6, outside 0\.\.5"),
        ({"groups": [[0, -1]]}, "groups", "outside"),
        ({"groups": [[0, 1], []]}, "groups", "group 1 of groups is empty"),
        ({"groups": []}, "groups", "groups is empty"),
        ({"groups": [[0, 1], [1, 2]]}, "groups", "unit 1 is in group 0 and again in group 1"),
        ({"groups": [[2, 2]]}, "groups", "unit 2 is twice in group 0"),
        ({"groups": 4}, "groups", "does not split the 6 units"),
        ({"groups": 0}, "groups", ">= 1"),
        ({"groups": True}, "groups", "an int"),
        ({"groups": "0,1"}, "groups", "list of lists"),
        ({"groups": [[0, 1.5]]}, "groups", "position"),
        ({"groups": 2, "group_dim": "unit"}, "group_dim", "'unit' is not a dimension"),
        ({"groups": 2, "group_dim": "sample"}, "group_dim", "sample dimension"),
        ({"groups": 2, "estimator": "knn"}, "groups", "knn"),
    ],
)
def test_bad_groups_name_the_parameter(real, kw, param, match):
    with pytest.raises((ParameterError, ParameterTypeError), match=match) as err:
        px.pid_dataset(real, "label", ["a"], **kw)
    assert err.value.param == param


def test_bad_tuple_sources(real):
    with pytest.raises(ParameterError, match="empty group") as err:
        px.pid_dataset(real, "label", ["a", ()])
    assert err.value.param == "sources[1]"
    with pytest.raises(ParameterError, match="not a variable") as err:
        px.pid_dataset(real, "label", [("a", "c")])
    assert err.value.param == "sources[0]"
    with pytest.raises(ParameterError, match="estimator='knn'"):
        px.pid_dataset(real, "label", [("a", "b")], estimator="knn")


def test_shuffle_on_independent_noise_is_consistent_with_zero():
    """Independent real-valued units grouped in pairs: corrected atoms average 0 within their
    standard error and groups with any atom called stay near the level."""
    rng = np.random.default_rng(21)
    n_epochs, n_units, n = 3, 40, 1000
    ds = xr.Dataset(
        {
            "label": ("sample", rng.integers(0, 2, n)),
            "a": (("epoch", "neuron", "sample"), rng.normal(size=(n_epochs, n_units, n))),
            "b": (("epoch", "neuron", "sample"), rng.normal(size=(n_epochs, n_units, n))),
        }
    )
    out = px.pid_dataset(
        ds, "label", ["a", "b"], groups=2, estimator="shuffle", n_shuffles=40, random_state=2
    )
    atoms = out.atoms.values.reshape(-1, 4)  # 60 groups x 4 atoms
    se = atoms.std(axis=0, ddof=1) / np.sqrt(atoms.shape[0])
    assert (np.abs(atoms.mean(axis=0)) <= 4 * se).all()
    plugin = out.plugin_atoms.values.reshape(-1, 4)
    assert plugin[:, 3].mean() > 10 * se[3]  # the plug-in synergy is biased upwards
    called = (out.p_adjusted.values.reshape(-1, 4) <= 0.05).any(axis=1).mean()
    assert called <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / atoms.shape[0])


def test_planted_pair_effect_is_synergy_only_when_grouped():
    """label = a[0] xor b[1]: no unit on its own (nor a pair of a and b at one unit) carries
    information; grouped in pairs, the sources (a0, a1) and (b0, b1) hold it only jointly:
    I(T; S1) = I(T; S2) = 0 and I(T; S1, S2) = 1 bit, so with the minimum-MI measure the
    synergy is 1 bit and every other atom 0."""
    rng = np.random.default_rng(5)
    n = 3000
    a, b = rng.integers(0, 2, (2, 4, n))
    ds = xr.Dataset(
        {
            "label": ("sample", a[0] ^ b[1]),
            "a": (("neuron", "sample"), a),
            "b": (("neuron", "sample"), b),
        }
    )
    kw = dict(measure="mmi", estimator="shuffle", n_shuffles=50, random_state=0)
    units = px.pid_dataset(ds, "label", ["a", "b"], **kw)
    assert np.abs(units.atoms.values).max() < 0.01
    pairs = px.pid_dataset(ds, "label", ["a", "b"], groups=2, **kw)
    syn = pairs.atoms.sel(atom="{12}")
    assert syn.sel(neuron_group="0+1") == pytest.approx(1.0, abs=0.01)
    assert abs(float(syn.sel(neuron_group="2+3"))) < 0.01
    others = pairs.atoms.sel(neuron_group="0+1").drop_sel(atom="{12}")
    assert np.abs(others.values).max() < 0.01
    assert float(pairs.p_adjusted.sel(neuron_group="0+1", atom="{12}")) == pytest.approx(1 / 51)
