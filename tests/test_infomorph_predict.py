"""Predictions of networks with a stochastic hidden layer: averages over hidden draws."""

import json

import numpy as np
import pytest

from infomorph.data import load
from infomorph.network import PREDICT_SAMPLES
from infomorph.train import fit


@pytest.fixture(scope="module")
def digits():
    return load("digits")


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
    assert PREDICT_SAMPLES > 1


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_bad_sample_counts(hidden_net, digits, bad):
    with pytest.raises(ValueError, match="n_samples must be an int >= 1"):
        hidden_net.predict_proba(digits.X_test[:5], n_samples=bad)
    with pytest.raises(ValueError, match="eval_samples must be an int >= 1"):
        fit(digits, epochs=1, progress=False, eval_samples=bad)
