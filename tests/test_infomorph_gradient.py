"""The analytic goal gradient of infomorphic layers against finite differences."""

import pickle

import numpy as np
import pytest

from infomorph.layer import BatchRows, InfomorphicLayer
from infomorph.neuron import Binning, ThreeClassActivation, TwoClassActivation
from pidtools import pid

SETTINGS = {
    "two-class context": (
        {"receptive": 5, "context": 3},
        TwoClassActivation(0.5, 2.0),
        "context_optimized",
        "batch_max",
    ),
    "two-class lateral": (
        {"receptive": 4, "lateral": 3},
        TwoClassActivation(0.9, 2.0),
        "lateral_optimized",
        "batch_max",
    ),
    "three-class": (
        {"receptive": 5, "context": 3, "lateral": 4},
        ThreeClassActivation(),
        "trivariate_optimized",
        "fixed",
    ),
}


def _finite_difference(layer, inputs, cells, name, h=1e-6):
    def total_goal():
        return layer.information(layer.forward(inputs), cells).goal.sum()

    p = layer.params[name]
    fd = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        old = p[i]
        p[i] = old + h
        up = total_goal()
        p[i] = old - h
        down = total_goal()
        p[i] = old
        fd[i] = (up - down) / (2 * h)
    return fd


@pytest.mark.parametrize("setting", SETTINGS)
def test_goal_gradient_matches_finite_differences(setting):
    sizes, activation, goal, mode = SETTINGS[setting]
    rng = np.random.default_rng(1)
    masks = {"lateral": 1.0 - np.eye(3)} if sizes.get("lateral") == 3 else None
    layer = InfomorphicLayer(
        3, sizes, activation, goal, Binning(4, mode, 2.0), masks=masks, rng=rng
    )
    for key in layer.params:  # larger weights: non-trivial histograms and modulation
        layer.params[key] *= 3.0
    inputs = {k: rng.normal(size=(40, d)) for k, d in sizes.items()}
    state = layer.forward(inputs)
    cells = layer.cells(state)  # the binning is held fixed, as in training
    grads, _ = layer.goal_gradient(inputs, state, cells)
    assert sorted(grads) == sorted(layer.trainable)
    for name in layer.trainable:
        fd = _finite_difference(layer, inputs, cells, name)
        if name == "lateral.weight" and masks:
            fd *= masks["lateral"]  # masked weights are held at zero (no self-connections)
        assert np.abs(fd).max() > 1e-4, "degenerate check: the goal does not depend on " + name
        np.testing.assert_allclose(grads[name], fd, rtol=1e-5, atol=1e-7 * np.abs(fd).max())
    if masks:
        assert np.all(grads["lateral.weight"][np.eye(3, dtype=bool)] == 0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("setting", SETTINGS)
def test_stored_rows_give_the_state_and_gradient_of_the_gathered_batch(setting, dtype):
    sizes, activation, goal, mode = SETTINGS[setting]
    rng = np.random.default_rng(2)
    layer = InfomorphicLayer(3, sizes, activation, goal, Binning(4, mode, 2.0), rng=rng)
    stored = rng.normal(size=(200, sizes["receptive"])).astype(dtype)
    index = rng.permutation(200)[:150]
    rows = BatchRows(stored, index)
    gathered = {k: rng.normal(size=(150, d)) for k, d in sizes.items()}
    gathered["receptive"] = stored[index].astype(np.float64)
    np.testing.assert_array_equal(np.asarray(rows), gathered["receptive"])
    state = layer.forward(gathered)
    state_rows = layer.forward(dict(gathered, receptive=rows))
    for name, agg in state.aggregates.items():
        np.testing.assert_allclose(state_rows.aggregates[name], agg, rtol=1e-12, atol=1e-12)
    cells = layer.cells(state)
    grads, _ = layer.goal_gradient(gathered, state, cells)
    grads_rows, _ = layer.goal_gradient(dict(gathered, receptive=rows), state, cells)
    for name, grad in grads.items():
        np.testing.assert_allclose(grads_rows[name], grad, rtol=1e-12, atol=1e-14)


def test_goal_gradient_reuses_its_histogram_buffer_exactly():
    sizes, activation, goal, mode = SETTINGS["three-class"]
    rng = np.random.default_rng(3)
    layer = InfomorphicLayer(3, sizes, activation, goal, Binning(4, mode, 2.0), rng=rng)
    for batch in (60, 25, 40):  # the next batch occupies other cells, fewer and more samples
        inputs = {k: 3.0 * rng.normal(size=(batch, d)) for k, d in sizes.items()}
        state = layer.forward(inputs)
        cells = layer.cells(state)
        grads, pmf = layer.goal_gradient(inputs, state, cells)
        np.testing.assert_array_equal(pmf, layer.pmf(state, cells))
        fresh = pickle.loads(pickle.dumps(layer))  # pickled without the buffers
        assert fresh._pmf_buffer is None and fresh._grad_buffer is None
        for name, grad in fresh.goal_gradient(inputs, state, cells)[0].items():
            np.testing.assert_array_equal(grads[name], grad)


@pytest.mark.parametrize(
    "activation", [TwoClassActivation(0.3, 1.5), ThreeClassActivation(0.2, 0.1, 2, 3)]
)
def test_activation_derivatives(activation):
    rng = np.random.default_rng(0)
    args = [rng.normal(size=50) * 2 for _ in range(activation.n_classes)]
    _, derivatives = activation(*args)
    h = 1e-6
    for k in range(activation.n_classes):
        up = [a + h * (i == k) for i, a in enumerate(args)]
        down = [a - h * (i == k) for i, a in enumerate(args)]
        fd = (activation(*up)[0] - activation(*down)[0]) / (2 * h)
        np.testing.assert_allclose(derivatives[k], fd, rtol=1e-6, atol=1e-9)


def test_context_cannot_flip_the_sign_of_the_receptive_drive():
    rng = np.random.default_rng(0)
    r, c, l = rng.normal(size=(3, 1000)) * 10
    assert np.all(np.sign(TwoClassActivation(0.5, 2.0)(r, c)[0]) == np.sign(r))
    assert np.all(np.sign(ThreeClassActivation()(r, c, l)[0]) == np.sign(r))
    np.testing.assert_array_equal(TwoClassActivation(1.0, 2.0)(r, c)[0], r)


def test_soft_histogram_is_the_theta_weighted_joint_pmf():
    rng = np.random.default_rng(2)
    layer = InfomorphicLayer(
        2,
        {"receptive": 3, "context": 2},
        TwoClassActivation(),
        "context_heuristic",
        Binning(3),
        rng=rng,
    )
    inputs = {"receptive": rng.normal(size=(30, 3)), "context": rng.normal(size=(30, 2))}
    state = layer.forward(inputs)
    pmf = layer.pmf(state)
    rb = layer.binning(state.aggregates["receptive"])
    cb = layer.binning(state.aggregates["context"])
    expected = np.zeros((2, 2, 3, 3))
    for n in range(30):
        for k in range(2):
            expected[k, 0, rb[n, k], cb[n, k]] += (1 - state.theta[n, k]) / 30
            expected[k, 1, rb[n, k], cb[n, k]] += state.theta[n, k] / 30
    np.testing.assert_allclose(pmf, expected, atol=1e-15)


def test_binning_modes():
    values = np.array([[-3.0, 0.0], [0.0, 0.0], [3.0, 0.0], [1.4, 0.0]])
    np.testing.assert_array_equal(Binning(4, "batch_max")(values)[:, 0], [0, 2, 3, 2])
    np.testing.assert_array_equal(Binning(4, "fixed", 2.0)(values)[:, 0], [0, 2, 3, 3])
    with pytest.raises(ValueError, match="binning mode"):
        Binning(4, "quantile")


@pytest.mark.parametrize("setting", SETTINGS)
def test_layer_information_agrees_with_pidtools(setting):
    sizes, activation, goal, mode = SETTINGS[setting]
    rng = np.random.default_rng(4)
    layer = InfomorphicLayer(4, sizes, activation, goal, Binning(5, mode, 2.0), rng=rng)
    state = layer.forward({k: rng.normal(size=(64, d)) * 2 for k, d in sizes.items()})
    info = layer.information(state)
    ref = pid(layer.pmf(state), "sx", n_sources=layer.n_sources)
    assert info.labels == ref.labels
    np.testing.assert_allclose(info.atoms, ref.atoms, atol=1e-12)
    np.testing.assert_allclose(info.entropy, ref.entropy, atol=1e-12)
    np.testing.assert_allclose(info.h_res, ref.h_res, atol=1e-12)
    np.testing.assert_allclose(info.mi, ref.mi, atol=1e-12)
    gamma = np.array([layer.goal.get(lab, 0.0) for lab in ref.labels])
    expected = ref.atoms @ gamma + layer.goal.get("H_res", 0.0) * ref.h_res
    np.testing.assert_allclose(info.goal, expected, atol=1e-12)
