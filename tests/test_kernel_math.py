import numpy as np
import pytest

from pidtools.kernels._math import log2_inplace, log2_ratio_inplace


@pytest.mark.parametrize("scale", [1e-300, 1e-12, 1e-3, 0.5, 1.0, 3.7, 1e200])
def test_log2_matches_numpy_within_a_few_ulp(scale):
    x = np.random.default_rng(0).random(10_000) * scale + scale * 1e-3
    out = x.copy()
    log2_inplace(out, out.size)
    ref = np.log2(x)
    np.testing.assert_allclose(out, ref, rtol=4e-16, atol=4e-16 * np.abs(ref).max())


def test_log2_exact_powers_and_unusual_inputs():
    x = np.array([1.0, 2.0, 0.25, 2.0**-1000])
    log2_inplace(x, 4)
    assert x.tolist() == [0.0, 1.0, -2.0, -1000.0]
    y = np.array([0.0, 5e-324, 8.0, np.nan, np.inf])
    log2_inplace(y, 5)
    assert y[0] == -np.inf and y[1] == pytest.approx(-1074) and y[2] == 3.0
    assert np.isnan(y[3]) and y[4] == np.inf
    z = np.array([4.0, 8.0])
    log2_inplace(z, 1)  # only the first k entries
    assert z.tolist() == [2.0, 8.0]


@pytest.mark.parametrize("scale", [1e-300, 1e-12, 1.0, 1e200])
def test_log2_ratio_matches_long_double_within_a_few_ulp(scale):
    rng = np.random.default_rng(1)
    x = rng.random(10_001) * scale + scale * 1e-3
    d = x * np.exp(rng.normal(0.0, 5.0, x.size))  # ratios from about 1e-8 to 1e8, and near 1
    out = x.copy()
    log2_ratio_inplace(out, d, out.size)
    ref = np.log2(x.astype(np.longdouble) / d.astype(np.longdouble)).astype(float)
    np.testing.assert_allclose(out, ref, rtol=0, atol=4e-16 * np.abs(ref).max() + 5e-16)


def test_log2_ratio_unusual_quotients_and_first_k():
    x = np.array([1.0, 0.0, 1e-300, 2.0, np.nan, 3.0])
    d = np.array([4.0, 1.0, 1e300, 0.0, 1.0, 1.0])
    log2_ratio_inplace(x, d, 5)
    assert x[0] == -2.0 and x[1] == -np.inf and x[2] == -np.inf and x[3] == np.inf
    assert np.isnan(x[4]) and x[5] == 3.0
