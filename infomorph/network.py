"""Architectures of infomorphic networks for classification.

``"readout"``
    10 read-out neurons; receptive input = the image, context = the one-hot label connected
    one-to-one with fixed weight 1 (``k1 = 1``: the context acts only through the goal).
``"hidden"``
    ``n_hidden`` hidden neurons, then the read-out layer whose receptive input is the hidden
    layer's sampled +-1 output (passed on without gradient). Hidden input classes:

    - ``"three"``: receptive = image, context = one-hot label (full weights), lateral = the
      layer's own step-1 sample (no self-connections); two steps, the goal uses step 2.
    - ``"context"``: receptive = image, context = one-hot label (two classes).
    - ``"lateral"``: receptive = image, lateral = the layer's step-1 sample (two classes, two
      steps; source 2 is the lateral input).

Binning: three-class layers use 20 bins per source on ``[-20, 20]``; two-class layers (hidden
and read-out) 20 bins on ``[-1, 1]`` after division by the batch maximum (the papers' settings).

Not in the papers, off by default: ``readout_wrong_side_slope`` (see
:class:`~infomorph.layer.InfomorphicLayer`) keeps read-out neurons that are confidently wrong
learning (its effect on accuracy is measured in benchmarks/infomorph_results.md).

At test time the context is zero. Information does not change when a neuron's output is
flipped, so before the argmax every read-out neuron whose mean firing probability on the
training set is at least 0.5 is flipped (:attr:`InfomorphicNetwork.readout_flip`).

A hidden layer's output is a random +-1 sample during training. For predictions, by default
each hidden neuron passes on its expected output ``2 theta - 1`` instead (mean field: one
deterministic pass); ``n_samples=k`` averages the read-out over ``k`` random draws of the
hidden layer (``k = 1``: one stochastic pass, as in training). benchmarks/infomorph_results.md
compares the accuracy of the two.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import kernels
from ._checks import MAX_NEURONS, check_int, check_real, check_seed
from ._threads import thread_limits
from .layer import InfomorphicLayer, LayerState
from .neuron import Binning, ThreeClassActivation, TwoClassActivation

__all__ = [
    "InfomorphicNetwork",
    "build_network",
    "HIDDEN_CLASSES",
    "ARCHITECTURES",
    "DEFAULTS",
    "PREDICT_SAMPLES",
]

#: Default of ``n_samples`` in predictions: ``None``, the mean-field pass.
PREDICT_SAMPLES = None

ARCHITECTURES = ("readout", "hidden")
HIDDEN_CLASSES = ("three", "context", "lateral")

#: Defaults of the papers: learning rate and weight decay per layer, goals, activations.
DEFAULTS = {
    "hidden_lr": 0.002,
    "hidden_weight_decay": 3.5e-4,
    "readout_lr": 0.003,
    "readout_weight_decay": 1.5e-4,
    "readout_wrong_side_slope": 0.0,  # not in the papers: see InfomorphicLayer
    "hidden_goal": {
        "three": "trivariate_optimized",
        "context": "context_heuristic",
        "lateral": "lateral_heuristic",
    },
    "readout_goal": "readout",
    "k1_hidden": 0.9,
    "k2": 2.0,
    "n_bins": 20,
    "fixed_bound": 20.0,
}


def sample(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``+1`` with probability ``theta``, else ``-1``, elementwise.

    ``rng`` gives one 64-bit key per call; the uniform values come from the SplitMix64 stream
    that starts at it (:func:`infomorph.kernels.sample_signs`), drawn on the kernel's threads.
    """
    theta = np.ascontiguousarray(theta, dtype=np.float64)
    key = rng.integers(0, 2**64, dtype=np.uint64)
    out = np.empty_like(theta)
    kernels.sample_signs(theta.size, key, theta.reshape(-1), out.reshape(-1))
    return out


