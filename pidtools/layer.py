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

from .core import PIDResult
from .lattice import lattice

__all__ = [
    "LayerPID",
    "ShannonInvariants",
    "SynergyProfile",
    "atom_degrees",
    "joint_codes",
    "layer_pid",
    "pair_groups",
    "sample_subsets",
    "shannon_invariants",
    "synergy_profile",
]


# --- degree of synergy and representational complexity ------------------------------------


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
        ``I(T; S) = 0``.
    """

    degrees: np.ndarray
    pi: np.ndarray
    mi: np.ndarray
    complexity: np.ndarray


def synergy_profile(result: PIDResult) -> SynergyProfile:
    """Degree-of-synergy profile ``Pi_m`` and representational complexity ``C`` of PID results.

    Parameters
    ----------
    result : PIDResult
        Atoms of the full lattice, for one pmf or a batch (any measure; an atom that is NaN
        makes its degree's sum and ``C`` NaN).

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
        complexity = np.where(mi > 0, pi @ np.arange(1.0, n + 1) / mi, np.nan)
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
    stacked = np.stack([a.astype(np.int64) for a in arrays], axis=-1)
    flat = stacked.reshape(-1, stacked.shape[-1])
    _, inverse = np.unique(flat, axis=0, return_inverse=True)
    inverse = inverse.reshape(stacked.shape[:-1])
    return inverse.astype(np.int64), int(inverse.max()) + 1 if inverse.size else 0


def _unit_codes(activity: Any, bins: int | None, name: str = "activity") -> np.ndarray:
    """Integer codes ``(n_units, n_samples)`` of a layer: integers as they are (ranked per
    layer), floats binned per unit into ``bins`` equal-width bins."""
    x = np.asarray(activity)
    if x.ndim != 2:
        raise ValueError(
            f"{name} must have shape (n_units, n_samples), got {x.ndim} axes {x.shape}"
        )
    if np.issubdtype(x.dtype, np.integer) or x.dtype == bool:
        return np.unique(x, return_inverse=True)[1].reshape(x.shape).astype(np.int64)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must hold numbers, got dtype {x.dtype}")
    if bins is None:
        raise ValueError(
            f"{name} holds floats: pass bins=k to bin each unit into k equal-width bins, or "
            "pass integer codes"
        )
    if not np.isfinite(x).all():
        raise ValueError(f"{name} has NaN or infinite values: drop or fill those samples")
    from .binning import codes_into

    out = np.empty(x.shape, dtype=np.int64)
    codes_into(np.ascontiguousarray(x, dtype=np.float64), name, bins, "uniform", None, out)
    return out


def _target_codes(target: Any, n_samples: int, bins: int | None) -> np.ndarray:
    t = np.asarray(target)
    if t.ndim != 1 or t.shape[0] != n_samples:
        raise ValueError(
            f"target must have shape (n_samples,) = ({n_samples},) like the layer's sample "
            f"axis, got {t.shape}"
        )
    return _unit_codes(t[None, :], bins if np.issubdtype(t.dtype, np.floating) else None, "target")[
        0
    ]


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
            raise ValueError(
                f"groups holds {g!r}: each group is a non-empty tuple of unit indices in "
                f"0..{n_units - 1}"
            )
        out.append(tuple(int(u) for u in members))
    if not out:
        raise ValueError("groups is empty: give at least one group of units")
    return out


# --- Shannon invariants ---------------------------------------------------------------------


def _mi_from_states(t: np.ndarray, n_t: int, states: np.ndarray) -> float:
    """Plug-in ``I(T; S)`` (bits) from target codes and any hashable state per sample, from
    the non-zero counts only: ``sum c/N log2(c N / (c_t c_s))``."""
    _, s, c_s = np.unique(states, return_inverse=True, return_counts=True)
    n_s = c_s.shape[0]
    c_ts = np.bincount(t * n_s + s.ravel(), minlength=n_t * n_s)
    cell = np.flatnonzero(c_ts)
    c = c_ts[cell].astype(np.float64)
    c_t = np.bincount(t, minlength=n_t).astype(np.float64)
    n = float(t.shape[0])
    return float((c * np.log2(c * n / (c_t[cell // n_s] * c_s[cell % n_s]))).sum() / n)


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
        raise ValueError(f"estimator must be 'plugin' or 'shuffle', got {estimator!r}")
    if (
        isinstance(n_shuffles, bool)
        or not isinstance(n_shuffles, int | np.integer)
        or n_shuffles < 0
    ):
        raise ValueError(f"n_shuffles must be a non-negative int, got {n_shuffles!r}")
    if estimator == "shuffle" and n_shuffles == 0:
        raise ValueError("estimator='shuffle' needs n_shuffles > 0 (e.g. n_shuffles=20)")
    return estimator, int(n_shuffles)


def shannon_invariants(
    target: Any,
    activity: Any,
    *,
    groups: Sequence[Sequence[int]] | None = None,
    bins: int | None = None,
    estimator: str = "plugin",
    n_shuffles: int = 0,
    random_state: int | None = 0,
) -> ShannonInvariants:
    """Average degree of redundancy and vulnerability of a layer of any width.

    Parameters
    ----------
    target : array_like, shape (n_samples,)
        Target values (integer codes, or floats binned with ``bins``).
    activity : array_like, shape (n_units, n_samples)
        The layer's unit states.
    groups : sequence of sequences of int, optional
        Sources as groups of units (joint states); default one source per unit.
    bins : int, optional
        Equal-width bins per unit (and target) for float input.
    estimator : {"plugin", "shuffle"}
        Plug-in MIs, or each MI minus the mean of its ``n_shuffles`` target-shuffled nulls.
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
    codes = _unit_codes(activity, bins)
    t = _target_codes(target, codes.shape[1], bins)
    n_t = int(t.max()) + 1
    srcs = _check_groups(groups, codes.shape[0])
    # one hashed state per source, then sums of those for any set of sources
    per_source = np.stack([_state_hash(codes[list(g)], seed=i)[0] for i, g in enumerate(srcs)])
    total = per_source.sum(axis=0, dtype=np.uint64)

    def terms(tt):
        single = np.array([_mi_from_states(tt, n_t, h) for h in per_source])
        without = np.array([_mi_from_states(tt, n_t, total - h) for h in per_source])
        return _mi_from_states(tt, n_t, total), single, without

    mi, single, without = terms(t)
    bias: dict[str, Any] = {}
    if n_shuffles:
        rng = np.random.default_rng(random_state)
        nulls = [terms(rng.permutation(t)) for _ in range(n_shuffles)]
        bias = {
            "mi": float(np.mean([x[0] for x in nulls])),
            "mi_single": np.mean([x[1] for x in nulls], axis=0),
            "mi_without": np.mean([x[2] for x in nulls], axis=0),
        }
        if estimator == "shuffle":
            mi, single, without = (
                mi - bias["mi"],
                single - bias["mi_single"],
                without - bias["mi_without"],
            )
    n = len(srcs)
    with np.errstate(invalid="ignore", divide="ignore"):
        degree = float(single.sum() / mi) if mi > 0 else np.nan
        vulnerability = float((n * mi - without.sum()) / mi) if mi > 0 else np.nan
    settings = {
        "estimator": estimator,
        "n_shuffles": n_shuffles,
        "random_state": random_state,
        "bins": bins,
        "n_samples": int(t.shape[0]),
        "n_sources": n,
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
    """

    groups: list[tuple[int, ...]]
    subsets: np.ndarray
    result: Any
    profile: SynergyProfile

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
    bins: int | None = None,
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
        Unit states (integer codes, or floats binned per unit with ``bins``).
    k : int
        Sources per subset (at most 5, the largest lattice); fewer when the layer has fewer.
    n_subsets : int
        Subsets drawn (all of them when there are at most this many).
    groups : sequence of sequences of int, optional
        Sources as groups of units (joint states), e.g. :func:`pair_groups`; default one
        source per unit.
    bins : int, optional
        Equal-width bins per unit (and float target).
    seed : int
        Seed of the subset draw and of the shuffles.
    measure, estimator, n_shuffles
        As in :func:`pidtools.estimate`.

    Returns
    -------
    LayerPID
    """
    from .estimate import estimate

    codes = _unit_codes(activity, bins)
    t = _target_codes(target, codes.shape[1], bins)
    srcs = _check_groups(groups, codes.shape[0])
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
    return LayerPID(srcs, subsets, res, synergy_profile(res))
