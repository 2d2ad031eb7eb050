"""PID atoms estimated from samples: binning, plug-in and shuffle-corrected estimates,
permutation p-values and bootstrap intervals, batched over many variables at once.

The samples of every batch element are turned into a joint histogram (numba,
:mod:`pidtools.kernels.estimate`); the histograms, normalised, go through :func:`pidtools.pid`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import is_real
from .binning import (
    BINNINGS,
    check_cells,
    codes_into,
    is_edges,
    per_variable_binning,
    resolve_auto_bins,
)
from .core import PIDResult, pid
from .errors import ParameterError, ParameterTypeError
from .kernels.estimate import element_seeds, joint_counts, resampled_counts
from .kernels.sx2 import COLUMNS, sx2_shuffled_atoms
from .lattice import MAX_SOURCES, lattice
from .measures import get_measure

__all__ = ["EstimateResult", "estimate", "ESTIMATORS", "BINNINGS"]

ESTIMATORS = ("plugin", "shuffle", "knn")

#: Most histogram cells of resampled pmfs held at once; bigger batches are processed in slices.
MAX_RESAMPLED_CELLS = 1 << 23

#: Most histogram cells that the draws of one batch element may need at once
#: (``max(n_shuffles, n_boot) * cells``): 2**27 float64 cells take 1 GiB.
MAX_DRAW_CELLS = 1 << 27


@dataclass(frozen=True, repr=False)
class EstimateResult(PIDResult):
    """Atoms estimated from samples: a :class:`~pidtools.PIDResult` plus statistics.

    ``atoms``, ``redundancy``, ``mi`` and ``h_res`` are the chosen estimator's values (for
    ``"shuffle"``: plug-in minus the mean over the target-shuffled null); ``entropy`` is the
    plug-in ``H(T)``, which shuffling leaves unchanged.

    Attributes
    ----------
    plugin_atoms : ndarray, shape (*batch, n_atoms)
        Plug-in atoms of the empirical pmf.
    null_mean, null_std : ndarray, shape (*batch, n_atoms) or None
        Mean and standard deviation (``ddof=0``) of the plug-in atoms over target shuffles.
    p_value : ndarray, shape (*batch, n_atoms) or None
        One-sided permutation p-value ``(1 + #{null >= plug-in}) / (1 + n_shuffles)``.
    p_adjusted : ndarray, shape (*batch, n_atoms) or None
        Two-sided permutation p-values (an atom far above *or below* its null), adjusted for
        testing all atoms of an element (max-T, see :func:`max_t_p_values`): calling the atoms
        with ``p_adjusted <= alpha`` significant keeps the chance of any false call per element
        at ``alpha`` or below.
    ci_low, ci_high : ndarray, shape (*batch, n_atoms) or None
        Bootstrap percentile interval of the estimate at level ``settings["ci"]``.
    occupied : ndarray of int, shape (*batch,) or None
        Number of non-empty cells of each element's joint histogram; ``n_samples / occupied``
        is the mean number of samples per occupied cell (see
        :data:`pidtools.binning.MIN_SAMPLES_PER_CELL`).
    settings : dict
        The settings used: measure, bins (per variable, ``"auto"`` resolved to the number
        chosen), binning, estimator, n_shuffles, n_boot, ci, random_state (the resolved seed when
        there is resampling), n_samples, alphabet (the pmf shape ``(nT, n1, ..., nn)``) and cells
        (its number of cells).
    """

    plugin_atoms: np.ndarray | None = None
    null_mean: np.ndarray | None = None
    null_std: np.ndarray | None = None
    p_value: np.ndarray | None = None
    p_adjusted: np.ndarray | None = None
    ci_low: np.ndarray | None = None
    ci_high: np.ndarray | None = None
    occupied: np.ndarray | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def samples_per_cell(self) -> np.ndarray | None:
        """Mean number of samples per occupied cell of each element's joint histogram."""
        if self.occupied is None:
            return None
        return self.settings["n_samples"] / np.maximum(self.occupied, 1)

    def statistics(self) -> dict[str, np.ndarray]:
        """The per-atom arrays beyond ``atoms`` that this estimate has, by name."""
        names = (
            "plugin_atoms", "null_mean", "null_std", "p_value", "p_adjusted", "ci_low", "ci_high"
        )  # fmt: skip
        return {k: getattr(self, k) for k in names if getattr(self, k) is not None}

    def __repr__(self) -> str:
        head = (
            f"EstimateResult(measure={self.measure!r}, estimator="
            f"{self.settings.get('estimator')!r}, n_samples={self.settings.get('n_samples')}"
        )
        if self.batch_shape:
            return head + f", batch_shape={self.batch_shape})"
        stats = {"estimate": self.atoms, **self.statistics()}
        width = max(len(lab) for lab in self.labels)
        lines = ["  " + " " * width + "".join(f"{k:>14}" for k in stats)]
        for i, lab in enumerate(self.labels):
            lines.append(f"  {lab:<{width}}" + "".join(f"{v[i]:>14.6f}" for v in stats.values()))
        return f"{head}, mi={float(self.mi):.6f})\n" + "\n".join(lines)


def estimate(
    target: Any,
    sources: Sequence[Any],
    *,
    measure: str = "sx",
    bins: int | str | Sequence[int | str | None] | None = None,
    binning: Any = "auto",
    estimator: str = "plugin",
    n_shuffles: int = 0,
    n_boot: int = 0,
    ci: float = 0.95,
    random_state: int | np.random.Generator | None = None,
    k: int = 4,
) -> EstimateResult:
    """Estimate PID atoms from samples, for one set of variables or a batch of them.

    Parameters
    ----------
    target : array_like, shape (*batch_t, n_samples)
        Target samples; the last axis is the sample axis, leading axes a batch.
    sources : sequence of array_like, each of shape (*batch_i, n_samples)
        One array per source (1 to 4; 5 for ``"sx"``). All batch shapes must broadcast
        together, e.g. a target of shape ``(n_samples,)`` shared by sources of shape
        ``(n_neurons, n_samples)``. A *tuple* of arrays is one source, a group: its joint
        state (each member coded, binned if real, as a variable of its own, then combined;
        ``bins`` and ``binning`` entries of a group apply to its members, and ``bins="auto"``
        counts every member as a variable of the joint histogram).
    measure : str
        Any measure of :func:`pidtools.pid` (default ``"sx"``).
    bins : int, "auto" or sequence, optional
        Number of bins for floating variables: one int for all, or one entry per variable in
        the order (target, source 1, ..., source n), ``None`` for integer variables.
        ``"auto"`` (and ``None`` with the ``"auto"`` binning) chooses the number from the
        sample size (:func:`pidtools.binning.auto_bin_count`).
    binning : str, array_like or sequence
        ``"auto"`` (default: a code per distinct value for a variable with at most ``bins`` of
        them, else equal-count bins that never split tied values), ``"uniform"`` (equal width
        between the minimum and maximum), ``"quantile"`` (equal counts at order statistics;
        tied values may empty or merge bins), or increasing bin edges ``e_0 < ... < e_B`` (bins
        ``[e_k, e_k+1)``, the last one closed; ``-inf``/``inf`` allowed) shared by all floating
        variables; or one of these per variable.
    estimator : {"plugin", "shuffle", "knn"}
        ``"plugin"``: atoms of the empirical pmf. ``"shuffle"``: plug-in minus the mean of the
        plug-in atoms over ``n_shuffles`` target-shuffled nulls (needs ``n_shuffles > 0``).
        ``"knn"``: no binning; continuous I^sx atoms from nearest neighbours
        (:func:`pidtools.knn.estimate_knn` with its defaults) for floating sources and a
        floating or integer (class) target; ``measure="sx"`` only, ``bins`` and ``binning``
        are ignored.
    n_shuffles : int
        Number of target shuffles for the null (mean, std, p-value).
    n_boot : int
        Number of bootstrap resamples for percentile intervals.
    ci : float
        Level of the bootstrap interval, in (0, 1).
    random_state : int, numpy.random.Generator or None
        Seed of the shuffles and resamples; ``None`` draws fresh entropy (recorded in
        ``settings["random_state"]`` so the run can be repeated).
    k : int
        Number of neighbours of the ``"knn"`` estimator.

    Returns
    -------
    EstimateResult
        Atoms of shape ``(*batch, n_atoms)`` with the label API of :class:`~pidtools.PIDResult`,
        plus statistics and settings.

    Notes
    -----
    *Integer and boolean variables* are codes: the distinct values of the whole array (over all
    batch elements) are mapped, in sorted order, to ``0..k-1``. To bin integers, cast to float.
    ``bins`` and ``binning`` do not apply to them, but their values are checked all the same.

    *Size.* The joint histogram of one batch element has ``k_T * k_1 * ... * k_n`` cells (the
    alphabet sizes: distinct values or bins); more than :data:`pidtools.binning.MAX_JOINT_CELLS`
    (2**24) is an error, e.g. for integer variables with a distinct value per sample.

    *Floating variables* are binned per batch element (per row of the variable's own batch
    shape, e.g. per neuron and epoch), with a common number of bins. ``"auto"``: a row with at
    most ``bins`` distinct values (a +-1 output, a 0/1 label bit, integer-valued floats) gets
    one code per distinct value, exactly as the same values given as integers; a row with more
    is cut into ``bins`` bins between distinct values only, each cut at the boundary nearest to
    an equal share of the samples not yet binned, so a value holding a bin's share of the
    samples gets a bin of its own (:func:`pidtools.kernels.estimate.auto_codes`). With
    ``bins="auto"`` the number of bins is the largest in ``2..16`` that leaves
    :data:`pidtools.binning.MIN_SAMPLES_PER_CELL` samples per cell of the joint histogram
    (integer variables and floating ones with at most 16 distinct values count with their
    alphabet sizes). ``"quantile"``: inner edge
    ``k`` is the order statistic of rank ``floor(k n / B)`` (0-based) of that row and a value
    goes to the number of edges ``<=`` it, so without ties bin ``k`` holds
    ``floor((k + 1) n / B) - floor(k n / B)`` samples;
    tied values always share a bin, so ties make bins unequal or empty. ``"uniform"``: bin
    ``min(floor(B (x - min) / (max - min)), B - 1)``; a constant row falls into bin 0.

    *Null and p-value.* Each shuffle permutes the target's samples, keeping every marginal and
    destroying the target-source dependence; the p-value of atom ``a`` is
    ``(1 + #{shuffles with Pi_a^null >= Pi_a}) / (1 + n_shuffles)`` (one-sided, upper), valid
    for exchangeable samples (Phipson & Smyth 2010).

    *Bootstrap.* Samples are drawn with replacement ``n_boot`` times; the interval holds the
    ``(1 - ci) / 2`` and ``(1 + ci) / 2`` percentiles of the bootstrap plug-in atoms, shifted by
    ``-null_mean`` for the shuffle estimator (Efron & Tibshirani 1993).

    *Reproducibility.* The draws of batch element ``b`` use a seed derived from
    ``random_state`` and ``b``'s flat index in the batch only, so they do not depend on threads
    or on how a batch is split into chunks.

    References
    ----------
    Panzeri, S., Senatore, R., Montemurro, M. A. & Petersen, R. S. (2007). Correcting for the
    sampling bias problem in spike train information measures. J. Neurophysiol. 98, 1064-1072.
    Phipson, B. & Smyth, G. K. (2010). Permutation p-values should never be zero. Stat. Appl.
    Genet. Mol. Biol. 9(1), 39.
    Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> s1, s2 = rng.integers(0, 2, (2, 10_000))
    >>> res = estimate(s1 ^ s2, [s1, s2])
    >>> round(res.syn, 2)
    0.42
    """
    return estimate_batch(
        target, sources, measure=measure, bins=bins, binning=binning, estimator=estimator,
        n_shuffles=n_shuffles, n_boot=n_boot, ci=ci, random_state=random_state, k=k,
    )  # fmt: skip


def estimate_batch(
    target: Any,
    sources: Sequence[Any],
    *,
    batch_index: np.ndarray | None = None,
    alphabets: Sequence[np.ndarray | None] | None = None,
    **kwargs: Any,
) -> EstimateResult:
    """:func:`estimate` for one chunk of a larger batch (used by :mod:`pidtools.xarray`).

    Parameters
    ----------
    batch_index : ndarray of int, shape batch, optional
        Flat index of every element in the whole batch, from which its random seed is derived
        (default: ``0..n-1``). Chunks that pass their global indices get the numbers of the
        unchunked run.
    alphabets : sequence, optional
        Per variable (target first), the sorted distinct values of an integer variable over the
        whole batch, or ``None`` to take them from this chunk.
    **kwargs
        The keyword arguments of :func:`estimate`.
    """
    s = _check_settings(**kwargs)
    if s["estimator"] == "knn":
        from .knn import from_estimate  # pidtools.knn builds on this module

        knn = {key: s[key] for key in ("measure", "k", "n_shuffles", "n_boot", "ci")}
        return from_estimate(
            target, sources, batch_index=batch_index, random_state=s["random_state"], **knn
        )
    sources, bins, binning = _grouped_sources(target, sources, s)
    arrays, names = _as_sample_arrays(target, sources)
    n_vars, n_samples = len(arrays), arrays[0].shape[-1]
    batch_shape = _batch_shape(arrays, names)
    n_batch = int(np.prod(batch_shape))
    bins, binning = per_variable_binning(bins, binning, arrays, names)
    bins = resolve_auto_bins(bins, binning, arrays, n_samples)
    alphabets = list(alphabets) if alphabets is not None else [None] * n_vars
    index = np.arange(n_batch) if batch_index is None else np.asarray(batch_index).ravel()
    if index.shape != (n_batch,):
        raise ParameterError(
            f"batch_index has {index.size} entries for a batch of {n_batch}: give one per element",
            param="batch_index",
        )

    n_rows = [int(np.prod(x.shape[:-1])) for x in arrays]
    offsets = np.cumsum([0, *n_rows])
    codes = np.empty((offsets[-1], n_samples), dtype=np.int64)
    rows = np.empty((n_batch, n_vars), dtype=np.int64)
    sizes = []
    for v, (x, name) in enumerate(zip(arrays, names, strict=True)):
        block = codes[offsets[v] : offsets[v + 1]]
        sizes.append(codes_into(x, name, bins[v], binning[v], alphabets[v], block))
        local = np.arange(n_rows[v]).reshape(x.shape[:-1])
        rows[:, v] = np.broadcast_to(local, batch_shape).ravel() + offsets[v]
    sizes = tuple(sizes)
    check_cells(sizes, names)
    _check_draws(s, math.prod(sizes))
    strides = np.array([int(np.prod(sizes[v + 1 :])) for v in range(n_vars)], dtype=np.int64)

    counts = np.empty((n_batch, int(np.prod(sizes))))
    joint_counts(codes, rows, strides, counts)
    occupied = np.count_nonzero(counts, axis=1)
    plugin = _pid_counts(counts, sizes, s["measure"])

    stats, null_red, null_mi = _resampling_statistics(
        codes, rows, strides, sizes, index, plugin.atoms, s
    )
    shuffle = s["estimator"] == "shuffle"
    if "ci_low" in stats and shuffle:
        stats["ci_low"] -= stats["null_mean"]
        stats["ci_high"] -= stats["null_mean"]

    atoms, red, mi = plugin.atoms, plugin.redundancy, plugin.mi
    if shuffle:
        atoms, red, mi = atoms - stats["null_mean"], red - null_red, mi - null_mi
    shaped = lambda a: a.reshape(batch_shape + a.shape[1:])  # noqa: E731
    settings = {
        k: s[k] for k in ("measure", "estimator", "n_shuffles", "n_boot", "ci", "random_state")
    }
    settings.update(
        bins=bins, binning=binning, n_samples=n_samples, alphabet=sizes,
        cells=int(np.prod(sizes)),
    )  # fmt: skip
    return EstimateResult(
        measure=plugin.measure,
        n_sources=plugin.n_sources,
        labels=plugin.labels,
        atoms=shaped(atoms),
        redundancy=shaped(red),
        mi=shaped(mi),
        entropy=shaped(plugin.entropy),
        h_res=shaped(plugin.entropy - mi),
        plugin_atoms=shaped(plugin.atoms),
        occupied=shaped(occupied),
        settings=settings,
        **{k: shaped(v) for k, v in stats.items()},
    )


def _pid_counts(counts: np.ndarray, sizes: tuple[int, ...], measure: str) -> PIDResult:
    """PID of a batch of flat histograms, normalised to pmfs of shape ``sizes``."""
    return pid(counts.reshape((-1, *sizes)), measure, n_sources=len(sizes) - 1, normalize=True)


def _resampling_statistics(codes, rows, strides, sizes, index, plugin_atoms, s):
    """Null (target shuffles) and bootstrap statistics of every element, slice by slice.

    Returns the statistics by name (``null_mean``, ``null_std``, ``p_value``, ``ci_low``,
    ``ci_high``, as requested) and the null means of the redundancy and of the mutual
    information (or ``None`` without shuffles). The draws of a slice of elements are reduced as
    soon as they are made, so memory stays below :data:`MAX_RESAMPLED_CELLS` histogram cells
    whatever the batch size.
    """
    n_batch, n_atoms = plugin_atoms.shape
    n_shuffles, n_boot = s["n_shuffles"], s["n_boot"]
    stats: dict[str, np.ndarray] = {}
    if not (n_shuffles or n_boot):
        return stats, None, None
    keys = np.random.SeedSequence(s["random_state"]).generate_state(4, np.uint64)
    names = []
    if n_shuffles:
        names += ["null_mean", "null_std", "p_value", "p_adjusted", "null_red", "null_mi"]
    if n_boot:
        names += ["ci_low", "ci_high"]
    for name in names:
        stats[name] = np.empty((n_batch,) if name == "null_mi" else (n_batch, n_atoms))
    n_cells = int(np.prod(sizes))
    step = max(1, MAX_RESAMPLED_CELLS // (max(n_shuffles, n_boot) * n_cells))
    q = 50.0 * (1.0 - s["ci"]), 50.0 * (1.0 + s["ci"])
    for lo in range(0, n_batch, step):
        part = slice(lo, min(lo + step, n_batch))
        if n_shuffles:
            null_atoms, null_red, null_mi = _draws(
                codes, rows[part], strides, sizes, s["measure"], keys[:2], index[part],
                n_shuffles, False,
            )  # fmt: skip
            stats["null_mean"][part] = null_atoms.mean(axis=1)
            stats["null_std"][part] = null_atoms.std(axis=1)
            exceed = (null_atoms >= plugin_atoms[part, None, :]).sum(axis=1)
            stats["p_value"][part] = (1.0 + exceed) / (1.0 + n_shuffles)
            stats["p_adjusted"][part] = max_t_p_values(plugin_atoms[part], null_atoms)
            stats["null_red"][part] = null_red.mean(axis=1)
            stats["null_mi"][part] = null_mi.mean(axis=1)
        if n_boot:
            boot_atoms, _, _ = _draws(codes, rows[part], strides, sizes, s["measure"], keys[2:],
                                      index[part], n_boot, True)  # fmt: skip
            low, high = np.percentile(boot_atoms, q, axis=1)
            stats["ci_low"][part], stats["ci_high"][part] = low, high
    return stats, stats.pop("null_red", None), stats.pop("null_mi", None)


def max_t_p_values(observed: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Two-sided permutation p-values adjusted over the atoms of each element (single-step
    max-T; Westfall & Young 1993, Nichols & Holmes 2002).

    Each atom is standardised by the mean and spread of its values over the observed data and
    the draws together, ``z = (atom - mean) / std``, so that under the null the observed vector
    and every draw are treated alike (exchangeable); then ``p_a = (1 + #{draws whose largest
    |z| over atoms >= |z_a| observed}) / (1 + n_draws)``. Calling the atoms with
    ``p_a <= alpha`` significant keeps the probability of any false call among the atoms of an
    element at ``alpha`` or below, with the resolution of an unadjusted permutation p-value
    whatever the number of atoms. Two-sided, because I^sx atoms can be negative: an atom far
    below its null (XOR's redundancy) is as real as one far above. An atom that takes one value
    only (spread at most 1e-12 bit) is never called.

    Parameters
    ----------
    observed : ndarray, shape (n, n_atoms)
    null : ndarray, shape (n, n_draws, n_atoms)
    """
    both = np.concatenate([observed[:, None, :], null], axis=1)
    mean = both.mean(axis=1, keepdims=True)
    std = both.std(axis=1, keepdims=True)
    z = np.where(std > 1e-12, np.abs(both - mean) / np.where(std > 1e-12, std, 1.0), 0.0)
    top = z[:, 1:].max(axis=2)  # (n, n_draws): each draw's largest |z|
    exceed = (top[:, :, None] >= z[:, :1, :]).sum(axis=1)
    return (1.0 + exceed) / (1.0 + null.shape[1])


def _draws(codes, rows, strides, sizes, measure, key, index, n_draws, bootstrap):
    """Atoms, redundancies and mutual information of ``n_draws`` shuffled or bootstrap
    histograms of each element: arrays ``(n, n_draws, n_atoms)``, the same, ``(n, n_draws)``.

    Target shuffles of two-source I^sx go through the fused kernel of
    :mod:`pidtools.kernels.sx2` (the same draws, without a histogram per draw); everything else
    through histograms and :func:`pidtools.pid`.
    """
    seeds = np.empty(rows.shape[0], dtype=np.uint64)
    element_seeds(key, np.ascontiguousarray(index, dtype=np.int64), seeds)
    n = rows.shape[0]
    if measure == "sx" and len(sizes) == 3 and not bootstrap:
        out = np.empty((n, n_draws, len(COLUMNS)))
        sx2_shuffled_atoms(codes, np.ascontiguousarray(rows), strides, sizes, seeds, out)
        atoms = out[..., :4]
        return atoms, atoms @ _down_sets(2).T, out[..., COLUMNS.index("mi")]
    counts = np.empty((n, n_draws, int(np.prod(sizes))))
    resampled_counts(codes, np.ascontiguousarray(rows), strides, seeds, bootstrap, counts)
    res = _pid_counts(counts, sizes, measure)
    n_atoms = len(res.labels)
    return (
        res.atoms.reshape(n, n_draws, n_atoms),
        res.redundancy.reshape(n, n_draws, n_atoms),
        res.mi.reshape(n, n_draws),
    )


def _down_sets(n_sources: int) -> np.ndarray:
    """``D[i, j] = 1`` where node ``j`` lies below node ``i`` (or is it): redundancy = D @ atoms."""
    lat = lattice(n_sources)
    labels = list(lat.labels)
    d = np.zeros((len(labels), len(labels)))
    for i, lab in enumerate(labels):
        for below in lat.down_set(lab):
            d[i, labels.index(below)] = 1.0
    return d


def _check_draws(s: dict[str, Any], cells: int) -> None:
    """Reject numbers of draws whose histograms of one element cannot be held at once."""
    for name in ("n_shuffles", "n_boot"):
        need = s[name] * cells
        if need > MAX_DRAW_CELLS:
            raise ParameterError(
                f"{name}={s[name]} draws of {cells}-cell histograms need {need:.3g} cells at "
                f"once per element, more than MAX_DRAW_CELLS = 2**27 (1 GiB): use at most "
                f"{MAX_DRAW_CELLS // cells} draws, e.g. {name}=1000",
                param=name,
            )


def _check_random_state(random_state: Any) -> None:
    """Check that ``random_state`` is ``None``, an int >= 0 or a ``numpy.random.Generator``."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise ParameterTypeError(
            f"random_state must be a non-negative int, a numpy.random.Generator or None, got "
            f"{random_state!r}: pass e.g. random_state=0 for reproducible shuffles",
            param="random_state",
        )
    if random_state < 0:
        raise ParameterError(
            f"random_state must be a non-negative int, got {random_state}: pass e.g. random_state=0",
            param="random_state",
        )


def resolve_random_state(random_state: Any) -> int:
    """An int seed from ``random_state`` (int, ``numpy.random.Generator`` or ``None``)."""
    _check_random_state(random_state)
    if random_state is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63))
    return int(random_state)


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ParameterError(
            f"{name} must be an int >= 0, got {value!r}: pass e.g. {name}=100", param=name
        )
    return int(value)


