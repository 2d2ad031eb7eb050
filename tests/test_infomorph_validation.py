"""Invalid arguments raise ValueError/TypeError that name the argument, the rule and the fix."""

import warnings

import numpy as np
import pytest

from infomorph import memory
from infomorph.data import load
from infomorph.layer import BatchRows, InfomorphicLayer
from infomorph.network import build_network
from infomorph.neuron import MAX_BINS, Binning, ThreeClassActivation, TwoClassActivation
from infomorph.train import fit
from pidtools.errors import ParameterError, ParameterTypeError

FAST = {"epochs": 2, "batch_size": 128, "progress": False, "record_atoms": False}
PAT = np.where(np.random.default_rng(0).random((4, 12)) < 0.5, -1.0, 1.0)


def _layer(**kwargs):
    args = {
        "sizes": {"r": 4, "c": 2},
        "binning": Binning(20, "batch_max"),
        "rng": np.random.default_rng(0),
    }
    args.update(kwargs)
    sizes, binning = args.pop("sizes"), args.pop("binning")
    return InfomorphicLayer(
        3, sizes, TwoClassActivation(0.5, 2.0), "context_heuristic", binning, **args
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"split_seed": "a"}, TypeError, r"split_seed must be an int in 0\.\."),
        ({"split_seed": -1}, ValueError, r"split_seed must be an int in 0\.\."),
        ({"standardize": "yes"}, TypeError, "standardize must be a bool.*True or False"),
    ],
)
def test_load_checks_split_seed_and_standardize(kwargs, error, match):
    with pytest.raises(error, match=match):
        load("digits", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"readout_lr": -0.1}, ValueError, "readout_lr must be a finite number > 0"),
        ({"readout_lr": float("nan")}, ValueError, "readout_lr must be a finite number > 0"),
        ({"readout_weight_decay": -1}, ValueError, "readout_weight_decay must be .* >= 0"),
        ({"n_bins": 1}, ValueError, r"n_bins must be an int in 2\.\.64"),
        (
            {"arch": "hidden", "hidden_classes": "context", "n_hidden": 4, "k1_hidden": 5},
            ValueError,
            r"k1_hidden.* must be in \[0, 1\]",
        ),
        ({"arch": "hidden", "n_hidden": 4, "n_bins": 10_000}, ValueError, "n_bins must be"),
        ({"random_state": "a"}, TypeError, r"random_state must be None or an int in 0\.\."),
        ({"random_state": -1}, ValueError, r"random_state must be None or an int in 0\.\."),
        ({"hidden_lrr": 0.1}, TypeError, "hidden_lrr.*build_network.*takes only hidden_lr"),
        ({"hidden_goal": "context_heuristic"}, TypeError, "hidden_goal.*goal"),
        ({"input_dtype": "float16"}, ValueError, "input_dtype must be one of float32, float64"),
        ({"input_dtype": np.float32}, ValueError, "input_dtype must be one of float32, float64"),
    ],
)
def test_fit_rejects_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        fit("digits", **FAST, **kwargs)


