"""The read-out option ``wrong_side_slope`` (not in the papers): where it acts and where not."""

import json

import numpy as np
import pytest

from infomorph.layer import InfomorphicLayer
from infomorph.neuron import Binning, TwoClassActivation
from infomorph.train import fit

N_CLASSES = 3


def _readout(slope):
    """A read-out layer: receptive weights 4 * identity on the first three inputs, fixed
    one-to-one label context, so neuron k's drive is 4 x[:, k]."""
    layer = InfomorphicLayer(
        N_CLASSES,
        {"receptive": 5, "context": N_CLASSES},
        TwoClassActivation(1.0, 2.0),
        "readout",
        Binning(4, "batch_max"),
        fixed={"context": (np.eye(N_CLASSES), np.zeros(N_CLASSES))},
        wrong_side_slope=slope,
        rng=np.random.default_rng(0),
    )
    w = np.zeros((N_CLASSES, 5))
    w[:, :N_CLASSES] = 4.0 * np.eye(N_CLASSES)
    layer.params["receptive.weight"] = w
    layer.params["receptive.bias"] = np.zeros(N_CLASSES)
    return layer


def _batch(flip=None):
    """Inputs whose drives sit on the label's side (x[n, k] = +-1 plus noise); ``flip`` =
    (sample, neuron) puts that one drive on the wrong side."""
    rng = np.random.default_rng(3)
    labels = np.arange(60) % N_CLASSES
    context = np.eye(N_CLASSES)[labels]
    x = np.concatenate([2.0 * context - 1.0, np.zeros((60, 2))], axis=1)
    x += rng.normal(scale=0.3, size=x.shape)
    if flip is not None:
        x[flip] = -x[flip]
    return {"receptive": x, "context": context}


def _gradients(slope, inputs):
    layer = _readout(slope)
    state = layer.forward(inputs)
    grads, _ = layer.goal_gradient(inputs, state)
    return grads, state


def test_no_effect_when_every_output_is_on_its_labels_side():
    inputs = _batch()
    exact, _ = _gradients(0.0, inputs)
    raised, _ = _gradients(0.25, inputs)
    for name in exact:
        np.testing.assert_array_equal(raised[name], exact[name])


@pytest.mark.parametrize("neuron", range(N_CLASSES))
def test_one_wrong_sample_changes_only_its_neurons_gradient_along_its_input(neuron):
    sample = 7 if neuron != 7 % N_CLASSES else 8  # a sample whose label is not this neuron's
    inputs = _batch(flip=(sample, neuron))
    exact, state = _gradients(0.0, inputs)
    raised, _ = _gradients(0.25, inputs)
    theta = state.theta[sample, neuron]
    assert theta > 0.5, "the flipped drive must fire for a sample of another class"
    d_w = raised["receptive.weight"] - exact["receptive.weight"]
    d_b = raised["receptive.bias"] - exact["receptive.bias"]
    others = np.arange(N_CLASSES) != neuron
    np.testing.assert_array_equal(d_w[others], 0.0)
    np.testing.assert_array_equal(d_b[others], 0.0)
    # one sample's chain rule: d_b = dG/dtheta * (0.25 - theta (1 - theta)), d_w = d_b * x
    assert abs(d_b[neuron]) > 1e-6
    np.testing.assert_allclose(d_w[neuron], d_b[neuron] * inputs["receptive"][sample], rtol=1e-9)
    # the goal pushes a wrong output back: for a sample of another class, towards theta = 0
    assert d_b[neuron] < 0


@pytest.mark.parametrize("bad", [-0.1, 0.3, float("nan")])
def test_bad_values_are_rejected(bad):
    with pytest.raises(ValueError, match=r"wrong_side_slope must be in \[0, 0.25\]"):
        _readout(bad)


def test_needs_a_context_input():
    with pytest.raises(ValueError, match="needs a 'context' input class"):
        InfomorphicLayer(
            2,
            {"receptive": 3, "lateral": 2},
            TwoClassActivation(0.9, 2.0),
            "lateral_heuristic",
            Binning(4, "batch_max"),
            wrong_side_slope=0.1,
            rng=np.random.default_rng(0),
        )


def test_readout_on_digits_fits_the_training_set_better(digits):
    """Confidently wrong read-out neurons keep learning, so fewer training images stay wrong;
    the record says which slope was used."""
    train_acc = {}
    for slope in (0.0, 0.25):
        _, rec = fit(
            digits,
            arch="readout",
            epochs=200,
            batch_size=128,
            random_state=0,
            record_atoms=False,
            progress=False,
            readout_wrong_side_slope=slope,
        )
        train_acc[slope] = float(rec.accuracy.sel(split="train")[-1])
        hyper = rec.attrs["hyperparameters"]
        hyper = json.loads(hyper) if isinstance(hyper, str) else hyper
        assert hyper["layers"]["readout"]["wrong_side_slope"] == slope
    assert train_acc[0.25] > train_acc[0.0]