#: The settings of :func:`estimate` (all but the variables) and their defaults.
_SETTINGS = dict(
    measure="sx", bins=None, binning="auto", estimator="plugin", n_shuffles=0, n_boot=0,
    ci=0.95, random_state=None, k=4,
)  # fmt: skip


def _check_settings(caller: str = "estimate", **kwargs: Any) -> dict[str, Any]:
    """Check the scalar settings of :func:`estimate` and resolve the random state.

    ``caller`` names the public function whose keyword arguments these are, for messages.
    """
    for key in kwargs:
        if key not in _SETTINGS:
            close = difflib.get_close_matches(key, _SETTINGS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterTypeError(
                f"{caller}() got an unknown keyword argument {key!r}{hint}: the settings of "
                f"estimate() are {', '.join(_SETTINGS)}",
                param=key,
            )
    s = {**_SETTINGS, **kwargs}
    measure, estimator, ci = s["measure"], s["estimator"], s["ci"]
    if not (isinstance(measure, str) and measure.startswith("dit:")):
        get_measure(measure)  # unknown names fail here, before any work
    if estimator not in ESTIMATORS:
        raise ParameterError(
            f"unknown estimator {estimator!r}: choose one of {', '.join(map(repr, ESTIMATORS))}",
            param="estimator",
        )
    if estimator == "knn":
        from .knn import check_estimate_settings

        check_estimate_settings(measure, s["k"])
    n_shuffles, n_boot = _count(s["n_shuffles"], "n_shuffles"), _count(s["n_boot"], "n_boot")
    if estimator == "shuffle" and n_shuffles == 0:
        raise ParameterError(
            "estimator='shuffle' subtracts the mean over target-shuffled nulls and needs "
            "n_shuffles > 0: pass e.g. n_shuffles=50",
            param="n_shuffles",
        )
    if not is_real(ci):
        raise ParameterTypeError(
            f"ci must be a real number in (0, 1), got {ci!r}: e.g. ci=0.95", param="ci"
        )
    if not 0.0 < ci < 1.0:
        raise ParameterError(f"ci must be a number in (0, 1), got {ci!r}: e.g. ci=0.95", param="ci")
    resample = n_shuffles > 0 or n_boot > 0
    if resample:
        seed = resolve_random_state(s["random_state"])  # checks it too
    else:
        _check_random_state(s["random_state"])
        seed = s["random_state"]
    return dict(
        measure=measure, bins=s["bins"], binning=s["binning"], estimator=estimator,
        n_shuffles=n_shuffles, n_boot=n_boot, ci=float(ci), random_state=seed, resample=resample,
        k=s["k"],
    )  # fmt: skip


def _grouped_sources(target: Any, sources: Any, s: dict[str, Any]) -> tuple[Any, Any, Any]:
    """Replace each source given as a tuple of arrays (a group) by its joint state's codes.

    Each member is coded as a variable of its own, with the group's ``bins``/``binning``
    entry when those are per variable; ``bins="auto"`` counts every member as a variable of
    the joint histogram (:func:`leaf_settings`). The members' codes are then combined into one
    integer code per joint state (:func:`pidtools.layer.joint_codes`).

    Returns the sources and the ``bins`` and ``binning`` settings for the variables that
    follow (groups ``None``, the others' ``"auto"`` resolved), or the inputs' settings when
    there is no group.
    """
    if not isinstance(sources, list | tuple) or not any(isinstance(x, tuple) for x in sources):
        return sources, s["bins"], s["binning"]
    from .layer import joint_codes

    leaves: list[tuple[int, np.ndarray, bool]] = []  # (variable, array, is a member)
    names = []
    for v, x in enumerate([target, *sources]):
        name = "target" if v == 0 else f"sources[{v - 1}]"
        if not isinstance(x, tuple):
            leaves.append((v, _sample_array(x, name, name), False))
            names.append(name)
            continue
        if not x:
            raise ParameterError(f"{name} is an empty group: give a tuple of arrays", param=name)
        members = [_sample_array(m, f"{name}[{k}]", name) for k, m in enumerate(x)]
        if len({m.shape[-1] for m in members}) > 1:
            raise ParameterError(
                f"the members of {name} have {[m.shape[-1] for m in members]} samples: every "
                "member needs the same samples along its last axis",
                param=name,
            )
        leaves += [(v, m, True) for m in members]
        names += [f"{name}[{k}]" for k in range(len(members))]
    arrays = [a for _, a, _ in leaves]
    bins, binning = per_variable_binning(
        *leaf_settings(s["bins"], s["binning"], leaves), arrays, names
    )
    bins = resolve_auto_bins(bins, binning, arrays, arrays[0].shape[-1])
    out = list(sources)
    outer_bins, outer_binning = [None] * (1 + len(sources)), [None] * (1 + len(sources))
    for i, x in enumerate(sources):
        if not isinstance(x, tuple):
            continue
        codes = []
        for (v, a, _), name, b, method in zip(leaves, names, bins, binning, strict=True):
            if v == 1 + i:
                block = np.empty((int(np.prod(a.shape[:-1])), a.shape[-1]), dtype=np.int64)
                codes_into(a, name, b, method, None, block)
                codes.append(block.reshape(a.shape))
        out[i] = joint_codes(codes)[0]
    for (v, _, member), b, method in zip(leaves, bins, binning, strict=True):
        if not member:
            outer_bins[v], outer_binning[v] = b, method
    return out, outer_bins, outer_binning


def _sample_array(x: Any, name: str, param: str) -> np.ndarray:
    """One variable checked as by :func:`_as_sample_arrays`, errors naming ``name``."""
    try:
        return _as_sample_arrays(x, [x])[0][0]
    except ParameterError as err:
        raise ParameterError(str(err).replace("target", name), param=param) from None


def leaf_settings(
    bins: Any, binning: Any, leaves: Sequence[tuple[int, Any, bool]]
) -> tuple[list, list]:
    """Per-leaf ``bins`` and ``binning`` entries for variables some of which are groups.

    ``leaves`` holds ``(variable, array, is_member)`` for every variable that is not a group
    and for every member of a group (``variable``: 0 for the target, ``1 + i`` for source
    ``i``; ``array``: anything with a ``dtype``). A member takes its group's entry; an integer
    member gets ``None`` (integers are codes), as does any integer variable when ``bins`` is
    one value for all. Passed with the leaves to :func:`pidtools.binning.per_variable_binning`
    and :func:`pidtools.binning.resolve_auto_bins`, ``bins="auto"`` then counts every member
    as a variable of the joint histogram.
    """
    shared_bins = bins is None or isinstance(bins, int | np.integer | str)
    shared_binning = binning is None or isinstance(binning, str) or is_edges(binning)
    n_vars = 1 + max(v for v, _, _ in leaves)
    for name, setting, shared in (
        ("bins", bins, shared_bins),
        ("binning", binning, shared_binning),
    ):
        if not shared and (not isinstance(setting, Sequence) or len(setting) != n_vars):
            raise ParameterError(
                f"{name} must be one value for all variables or a sequence of {n_vars} entries "
                f"(target, then each source; a group's entry applies to its members), got "
                f"{setting!r}",
                param=name,
            )
    out_bins, out_binning = [], []
    for v, a, member in leaves:
        is_int = not np.issubdtype(a.dtype, np.floating)
        b = bins if shared_bins else bins[v]
        out_bins.append(None if is_int and (member or shared_bins) else b)
        out_binning.append(binning if shared_binning else binning[v])
    return out_bins, out_binning


def _as_sample_arrays(target: Any, sources: Any) -> tuple[list[np.ndarray], list[str]]:
    """Check the variables' types, sample axes and values; return arrays and their names."""
    if isinstance(sources, np.ndarray | str) or not isinstance(sources, Sequence):
        raise ParameterTypeError(
            f"sources must be a list of arrays, one per source (e.g. [x1, x2]), got "
            f"{type(sources).__name__}: for a single source pass [x]",
            param="sources",
        )
    if not 1 <= len(sources) <= MAX_SOURCES:
        raise ParameterError(
            f"sources must hold 1..{MAX_SOURCES} arrays, got {len(sources)}", param="sources"
        )
    names = ["target"] + [f"sources[{i}]" for i in range(len(sources))]
    arrays = []
    for name, x in zip(names, [target, *sources], strict=True):
        a = np.asarray(x)
        if a.dtype == bool:
            a = a.astype(np.int64)
        if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
            raise ParameterTypeError(
                f"{name} must hold integer codes or real numbers, got dtype {a.dtype}: convert it",
                param=name,
            )
        if a.ndim == 0:
            raise ParameterError(f"{name} is a scalar: it needs a last axis of samples", param=name)
        if np.issubdtype(a.dtype, np.floating) and not np.isfinite(a).all():
            bad = np.argwhere(~np.isfinite(a))[0]
            raise ParameterError(
                f"{name} contains NaN or infinite values (first at index {tuple(map(int, bad))}): "
                "drop or impute those samples in every variable",
                param=name,
            )
        arrays.append(a)
    n = arrays[0].shape[-1]
    for name, a in zip(names, arrays, strict=True):
        if a.shape[-1] != n:
            raise ParameterError(
                f"{name} has {a.shape[-1]} samples (last axis) but target has {n}: every "
                "variable needs the same samples along its last axis",
                param=name,
            )
    if n == 0:
        raise ParameterError(
            "target and sources have no samples (their last axis has length 0): pass arrays "
            "with at least one sample along the last axis",
            param="target",
        )
    return arrays, names


def _batch_shape(arrays: list[np.ndarray], names: list[str]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*(a.shape[:-1] for a in arrays)))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape[:-1]}" for n, a in zip(names, arrays, strict=True))
        raise ParameterError(
            f"the batch shapes (all axes but the last) do not broadcast: {shapes}; give size-1 "
            "or missing leading axes for variables shared across the batch",
            param="sources",
        ) from None
