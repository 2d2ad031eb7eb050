"""The binning of real-valued samples: the "auto" binning, the bins="auto" rule, any finite range."""

import numpy as np
import pytest

import pidtools
from pidtools.binning import MIN_SAMPLES_PER_CELL, auto_bin_count
from pidtools.kernels.estimate import auto_codes


def _auto(x, n_bins):
    x = np.ascontiguousarray(np.atleast_2d(x), dtype=np.float64)
    codes = np.empty(x.shape, dtype=np.int64)
    used = np.empty(x.shape[0], dtype=np.int64)
    auto_codes(x, n_bins, codes, used)
    return codes, used


@pytest.mark.parametrize("values", [(0.0, 1.0), (-1.0, 1.0), (0.0, 1.0, 2.0, 7.0)])
def test_few_distinct_values_give_the_atoms_of_their_integer_codes(values):
    """A rare binary / +-1 / small-alphabet float variable is coded, never merged into one bin."""
    rng = np.random.default_rng(11)
    n = 5000
    k = rng.choice(len(values), size=n, p=[0.91] + [0.09 / (len(values) - 1)] * (len(values) - 1))
    s = np.asarray(values)[k]
    t = np.where(rng.random(n) < 0.9, k % 2, 1 - k % 2)
    noise = rng.normal(size=n)
    as_float = pidtools.estimate(t.astype(float), [s, noise], bins=8)
    as_codes = pidtools.estimate(t, [k, noise], bins=(None, None, 8))
    np.testing.assert_allclose(as_float.atoms, as_codes.atoms, rtol=0, atol=1e-12)
    assert as_float.mi > 0.1  # the plain quantile binning loses this dependence entirely
    lost = pidtools.estimate(t.astype(float), [s, noise], bins=8, binning="quantile")
    assert lost.mi < 0.01


def test_a_heavy_tie_gets_a_bin_of_its_own_and_no_bin_is_empty():
    rng = np.random.default_rng(3)
    x = rng.normal(size=1000)
    x[:400] = 0.0  # 40 % of the samples at one value (a ReLU's zeros)
    codes, used = _auto(x, 8)
    counts = np.bincount(codes[0], minlength=8)
    assert used[0] == 8 and (counts > 0).all()
    zero_bin = codes[0][0]
    assert counts[zero_bin] == 400  # the tie alone in its bin
    for b in range(8):  # tied values never split across bins
        assert np.unique(x[codes[0] == b]).size >= 1
        assert not np.isin(x[codes[0] == b], x[codes[0] != b]).any()


def test_without_ties_bins_hold_equal_shares():
    x = np.random.default_rng(5).permutation(1000).astype(float)
    codes, _ = _auto(x, 8)
    counts = np.bincount(codes[0])
    assert counts.min() == 125 and counts.max() == 125
    # order is kept: bins are intervals
    assert (np.diff(codes[0][np.argsort(x)]) >= 0).all()


@pytest.mark.parametrize("binning", ["auto", "uniform", "quantile"])
def test_any_finite_range_is_binned_safely(binning):
    """Values near the float64 limits: codes in range, the right mutual information."""
    x = np.tile([-1.5e308, -1e307, 1e307, 1.5e308], 250)
    t = (x > 0).astype(int)
    res = pidtools.estimate(t, [x], bins=2, binning=binning)
    assert res.settings["alphabet"] == (2, 2)
    assert res.mi == pytest.approx(1.0, abs=1e-12)  # both bins split at the sign


def test_auto_bin_count_rule():
    for n, binned, coded in [(2000, 3, 1), (500, 3, 2), (500, 1, 4), (10**6, 2, 1), (100, 4, 2)]:
        b = auto_bin_count(n, binned, coded)
        assert 2 <= b <= 16
        fits = n >= MIN_SAMPLES_PER_CELL * coded * b**binned
        assert fits or b == 2
        assert b == 16 or n < MIN_SAMPLES_PER_CELL * coded * (b + 1) ** binned


def test_bins_auto_is_resolved_and_recorded():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 2, 2000)
    res = pidtools.estimate(t, [rng.normal(size=2000), rng.normal(size=2000)])
    b = auto_bin_count(2000, 2, 2)
    assert res.settings["bins"] == [None, b, b]
    assert res.settings["cells"] == 2 * b * b
    assert res.occupied == 2 * b * b  # every cell is reached at this N
    assert res.samples_per_cell == pytest.approx(2000 / (2 * b * b))
