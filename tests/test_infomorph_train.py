"""Training infomorphic networks on small problems: goals rise, accuracy beats chance."""

import json

import numpy as np
import pytest

from infomorph.baselines import BackpropMLP, fit_mlp, logistic_regression
from infomorph.goals import PRESETS, resolve_goal
from infomorph.train import Adam, fit, thread_limits


@pytest.fixture(scope="module")
def readout_run(digits):
    return fit(digits, arch="readout", epochs=8, batch_size=128, random_state=0, progress=False)


def test_readout_only_network_beats_chance_by_far(readout_run, digits):
    net, rec = readout_run
    assert rec.accuracy.sel(split="test").values[-1] > 0.7  # chance: 0.1
    assert net.accuracy(digits.X_test, digits.y_test) == pytest.approx(
        float(rec.accuracy.sel(split="test").values[-1])
    )


def test_training_increases_the_goal(readout_run):
    _, rec = readout_run
    goal = rec.goal.sel(layer="readout").mean("neuron").values
    assert goal[-1] > goal[0] + 0.02
    red = rec.atoms.sel(layer="readout").isel(atom=0).mean("neuron").values  # {1}{2}
    assert red[-1] > red[0]


@pytest.mark.parametrize("hidden_classes", ["three", "context", "lateral"])
def test_hidden_layer_goal_rises(digits, hidden_classes):
    _, rec = fit(
        digits,
        arch="hidden",
        n_hidden=12,
        hidden_classes=hidden_classes,
        epochs=6,
        batch_size=128,
        random_state=1,
        progress=False,
    )
    goal = rec.goal.sel(layer="hidden").isel(neuron=slice(0, 12)).mean("neuron").values
    assert goal[-1] > goal[0]
    assert set(rec.attrs) >= {"goal", "hyperparameters", "seed"}


def test_same_seed_same_run(digits):
    runs = [
        fit(digits, epochs=2, batch_size=256, random_state=3, progress=False)[1] for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].atoms.values, runs[1].atoms.values)
    other = fit(digits, epochs=2, batch_size=256, random_state=4, progress=False)[1]
    assert not np.array_equal(runs[0].atoms.values, other.atoms.values)


def test_float64_inputs_train_on_the_exact_data(digits, readout_run):
    net32, rec32 = readout_run  # the default: inputs stored as float32 while training
    net64, rec64 = fit(
        digits,
        arch="readout",
        epochs=8,
        batch_size=128,
        random_state=0,
        progress=False,
        input_dtype="float64",
    )
    assert json.loads(rec32.attrs["hyperparameters"])["input_dtype"] == "float32"
    assert json.loads(rec64.attrs["hyperparameters"])["input_dtype"] == "float64"
    # float32 rounds each input by at most 6e-8 relative: the same training up to binning flips
    w32, w64 = (n.layers["readout"].params["receptive.weight"] for n in (net32, net64))
    assert not np.array_equal(w32, w64)
    np.testing.assert_allclose(w32, w64, atol=0.05 * np.abs(w64).max())
    acc32, acc64 = (r.accuracy.sel(split="test").values[-1] for r in (rec32, rec64))
    assert abs(acc32 - acc64) < 0.03


def test_adam_ascends_a_concave_function():
    params = {"w": np.array([3.0, -2.0])}
    opt = Adam(params, ["w"], lr=0.05, weight_decay=0.0)
    for _ in range(500):
        opt.ascend({"w": -2 * (params["w"] - 1.0)})  # maximum of -(w - 1)^2 at w = 1
    np.testing.assert_allclose(params["w"], 1.0, atol=1e-2)


def test_baselines_on_digits(digits):
    assert logistic_regression(digits)["test"] > 0.9
    _, acc = fit_mlp(digits, n_hidden=32, epochs=30, batch_size=64)
    assert acc["test"] > 0.85
    _, again = fit_mlp(digits, n_hidden=32, epochs=30, batch_size=64, history=True)
    assert again["history"].shape == (30, 3)
    # the last row of the history is the final accuracy; training improves on the first epoch
    assert again["history"][-1, 2] == acc["test"]
    assert again["history"][-1, 0] > again["history"][0, 0]


def test_mlp_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    mlp = BackpropMLP(4, 3, 3, random_state=0)
    X, y = rng.normal(size=(7, 4)), rng.integers(0, 3, 7)
    _, grads = mlp.gradients(X, y)
    for key, p in mlp.params.items():
        fd = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + 1e-6
            up = mlp.gradients(X, y)[0]
            p[i] = old - 1e-6
            fd[i] = (up - mlp.gradients(X, y)[0]) / 2e-6
            p[i] = old
        np.testing.assert_allclose(grads[key], fd, rtol=1e-5, atol=1e-9)


def test_goal_presets_and_errors():
    assert resolve_goal("readout", 2) == PRESETS["readout"]
    with pytest.raises(ValueError, match="written for 3 sources"):
        resolve_goal("trivariate_optimized", 2)
    with pytest.raises(ValueError, match="not a preset"):
        resolve_goal("redundancy", 2)
    with pytest.raises(ValueError, match="unknown atom"):
        resolve_goal({"{1}{3}": 1.0}, 2)
    with pytest.raises(ValueError, match="epochs"):
        fit("digits", epochs=0, progress=False)


def test_thread_limits_restore_the_settings():
    import numba

    before = numba.get_num_threads()
    with thread_limits(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with pytest.raises(ValueError, match="n_threads"):
        with thread_limits(0):
            pass
