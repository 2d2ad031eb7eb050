"""Training infomorphic networks: Adam per layer, mini-batch epochs, recording.

Each layer ascends its own goal with :class:`~infomorph.optim.Adam`. The epoch loop is Python
with a progress bar on stderr; the per-batch work (matrix products, activations, soft
histograms, the I^sx gradient on the support, the chain rule, Adam) runs in numba kernels on
the threads that :func:`thread_limits` gives them (:mod:`infomorph._threads`).
"""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Mapping

import numpy as np
import xarray as xr

from pidtools import lattice
from pidtools.errors import ParameterError

from . import __version__
from ._checks import check_seed
from ._threads import thread_limits
from .data import Dataset, load
from .layer import BatchRows
from .network import DEFAULTS, PREDICT_SAMPLES, InfomorphicNetwork, build_network, sample
from .optim import Adam
from .record import PROBE_VARIABLES, build_record

__all__ = ["Adam", "fit", "train_epoch", "training_inputs", "ProgressBar", "thread_limits"]

#: Storage types of the training inputs that :func:`fit` takes (``input_dtype``).
INPUT_DTYPES = ("float32", "float64")


class ProgressBar:
    """A tiny progress bar on stderr; when stderr is not a terminal, only the final line."""

    def __init__(self, total: int, label: str = "", enabled: bool = True):
        self.total, self.label, self.enabled = total, label, enabled
        self.start = time.perf_counter()
        self.tty = enabled and sys.stderr.isatty()

    def update(self, done: int, note: str = "") -> None:
        if not self.enabled or not (self.tty or done >= self.total):
            return
        elapsed = time.perf_counter() - self.start
        width = 24
        fill = int(width * done / max(self.total, 1))
        bar = "#" * fill + "." * (width - fill)
        line = f"{self.label} [{bar}] {done}/{self.total} {elapsed:.1f}s {note}"
        sys.stderr.write(("\r" + line) if self.tty else (line + "\n"))
        if self.tty and done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _one_hot(y: np.ndarray, n_classes: int) -> np.ndarray:
    out = np.zeros((len(y), n_classes))
    out[np.arange(len(y)), y] = 1.0
    return out


def train_epoch(
    net: InfomorphicNetwork,
    optimizers: Mapping[str, Adam],
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    rng: np.random.Generator,
    record_atoms: bool = True,
) -> dict[str, dict[str, np.ndarray]]:
    """One epoch of mini-batch ascent; returns per layer the batch-mean atoms and entropies.

    ``X`` is read in place, batch by batch (:class:`~infomorph.layer.BatchRows`): float32 or
    float64 as given (see :func:`training_inputs`), other types converted to float64.
    """
    order = rng.permutation(len(y))
    X = np.asarray(X)
    if X.dtype not in (np.float32, np.float64) or not X.flags.c_contiguous:
        X = np.ascontiguousarray(X, dtype=np.float64)
    sums: dict[str, dict[str, np.ndarray]] = {}
    n_batches = 0
    for lo in range(0, len(y), batch_size):
        idx = order[lo : lo + batch_size]
        if len(idx) < 2:
            continue
        states = net.forward(BatchRows(X, idx), _one_hot(y[idx], net.n_classes), rng)
        for name, (inputs, state) in states.items():
            layer = net.layers[name]
            cells = layer.cells(state)
            grads, pmf = layer.goal_gradient(inputs, state, cells)
            optimizers[name].ascend(grads)
            if record_atoms:
                res = layer.information(state, cells, pmf)
                acc = sums.setdefault(name, {})
                for key, val in (
                    ("atoms", res.atoms),
                    ("goal", res.goal),
                    ("entropy", res.entropy),
                    ("mi", res.mi),
                    ("h_res", res.h_res),
                ):
                    acc[key] = acc.get(key, 0.0) + val
        n_batches += 1
    return {name: {k: v / n_batches for k, v in acc.items()} for name, acc in sums.items()}


def training_inputs(X: np.ndarray, input_dtype: str = "float32") -> np.ndarray:
    """The training inputs as :func:`train_epoch` reads them: C-contiguous ``input_dtype``.

    float32 halves the memory that every batch reads (the products are still summed in
    float64); float64 keeps the inputs exactly. :func:`fit` converts once, before the first
    epoch.
    """
    _check_input_dtype(input_dtype)
    return np.ascontiguousarray(X, dtype=np.dtype(input_dtype))


def _check_input_dtype(input_dtype) -> None:
    if not isinstance(input_dtype, str) or input_dtype not in INPUT_DTYPES:
        raise ParameterError(
            f"input_dtype must be one of {', '.join(INPUT_DTYPES)}, got {input_dtype!r}: "
            "'float32' halves the memory traffic, 'float64' keeps the inputs exactly",
            param="input_dtype",
        )