def test_nan_learning_rate_is_rejected_before_any_warning():
    # It used to train on, warning "invalid value encountered in cast" in the binning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="readout_lr must be a finite number > 0"):
            fit("digits", readout_lr=float("nan"), **FAST)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((64,), {"arch": "hidden", "n_hidden": 4, "hidden_lr": -1}, ValueError, "hidden_lr must"),
        ((64,), {"hidden_weight_decay": float("inf")}, ValueError, "hidden_weight_decay must"),
        ((64,), {"random_state": "a"}, TypeError, "random_state must be None or an int"),
        ((0,), {}, ValueError, "n_features must be an int >= 1"),
        ((-5,), {}, ValueError, "n_features must be an int >= 1"),
        ((64.0,), {}, TypeError, "n_features must be an int >= 1"),
        ((64, 1), {}, ValueError, "n_classes must be an int >= 2"),
        ((64, 0), {}, ValueError, "n_classes must be an int >= 2"),
        ((64,), {"arch": "hidden", "n_hidden": 1}, ValueError, r"n_hidden must be an int in 2\.\."),
        ((64,), {"readout_wrong_side_slope": 0.5}, ValueError, "readout_wrong_side_slope"),
    ],
)
def test_build_network_rejects_invalid_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        build_network(*args, **kwargs)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: TwoClassActivation(1.5), ValueError, r"k1.* must be in \[0, 1\]"),
        (lambda: TwoClassActivation(-0.1), ValueError, r"k1.* must be in \[0, 1\]"),
        (lambda: TwoClassActivation(0.5, float("nan")), ValueError, "k2 must be a finite"),
        (lambda: TwoClassActivation("a"), TypeError, "k1"),
        (lambda: ThreeClassActivation(-0.1), ValueError, r"alpha1 must be in \[0, 1\]"),
        (lambda: ThreeClassActivation(0.6, 0.6), ValueError, "alpha1 \\+ alpha2 must be <= 1"),
        (lambda: ThreeClassActivation(beta2=float("inf")), ValueError, "beta2 must be a finite"),
        (lambda: Binning(1), ValueError, r"n_bins must be an int in 2\.\.64"),
        (lambda: Binning(MAX_BINS + 1), ValueError, r"n_bins must be an int in 2\.\.64"),
        (lambda: Binning(2.5), TypeError, "n_bins must be an int"),
        (lambda: Binning(20, "fixed", float("nan")), ValueError, "bound must be .* > 0"),
    ],
)
def test_activation_and_binning_constructors_check_their_parameters(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_binning_bounds_are_inclusive():
    assert Binning(2).n_bins == 2
    assert Binning(MAX_BINS).n_bins == MAX_BINS
    assert TwoClassActivation(0.0).k1 == 0.0
    assert ThreeClassActivation(0.5, 0.5).alpha2 == 0.5


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": -1}, ValueError, "lr must be a finite number > 0"),
        ({"weight_decay": float("nan")}, ValueError, "weight_decay must be .* >= 0"),
        ({"masks": {"r": np.ones((2, 2))}}, ValueError, r"masks\['r'\] must have shape \(3, 4\)"),
        ({"masks": {"x": np.ones((3, 4))}}, ValueError, "masks names .*not input classes"),
        ({"sizes": {"r": -4, "c": 2}}, ValueError, r"input_sizes\['r'\] must be an int >= 1"),
        ({"rng": None}, TypeError, "rng must be a numpy.random.Generator.*default_rng"),
        ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
        ({"binning": 20}, TypeError, "binning must be a Binning"),
        (
            {"fixed": {"c": (np.eye(2), np.zeros(3))}},
            ValueError,
            r"fixed\['c'\] weights must have shape \(3, 2\)",
        ),
        ({"fixed": {"c": np.eye(2)}}, TypeError, r"fixed\['c'\] must be a pair \(weights, bias\)"),
        (
            {"fixed": {"c": (np.ones((3, 2)), np.zeros(2))}},
            ValueError,
            r"fixed\['c'\] bias must have shape \(3,\)",
        ),
    ],
)
def test_layer_rejects_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        _layer(**kwargs)


