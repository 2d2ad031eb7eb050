"""Associative memory: infomorphic neurons that store +-1 patterns by maximising redundancy.

Neuron ``i`` of ``N`` has two input classes: the external ``pattern`` (its own bit ``xi_i``, one
weight: a one-to-one connection) and the recurrent ``field`` (the network state without itself,
``c_i = sum_{j != i} W_ij s_j + b_i``). The activation is the sum ``A = beta (r + c)``, and the
goal is the redundancy ``{1}{2}`` (preset ``"associative_memory"``): the neuron's output should
carry what the pattern bit and the recurrent field share, so the field learns to predict the bit.

Training presents batches of stored patterns as the external input and noisy copies of them
(each bit flipped with probability ``noise``) as the state. Recall starts from a corrupted
pattern and iterates ``s_i <- sign(w_ii) sign(c_i(s))`` synchronously until a fixed point; the
factor ``sign(w_ii)`` undoes a neuron's sign convention (information does not see it).
Binning: 20 equal bins on ``[-1, 1]`` after division by the batch maximum, per source.

Limitation: a bit that has the same value in every stored pattern carries no information, so
the redundancy goal gives its neuron no gradient at all and the neuron's field keeps its random
initial sign; recall of every pattern then fails at that bit. With ``P`` random patterns each
bit is constant with probability ``2**(1 - P)`` (1/8 for 4 patterns), which is why small loads
(``P / N = 0.1`` with ``N = 40``) recall worse than larger ones.

References
----------
The associative-memory setting of the infomorphic framework (redundancy between pattern and
recurrent field), arXiv 2511.02584.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_int, check_real, check_seed
from .layer import InfomorphicLayer
from .neuron import Binning
from .optim import Adam

__all__ = ["SumActivation", "AssociativeMemory", "hebbian_weights", "recall"]


def _pm1(name: str, values, n_columns: int | None = None) -> np.ndarray:
    """``values`` as a float64 (rows, n_columns) array of +-1 with at least one row.

    Raises TypeError/ValueError naming ``name`` otherwise (wrong dimensions or width, no rows,
    entries other than -1 and +1, NaN included).
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a 2-D array of +-1, got {values!r}: {err}") from None
    width = "N" if n_columns is None else n_columns
    if array.ndim != 2 or len(array) < 1 or (n_columns is not None and array.shape[1] != n_columns):
        raise ValueError(
            f"{name} must be a 2-D array of shape (rows >= 1, {width}), got shape {array.shape}: "
            "pass one pattern per row (a single pattern as x[None, :])"
        )
    if not np.all(np.abs(array) == 1.0):
        raise ValueError(
            f"{name} must hold only -1 and +1 entries, got values {np.unique(array)[:5]}: "
            "map 0/1 patterns with 2*x-1"
        )
    return array


@dataclass(frozen=True)
class SumActivation:
    """``A = beta (r + c)``: both classes drive the output; the gain ``beta`` is finite, > 0."""

    beta: float = 1.0

    n_classes = 2

    def __post_init__(self):
        check_real("beta", self.beta, 0.0, open_low=True, hint=" (the gain of the activation)")

    def __call__(self, r: np.ndarray, c: np.ndarray):
        ones = np.full_like(r, self.beta)
        return self.beta * (r + c), (ones, ones)


def hebbian_weights(patterns: np.ndarray) -> np.ndarray:
    """Hopfield's Hebbian weights ``sum_mu xi xi^T / N`` with a zero diagonal.

    ``patterns`` has shape (P, N), P >= 1, entries +-1.
    """
    patterns = _pm1("patterns", patterns)
    w = patterns.T @ patterns / patterns.shape[1]
    np.fill_diagonal(w, 0.0)
    return w


