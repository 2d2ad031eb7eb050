"""Tests of pidtools.estimate: binning, plug-in and shuffle estimates, p-values, bootstrap."""

import numpy as np
import pytest
from scipy import stats

import pidtools
from pidtools import estimate
from pidtools.estimate import EstimateResult
from pidtools.measures import get_measure


def empirical_pmf(codes, sizes):
    """Independent reference: the normalised joint histogram of integer codes 0..k-1."""
    P = np.zeros(sizes)
    np.add.at(P, tuple(codes), 1.0)
    return P / P.sum()


def quantile_reference(x, n_bins):
    """The documented quantile rule, written with numpy's sort and searchsorted."""
    edges = np.sort(x)[np.arange(1, n_bins) * x.size // n_bins]
    return np.searchsorted(edges, x, side="right")


def uniform_reference(x, n_bins):
    return np.minimum(np.floor((x - x.min()) / (x.max() - x.min()) * n_bins), n_bins - 1).astype(
        int
    )


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(12345)


def noisy_xor(rng, n, flip=0.1):
    s1, s2 = rng.integers(0, 2, (2, n))
    t = (s1 ^ s2) ^ (rng.random(n) < flip)
    return t.astype(int), s1, s2


# ----------------------------------------------------------------- agreement with pidtools.pid


@pytest.mark.parametrize("n_sources", [1, 2, 3])
def test_integer_codes_match_pid_of_empirical_pmf(rng, n_sources):
    n = 3000
    src = [rng.integers(0, 3, n) for _ in range(n_sources)]
    t = (sum(src) + rng.integers(0, 2, n)) % 4
    res = estimate(t, src)
    ref = pidtools.pid(empirical_pmf([t, *src], (4,) + (3,) * n_sources))
    assert res.labels == ref.labels
    np.testing.assert_allclose(res.atoms, ref.atoms, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.mi, ref.mi, rtol=0, atol=1e-12)
    assert isinstance(res, EstimateResult) and isinstance(res, pidtools.PIDResult)


def test_integer_values_are_relabelled_by_sorted_distinct_values(rng):
    t, s1, s2 = noisy_xor(rng, 2000)
    res = estimate(10 * t - 5, [s1 + 7, 3 * s2])
    np.testing.assert_allclose(res.atoms, estimate(t, [s1, s2]).atoms, atol=1e-12)
    assert res.settings["alphabet"] == (2, 2, 2)


@pytest.mark.parametrize(
    "binning, reference", [("quantile", quantile_reference), ("uniform", uniform_reference)]
)
def test_float_binning_matches_documented_rule(rng, binning, reference):
    n, bins = 5000, (3, 5, 4)
    x1, x2 = rng.normal(size=(2, n))
    y = x1 * x2 + 0.5 * rng.standard_exponential(n)
    res = estimate(y, [x1, x2], bins=bins, binning=binning)
    codes = [reference(v, b) for v, b in zip((y, x1, x2), bins, strict=True)]
    ref = pidtools.pid(empirical_pmf(codes, bins))
    np.testing.assert_allclose(res.atoms, ref.atoms, rtol=0, atol=1e-12)


def test_quantile_bins_have_equal_counts_and_ties_share_a_bin(rng):
    x = rng.normal(size=8000)
    res = estimate(x, [x], bins=8, binning="quantile")
    # T = S: H(T) of 8 equal bins is exactly 3 bits
    assert float(res.entropy) == pytest.approx(3.0, abs=1e-12)
    ties = np.repeat(np.arange(5.0), [1, 1, 6, 1, 1])  # the median run of ties can't be split
    res = estimate(ties, [ties], bins=2, binning="quantile")
    p_upper = 8 / 10  # edge = order statistic of rank 5 = 2.0; the whole run goes up
    h = -(p_upper * np.log2(p_upper) + (1 - p_upper) * np.log2(1 - p_upper))
    assert float(res.entropy) == pytest.approx(h, abs=1e-12)


def test_explicit_edges_match_digitize(rng):
    x1, x2 = rng.uniform(-1, 1, (2, 4000))
    t = rng.integers(0, 3, 4000) + (x1 > 0)
    edges = [-np.inf, -0.3, 0.0, 0.5, np.inf]
    res = estimate(t, [x1, x2], binning=edges)
    codes = [t, np.digitize(x1, edges[1:-1]), np.digitize(x2, edges[1:-1])]
    ref = pidtools.pid(empirical_pmf(codes, (4, 4, 4)))
    np.testing.assert_allclose(res.atoms, ref.atoms, rtol=0, atol=1e-12)


def test_per_variable_bins_and_binning(rng):
    x1, x2 = rng.normal(size=(2, 3000))
    t = rng.integers(0, 2, 3000)
    res = estimate(t, [x1, x2], bins=(None, 3, 6), binning=[None, "quantile", "uniform"])
    codes = [t, quantile_reference(x1, 3), uniform_reference(x2, 6)]
    np.testing.assert_allclose(
        res.atoms, pidtools.pid(empirical_pmf(codes, (2, 3, 6))).atoms, atol=1e-12
    )


@pytest.mark.parametrize(
    "measure", sorted(m for m in pidtools.list_measures() if not m.startswith("dit"))
)
def test_every_registered_measure(rng, measure):
    t, s1, s2 = noisy_xor(rng, 1000)
    if 2 not in get_measure(measure).n_sources:
        pytest.skip(f"{measure} has no bivariate form")
    res = estimate(t, [s1, s2], measure=measure)
    ref = pidtools.pid(empirical_pmf([t, s1, s2], (2, 2, 2)), measure)
    np.testing.assert_allclose(res.atoms, ref.atoms, rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------------- batching and broadcasting


def test_batch_with_broadcast_target_equals_one_by_one(rng):
    n_neurons, n = 6, 2000
    label = rng.integers(0, 3, n)
    x1 = rng.normal(size=(n_neurons, n)) + label * np.linspace(0, 1, n_neurons)[:, None]
    x2 = rng.normal(size=(1, n))
    res = estimate(label, [x1, x2], bins=4, binning="quantile")
    assert res.batch_shape == (n_neurons,)
    for i in range(n_neurons):
        one = estimate(label, [x1[i], x2[0]], bins=4, binning="quantile")
        # equal up to rounding: the Mobius product in pidtools.pid is a BLAS matmul whose last
        # bits depend on the batch size
        np.testing.assert_allclose(res.atoms[i], one.atoms, rtol=1e-12, atol=1e-15)


def test_two_batch_axes_and_shuffles_are_independent_of_batch_layout(rng):
    n = 500
    x, y = rng.normal(size=(2, 2, 3, n))
    t = (x > 0).sum(axis=0)[None] + rng.integers(
        0, 2, (1, 3, n)
    )  # batch (1, 3), shared by x's rows
    kw = dict(bins=3, binning="quantile", n_shuffles=5, n_boot=5, random_state=7)
    res = estimate(t, [x, y], **kw)
    assert res.atoms.shape == (2, 3, 4) and res.p_value.shape == (2, 3, 4)
    flat = estimate(
        np.broadcast_to(t, x.shape).reshape(6, n), [x.reshape(6, n), y.reshape(6, n)], **kw
    )
    for name in ("atoms", "null_mean", "null_std", "p_value", "ci_low", "ci_high"):
        got, want = getattr(res, name).reshape(6, 4), getattr(flat, name)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------------------ convergence


def test_converges_to_true_atoms_at_large_n():
    rng = np.random.default_rng(2024)
    P = rng.dirichlet(np.ones(32)).reshape(2, 4, 4)
    cells = rng.choice(32, size=100_000, p=P.ravel())
    t, s1, s2 = np.unravel_index(cells, P.shape)
    res = estimate(t, [s1, s2])
    true = pidtools.pid(P)
    np.testing.assert_allclose(res.atoms, true.atoms, atol=0.01)


# ---------------------------------------------------------------- null, p-values, bootstrap


def test_shuffle_estimator_is_plugin_minus_null_mean(rng):
    t, s1, s2 = noisy_xor(rng, 300)
    res = estimate(t, [s1, s2], estimator="shuffle", n_shuffles=20, random_state=3)
    np.testing.assert_allclose(res.atoms, res.plugin_atoms - res.null_mean, atol=1e-15)
    np.testing.assert_allclose(res.mi, res.atoms.sum(), atol=1e-12)
    np.testing.assert_allclose(res.h_res, res.entropy - res.mi, atol=1e-12)
    np.testing.assert_allclose(res.redundancy @ pidtools.lattice(2).mobius.T, res.atoms, atol=1e-12)


def test_p_values_uniform_under_independence():
    rng = np.random.default_rng(99)
    n_neurons, n = 300, 200
    t = rng.integers(0, 2, (n_neurons, n))
    s1, s2 = rng.integers(0, 2, (2, n_neurons, n))
    res = estimate(t, [s1, s2], n_shuffles=99, random_state=5)
    for i, label in enumerate(res.labels):
        p = res.p_value[:, i]
        assert p.min() >= 1 / 100 and p.max() <= 1.0
        assert stats.kstest(p, "uniform").pvalue > 1e-3, label
        assert np.mean(p <= 0.05) < 0.12, label


def test_p_values_small_under_planted_dependence(rng):
    t, s1, s2 = noisy_xor(rng, 1000, flip=0.2)
    res = estimate(t, [s1, s2], n_shuffles=199, random_state=0)
    assert res.p_value[res.index("{12}")] == pytest.approx(1 / 200)
    assert res.null_std[res.index("{12}")] > 0


def test_resampling_is_reproducible(rng):
    t, s1, s2 = noisy_xor(rng, 400)
    kw = dict(n_shuffles=10, n_boot=10)
    a = estimate(t, [s1, s2], random_state=11, **kw)
    b = estimate(t, [s1, s2], random_state=11, **kw)
    c = estimate(t, [s1, s2], random_state=12, **kw)
    for name in ("null_mean", "ci_low"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not np.array_equal(getattr(a, name), getattr(c, name))
    fresh = estimate(t, [s1, s2], random_state=None, **kw)
    again = estimate(t, [s1, s2], random_state=fresh.settings["random_state"], **kw)
    np.testing.assert_array_equal(fresh.null_mean, again.null_mean)


def test_bootstrap_interval_matches_sampling_spread():
    """The 95% interval width is about 2 * 1.96 sd of the estimate over fresh samples."""
    rng = np.random.default_rng(8)
    P = rng.dirichlet(np.ones(8)).reshape(2, 2, 2)
    n, reps = 2000, 60
    cells = rng.choice(8, size=(reps, n), p=P.ravel())
    t, s1, s2 = np.unravel_index(cells, P.shape)
    res = estimate(t, [s1, s2], n_boot=200, random_state=1)
    width = (res.ci_high - res.ci_low).mean(axis=0)
    sd = res.atoms.std(axis=0)
    np.testing.assert_allclose(width, 2 * 1.96 * sd, rtol=0.35)
    assert (res.ci_low <= res.ci_high).all()


def test_shuffle_kernel_keeps_marginals_and_bootstrap_keeps_total(rng):
    from pidtools.kernels.estimate import element_seeds, resampled_counts

    codes = np.stack([rng.integers(0, 3, 50), rng.integers(0, 4, 50)]).astype(np.int64)
    rows = np.array([[0, 1]], dtype=np.int64)
    strides = np.array([4, 1], dtype=np.int64)
    seeds = np.empty(1, dtype=np.uint64)
    element_seeds(np.array([1, 2], dtype=np.uint64), np.array([0]), seeds)
    counts = np.empty((1, 30, 12))
    resampled_counts(codes, rows, strides, seeds, False, counts)
    hist = counts[0].reshape(30, 3, 4)
    np.testing.assert_array_equal(hist.sum(2), np.tile(np.bincount(codes[0], minlength=3), (30, 1)))
    np.testing.assert_array_equal(hist.sum(1), np.tile(np.bincount(codes[1], minlength=4), (30, 1)))
    assert len({h.tobytes() for h in hist}) > 1
    resampled_counts(codes, rows, strides, seeds, True, counts)
    assert (counts.sum(axis=2) == 50).all()


# ------------------------------------------------------------------------------ result API


def test_result_api(rng):
    t, s1, s2 = noisy_xor(rng, 500)
    res = estimate(t, [s1, s2], estimator="shuffle", n_shuffles=5, n_boot=5, random_state=0)
    assert res.labels == ("{1}{2}", "{1}", "{2}", "{12}")
    assert res["{2}{1}"] == res.red == res.atoms[0]
    da = res.to_xarray()
    assert list(da.atom.values) == list(res.labels)
    assert set(res.statistics()) == {
        "plugin_atoms",
        "null_mean",
        "null_std",
        "p_value",
        "p_adjusted",
        "ci_low",
        "ci_high",
    }
    s = res.settings
    assert (s["estimator"], s["n_shuffles"], s["n_boot"], s["n_samples"], s["random_state"]) == (
        "shuffle",
        5,
        5,
        500,
        0,
    )
    assert "p_value" in repr(res)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, sources, match",
    [
        ({}, "mismatch", "samples"),
        ({"bins": 4}, "nan", "NaN"),
        ({"bins": 64, "binning": "quantile"}, "few", "fewer than its 64 bins"),
        ({"bins": 4, "binning": "kmeans"}, "float", "unknown binning 'kmeans'"),
        ({"binning": "quantile"}, "float", "needs bins"),
        ({"estimator": "bayes"}, "int", "unknown estimator"),
        ({"measure": "nope"}, "int", "unknown measure"),
        ({"estimator": "shuffle"}, "int", "n_shuffles > 0"),
        ({"n_shuffles": -1}, "int", "n_shuffles must be an int"),
        ({"n_boot": 5, "ci": 1.5}, "int", "ci must be"),
        ({"bins": (None, 3, None)}, "int", "holds integers"),
        ({"binning": [0.0, 1.0, 0.5]}, "float", "strictly increasing"),
        ({"binning": [0.0, 0.5, 1.0]}, "float", "outside its bin edges"),
        ({}, "batch", "do not broadcast"),
        ({"n_shuffles": 2, "random_state": "x"}, "int", "random_state"),
    ],
)
def test_bad_input_errors(rng, kwargs, sources, match):
    n = 40
    t = rng.integers(0, 2, n)
    x = rng.normal(size=(2, n))
    src = {
        "int": [t, t],
        "float": [x[0], x[1]],
        "mismatch": [t, t[:-1]],
        "nan": [np.where(np.arange(n) == 3, np.nan, x[0]), x[1]],
        "few": [x[0], x[1]],
        "batch": [np.ones((3, n), int), np.ones((4, n), int)],
    }[sources]
    with pytest.raises((ValueError, TypeError), match=match):
        estimate(t, src, **kwargs)


def test_sources_must_be_a_list(rng):
    with pytest.raises(TypeError, match="list of arrays"):
        estimate(np.zeros(5, int), np.zeros((2, 5), int))


def test_errors_carry_the_parameter_name():
    from pidtools.errors import ParameterError, ParameterTypeError

    t = np.zeros(10, dtype=int)
    cases = [
        (dict(n_shuffles=-1), ParameterError, "n_shuffles"),
        (dict(ci=2.0, n_boot=2), ParameterError, "ci"),
        (dict(estimator="nope"), ParameterError, "estimator"),
        (dict(bins=1), ParameterError, "bins"),
        (dict(binning="kde"), ParameterError, "binning"),
        (dict(random_state="x", n_shuffles=2), ParameterTypeError, "random_state"),
        (dict(n_boot=10**9), ParameterError, "n_boot"),
    ]
    for kwargs, kind, param in cases:
        with pytest.raises(kind) as err:
            estimate(t, [t], **kwargs)
        assert err.value.param == param, kwargs
    with pytest.raises(ParameterError) as err:
        estimate(t, [np.arange(9)])
    assert err.value.param == "sources[0]"


def test_group_bins_apply_to_members_and_auto_counts_every_member():
    rng = np.random.default_rng(31)
    x, y = rng.normal(size=(2, 2000))
    a = rng.integers(0, 3, 2000)
    t = ((x > 0) ^ (y > 0)).astype(np.int64)

    def uniform_bins(v, k):
        return np.minimum((k * (v - v.min()) / (v.max() - v.min())).astype(int), k - 1)

    # a per-variable bins entry of a group is its members' number of bins
    grouped = pidtools.estimate(t, [(x, y), a], bins=[None, 4, None], binning="uniform")
    explicit = pidtools.estimate(t, [uniform_bins(x, 4) * 4 + uniform_bins(y, 4), a])
    np.testing.assert_allclose(grouped.atoms, explicit.atoms, atol=1e-12)
    assert grouped.settings["bins"] == [None, None, None]
    # bins="auto": 2 target values x 2 binned members, 5 * 2 * B**2 <= 2000 -> B = 14, so the
    # pair has 14 * 14 joint states (all of them seen in 2000 independent samples)
    res = pidtools.estimate(t, [(x, y)])
    assert res.settings["alphabet"] == (2, 196)
    # with a third variable binned as well: 5 * 2 * B**3 <= 2000 -> B = 5 for all three
    z = rng.normal(size=2000)
    res = pidtools.estimate(t, [(x, y), z])
    assert res.settings["bins"] == [None, None, 5]
    assert res.settings["alphabet"][1] == 25
