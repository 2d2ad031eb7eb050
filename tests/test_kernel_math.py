import numpy as np
import pytest

from pidtools.kernels._math import log2_inplace


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