@pytest.mark.parametrize(
    ("inputs", "match"),
    [
        (
            {"r": np.ones((5, 3)), "c": np.ones((5, 2))},
            r"inputs\['r'\] must have shape \(batch, 4\)",
        ),
        ({"r": np.ones((5, 4)), "c": np.ones((6, 2))}, r"inputs\['c'\].*same batch"),
        ({"r": np.ones(4), "c": np.ones((5, 2))}, r"inputs\['r'\] must have shape"),
        ({"r": np.ones((5, 4))}, "inputs lacks the input class 'c'"),
    ],
)
def test_layer_forward_checks_input_shapes(inputs, match):
    layer = _layer()
    with pytest.raises(ValueError, match=match):
        layer.forward(inputs)
    state = layer.forward({"r": np.ones((5, 4)), "c": np.ones((5, 2))})
    assert state.theta.shape == (5, 3)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: memory.AssociativeMemory(-1), ValueError, "n_neurons must be an int >= 2"),
        (lambda: memory.AssociativeMemory(12, lr=-1), ValueError, "lr must be a finite number > 0"),
        (lambda: memory.AssociativeMemory(12, beta=float("nan")), ValueError, "beta must be"),
        (lambda: memory.AssociativeMemory(12, beta=0.0), ValueError, "beta must be .* > 0"),
        (lambda: memory.AssociativeMemory(12, random_state=-1), ValueError, "random_state must"),
    ],
)
def test_memory_constructor_checks(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("patterns", "kwargs", "match"),
    [
        (PAT[:, :8], {}, r"patterns must be a 2-D array of shape \(rows >= 1, 12\)"),
        ((PAT > 0).astype(float), {}, "patterns must hold only -1 and \\+1.*2\\*x-1"),
        (np.where(PAT > 0, np.nan, -1.0), {}, "patterns must hold only -1 and \\+1"),
        (np.empty((0, 12)), {}, r"patterns must be a 2-D array of shape \(rows >= 1"),
        (PAT, {"steps": -1}, "steps must be an int >= 0"),
        (PAT, {"batch_size": 0}, "batch_size must be an int >= 2"),
        (PAT, {"noise": 1.5}, r"noise must be in \[0, 0.5\]"),
    ],
)
def test_memory_fit_checks(patterns, kwargs, match):
    with pytest.raises(ValueError, match=match):
        memory.AssociativeMemory(12).fit(patterns, **kwargs)


def test_memory_recall_and_helpers_check_their_arguments():
    mem = memory.AssociativeMemory(12)
    with pytest.raises(ValueError, match=r"states must be a 2-D array of shape \(rows >= 1, 12\)"):
        mem.recall(PAT[:, :8])
    with pytest.raises(ValueError, match="max_steps must be an int >= 0"):
        mem.recall(PAT, max_steps=-1)
    with pytest.raises(ValueError, match=r"patterns must be a 2-D array.*x\[None, :\]"):
        memory.hebbian_weights(PAT[0])
    with pytest.raises(ValueError, match=r"noise must be in \[0, 1\]"):
        memory.recall_rate(mem.recall, PAT, 2.0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        memory.recall_rate(mem.recall, PAT, 0.1, 0)
    with pytest.raises(ValueError, match=r"bias must have shape \(12,\).*one value per neuron"):
        memory.recall(np.zeros((12, 12)), np.zeros(3), np.ones(12), PAT)


def test_valid_training_is_deterministic():
    def run():
        _, record = fit(
            "digits", epochs=3, batch_size=128, random_state=0, progress=False, record_atoms=False
        )
        return record

    first, second = run(), run()
    np.testing.assert_array_equal(first["accuracy"].values, second["accuracy"].values)
    for name in first.data_vars:
        np.testing.assert_array_equal(first[name].values, second[name].values)


@pytest.mark.parametrize(
    ("data", "index", "error", "param", "match"),
    [
        (np.ones((5, 4), dtype=np.int64), np.arange(2), ParameterTypeError, "data", "float32"),
        (np.ones((5, 4))[:, ::2], np.arange(2), ParameterTypeError, "data", "C-contiguous"),
        (np.ones(5), np.arange(2), ParameterTypeError, "data", "2-d"),
        (np.ones((5, 4)), np.arange(2, dtype=np.int32), ParameterTypeError, "index", "int64"),
        (np.ones((5, 4)), np.array([0, 5]), ParameterError, "index", r"in \[0, 5\)"),
        (np.ones((5, 4)), np.array([-1, 0]), ParameterError, "index", r"in \[0, 5\)"),
    ],
)
def test_batch_rows_check_data_and_index(data, index, error, param, match):
    with pytest.raises(error, match=match) as info:
        BatchRows(data, index)
    assert info.value.param == param