def _probe(net: InfomorphicNetwork, X, y, rng) -> dict[str, dict[str, np.ndarray]]:
    states = net.forward(X, _one_hot(y, net.n_classes), rng)
    out: dict[str, dict[str, np.ndarray]] = {v: {} for v in PROBE_VARIABLES}
    for name, (_, state) in states.items():
        for cls, agg in state.aggregates.items():
            out[cls][name] = agg.T
        out["theta"][name] = state.theta.T
        out["output"][name] = sample(state.theta, rng).T
    return out


#: Storage type of the probe activations in the record: single precision is ample for
#: activations and halves the record.
PROBE_DTYPE = np.float32

#: Keywords of :func:`build_network` that :func:`fit` sets itself (not ``**hyperparameters``).
_FIT_SETS = ("arch", "n_hidden", "hidden_classes", "random_state", "hidden_goal", "readout_goal")


def _check_hyperparameters(hyperparameters: Mapping[str, object]) -> None:
    """TypeError naming any key of ``hyperparameters`` that build_network does not take."""
    valid = [
        p.name
        for p in inspect.signature(build_network).parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.name not in _FIT_SETS
    ]
    unknown = [k for k in hyperparameters if k not in valid]
    if unknown:
        raise TypeError(
            f"fit() got unknown hyperparameters {unknown}: **hyperparameters are passed to "
            f"build_network, which takes only {', '.join(valid)}; set arch, n_hidden, "
            "hidden_classes, goal, readout_goal and random_state as fit's own arguments"
        )