class InfomorphicNetwork:
    """A feed-forward stack of infomorphic layers ending in a read-out layer.

    Use :func:`build_network` to construct one. ``layers`` maps layer names (``"hidden"``,
    ``"readout"``) to :class:`~infomorph.layer.InfomorphicLayer`, input side first.
    """

    def __init__(
        self, layers: Mapping[str, InfomorphicLayer], hidden_classes: str | None, n_classes: int
    ):
        self.layers = dict(layers)
        self.hidden_classes = hidden_classes
        self.n_classes = n_classes
        self.readout_flip = np.zeros(n_classes, dtype=bool)

    def forward(
        self, X: np.ndarray, context: np.ndarray, rng: np.random.Generator
    ) -> dict[str, tuple[dict[str, np.ndarray], LayerState]]:
        """Run a batch; return per layer its inputs and the state the goal is computed on.

        ``context`` is the one-hot label (training) or zeros (test). Hidden outputs are sampled
        +-1 values; the read-out state's ``theta`` is the network's output.
        """
        out = {}
        x_r = X
        if "hidden" in self.layers:
            hidden = self.layers["hidden"]
            inputs, state, known = self._hidden_first_step(X, context)
            if "lateral" in hidden.classes:
                inputs = dict(inputs, lateral=sample(state.theta, rng))
                state = hidden.forward(inputs, known)
            out["hidden"] = (inputs, state)
            x_r = sample(state.theta, rng)
        readout = self.layers["readout"]
        inputs = {"receptive": x_r, "context": context}
        out["readout"] = (inputs, readout.forward(inputs))
        return out

    def _hidden_first_step(self, X: np.ndarray, context: np.ndarray):
        """The hidden layer's inputs (lateral input zero), its state on them, and the
        aggregates that a lateral layer's second step reuses."""
        hidden = self.layers["hidden"]
        inputs = {"receptive": X}
        if "context" in hidden.classes:
            inputs["context"] = context
        first_known = {}
        if "lateral" in hidden.classes:
            inputs["lateral"] = np.zeros((len(X), hidden.n_neurons))
            # zero input: the aggregate is the bias (what the product gives, to the last bit)
            bias = hidden.params["lateral.bias"]
            first_known["lateral"] = np.repeat(bias[None, :], len(X), axis=0)
        first = hidden.forward(inputs, first_known)
        known = {k: v for k, v in first.aggregates.items() if k != "lateral"}
        return inputs, first, known

    def predict_proba(
        self,
        X: np.ndarray,
        random_state: int = 0,
        batch_size: int = 4096,
        n_samples: int | None = PREDICT_SAMPLES,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """Read-out firing probabilities ``theta`` (flip-corrected), shape (n, n_classes).

        The context is zero. A hidden layer passes on its expected output ``2 theta - 1``
        (``n_samples=None``, mean field), or ``theta`` is averaged over ``n_samples`` random
        draws of the hidden outputs (1: a single stochastic pass), drawn with the fixed
        ``random_state`` so that predictions are reproducible. ``n_threads``: threads to use
        (``None``: the cores the process may use that other work does not keep busy; see
        :mod:`infomorph._threads`); the result does not depend on it.
        """
        if n_samples is not None and (not isinstance(n_samples, int | np.integer) or n_samples < 1):
            raise ValueError(f"n_samples must be None or an int >= 1, got {n_samples!r}")
        X = np.asarray(X, dtype=np.float64)
        rng = np.random.default_rng(random_state)
        parts = []
        with thread_limits(n_threads):
            for lo in range(0, len(X), batch_size):
                theta = self._mean_readout(X[lo : lo + batch_size], rng, n_samples)
                parts.append(np.where(self.readout_flip, 1.0 - theta, theta))
        return np.concatenate(parts)

    def _mean_readout(self, X: np.ndarray, rng: np.random.Generator, n_samples: int | None):
        """Read-out ``theta`` at zero context: mean field, or averaged over hidden draws."""
        readout = self.layers["readout"]
        zeros = np.zeros((len(X), self.n_classes))
        if "hidden" not in self.layers:
            return readout.forward({"receptive": X, "context": zeros}).theta
        hidden = self.layers["hidden"]
        lateral = "lateral" in hidden.classes
        inputs, first, known = self._hidden_first_step(X, zeros)
        if n_samples is None:
            theta = first.theta
            if lateral:
                theta = hidden.forward(dict(inputs, lateral=2.0 * theta - 1.0), known).theta
            return readout.forward({"receptive": 2.0 * theta - 1.0, "context": zeros}).theta
        total = np.zeros((len(X), self.n_classes))
        for _ in range(n_samples):
            theta = first.theta
            if lateral:
                step = dict(inputs, lateral=sample(first.theta, rng))
                theta = hidden.forward(step, known).theta
            x_r = sample(theta, rng)
            total += readout.forward({"receptive": x_r, "context": zeros}).theta
        return total / n_samples

    def predict(
        self,
        X: np.ndarray,
        random_state: int = 0,
        n_samples: int | None = PREDICT_SAMPLES,
        n_threads: int | None = None,
    ) -> np.ndarray:
        """Predicted class: argmax of the flip-corrected read-out ``theta``."""
        theta = self.predict_proba(X, random_state, n_samples=n_samples, n_threads=n_threads)
        return theta.argmax(axis=1)

    def accuracy(
        self,
        X: np.ndarray,
        y: np.ndarray,
        random_state: int = 0,
        n_samples: int | None = PREDICT_SAMPLES,
        n_threads: int | None = None,
    ) -> float:
        """Fraction of correct predictions."""
        predicted = self.predict(X, random_state, n_samples, n_threads)
        return float(np.mean(predicted == np.asarray(y)))

    def update_flip(
        self, X: np.ndarray, random_state: int = 0, n_threads: int | None = None
    ) -> None:
        """Set :attr:`readout_flip` from the mean firing of the read-out neurons on ``X``."""
        self.readout_flip[:] = False
        theta = self.predict_proba(X, random_state, n_threads=n_threads)
        self.readout_flip[:] = theta.mean(axis=0) >= 0.5


def build_network(
    n_features: int,
    n_classes: int = 10,
    *,
    arch: str = "readout",
    n_hidden: int = 100,
    hidden_classes: str = "three",
    hidden_goal: str | Mapping[str, float] | None = None,
    readout_goal: str | Mapping[str, float] | None = None,
    hidden_lr: float = DEFAULTS["hidden_lr"],
    hidden_weight_decay: float = DEFAULTS["hidden_weight_decay"],
    readout_lr: float = DEFAULTS["readout_lr"],
    readout_weight_decay: float = DEFAULTS["readout_weight_decay"],
    readout_wrong_side_slope: float = DEFAULTS["readout_wrong_side_slope"],
    k1_hidden: float = DEFAULTS["k1_hidden"],
    n_bins: int = DEFAULTS["n_bins"],
    random_state: int | None = 0,
) -> InfomorphicNetwork:
    """Build a read-out-only or one-hidden-layer infomorphic network (see the module docstring).

    ``n_features`` must be an int >= 1 and ``n_classes`` an int >= 2; learning rates must be
    finite and > 0, weight decays finite and >= 0, ``random_state`` None or an int >= 0.
    ``k1_hidden`` and ``n_bins`` are checked by :class:`~infomorph.neuron.TwoClassActivation`
    and :class:`~infomorph.neuron.Binning`.
    """
    check_int("n_features", n_features, 1, hint=" (the input dimension)")
    check_int("n_classes", n_classes, 2, hint=" (the number of labels, one read-out neuron each)")
    check_seed("random_state", random_state)
    for name, value in (("hidden_lr", hidden_lr), ("readout_lr", readout_lr)):
        check_real(name, value, 0.0, open_low=True, hint=" (the Adam step size)")
    for name, value in (
        ("hidden_weight_decay", hidden_weight_decay),
        ("readout_weight_decay", readout_weight_decay),
    ):
        check_real(name, value, 0.0)
    check_real(
        "readout_wrong_side_slope",
        readout_wrong_side_slope,
        0.0,
        0.25,
        hint=" (0 = exact goal gradient, 0.25 = the sigmoid's largest slope)",
    )
    if arch not in ARCHITECTURES:
        raise ValueError(f"arch must be one of {', '.join(ARCHITECTURES)}, got {arch!r}")
    if hidden_classes not in HIDDEN_CLASSES:
        raise ValueError(
            f"hidden_classes must be one of {', '.join(HIDDEN_CLASSES)}, got {hidden_classes!r}"
        )
    rng = np.random.default_rng(random_state)
    layers = {}
    n_in = n_features
    if arch == "hidden":
        check_int("n_hidden", n_hidden, 2, MAX_NEURONS)
        goal = hidden_goal if hidden_goal is not None else DEFAULTS["hidden_goal"][hidden_classes]
        no_self = {"lateral": 1.0 - np.eye(n_hidden)}
        if hidden_classes == "three":
            sizes = {"receptive": n_features, "context": n_classes, "lateral": n_hidden}
            act = ThreeClassActivation()
            binning = Binning(n_bins, "fixed", DEFAULTS["fixed_bound"])
        else:
            second = "context" if hidden_classes == "context" else "lateral"
            sizes = {
                "receptive": n_features,
                second: n_classes if second == "context" else n_hidden,
            }
            act = TwoClassActivation(k1_hidden, DEFAULTS["k2"])
            binning = Binning(n_bins, "batch_max")
        layers["hidden"] = InfomorphicLayer(
            n_hidden,
            sizes,
            act,
            goal,
            binning,
            masks=no_self if "lateral" in sizes else None,
            lr=hidden_lr,
            weight_decay=hidden_weight_decay,
            rng=rng,
        )
        n_in = n_hidden
    layers["readout"] = InfomorphicLayer(
        n_classes,
        {"receptive": n_in, "context": n_classes},
        TwoClassActivation(1.0, DEFAULTS["k2"]),
        readout_goal if readout_goal is not None else DEFAULTS["readout_goal"],
        Binning(n_bins, "batch_max"),
        fixed={"context": (np.eye(n_classes), np.zeros(n_classes))},
        lr=readout_lr,
        weight_decay=readout_weight_decay,
        wrong_side_slope=readout_wrong_side_slope,
        rng=rng,
    )
    return InfomorphicNetwork(layers, hidden_classes if arch == "hidden" else None, n_classes)
