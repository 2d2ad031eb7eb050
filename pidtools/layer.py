"""Layer-level analysis: degree of synergy, representational complexity, subsampled PIDs of a
layer, and lattice-free Shannon invariants of layers of any width.

A *layer* is an array of unit states of shape ``(n_units, n_samples)`` (integer codes, or
floats binned as in :func:`pidtools.estimate`). A *source* is one unit or a group of units whose
joint state is the source's value (e.g. consecutive pairs, :func:`pair_groups`).

References
----------
Ehrlich, D. A., Schneider, A. C., Priesemann, V., Wibral, M. & Makkeh, A. (2023). A measure of
the complexity of neural representations based on partial information decomposition. TMLR.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from math import comb
from typing import Any

import numpy as np

from .binning import codes_into, integer_ranks
from .core import PIDResult
from .errors import ParameterError, ParameterTypeError
from .lattice import lattice

__all__ = [
    "LayerPID",
    "ShannonInvariants",
    "SynergyProfile",
    "atom_degrees",
    "joint_codes",
    "layer_bins",
    "layer_pid",
    "pair_groups",
    "sample_subsets",
    "shannon_invariants",
    "synergy_profile",
]


# --- degree of synergy and representational complexity ------------------------------------


#: Information (bits) at or below which a plug-in ``I(T; S)`` counts as 0 for the ratios
#: ``C``, degree of redundancy and vulnerability: the rounding of a sum of plug-in terms.
MI_TOLERANCE = 1e-12

#: A bias-corrected ``I(T; S)`` counts as information for those ratios only when it exceeds
#: this many standard deviations of its target-shuffled null (one-sided, about the 2.3 % tail
#: of a normal null); below, the ratios are NaN.
NOISE_FLOOR_SD = 2.0


@cache
def atom_degrees(n_sources: int) -> np.ndarray:
    """Degree of synergy of every atom in lattice order: the size of its smallest source set.

    Examples
    --------
    >>> atom_degrees(2).tolist()  # {1}{2}, {1}, {2}, {12}
    [1, 1, 1, 2]
    """
    out = np.array([min(len(a) for a in node) for node in lattice(n_sources).nodes])
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class SynergyProfile:
    """Atoms summed by degree of synergy, and the representational complexity.

    Attributes
    ----------
    degrees : ndarray of int, shape (n_sources,)
        ``1..n``.
    pi : ndarray, shape (*batch, n_sources)
        ``Pi_m``: the sum of the atoms of degree ``m`` (bits); they sum to ``mi``.
    mi : ndarray, shape batch
        ``I(T; S1..Sn)`` (bits).
    complexity : ndarray, shape batch
        ``C = sum_m m Pi_m / I(T; S)``, between 1 and ``n`` for non-negative profiles; NaN where
        ``I(T; S)`` is not above ``min_mi``.
    """

    degrees: np.ndarray
    pi: np.ndarray
    mi: np.ndarray
    complexity: np.ndarray


def synergy_profile(result: PIDResult, min_mi: float | np.ndarray = 0.0) -> SynergyProfile:
    """Degree-of-synergy profile ``Pi_m`` and representational complexity ``C`` of PID results.

    Parameters
    ----------
    result : PIDResult
        Atoms of the full lattice, for one pmf or a batch (any measure; an atom that is NaN
        makes its degree's sum and ``C`` NaN).
    min_mi : float or array_like
        ``C`` is NaN where ``I(T; S)`` is not above this (bits; per batch element or one
        number): a ratio of noise to noise says nothing. :func:`layer_pid` passes the noise
        floor of bias-corrected estimates.

    Returns
    -------
    SynergyProfile

    Notes
    -----
    The degree of an atom (antichain ``alpha``) is ``min_{a in alpha} |a|``; ``Pi_m`` sums the
    atoms of degree ``m`` and ``C = sum_m m Pi_m / I(T; S)`` (Ehrlich et al. 2023).

    Examples
    --------
    >>> import pidtools
    >>> from pidtools.distributions import gate
    >>> round(float(synergy_profile(pidtools.pid(gate("xor"))).complexity), 4)
    1.415
    """
    if not isinstance(result, PIDResult):
        raise TypeError(
            f"result must be a PIDResult (from pidtools.pid or estimate), got "
            f"{type(result).__name__}"
        )
    n = result.n_sources
    degree = atom_degrees(n)
    if len(result.labels) != len(degree):
        raise ValueError(
            f"result has {len(result.labels)} atoms, not the {len(degree)} of the full "
            f"{n}-source lattice: synergy_profile needs every atom"
        )
    onehot = (degree[:, None] == np.arange(1, n + 1)[None, :]).astype(np.float64)
    pi = result.atoms @ onehot
    mi = np.asarray(result.mi, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        complexity = np.where(
            mi > np.maximum(min_mi, MI_TOLERANCE), pi @ np.arange(1.0, n + 1) / mi, np.nan
        )
    return SynergyProfile(np.arange(1, n + 1), pi, mi, complexity)


# --- sources made of groups of units ------------------------------------------------------


def pair_groups(n_units: int, size: int = 2) -> list[tuple[int, ...]]:
    """Consecutive groups of ``size`` units (0-based): ``(0, 1), (2, 3), ...``; a last, shorter
    group keeps the remainder."""
    if isinstance(n_units, bool) or not isinstance(n_units, int | np.integer) or n_units < 1:
        raise ValueError(f"n_units must be a positive int, got {n_units!r}")
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}")
    return [tuple(range(i, min(i + size, n_units))) for i in range(0, n_units, size)]


def _state_hash(codes: np.ndarray, seed: int = 0x5EED) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of every sample's joint state of the rows of ``codes`` (n_units, n_samples)
    and the units' multipliers: ``h = sum_u codes[u] * r[u]`` (mod 2**64) with random odd
    ``r``; two different states collide with probability at most ``2**-56`` for codes below
    256. Removing unit ``u`` from the state is ``h - codes[u] * r[u]``."""
    r = np.random.default_rng(seed).integers(0, 2**63, size=codes.shape[0], dtype=np.uint64)
    r = r * np.uint64(2) + np.uint64(1)
    h = np.zeros(codes.shape[1], dtype=np.uint64)
    for u in range(codes.shape[0]):
        h += codes[u].astype(np.uint64) * r[u]
    return h, r


def joint_codes(members: Sequence[np.ndarray]) -> tuple[np.ndarray, int]:
    """The joint state of several coded variables as one code ``0..k-1`` (sorted by state).

    Parameters
    ----------
    members : sequence of integer arrays, each of shape (*batch, n_samples)
        Codes of the group's members (non-negative integers), broadcast together.

    Returns
    -------
    codes : ndarray of int64, shape (*batch, n_samples)
        Per batch row, the joint state's rank among the states seen anywhere in the batch.
    k : int
        Number of distinct joint states.
    """
    arrays = np.broadcast_arrays(*[np.asarray(m) for m in members])
    shape = arrays[0].shape
    if arrays[0].size == 0:
        return np.zeros(shape, dtype=np.int64), 0
    # members shifted to start at 0, folded into one mixed-radix number per sample (the first
    # member most significant, so numbers sort like the states)
    folded = np.zeros(shape, dtype=np.int64)
    n_values = 1
    for a in arrays:
        a = a.astype(np.int64)
        lo = int(a.min())
        radix = int(a.max()) - lo + 1
        if n_values * radix >= 2**62:  # too many states to number: rank the rows themselves
            return _joint_codes_rows(arrays)
        folded = folded * radix + (a - lo)
        n_values *= radix
    return integer_ranks(folded)


def _joint_codes_rows(arrays: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """:func:`joint_codes` by ranking the rows of member values (any number of states)."""
    stacked = np.stack([a.astype(np.int64) for a in arrays], axis=-1)
    states, inverse = np.unique(stacked.reshape(-1, len(arrays)), axis=0, return_inverse=True)
    return inverse.reshape(stacked.shape[:-1]).astype(np.int64), int(states.shape[0])


def _layer_array(activity: Any, name: str = "activity") -> np.ndarray:
    """The layer as a checked array ``(n_units, n_samples)`` of integers or finite floats."""
    x = np.asarray(activity)
    if x.ndim != 2:
        raise ParameterError(
            f"{name} must have shape (n_units, n_samples), got {x.ndim} axes {x.shape}",
            param=name,
        )
    if x.dtype == bool:
        x = x.astype(np.int64)
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise ParameterTypeError(f"{name} must hold numbers, got dtype {x.dtype}", param=name)
    if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
        raise ParameterError(
            f"{name} has NaN or infinite values: drop or fill those samples", param=name
        )
    return x


def _target_array(target: Any, n_samples: int) -> np.ndarray:
    t = np.asarray(target)
    if t.ndim != 1 or t.shape[0] != n_samples:
        raise ParameterError(
            f"target must have shape (n_samples,) = ({n_samples},) like the layer's sample "
            f"axis, got {t.shape}",
            param="target",
        )
    return _layer_array(t[None, :], "target")[0]


def _check_binning(binning: Any) -> str:
    from .binning import BINNINGS

    if not (isinstance(binning, str) and binning in BINNINGS):
        raise ParameterError(
            f"binning must be one of {', '.join(map(repr, BINNINGS))}, got {binning!r}",
            param="binning",
        )
    return binning


def layer_bins(
    target: Any,
    activity: Any,
    *,
    k: int = 5,
    groups: Sequence[Sequence[int]] | None = None,
    bins: int | str | None = None,
    binning: str = "auto",
) -> int | None:
    """The number of bins of a layer's real-valued units (and target).

    Parameters
    ----------
    target : array_like, shape (n_samples,)
    activity : array_like, shape (n_units, n_samples)
    k : int
        Sources of one PID (see :func:`layer_pid`).
    groups : sequence of sequences of int, optional
        Sources as groups of units.
    bins : int, "auto" or None
        An int is returned as it is; ``"auto"`` (and ``None`` with the ``"auto"`` binning)
        chooses, as :func:`pidtools.estimate` does, the most bins (2 to
        :data:`pidtools.binning.AUTO_MAX_BINS`) that leave
        :data:`pidtools.binning.MIN_SAMPLES_PER_CELL` samples per cell of the joint histogram
        of one full PID: the target and every unit of the first ``k`` sources, each a
        variable of its own. Integer variables, and under the ``"auto"`` binning real-valued
        ones with at most ``AUTO_MAX_BINS`` distinct values, count with their number of
        values.
    binning : {"auto", "uniform", "quantile"}
        How real values are binned (see :func:`pidtools.estimate`).

    Returns
    -------
    int or None
        None when neither the layer nor the target holds real values.
    """
    from .binning import AUTO_MAX_BINS, auto_bin_count
    from .kernels.estimate import distinct_up_to

    x = _layer_array(activity)
    t = _target_array(target, x.shape[1])
    binning = _check_binning(binning)
    if not any(np.issubdtype(a.dtype, np.floating) for a in (x, t)):
        return None
    if bins is not None and bins != "auto":
        if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 2:
            raise ParameterError(
                f"bins must be None, 'auto' or an int >= 2, got {bins!r}: e.g. bins=8",
                param="bins",
            )
        return int(bins)
    if bins is None and binning != "auto":
        raise ParameterError(
            f"binning {binning!r} needs bins, an int >= 2 or 'auto': pass e.g. bins=8",
            param="bins",
        )
    srcs = _check_groups(groups, x.shape[0])
    probes = [t] + [x[u] for g in srcs[: max(1, min(int(k), len(srcs)))] for u in g]
    coded, n_binned = 1, 0
    for p in probes:
        if not np.issubdtype(p.dtype, np.floating):
            coded *= int(np.unique(p).size)
            continue
        d = distinct_up_to(np.ascontiguousarray(p[None, :], dtype=np.float64), AUTO_MAX_BINS + 1)
        if binning == "auto" and d <= AUTO_MAX_BINS:
            coded *= int(d)
        else:
            n_binned += 1
    return auto_bin_count(x.shape[1], max(n_binned, 1), coded)


def _unit_codes(x: np.ndarray, bins: int | None, binning: str, name: str) -> np.ndarray:
    """Integer codes ``(n_units, n_samples)``: integers ranked over the whole array, floats
    binned per unit (row) into ``bins`` bins by ``binning``."""
    if not np.issubdtype(x.dtype, np.floating):
        return integer_ranks(x)[0]

    out = np.empty(x.shape, dtype=np.int64)
    codes_into(np.ascontiguousarray(x, dtype=np.float64), name, bins, binning, None, out)
    return out


def _layer_codes(target, activity, groups, bins, binning, k):
    """Codes of the layer and the target, the sources as groups, and the bins used."""
    x = _layer_array(activity)
    t = _target_array(target, x.shape[1])
    srcs = _check_groups(groups, x.shape[0])
    b = layer_bins(t, x, k=k, groups=srcs, bins=bins, binning=binning)
    return (
        _unit_codes(x, b, binning, "activity"),
        _unit_codes(t[None], b, binning, "target")[0],
        srcs,
        b,
    )


def _check_groups(groups: Any, n_units: int) -> list[tuple[int, ...]]:
    if groups is None:
        return [(u,) for u in range(n_units)]
    out = []
    for g in groups:
        members = (g,) if isinstance(g, int | np.integer) else tuple(g)
        if not members or any(
            isinstance(u, bool) or not isinstance(u, int | np.integer) or not 0 <= u < n_units
            for u in members
        ):
            raise ParameterError(
                f"groups holds {g!r}: each group is a non-empty tuple of unit indices in "
                f"0..{n_units - 1}",
                param="groups",
            )
        out.append(tuple(int(u) for u in members))
    if not out:
        raise ParameterError("groups is empty: give at least one group of units", param="groups")
    return out


# --- Shannon invariants ---------------------------------------------------------------------


def _mi_terms(targets: np.ndarray, n_t: int, states: np.ndarray) -> np.ndarray:
    """Plug-in ``I(T; S)`` (bits) for every row of ``targets`` (target codes ``0..n_t-1``, e.g.
    the observed target and its shuffles) and one 64-bit state code per sample:
    ``H(T) + (sum_{s,t} c log2 c - sum_s c_s log2 c_s) / N`` from the counts ``c`` of the
    non-empty cells (:func:`pidtools.kernels.layer.joint_count_sums`)."""
    from .kernels.layer import dense_ids, joint_count_sums

    ids = np.empty(states.shape[0], dtype=np.int64)
    n_ids = dense_ids(np.ascontiguousarray(states, dtype=np.uint64), ids)
    c_s = np.bincount(ids, minlength=n_ids).astype(np.float64)
    sums = np.empty(targets.shape[0])
    joint_count_sums(ids, n_ids, targets, n_t, sums)
    n = float(targets.shape[1])
    c_t = np.bincount(targets[0], minlength=n_t).astype(np.float64)
    c_t = c_t[c_t > 0]
    h_t = np.log2(n) - float((c_t * np.log2(c_t)).sum()) / n
    return h_t + (sums - float((c_s * np.log2(c_s)).sum())) / n


@dataclass(frozen=True)
class ShannonInvariants:
    """Lattice-free summaries of how a layer's sources carry information about the target.

    Attributes
    ----------
    mi : float
        ``I(T; S)`` of the joint state of all sources (bits).
    mi_single : ndarray, shape (n_sources,)
        ``I(T; S_i)``.
    mi_without : ndarray, shape (n_sources,)
        ``I(T; S_-i)``: all sources but ``i``.
    redundancy_degree : float
        Average degree of redundancy ``sum_i I(T; S_i) / I(T; S)``.
    vulnerability : float
        ``(n I(T; S) - sum_i I(T; S_-i)) / I(T; S)``.
    estimator : str
        ``"plugin"`` or ``"shuffle"`` (each MI minus the mean of its target-shuffled nulls).
    bias : dict of str to ndarray
        Mean null MI (``"mi"``, ``"mi_single"``, ``"mi_without"``) of the shuffles: the plug-in
        bias estimate, also reported for ``"plugin"`` when ``n_shuffles > 0``.
    settings : dict
        The estimator settings, ``n_samples`` and ``n_states``: the number of distinct joint
        states of all sources. When it nears ``n_samples`` the whole-layer terms cannot be
        estimated (every sample its own state: the plug-in ``I(T; S)`` is ``H(T)`` for the data
        and for every shuffle alike).
    """

    mi: float
    mi_single: np.ndarray
    mi_without: np.ndarray
    redundancy_degree: float
    vulnerability: float
    estimator: str
    bias: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


def _check_estimator(estimator: Any, n_shuffles: Any) -> tuple[str, int]:
    if estimator not in ("plugin", "shuffle"):
        raise ParameterError(
            f"estimator must be 'plugin' or 'shuffle', got {estimator!r}", param="estimator"
        )
    if (
        isinstance(n_shuffles, bool)
        or not isinstance(n_shuffles, int | np.integer)
        or n_shuffles < 0
    ):
        raise ParameterError(
            f"n_shuffles must be a non-negative int, got {n_shuffles!r}", param="n_shuffles"
        )
    if estimator == "shuffle" and n_shuffles == 0:
        raise ParameterError(
            "estimator='shuffle' needs n_shuffles > 0 (e.g. n_shuffles=100)", param="n_shuffles"
        )
    return estimator, int(n_shuffles)


def shannon_invariants(
    target: Any,
    activity: Any,
    *,
    groups: Sequence[Sequence[int]] | None = None,
    bins: int | str | None = None,
    binning: str = "auto",
    estimator: str = "plugin",
    n_shuffles: int = 0,
    random_state: int | None = 0,
) -> ShannonInvariants:
    """Average degree of redundancy and vulnerability of a layer of any width.

    Parameters
    ----------
    target : array_like, shape (n_samples,)
        Target values (integer codes, or real values binned like the units).
    activity : array_like, shape (n_units, n_samples)
        The layer's unit states (integer codes, or real values binned per unit).
    groups : sequence of sequences of int, optional
        Sources as groups of units (joint states); default one source per unit.
    bins : int, "auto" or None
        Bins per real-valued unit (and target); ``"auto"`` (and ``None`` with the ``"auto"``
        binning): :func:`layer_bins` for the joint histogram of the target and every unit.
    binning : {"auto", "uniform", "quantile"}
        How real values are binned, per unit (see :func:`pidtools.estimate`).
    estimator : {"plugin", "shuffle"}
        Plug-in MIs, or each MI minus the mean of its ``n_shuffles`` target-shuffled nulls
        (every term of one shuffle uses the same permutation of the target).
    n_shuffles : int
        Number of target shuffles (their means are reported as ``bias``).
    random_state : int, optional
        Seed of the shuffles.

    Returns
    -------
    ShannonInvariants

    Notes
    -----
    Joint states of many units are compared through 64-bit hashes of the states (collision
    probability below ``2**-56`` per pair of distinct states), so any width works; the plug-in
    estimates are only as good as the number of samples per joint state allows, which the
    shuffle nulls (``bias``) show.
    """
    estimator, n_shuffles = _check_estimator(estimator, n_shuffles)
    n_units = np.shape(activity)[0] if np.ndim(activity) == 2 else 0
    codes, t, srcs, bins = _layer_codes(target, activity, groups, bins, binning, n_units)
    n_t = int(t.max()) + 1
    # one hashed state per source, then sums of those for any set of sources
    per_source = np.stack([_state_hash(codes[list(g)], seed=i)[0] for i, g in enumerate(srcs)])
    total = per_source.sum(axis=0, dtype=np.uint64)
    # row 0 the observed target, then its shuffles (one permutation for every term)
    rng = np.random.default_rng(random_state)
    targets = np.stack([t] + [rng.permutation(t) for _ in range(n_shuffles)]).astype(np.int64)
    whole = _mi_terms(targets, n_t, total)
    single = np.stack([_mi_terms(targets, n_t, h) for h in per_source], axis=1)
    without = np.stack([_mi_terms(targets, n_t, total - h) for h in per_source], axis=1)
    bias: dict[str, Any] = {}
    if n_shuffles:
        bias = {
            "mi": float(whole[1:].mean()),
            "mi_single": single[1:].mean(axis=0),
            "mi_without": without[1:].mean(axis=0),
        }
    mi, single, without = float(whole[0]), single[0], without[0]
    if estimator == "shuffle":
        mi, single, without = (
            mi - bias["mi"],
            single - bias["mi_single"],
            without - bias["mi_without"],
        )
    n = len(srcs)
    floor = MI_TOLERANCE
    if estimator == "shuffle":
        floor = max(floor, NOISE_FLOOR_SD * float(whole[1:].std()))
    with np.errstate(invalid="ignore", divide="ignore"):
        degree = float(single.sum() / mi) if mi > floor else np.nan
        vulnerability = float((n * mi - without.sum()) / mi) if mi > floor else np.nan
    settings = {
        "estimator": estimator,
        "n_shuffles": n_shuffles,
        "random_state": random_state,
        "bins": bins,
        "binning": binning,
        "n_samples": int(t.shape[0]),
        "n_sources": n,
        "n_states": int(np.unique(total).size),
        "min_mi": floor,
    }
    return ShannonInvariants(mi, single, without, degree, vulnerability, estimator, bias, settings)


# --- subsampled PIDs of a layer ------------------------------------------------------------


def sample_subsets(n_sources: int, k: int, n_subsets: int, seed: int = 0) -> np.ndarray:
    """Seeded, distinct, sorted ``k``-subsets of ``0..n_sources-1``; all of them (in
    lexicographic order) when there are at most ``n_subsets``.

    Returns
    -------
    ndarray of int, shape (min(n_subsets, C(n_sources, k)), k)
    """
    if not 1 <= k <= n_sources:
        raise ValueError(f"k must be in 1..{n_sources} (the number of sources), got {k}")
    if n_subsets < 1:
        raise ValueError(f"n_subsets must be at least 1, got {n_subsets}")
    total = comb(n_sources, k)
    if total <= n_subsets:
        return np.array(list(combinations(range(n_sources), k)), dtype=np.int64)
    rng = np.random.default_rng(seed)
    chosen: dict[tuple[int, ...], None] = {}
    while len(chosen) < n_subsets:
        chosen.setdefault(tuple(sorted(rng.choice(n_sources, k, replace=False).tolist())))
    return np.array(list(chosen), dtype=np.int64)


@dataclass(frozen=True)
class LayerPID:
    """PIDs of sampled subsets of a layer's sources, their synergy profiles and aggregates.

    Attributes
    ----------
    groups : list of tuple of int
        The sources, as groups of units.
    subsets : ndarray of int, shape (n_subsets, k)
        Indices into ``groups`` of each subset's sources.
    result : EstimateResult
        The PID of each subset (batch axis = subsets).
    profile : SynergyProfile
        Per subset.
    bins : int or None
        Bins per real-valued unit (None: integer codes only).
    """

    groups: list[tuple[int, ...]]
    subsets: np.ndarray
    result: Any
    profile: SynergyProfile
    bins: int | None = None

    @property
    def complexity(self) -> float:
        """Mean representational complexity over the subsets."""
        return float(np.nanmean(self.profile.complexity))

    def band(self, low: float = 0.025, high: float = 0.975) -> tuple[float, float]:
        """Quantile band of the complexity over the subsets."""
        return tuple(float(q) for q in np.nanquantile(self.profile.complexity, [low, high]))

    @property
    def pi(self) -> np.ndarray:
        """Mean ``Pi_m`` over the subsets, shape (k,)."""
        return np.nanmean(self.profile.pi, axis=0)


def layer_pid(
    target: Any,
    activity: Any,
    *,
    k: int = 5,
    n_subsets: int = 26,
    groups: Sequence[Sequence[int]] | None = None,
    bins: int | str | None = None,
    binning: str = "auto",
    seed: int = 0,
    measure: str = "sx",
    estimator: str = "plugin",
    n_shuffles: int = 0,
) -> LayerPID:
    """Full PIDs of seeded random ``k``-subsets of a layer's sources, with synergy profiles.

    Parameters
    ----------
    target : array_like, shape (n_samples,)
    activity : array_like, shape (n_units, n_samples)
        Unit states (integer codes, or real values binned per unit).
    k : int
        Sources per subset (at most 5, the largest lattice); fewer when the layer has fewer.
    n_subsets : int
        Subsets drawn (all of them when there are at most this many).
    groups : sequence of sequences of int, optional
        Sources as groups of units (joint states), e.g. :func:`pair_groups`; default one
        source per unit.
    bins : int, "auto" or None
        Bins per real-valued unit (and target); ``"auto"`` (and ``None`` with the ``"auto"``
        binning): :func:`layer_bins`, from the target and the units of the first ``k``
        sources.
    binning : {"auto", "uniform", "quantile"}
        How real values are binned, per unit (see :func:`pidtools.estimate`).
    seed : int
        Seed of the subset draw and of the shuffles.
    measure, estimator, n_shuffles
        As in :func:`pidtools.estimate`. With ``"shuffle"`` the atoms, and so ``Pi_m`` and
        ``C``, are bias-corrected: ``C`` is then computed from corrected atoms and the
        corrected ``I(T; S)``, NaN where that is not above :data:`NOISE_FLOOR_SD` standard
        deviations of its shuffled null (a ratio of noise to noise), and may fall outside
        ``[1, k]``.

    Returns
    -------
    LayerPID
    """
    from .estimate import estimate

    codes, t, srcs, bins = _layer_codes(target, activity, groups, bins, binning, k)
    k = min(int(k), len(srcs))
    subsets = sample_subsets(len(srcs), k, n_subsets, seed)
    source_codes = [joint_codes([codes[u] for u in g])[0] for g in srcs]
    stacked = np.stack(source_codes)  # (n_sources, n_samples)
    sources = [stacked[subsets[:, i]] for i in range(k)]  # k arrays (n_subsets, n_samples)
    res = estimate(
        t,
        sources,
        measure=measure,
        estimator=estimator,
        n_shuffles=n_shuffles,
        random_state=seed,
    )
    floor = 0.0
    if res.settings["estimator"] == "shuffle":
        floor = NOISE_FLOOR_SD * _null_mi_std(t, stacked, subsets, res.settings["n_shuffles"], seed)
    return LayerPID(srcs, subsets, res, synergy_profile(res, min_mi=floor), bins)


def _null_mi_std(t, source_codes, subsets, n_shuffles: int, seed: int) -> np.ndarray:
    """Standard deviation of the plug-in ``I(T; S)`` of each subset's joint state under
    ``n_shuffles`` target shuffles (a draw of its own, seeded by ``seed``)."""
    hashes = np.stack([_state_hash(c[None, :], seed=i)[0] for i, c in enumerate(source_codes)])
    rng = np.random.default_rng([seed, 0x4E554C4C])
    targets = np.stack([rng.permutation(t) for _ in range(n_shuffles)]).astype(np.int64)
    n_t = int(t.max()) + 1
    return np.array([_mi_terms(targets, n_t, hashes[row].sum(axis=0)).std() for row in subsets])
