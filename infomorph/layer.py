"""A layer of infomorphic neurons with two or three input classes, and its analytic goal gradient.

Every neuron ``k`` has, per input class ``name``, a weight row and a bias:
``aggregate[name][:, k] = inputs[name] @ W[name][k] + b[name][k]``. The classes are the sources of
the neuron's PID in the order given (source 1 first). The goal gradient runs

    G -> p (pidtools' I^sx gradient, support cells only) -> theta -> A -> aggregates -> weights,

with the binning of the aggregates held fixed (it is not differentiated). The per-batch cost is
``O(batch x neurons x inputs)`` for the matrix products plus ``O(support)`` per neuron for the
goal: the support of a soft histogram has at most ``2 x batch`` cells, whatever the bin count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pidtools import goal_node_weights, lattice
from pidtools.errors import ParameterError, ParameterTypeError
from pidtools.kernels import n_chunks
from pidtools.measures.sx import sx_redundancy, sx_redundancy_gradient

from . import kernels
from ._checks import MAX_NEURONS, check_int, check_real
from .goals import resolve_goal
from .neuron import A_CLIP, Binning, ThreeClassActivation, TwoClassActivation, theta_of

__all__ = ["BatchRows", "InfomorphicLayer", "LayerState", "LayerInformation"]


#: ``cells`` of no batch: :func:`infomorph.kernels.soft_histogram` then clears all cells.
_NO_CELLS = np.empty((0, 0), dtype=np.int64)


def _check_shape(name: str, array, shape: tuple[int, ...], fix: str) -> np.ndarray:
    """``array`` as float64, or a ValueError naming ``name`` if its shape is not ``shape``."""
    array = np.asarray(array, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}: {fix}")
    return array


def _check_classes(name: str, keys, classes: tuple[str, ...]) -> None:
    """ValueError unless the ``keys`` of mapping ``name`` are all input classes."""
    unknown = [k for k in keys if k not in classes]
    if unknown:
        raise ValueError(
            f"{name} names {unknown}, which are not input classes of this layer: use only "
            f"names of input_sizes {classes}"
        )


@dataclass(frozen=True)
class BatchRows:
    """A batch of inputs given as rows of a stored matrix: ``data[index]``, never copied.

    The layer's kernels read the rows in place (:func:`infomorph.kernels.affine_rows`,
    :func:`infomorph.kernels.weight_gradient_rows`), so a training batch costs no gather, and
    ``data`` may be stored as float32 (half the memory traffic; the products are summed in
    float64). ``np.asarray(rows)`` gives the batch as a float64 array.

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_inputs)
        C-contiguous float32 or float64.
    index : ndarray of shape (batch,)
        int64 row numbers, each in ``[0, n_samples)``.
    """

    data: np.ndarray
    index: np.ndarray

    def __post_init__(self):
        data, index = self.data, self.index
        if not (
            isinstance(data, np.ndarray)
            and data.ndim == 2
            and data.dtype in (np.float32, np.float64)
            and data.flags.c_contiguous
        ):
            raise ParameterTypeError(
                f"data must be a C-contiguous 2-d float32 or float64 array, got "
                f"{getattr(data, 'dtype', type(data).__name__)} of shape {np.shape(data)}: pass "
                "np.ascontiguousarray(data, dtype=np.float32)",
                param="data",
            )
        if not (isinstance(index, np.ndarray) and index.ndim == 1 and index.dtype == np.int64):
            raise ParameterTypeError(
                f"index must be a 1-d int64 array, got {getattr(index, 'dtype', type(index))}: "
                "pass np.asarray(index, dtype=np.int64)",
                param="index",
            )
        if len(index) and (index.min() < 0 or index.max() >= len(data)):
            raise ParameterError(
                f"index must hold row numbers in [0, {len(data)}), got values from "
                f"{index.min()} to {index.max()}: index the rows of data",
                param="index",
            )

    @property
    def shape(self) -> tuple[int, int]:
        """``(batch, n_inputs)``."""
        return (len(self.index), self.data.shape[1])

    def __len__(self) -> int:
        return len(self.index)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.asarray(self.data[self.index], dtype=dtype or np.float64)


@dataclass
class LayerState:
    """What one forward pass of a layer produced (all arrays have shape (batch, neurons))."""

    aggregates: dict[str, np.ndarray]
    activation: np.ndarray
    theta: np.ndarray
    derivatives: tuple[np.ndarray, ...]  # dA / d aggregate, per class in source order


@dataclass
class LayerInformation:
    """Per-neuron information of one batch's soft histograms (bits)."""

    labels: tuple[str, ...]  # atom labels, lattice order
    atoms: np.ndarray  # (neurons, atoms)
    goal: np.ndarray  # (neurons,)
    entropy: np.ndarray  # H(Y)
    mi: np.ndarray  # I(Y; sources)
    h_res: np.ndarray  # H(Y | sources)