def fit(
    dataset: str | Dataset = "digits",
    arch: str = "readout",
    n_hidden: int = 100,
    hidden_classes: str = "three",
    goal: str | Mapping[str, float] | None = None,
    readout_goal: str | Mapping[str, float] | None = None,
    epochs: int = 10,
    batch_size: int = 1024,
    random_state: int | None = 0,
    record_probe: int = 0,
    record_atoms: bool = True,
    progress: bool = True,
    data_path: str | None = None,
    n_threads: int | None = None,
    eval_samples: int | None = PREDICT_SAMPLES,
    input_dtype: str = "float32",
    **hyperparameters,
) -> tuple[InfomorphicNetwork, xr.Dataset]:
    """Train an infomorphic network and record every neuron's atoms epoch by epoch.

    Parameters
    ----------
    dataset : str or Dataset
        A name for :func:`infomorph.data.load` (``"digits"``, ``"fashion-mnist"``, ``"mnist"``,
        ``"mnist1d"``) or a loaded :class:`~infomorph.data.Dataset`.
    arch : {"readout", "hidden"}
        Read-out only, or one hidden layer + read-out (:mod:`infomorph.network`).
    n_hidden : int
        Hidden neurons (``arch="hidden"``).
    hidden_classes : {"three", "context", "lateral"}
        Input classes of the hidden neurons.
    goal : str or mapping, optional
        Goal of the hidden layer (``arch="hidden"``) or of the read-out (``arch="readout"``);
        default: the papers' preset for the setting (:data:`infomorph.network.DEFAULTS`).
    readout_goal : str or mapping, optional
        Goal of the read-out layer in a hidden network (default ``"readout"``).
    epochs, batch_size : int
        Number of passes over the training split and mini-batch size (papers: 100, 1024).
    random_state : int or None
        Seed of initialisation, batch order and output sampling (an int >= 0, or None).
    record_probe : int
        Number of training samples (the first ones) whose raw activations are recorded every
        epoch (as float32, :data:`PROBE_DTYPE`); 0 records none. The record grows by
        ``epochs x layers x max(neurons) x record_probe x 5`` values of 4 bytes.
    record_atoms : bool
        Compute atoms, entropies and goal of every training batch (the forward I^sx on the
        same histograms, at some extra time per epoch). Without it those variables are NaN.
    progress : bool
        Show a progress bar on stderr.
    data_path : str, optional
        Folder of IDX files for ``fashion-mnist`` / ``mnist``.
    n_threads : int or None
        Threads of training and evaluation (numba's; BLAS runs on one, see
        :mod:`infomorph._threads`). ``None`` (default): the cores the process may use that
        other work does not keep busy when training starts
        (:func:`infomorph._threads.default_threads`). The result is the same for every
        thread count.
    eval_samples : int or None
        How the recorded accuracies treat a hidden layer: ``None`` (default) passes on its
        expected outputs (mean field), ``k`` averages the read-out over ``k`` random draws
        (:meth:`InfomorphicNetwork.predict_proba`); 1 records single stochastic passes.
    input_dtype : {"float32", "float64"}
        How the training inputs are stored while training (:func:`training_inputs`, converted
        once): ``"float32"`` (default) halves the memory every batch reads, the products are
        summed in float64 either way; ``"float64"`` keeps the inputs exactly. Evaluation
        always reads the float64 data.
    **hyperparameters
        Passed to :func:`infomorph.network.build_network` (``hidden_lr``,
        ``hidden_weight_decay``, ``readout_lr``, ``readout_weight_decay``,
        ``readout_wrong_side_slope`` (not in the papers), ``k1_hidden``, ``n_bins``); any
        other keyword raises TypeError.

    Returns
    -------
    network : InfomorphicNetwork
    record : xarray.Dataset
        See :mod:`infomorph.record` for the schema.
    """
    check_seed("random_state", random_state)
    _check_hyperparameters(hyperparameters)
    _check_input_dtype(input_dtype)
    if not isinstance(epochs, int | np.integer) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if not isinstance(batch_size, int | np.integer) or batch_size < 2:
        raise ValueError(f"batch_size must be an int >= 2, got {batch_size!r}")
    if not isinstance(record_probe, int | np.integer) or record_probe < 0:
        raise ValueError(f"record_probe must be an int >= 0, got {record_probe!r}")
    if eval_samples is not None and (
        not isinstance(eval_samples, int | np.integer) or eval_samples < 1
    ):
        raise ValueError(f"eval_samples must be None or an int >= 1, got {eval_samples!r}")
    data = dataset if isinstance(dataset, Dataset) else load(dataset, data_path)
    X_train = training_inputs(data.X_train, input_dtype)
    goals = {"hidden_goal": goal, "readout_goal": readout_goal}
    if arch == "readout":
        goals = {"readout_goal": goal if goal is not None else readout_goal}
    net = build_network(
        data.n_features,
        data.n_classes,
        arch=arch,
        n_hidden=n_hidden,
        hidden_classes=hidden_classes,
        random_state=random_state,
        **goals,
        **hyperparameters,
    )
    optimizers = {
        name: Adam(layer.params, layer.trainable, layer.lr, layer.weight_decay)
        for name, layer in net.layers.items()
    }
    rng = np.random.default_rng(random_state)
    names = list(net.layers)
    atoms = {
        k: np.full(
            (epochs, net.layers[k].n_neurons, lattice(net.layers[k].n_sources).n_nodes), np.nan
        )
        for k in names
    }
    values = {
        v: {k: np.full((epochs, net.layers[k].n_neurons), np.nan) for k in names}
        for v in ("goal", "entropy", "mi", "h_res")
    }
    accuracy = np.empty((epochs, 3))
    n_probe = min(int(record_probe), len(data.y_train))
    probe = {v: {} for v in PROBE_VARIABLES} if n_probe else None
    bar = ProgressBar(epochs, f"{data.name}/{arch}", progress)
    with thread_limits(n_threads) as n_threads:
        for e in range(epochs):
            stats = train_epoch(
                net, optimizers, X_train, data.y_train, batch_size, rng, record_atoms
            )
            for k, s in stats.items():
                atoms[k][e] = s["atoms"]
                for v in values:
                    values[v][k][e] = s[v]
            net.update_flip(data.X_train, n_threads=n_threads)
            accuracy[e] = [
                net.accuracy(*data.split(s), n_samples=eval_samples, n_threads=n_threads)
                for s in ("train", "validation", "test")
            ]
            if n_probe:
                snap = _probe(net, data.X_train[:n_probe], data.y_train[:n_probe], rng)
                for v, per_layer in snap.items():
                    for k, arr in per_layer.items():
                        probe[v].setdefault(
                            k, np.full((epochs,) + arr.shape, np.nan, dtype=PROBE_DTYPE)
                        )[e] = arr
            bar.update(
                e + 1,
                "acc train {:.3f} val {:.3f} test {:.3f}".format(*accuracy[e]),
            )
    layer_info = {}
    for k, layer in net.layers.items():
        layer_info[k] = {"labels": lattice(layer.n_sources).labels, "sources": layer.classes}
    hyper = {
        "epochs": int(epochs),
        "batch_size": int(batch_size),
        "n_hidden": int(n_hidden) if arch == "hidden" else 0,
        "hidden_classes": net.hidden_classes or "",
        "record_atoms": bool(record_atoms),
        "eval_samples": "mean field" if eval_samples is None else int(eval_samples),
        "input_dtype": input_dtype,
        **{k: v for k, v in DEFAULTS.items() if not isinstance(v, dict)},
        **hyperparameters,
        "layers": {
            k: {
                "lr": lay.lr,
                "weight_decay": lay.weight_decay,
                "wrong_side_slope": lay.wrong_side_slope,
                "binning": vars(lay.binning),
                "activation": vars(lay.activation),
            }
            for k, lay in net.layers.items()
        },
    }
    record = build_record(
        layers=layer_info,
        atoms=atoms,
        neuron_values=values,
        accuracy=accuracy,
        attrs={
            "goal": {k: lay.goal for k, lay in net.layers.items()},
            "hyperparameters": hyper,
            "seed": random_state,
            "dataset": data.name,
            "arch": arch,
            "package_version": __version__,
        },
        probe=probe,
        probe_labels=data.y_train[:n_probe] if n_probe else None,
    )
    for v in PROBE_VARIABLES if n_probe else ():
        record[v] = record[v].astype(PROBE_DTYPE)
    return net, record
