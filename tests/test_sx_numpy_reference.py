"""The numba kernels against an independent dense numpy implementation, at larger sizes."""

import sys
from pathlib import Path

import numpy as np
import pytest

import pidtools
from pidtools.core import goal_node_weights
from pidtools.testing import random_pmf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from numpy_sx import numpy_sx_gradient, numpy_sx_redundancy  # noqa: E402


@pytest.mark.parametrize("shape", [(2, 8, 8), (3, 5, 7), (2, 4, 4, 4), (2, 3, 3, 2, 3)])
def test_forward_and_gradient_match_dense_numpy(shape):
    rng = np.random.default_rng(sum(shape))
    n = len(shape) - 1
    P = np.stack([random_pmf(shape, rng, zero_fraction=z) for z in (0.0, 0.3, 0.6)])
    res = pidtools.pid(P, n_sources=n)
    np.testing.assert_allclose(res.redundancy, numpy_sx_redundancy(P, n), rtol=0, atol=1e-12)
    goal = {lab: rng.normal() for lab in res.labels}
    c, _ = goal_node_weights(goal, n)
    grad = pidtools.sx_gradient(P, goal, n_sources=n)
    ref = numpy_sx_gradient(P, n, c)
    on = P > 0
    np.testing.assert_allclose(grad[on], ref[on], rtol=1e-9, atol=1e-9)
    both = np.isfinite(grad) & np.isfinite(ref)
    np.testing.assert_allclose(grad[both], ref[both], rtol=1e-9, atol=1e-9)
