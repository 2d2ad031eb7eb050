"""Predictions of networks with a stochastic hidden layer: mean field or hidden draws."""

import json

import numpy as np
import pytest

from infomorph.network import PREDICT_SAMPLES
from infomorph.train import fit


@pytest.fixture(scope="module", params=["three", "lateral"])
def hidden_net(request, digits):
    net, _ = fit(
        digits,
        arch="hidden",
        n_hidden=20,
        hidden_classes=request.param,
        epochs=3,
        batch_size=128,
        random_state=1,
        record_atoms=False,
        progress=False,
        eval_samples=1,
    )
    return net


def test_one_sample_is_one_stochastic_pass(hidden_net, digits):
    X = digits.X_test[:200]
    rng = np.random.default_rng(7)
    theta = hidden_net.forward(X, np.zeros((len(X), 10)), rng)["readout"][1].theta
    expected = np.where(hidden_net.readout_flip, 1.0 - theta, theta)
    got = hidden_net.predict_proba(X, random_state=7, n_samples=1)
    np.testing.assert_array_equal(got, expected)


def test_averages_converge_with_more_draws(hidden_net, digits):
    X = digits.X_test[:200]
    ref = hidden_net.predict_proba(X, random_state=100, n_samples=2048)
    err = {
        k: np.abs(hidden_net.predict_proba(X, random_state=3, n_samples=k) - ref).mean()
        for k in (1, 16, 256)
    }
    assert err[16] < 0.5 * err[1]
    assert err[256] < 0.5 * err[16]


def test_readout_only_predictions_do_not_depend_on_draws(digits):
    net, _ = fit(digits, arch="readout", epochs=2, batch_size=128, progress=False)
    X = digits.X_test[:100]
    np.testing.assert_array_equal(
        net.predict_proba(X, random_state=0, n_samples=1),
        net.predict_proba(X, random_state=5, n_samples=8),
    )


def test_recorded_accuracy_uses_eval_samples(digits):
    net, rec = fit(
        digits, arch="hidden", n_hidden=20, epochs=2, batch_size=128, progress=False, eval_samples=4
    )
    assert json.loads(rec.attrs["hyperparameters"])["eval_samples"] == 4
    acc = float(rec.accuracy.sel(split="test").values[-1])
    assert acc == pytest.approx(net.accuracy(digits.X_test, digits.y_test, n_samples=4))


def test_mean_field_passes_expected_hidden_outputs(hidden_net, digits):
    """Default predictions: hidden neurons pass on 2 theta - 1 (the second step of a lateral
    layer sees the first step's expectation too); no randomness."""
    assert PREDICT_SAMPLES is None
    X = digits.X_test[:200]
    hidden, readout = hidden_net.layers["hidden"], hidden_net.layers["readout"]
    zeros = np.zeros((len(X), 10))
    inputs = {"receptive": X, "context": zeros}
    if "lateral" in hidden.classes:
        inputs["lateral"] = np.zeros((len(X), hidden.n_neurons))
        first = hidden.forward(inputs)
        inputs["lateral"] = 2.0 * first.theta - 1.0
    theta = readout.forward(
        {"receptive": 2.0 * hidden.forward(inputs).theta - 1.0, "context": zeros}
    ).theta
    expected = np.where(hidden_net.readout_flip, 1.0 - theta, theta)
    np.testing.assert_allclose(hidden_net.predict_proba(X, random_state=3), expected, atol=1e-12)
    np.testing.assert_array_equal(
        hidden_net.predict_proba(X, random_state=3), hidden_net.predict_proba(X, random_state=4)
    )


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_bad_sample_counts(hidden_net, digits, bad):
    with pytest.raises(ValueError, match="n_samples must be None or an int >= 1"):
        hidden_net.predict_proba(digits.X_test[:5], n_samples=bad)
    with pytest.raises(ValueError, match="eval_samples must be None or an int >= 1"):
        fit(digits, epochs=1, progress=False, eval_samples=bad)
