"""The infomorphic associative memory stores patterns beyond the Hebbian capacity."""

import numpy as np
import pytest

from infomorph.memory import AssociativeMemory, SumActivation, hebbian_weights, recall, recall_rate


def test_redundancy_memory_recalls_where_hebbian_fails():
    n, p = 40, 12  # load 0.3, above the Hebbian capacity of about 0.14 N
    patterns = np.random.default_rng(0).choice([-1.0, 1.0], (p, n))
    memory = AssociativeMemory(n, random_state=0)
    goals = memory.fit(patterns, steps=300)
    assert goals[-20:].mean() > goals[:20].mean() + 0.3
    assert np.all(np.diag(memory.layer.params["field.weight"]) == 0)  # no self-connections
    infomorphic = recall_rate(memory.recall, patterns, 0.1, np.random.default_rng(1))
    w = hebbian_weights(patterns)
    hebbian = recall_rate(
        lambda s: recall(w, np.zeros(n), np.ones(n), s), patterns, 0.1, np.random.default_rng(1)
    )
    assert infomorphic >= 0.9
    assert infomorphic > hebbian + 0.3


def test_hebbian_recall_of_a_single_pattern():
    pattern = np.random.default_rng(3).choice([-1.0, 1.0], (1, 30))
    w = hebbian_weights(pattern)
    noisy = pattern.copy()
    noisy[0, :5] *= -1
    np.testing.assert_array_equal(recall(w, np.zeros(30), np.ones(30), noisy), pattern)


def test_sum_activation_derivatives():
    r, c = np.array([0.5, -2.0]), np.array([1.0, 3.0])
    a, (dr, dc) = SumActivation(2.0)(r, c)
    np.testing.assert_array_equal(a, [3.0, 2.0])
    np.testing.assert_array_equal(dr, [2.0, 2.0])
    np.testing.assert_array_equal(dc, [2.0, 2.0])


def test_a_bit_constant_over_all_patterns_gets_no_gradient():
    # A constant source carries no information, so the redundancy goal cannot train the neuron
    # of a bit that is the same in every stored pattern (the documented failure at low load).
    rng = np.random.default_rng(0)
    patterns = rng.choice([-1.0, 1.0], (4, 12))
    patterns[:, 0] = 1.0
    memory = AssociativeMemory(12, random_state=0)
    clean = patterns[rng.integers(0, 4, 256)]
    noisy = np.where(rng.random(clean.shape) < 0.1, -clean, clean)
    inputs = {"pattern": clean, "field": noisy}
    grads, _ = memory.layer.goal_gradient(inputs, memory.layer.forward(inputs))
    np.testing.assert_allclose(grads["field.weight"][0], 0.0, atol=1e-12)
    assert grads["field.bias"][0] == pytest.approx(0.0, abs=1e-12)
    varying = ~np.all(patterns == patterns[0], axis=0)
    assert np.all(np.abs(grads["field.weight"][varying]).sum(axis=1) > 1e-6)
