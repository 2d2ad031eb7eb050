"""The two evaluation paths of I^sx (support cells / dense grids) give the same numbers."""

import numpy as np
import pytest

import pidtools
from pidtools.core import goal_node_weights
from pidtools.measures.sx import _dense_plan, sx_redundancy, sx_redundancy_gradient
from pidtools.testing import random_pmf


def _pmf_with_support(shape, n_nonzero, rng):
    """A random pmf with exactly ``n_nonzero`` non-zero cells."""
    p = np.zeros(int(np.prod(shape)))
    cells = rng.choice(p.size, size=n_nonzero, replace=False)
    p[cells] = rng.random(n_nonzero) + 0.05
    return (p / p.sum()).reshape(shape)


@pytest.mark.parametrize("shape", [(2, 5), (2, 6, 7), (3, 4, 5), (2, 5, 4, 6), (2, 3, 2, 3, 2)])
def test_dense_and_support_paths_agree(shape):
    rng = np.random.default_rng(sum(shape))
    n = len(shape) - 1
    n_cells = int(np.prod(shape))
    dense_min = _dense_plan(shape, n)[-1]
    # one pmf on each side of the switch (where the shape allows both), plus a full one
    sizes = {max(2, min(n_cells, dense_min - 1)), min(n_cells, max(dense_min, 2)), n_cells}
    P = np.stack([_pmf_with_support(shape, k, rng) for k in sorted(sizes)])
    red, _ = sx_redundancy(P, n)
    red_support, local = sx_redundancy(P, n, local=True)  # local values: always the support path
    np.testing.assert_allclose(red, red_support, rtol=0, atol=1e-13)
    # the local values average to the global ones
    weights = P.reshape(len(P), -1)
    summed = np.einsum("bc,bca->ba", weights, np.nan_to_num(local.reshape(len(P), n_cells, -1)))
    np.testing.assert_allclose(summed, red, rtol=0, atol=1e-13)

    goal = {lab: float(rng.normal()) for lab in pidtools.lattice(n).labels}
    c, _ = goal_node_weights(goal, n)
    for w_res in (0.0, 0.4):
        every = sx_redundancy_gradient(P, n, c, w_res, all_cells=True)  # dense path
        on_support = sx_redundancy_gradient(P, n, c, w_res, all_cells=False)
        on = P > 0
        np.testing.assert_allclose(on_support[on], every[on], rtol=1e-11, atol=1e-11)
        assert np.all(on_support[~on] == 0.0)


def test_the_switch_depends_on_the_support_size():
    """Histogram-like pmfs stay on the support path; full pmfs take the dense one."""
    for shape in [(2, 20, 20), (2, 20, 20, 20)]:
        n_cells = int(np.prod(shape))
        dense_min = _dense_plan(shape, len(shape) - 1)[-1]
        assert 0 < dense_min < n_cells
    # with 4 sources of 2 values, every pmf is cheaper on its support
    assert _dense_plan((2, 2, 2, 2, 2), 4)[-1] > 32


def test_zero_marginals_on_the_dense_path():
    """A full-support pmf but for one empty target value: the dense path stays finite."""
    rng = np.random.default_rng(3)
    p = random_pmf((3, 6, 6), rng)
    p[1] = 0.0
    p /= p.sum()
    red, _ = sx_redundancy(p[None], 2)
    red_support, _ = sx_redundancy(p[None], 2, local=True)
    assert np.all(np.isfinite(red))
    np.testing.assert_allclose(red, red_support, rtol=0, atol=1e-13)