class InfomorphicLayer:
    """Infomorphic neurons that learn by maximising a PID goal of their own output.

    Parameters
    ----------
    n_neurons : int
        Number of neurons.
    input_sizes : mapping str -> int
        Input classes in source order (source 1 first) and their input dimensions, e.g.
        ``{"receptive": 784, "context": 10, "lateral": 100}``.
    activation : TwoClassActivation or ThreeClassActivation
        Must match the number of input classes. For two classes the second class plays ``c``.
    goal : str or mapping
        Preset name (:mod:`infomorph.goals`) or mapping atom label -> weight.
    binning : Binning
        Binning applied to every source.
    masks : mapping str -> ndarray of shape (n_neurons, input_size), optional
        Fixed connectivity (0 = no connection), e.g. ``1 - I`` for lateral input without
        self-connections. Masked weights stay zero.
    fixed : mapping str -> (weights, bias), optional
        Input classes whose weights and bias are fixed at the given values and never trained
        (the read-out's one-to-one label context).
    lr, weight_decay : float
        Adam learning rate and L2 weight decay (added to the gradient) of this layer.
    wrong_side_slope : float
        Not in the papers; 0 (the default) keeps the exact gradient of the goal. For a sample
        whose output is on the wrong side of its context, the sigmoid slope ``theta (1 - theta)``
        in the chain rule is raised to at least this value (at most 1/4, the slope at 0), so a
        confidently wrong neuron keeps learning. Wrong side: ``theta >= 1/2`` while the context
        aggregate is below its batch mean, or the reverse; a neuron whose ``theta`` falls with its
        context in the batch (information does not fix the sign) has the reverse convention.
        Needs a ``"context"`` input class; meant for the read-out, whose context is its label bit.
    rng : numpy.random.Generator
        Initialisation: weights and biases uniform in ``+-1/sqrt(input_size)``.
    """

    def __init__(
        self,
        n_neurons: int,
        input_sizes: Mapping[str, int],
        activation: TwoClassActivation | ThreeClassActivation,
        goal: str | Mapping[str, float],
        binning: Binning,
        *,
        masks: Mapping[str, np.ndarray] | None = None,
        fixed: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
        lr: float = 0.002,
        weight_decay: float = 0.0,
        wrong_side_slope: float = 0.0,
        rng: np.random.Generator,
    ):
        check_int("n_neurons", n_neurons, 1, MAX_NEURONS)
        if not isinstance(input_sizes, Mapping):
            raise TypeError(
                f"input_sizes must be a mapping class name -> input size, got "
                f"{type(input_sizes).__name__}: pass e.g. {{'receptive': 64, 'context': 10}}"
            )
        for name, size in input_sizes.items():
            check_int(f"input_sizes[{name!r}]", size, 1, hint=" (the input dimension)")
        if not callable(activation) or not isinstance(getattr(activation, "n_classes", None), int):
            raise TypeError(
                f"activation must be an activation such as TwoClassActivation or "
                f"ThreeClassActivation, got {activation!r}: construct one"
            )
        if not isinstance(binning, Binning):
            raise TypeError(
                f"binning must be a Binning, got {binning!r}: pass e.g. Binning(20, 'batch_max')"
            )
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy.random.Generator, got {rng!r}: pass "
                "np.random.default_rng(seed)"
            )
        self.classes = tuple(input_sizes)
        if len(self.classes) != activation.n_classes:
            raise ValueError(
                f"activation {type(activation).__name__} takes {activation.n_classes} input "
                f"classes but input_sizes names {len(self.classes)}: {self.classes}"
            )
        self.n_neurons = int(n_neurons)
        self.n_sources = len(self.classes)
        self.input_sizes = {k: int(v) for k, v in input_sizes.items()}
        self.activation = activation
        self.binning = binning
        self.goal = resolve_goal(goal, self.n_sources)
        self.node_weights, self.weight_res = goal_node_weights(self.goal, self.n_sources)
        self.lr = check_real("lr", lr, 0.0, open_low=True, hint=" (the Adam step size)")
        self.weight_decay = check_real("weight_decay", weight_decay, 0.0)
        check_real(
            "wrong_side_slope",
            wrong_side_slope,
            0.0,
            0.25,
            hint=" (0 = exact goal gradient, 0.25 = the sigmoid's largest slope)",
        )
        if wrong_side_slope > 0 and "context" not in self.classes:
            raise ValueError(
                "wrong_side_slope > 0 needs a 'context' input class to tell the wrong side; "
                f"this layer has {self.classes}: use 0"
            )
        self.wrong_side_slope = float(wrong_side_slope)
        masks, fixed = dict(masks or {}), dict(fixed or {})
        _check_classes("masks", masks, self.classes)
        _check_classes("fixed", fixed, self.classes)
        self.masks = {
            k: _check_shape(
                f"masks[{k!r}]",
                v,
                (self.n_neurons, self.input_sizes[k]),
                "one row per neuron, one column per input",
            )
            for k, v in masks.items()
        }
        self.fixed = fixed
        # scratch of goal_gradient: histograms, the cells they occupy, dG/dp
        self._pmf_buffer: np.ndarray | None = None
        self._pmf_cells = _NO_CELLS
        self._grad_buffer: np.ndarray | None = None
        self.params: dict[str, np.ndarray] = {}
        for name, size in self.input_sizes.items():
            if name in self.fixed:
                if not isinstance(self.fixed[name], tuple | list) or len(self.fixed[name]) != 2:
                    raise TypeError(
                        f"fixed[{name!r}] must be a pair (weights, bias), got "
                        f"{type(self.fixed[name]).__name__}: pass (weights, bias)"
                    )
                w, b = self.fixed[name]
                fix = f"weights (n_neurons, {size}), bias (n_neurons,)"
                w = _check_shape(f"fixed[{name!r}] weights", w, (self.n_neurons, size), fix)
                b = _check_shape(f"fixed[{name!r}] bias", b, (self.n_neurons,), fix)
                self.params[f"{name}.weight"] = np.array(w, dtype=np.float64)
                self.params[f"{name}.bias"] = np.array(b, dtype=np.float64)
                continue
            bound = 1.0 / np.sqrt(max(size, 1))
            w = rng.uniform(-bound, bound, (self.n_neurons, size))
            if name in self.masks:
                w *= self.masks[name]
            self.params[f"{name}.weight"] = w
            self.params[f"{name}.bias"] = rng.uniform(-bound, bound, self.n_neurons)

    @property
    def trainable(self) -> list[str]:
        """Names of the parameters the goal trains."""
        return [k for k in self.params if k.split(".")[0] not in self.fixed]

    @property
    def n_cells(self) -> int:
        """Number of joint source cells of a neuron's histogram."""
        return self.binning.n_bins**self.n_sources

    def forward(
        self, inputs: Mapping[str, np.ndarray], known: Mapping[str, np.ndarray] | None = None
    ) -> LayerState:
        """Aggregates, activation, ``theta = P(Y=+1)`` and ``dA/d aggregate`` for a batch.

        Each input is an array of shape (batch, input size) or a :class:`BatchRows`.

        ``known`` may hold aggregates already computed for the same inputs and weights (the
        receptive drive is the same in both steps of a lateral layer).
        """
        known = known or {}
        batch = None
        for name in self.classes:
            if name in known:
                continue
            if name not in inputs:
                raise ValueError(
                    f"inputs lacks the input class {name!r}: pass an array for each of "
                    f"{self.classes}"
                )
            shape = np.shape(inputs[name])
            batch = shape[0] if batch is None and len(shape) == 2 else batch
            if shape != (batch, self.input_sizes[name]):
                raise ValueError(
                    f"inputs[{name!r}] must have shape (batch, {self.input_sizes[name]}) with "
                    f"the same batch for every class, got {shape}: pass one row per sample"
                )
        agg = {
            name: known[name] if name in known else self._aggregate(name, inputs[name])
            for name in self.classes
        }
        a, derivatives = self.activation(*(agg[name] for name in self.classes))
        return LayerState(agg, a, theta_of(a), derivatives)

    def _aggregate(self, name: str, x: np.ndarray | BatchRows) -> np.ndarray:
        """``x @ W.T + b`` of input class ``name``."""
        weight, bias = self.params[f"{name}.weight"], self.params[f"{name}.bias"]
        out = np.empty((len(x), self.n_neurons))
        if isinstance(x, BatchRows):
            kernels.affine_rows(x.data, x.index, weight, bias, out)
        else:
            x = np.ascontiguousarray(x, dtype=np.float64)
            kernels.affine(x.size, x, weight, bias, out)
        return out

    def cells(self, state: LayerState) -> np.ndarray:
        """Flat joint bin index of every (sample, neuron), C order over sources 1..n."""
        cells = np.zeros(state.theta.shape, dtype=np.int64)
        for name in self.classes:
            self.binning.accumulate(state.aggregates[name], cells)
        return cells

    def pmf(self, state: LayerState, cells: np.ndarray | None = None) -> np.ndarray:
        """Soft histograms, shape (neurons, 2, n_bins, ..., n_bins); axis 1: 0 = Y=-1, 1 = Y=+1."""
        cells = self.cells(state) if cells is None else cells
        out = np.empty((self.n_neurons, 2 * self.n_cells))
        theta = np.ascontiguousarray(state.theta)
        kernels.soft_histogram(theta.size, theta, cells, self.n_cells, _NO_CELLS, out)
        return out.reshape((self.n_neurons, 2) + (self.binning.n_bins,) * self.n_sources)

    def _buffered_pmf(self, state: LayerState, cells: np.ndarray) -> np.ndarray:
        """:meth:`pmf` in the layer's buffer: only the cells of the previous batch are cleared
        (a histogram has at most ``2 x batch`` non-zero cells of ``2 x n_bins**n_sources``)."""
        if self._pmf_buffer is None:
            self._pmf_buffer = np.empty((self.n_neurons, 2 * self.n_cells))
            self._pmf_cells = _NO_CELLS
        theta = np.ascontiguousarray(state.theta)
        kernels.soft_histogram(
            theta.size, theta, cells, self.n_cells, self._pmf_cells, self._pmf_buffer
        )
        self._pmf_cells = cells.copy()
        return self._pmf_buffer.reshape(
            (self.n_neurons, 2) + (self.binning.n_bins,) * self.n_sources
        )

    def __getstate__(self) -> dict:
        """Pickled without the scratch buffers of :meth:`goal_gradient`."""
        return dict(self.__dict__, _pmf_buffer=None, _pmf_cells=_NO_CELLS, _grad_buffer=None)

    def information(
        self, state: LayerState, cells: np.ndarray | None = None, pmf: np.ndarray | None = None
    ) -> LayerInformation:
        """Atoms, goal and entropies of every neuron on this batch.

        Atoms come from pidtools' I^sx kernel on the histograms' support; ``H(Y)`` and
        ``H(Y | sources)`` are computed from the samples, and ``I = H(Y) - H(Y | sources)``.
        ``cells`` and ``pmf`` (the batch's binning and histograms) are computed when not given.
        """
        cells = self.cells(state) if cells is None else cells
        pmf = self.pmf(state, cells) if pmf is None else pmf
        red, _ = sx_redundancy(pmf, self.n_sources)
        lat = lattice(self.n_sources)
        atoms = red @ lat.mobius.T
        h_y, h_res = np.empty(self.n_neurons), np.empty(self.n_neurons)
        theta = np.ascontiguousarray(state.theta)
        kernels.output_entropies(theta, cells, self.n_cells, n_chunks(self.n_neurons), h_y, h_res)
        gamma = np.array([self.goal.get(lab, 0.0) for lab in lat.labels])
        goal = atoms @ gamma + self.goal.get("H_res", 0.0) * h_res
        return LayerInformation(lat.labels, atoms, goal, h_y, h_y - h_res, h_res)

    def _slope(self, state: LayerState) -> np.ndarray:
        """``d theta / dA`` where it is not ``theta (1 - theta)``: raised on the wrong side
        (``wrong_side_slope``); an empty array when the exact slope holds everywhere."""
        th = state.theta
        if self.wrong_side_slope == 0.0:
            return np.empty((0, 0))
        slope = th * (1.0 - th)
        dc = state.aggregates["context"] - state.aggregates["context"].mean(axis=0)
        sign = np.sign(((th - th.mean(axis=0)) * dc).sum(axis=0))
        wrong = sign * dc * (th - 0.5) < 0
        return np.where(wrong, np.maximum(slope, self.wrong_side_slope), slope)

    def goal_gradient(
        self,
        inputs: Mapping[str, np.ndarray],
        state: LayerState,
        cells: np.ndarray | None = None,
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Gradient of ``sum_k G_k`` w.r.t. every trainable parameter, and the histograms.

        ``cells`` (the binning) defaults to the binning of ``state``; it is held fixed. The
        histograms are the layer's buffer, valid until its next ``goal_gradient`` call (which
        clears only the cells they occupy instead of the whole array): copy them to keep them.
        """
        cells = self.cells(state) if cells is None else cells
        pmf = self._buffered_pmf(state, cells)
        if self._grad_buffer is None:
            self._grad_buffer = np.zeros(pmf.shape)
        grad_p = sx_redundancy_gradient(
            pmf,
            self.n_sources,
            self.node_weights,
            self.weight_res,
            all_cells=False,
            out=self._grad_buffer,
        ).reshape(self.n_neurons, 2 * self.n_cells)  # read on the support only
        d_a = np.empty_like(state.theta)
        kernels.activation_gradient(
            cells.size,
            grad_p,
            cells,
            self.n_cells,
            state.theta,
            self._slope(state),
            state.activation,
            A_CLIP,
            d_a,
        )
        grads = {}
        for name, d_agg in zip(self.classes, state.derivatives, strict=True):
            if name in self.fixed:
                continue
            x = inputs[name]
            g_w = np.empty((self.n_neurons, x.shape[1]))
            g_b = np.empty(self.n_neurons)
            if isinstance(x, BatchRows):
                kernels.weight_gradient_rows(d_a, d_agg, x.data, x.index, g_w, g_b)
            else:
                x = np.ascontiguousarray(x, dtype=np.float64)
                kernels.weight_gradient(x.size, d_a, d_agg, x, g_w, g_b)
            if name in self.masks:
                g_w *= self.masks[name]
            grads[f"{name}.weight"] = g_w
            grads[f"{name}.bias"] = g_b
        return grads, pmf
