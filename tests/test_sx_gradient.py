"""The analytic gradient of I^sx goals against central finite differences."""

import numpy as np
import pytest

import pidtools
from pidtools.core import goal_node_weights
from pidtools.distributions import gate
from pidtools.errors import ParameterError
from pidtools.measures.sx import sx_redundancy, sx_redundancy_gradient


def _goal_value(q, goal, n):
    """G at an arbitrary positive array q (not renormalised): the formula differentiated."""
    c, c_res = goal_node_weights(goal, n)
    red, _ = sx_redundancy(q[None], n)
    h_res = -(q * np.log2(q / q.sum(axis=0))).sum()
    return float(red[0] @ c + c_res * h_res)


def _interior_pmf(shape, rng):
    p = 0.8 * rng.dirichlet(np.full(int(np.prod(shape)), 2.0)) + 0.2 / np.prod(shape)
    return p.reshape(shape)


@pytest.mark.parametrize("shape", [(2, 2, 2), (2, 3, 4), (3, 3, 2), (2, 2, 2, 3), (3, 2, 3, 2)])
@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_matches_central_differences(shape, seed):
    rng = np.random.default_rng(seed)
    n = len(shape) - 1
    p = _interior_pmf(shape, rng)
    goal = {lab: rng.normal() for lab in pidtools.lattice(n).labels}
    goal["H_res"] = rng.normal()
    grad = pidtools.sx_gradient(p, goal)
    h = 1e-6
    fd = np.empty_like(p)
    for i in np.ndindex(shape):
        e = np.zeros_like(p)
        e[i] = h
        fd[i] = (_goal_value(p + e, goal, n) - _goal_value(p - e, goal, n)) / (2 * h)
    rel = np.abs(grad - fd).max() / np.abs(fd).max()
    assert rel < 1e-5


def test_directional_derivative_through_public_api():
    rng = np.random.default_rng(5)
    p = _interior_pmf((2, 3, 3), rng)
    goal = {"{1}{2}": 1.0, "{12}": -0.5, "{1}": 0.3}
    d = rng.normal(size=p.shape)
    d -= d.mean()  # stay on the simplex
    h = 1e-6

    def G(q):
        res = pidtools.pid(q)
        return sum(w * res[k] for k, w in goal.items())

    fd = (G(p + h * d) - G(p - h * d)) / (2 * h)
    assert float((pidtools.sx_gradient(p, goal) * d).sum()) == pytest.approx(fd, rel=1e-6)


def test_support_only_gradient_agrees_on_support_and_batches():
    rng = np.random.default_rng(7)
    P = np.stack([_interior_pmf((2, 4, 3), rng) for _ in range(5)])
    P[1, 0, 1, 2] = 0.0
    P[1] /= P[1].sum()
    goal = {"{1}{2}": 1.0, "{1}": -0.2, "H_res": 0.1}
    full = pidtools.sx_gradient(P, goal, n_sources=2)
    c, c_res = goal_node_weights(goal, 2)
    sparse = sx_redundancy_gradient(P, 2, c, c_res, all_cells=False)
    np.testing.assert_allclose(sparse[P > 0], full[P > 0], rtol=1e-12)
    assert (sparse[P == 0] == 0).all()
    for k in range(5):
        np.testing.assert_allclose(full[k], pidtools.sx_gradient(P[k], goal), rtol=1e-12)
    out = np.full(P.shape, 7.0)  # a reused buffer: the support is written, the rest kept or 0
    res = sx_redundancy_gradient(P, 2, c, c_res, all_cells=False, out=out)
    assert res.base is out or res is out
    np.testing.assert_array_equal(out[P > 0], sparse[P > 0])
    assert np.isin(out[P == 0], [0.0, 7.0]).all()
    with pytest.raises(ParameterError, match="out must be a C-contiguous float64") as info:
        sx_redundancy_gradient(P, 2, c, c_res, all_cells=False, out=np.empty(3))
    assert info.value.param == "out"


def test_gradient_of_pure_redundancy_on_rdn_gate_points_outwards():
    # On S1 = S2 = T, shifting mass off the diagonal lowers redundancy: the gradient is larger
    # on the support than off it.
    g = pidtools.sx_gradient(gate("rdn"), {"{1}{2}": 1.0})
    assert g[0, 0, 0] > g[0, 0, 1] and g[1, 1, 1] > g[1, 0, 1]


@pytest.mark.parametrize(
    ("goal", "exc", "match"),
    [
        ({"{3}": 1.0}, ValueError, "unknown atom"),
        ({"{1}": "x"}, TypeError, "must be a number"),
        ([("{1}", 1.0)], TypeError, "mapping"),
        ({"{1}": np.inf}, ValueError, "finite"),
    ],
)
def test_bad_goal(goal, exc, match):
    with pytest.raises(exc, match=match):
        pidtools.sx_gradient(gate("and"), goal)