def recall(
    weights: np.ndarray,
    bias: np.ndarray,
    signs: np.ndarray,
    states: np.ndarray,
    max_steps: int = 50,
) -> np.ndarray:
    """Iterate ``s <- signs * sign(s W^T + b)`` (ties keep the old value) to a fixed point.

    ``weights`` is (N, N), ``bias`` and ``signs`` have shape (N,), ``states`` is (n, N) of +-1
    and ``max_steps`` an int >= 0.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(
            f"weights must be a square (N, N) array, got shape {weights.shape}: pass one row "
            "and one column per neuron"
        )
    n = weights.shape[0]
    for name, vector in (("bias", bias), ("signs", signs)):
        if np.shape(vector) != (n,):
            raise ValueError(
                f"{name} must have shape ({n},) to match weights, got {np.shape(vector)}: pass "
                "one value per neuron"
            )
    states = _pm1("states", states, n)
    check_int("max_steps", max_steps, 0)
    s = states.copy()
    for _ in range(max_steps):
        field = s @ weights.T + bias
        new = np.where(field == 0, s, np.sign(field) * signs)
        if np.array_equal(new, s):
            break
        s = new
    return s


class AssociativeMemory:
    """An infomorphic associative memory of ``n_neurons`` +-1 units.

    Parameters
    ----------
    n_neurons : int
        Pattern length.
    goal : str or mapping
        Default ``"associative_memory"`` (``{1}{2}``: 1).
    beta : float
        Gain of the sum activation, finite and > 0.
    lr, weight_decay : float
        Adam settings: ``lr`` finite and > 0, ``weight_decay`` finite and >= 0.
    random_state : int or None
        Seed of initialisation and training noise (an int >= 0, or None).
    """

    def __init__(
        self,
        n_neurons: int,
        goal="associative_memory",
        beta: float = 1.0,
        lr: float = 0.01,
        weight_decay: float = 0.0,
        random_state: int | None = 0,
    ):
        check_int("n_neurons", n_neurons, 2, hint=" (a neuron's field needs other neurons)")
        check_seed("random_state", random_state)
        self.rng = np.random.default_rng(random_state)
        self.layer = InfomorphicLayer(
            n_neurons,
            {"pattern": n_neurons, "field": n_neurons},
            SumActivation(beta),
            goal,
            Binning(20, "batch_max"),
            masks={"pattern": np.eye(n_neurons), "field": 1.0 - np.eye(n_neurons)},
            lr=lr,
            weight_decay=weight_decay,
            rng=self.rng,
        )
        p = self.layer.params
        p["pattern.weight"][:] = np.eye(n_neurons)  # start with the external bit as the drive
        p["pattern.bias"][:] = 0.0
        self.optimizer = Adam(p, self.layer.trainable, lr, weight_decay)

    def fit(
        self, patterns: np.ndarray, steps: int = 300, batch_size: int = 256, noise: float = 0.1
    ) -> np.ndarray:
        """Train on ``patterns`` (P, N) of +-1; returns the mean goal per step.

        ``steps`` >= 0 Adam steps on batches of ``batch_size`` >= 2 patterns drawn with
        replacement; in the state each bit is flipped with probability ``noise`` in
        ``[0, 0.5]`` (at 0.5 the state is pure noise, above it anti-correlated). A batch of one
        pattern has a one-sample histogram and no gradient.
        """
        patterns = _pm1("patterns", patterns, self.layer.n_neurons)
        check_int("steps", steps, 0)
        check_int("batch_size", batch_size, 2, hint=" (a histogram needs several samples)")
        check_real("noise", noise, 0.0, 0.5, hint=" (the probability of flipping a bit)")
        goals = np.empty(steps)
        for k in range(steps):
            clean = patterns[self.rng.integers(0, len(patterns), batch_size)]
            noisy = np.where(self.rng.random(clean.shape) < noise, -clean, clean)
            inputs = {"pattern": clean, "field": noisy}
            state = self.layer.forward(inputs)
            cells = self.layer.cells(state)
            grads, pmf = self.layer.goal_gradient(inputs, state, cells)
            goals[k] = self.layer.information(state, cells, pmf).goal.mean()
            self.optimizer.ascend(grads)
        return goals

    def recall(self, states: np.ndarray, max_steps: int = 50) -> np.ndarray:
        """Run the recurrent dynamics from ``states`` (n, N) of +-1 without external input."""
        p = self.layer.params
        signs = np.sign(np.diag(p["pattern.weight"]))
        return recall(
            p["field.weight"], p["field.bias"], np.where(signs == 0, 1.0, signs), states, max_steps
        )


def recall_rate(
    memory_recall, patterns: np.ndarray, noise: float, rng: np.random.Generator, trials: int = 5
) -> float:
    """Fraction of (pattern, trial) pairs recovered exactly from ``noise`` flipped bits.

    ``patterns`` (P, N) of +-1; each bit of a start state is flipped with probability
    ``noise`` in ``[0, 1]``; ``trials`` >= 1 starts per pattern drawn with ``rng`` (a
    ``numpy.random.Generator``).
    """
    patterns = _pm1("patterns", patterns)
    check_real("noise", noise, 0.0, 1.0, hint=" (the probability of flipping a bit)")
    check_int("trials", trials, 1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {rng!r}: pass np.random.default_rng(seed)"
        )
    starts = np.repeat(patterns, trials, axis=0)
    starts = np.where(rng.random(starts.shape) < noise, -starts, starts)
    final = memory_recall(starts)
    return float(np.mean(np.all(final == np.repeat(patterns, trials, axis=0), axis=1)))
