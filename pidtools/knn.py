"""Continuous shared-exclusion PID from samples, without binning: a nearest-neighbour estimator.

For continuous sources and a continuous or discrete target, :func:`estimate_knn` estimates the
I^sx redundancy of every lattice node (and so the atoms) in the style of Kraskov, Stögbauer &
Grassberger (KSG, 2004), extended to the disjunctive ("some set of the node") events of shared
exclusion, the programme of Ehrlich, Schick-Poland et al. (2024). The counting rules below are
derived here from the definition of the measure; they are checked against numerical integration
of that definition in the tests, not against the paper's code.

Derivation
----------
For an outcome ``(t, s)`` and a node (antichain) ``alpha``, the local redundancy is
``i(t : alpha) = log P(A | t) / P(A)`` where ``A`` is the union event "some set ``a`` of
``alpha`` shows its observed value ``s_a``" (Makkeh, Gutknecht & Wibral 2021). For continuous
variables these are point events; Schick-Poland et al. (2021) define the continuous measure as
the limit of the same ratio for the events "``S_a`` lies within ``eps`` of ``s_a``" as ``eps``
goes to 0. The estimator evaluates the ratio at the scale of the data, as KSG does for mutual
information: for sample ``i``,

* ``eps_i`` is the max-norm distance from sample ``i`` to its ``k``-th nearest neighbour in the
  joint space ``(T, S_1, ..., S_n)`` (for a discrete target: among the samples of its own class,
  in the sources' space, as in Ross 2014);
* ``m_T`` counts the samples with ``|t_j - t_i| < eps_i`` (discrete: of class ``t_i``), including
  ``i`` itself;
* for every set ``a`` of the node, ``m_a`` counts the samples with ``max_{v in a} |s_vj - s_vi|
  < eps_i`` (including ``i``) and ``m_{a,T}`` the other samples within ``eps_i`` (boundary
  included) in both ``T`` and ``S_a``;
* the union event: as ``eps -> 0``, ``P(S_a within eps) ~ (2 eps)^|a| p(s_a)``, so the
  probability of the union is the sum over the node's smallest sets (those of least size
  ``|a|``) up to a relative error ``O(eps)``: the overlaps and the larger sets are of higher
  order. The estimator sums the counts of the smallest sets, ``m_alpha = sum_a m_a`` and
  ``m_{alpha,T} = sum_a m_{a,T}`` (``union="leading"``). Counting the samples in the union
  itself (``union="event"``) estimates the same limit, but its overlap term is of the order of
  ``k`` neighbours at the KSG scale (the ``k`` joint neighbours lie in every set's ball), which
  biases the union node low by a few hundredths of a bit at ``N = 10**4``;
* each probability of a ball-like event holding ``m`` of ``N`` samples is replaced by
  ``exp(psi(m) - psi(N))`` (the KSG approximation), so that
  ``i(t : alpha) ~ psi(N) + psi(m_{alpha,T}) - psi(m_T) - psi(m_alpha)``.

One ``eps_i`` serves every node, so the errors of the counts largely cancel between nodes (the
KSG argument). For the top node ``{12..n}`` the joint count is ``k`` and the formula is KSG's
algorithm 1 (Ross's estimator for a discrete target) for ``I(T; S)``: the atoms, the Mobius
inverse of the node values, sum to the KSG estimate of ``I(T; S)``. For a single-set node it is
a KSG estimate of ``I(T; S_a)`` at the scale ``eps_i``. Global values are means of the local ones.

The limit and the scale of the sources
--------------------------------------
As ``eps -> 0`` with one scalar per source, ``P(A) ~ 2 eps sum_{a in alpha} p(s_a)`` for a node
of singletons, so the union node's limit is ``log [sum_a p(t, s_a) / (p(t) sum_a p(s_a))]``:
unlike mutual information it depends on the scale of each source (rescaling ``S_1`` reweights
the sum). The default ``transform="rank"`` fixes the scale by the data: every variable is mapped
to uniform margins (randomised ranks), which makes the estimate invariant under strictly
increasing transforms of each variable. On that scale ``p(s_a) = 1`` and the union node is
``log mean_{a in alpha} exp(i(t ; s_a))``, the log of the mean of the sources' exponentiated
local mutual information. For a node whose sets differ in size (``{1}{23}``), the limit holds
the smallest sets only (here ``i(t ; s_1)``), a property of the continuous measure.
``transform="standardize"`` (unit variance, as scikit-learn does) and ``"none"`` keep the
data's own scale.

References
----------
Kraskov, A., Stögbauer, H. & Grassberger, P. (2004). Estimating mutual information. Phys. Rev.
E 69, 066138.
Ross, B. C. (2014). Mutual information between discrete and continuous data sets. PLoS ONE 9,
e87357.
Makkeh, A., Gutknecht, A. J. & Wibral, M. (2021). Introducing a differentiable measure of
pointwise shared information. Phys. Rev. E 103, 032149.
Schick-Poland, K. et al. (2021). A partial information decomposition for discrete and continuous
variables. arXiv:2106.12393.
Ehrlich, D. A., Schick-Poland, K., Makkeh, A., Lanfermann, F., Wollstadt, P. & Wibral, M.
(2024). Partial information decomposition for continuous variables based on shared exclusions:
analytical formulation and estimation. Phys. Rev. E 110, 014115.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
from scipy.special import digamma

from ._validation import is_real
from .errors import ParameterError, ParameterTypeError
from .estimate import (
    EstimateResult,
    _as_sample_arrays,
    _batch_shape,
    _check_random_state,
    _count,
    max_t_p_values,
    resolve_random_state,
)
from .kernels import knn as kernel
from .kernels.estimate import element_seeds
from .lattice import lattice

__all__ = ["estimate_knn", "from_estimate", "TRANSFORMS", "UNIONS"]

TRANSFORMS = {"rank": kernel.RANK, "standardize": kernel.STANDARDIZE, "none": kernel.RAW}

#: Seed of the tie-breaking noise when ``random_state`` is None and nothing is resampled.
DEFAULT_NOISE_SEED = 0

UNIONS = ("leading", "event")


@cache
def node_coefficients(n_sources: int, union: str = "leading") -> np.ndarray:
    """``coef[node, mask]``: the count of a node is ``sum_mask coef[node, mask] * C(mask)``,
    with ``C(mask)`` the samples whose sources in ``mask`` (bit ``i`` for source ``i + 1``) all
    lie within ``eps``.

    ``"leading"``: 1 for each of the node's smallest sets. ``"event"``: the inclusion-exclusion
    coefficients of the union of the node's sets (:attr:`pidtools.Lattice.union_coefficients`).
    """
    lat = lattice(n_sources)
    if union == "event":
        return lat.union_coefficients
    coef = np.zeros((lat.n_nodes, 1 << n_sources), dtype=np.int64)
    for i, node in enumerate(lat.nodes):
        size = min(len(a) for a in node)
        for a in node:
            if len(a) == size:
                coef[i, sum(1 << (v - 1) for v in a)] = 1
    coef.setflags(write=False)
    return coef


def estimate_knn(
    target: Any,
    sources: Sequence[Any],
    *,
    k: int = 4,
    discrete_target: bool | None = None,
    transform: str = "rank",
    union: str = "leading",
    local: bool = False,
    n_shuffles: int = 0,
    n_boot: int = 0,
    ci: float = 0.95,
    random_state: int | np.random.Generator | None = None,
    batch_index: np.ndarray | None = None,
) -> EstimateResult:
    """Estimate continuous I^sx atoms with nearest neighbours, for one set of variables or a batch.

    Parameters
    ----------
    target : array_like, shape (*batch_t, n_samples)
        Target samples (last axis), real numbers or class labels (integers, booleans).
    sources : sequence of array_like, each of shape (*batch_i, n_samples)
        One array of real numbers per source (2 to 4; 1 gives the mutual information alone). All
        batch shapes must broadcast together.
    k : int
        Number of neighbours (KSG's ``k``), at least 1 and below ``n_samples``.
    discrete_target : bool, optional
        Treat the target as class labels (Ross's estimator: neighbours within the class).
        Default: True for an integer or boolean target, False for a floating one.
    transform : {"rank", "standardize", "none"}
        Scale of every continuous variable, per batch element: ``"rank"`` maps it to uniform
        margins (randomised ranks; invariant under increasing transforms of each variable),
        ``"standardize"`` divides it by its standard deviation, ``"none"`` keeps it. All three
        add seeded tie-breaking noise (see Notes).
    union : {"leading", "event"}
        How the union event of a node is counted (see the module docstring): ``"leading"``
        sums the counts of the node's smallest sets (less bias), ``"event"`` counts the samples
        in the union.
    local : bool
        Also return the local (per sample) redundancies and atoms, shape
        ``(*batch, n_samples, n_atoms)``.
    n_shuffles : int
        Number of target shuffles for the null (mean, std, permutation p-value).
    n_boot : int
        Number of bootstrap resamples for percentile intervals.
    ci : float
        Level of the bootstrap interval, in (0, 1).
    random_state : int, numpy.random.Generator or None
        Seed of the tie-breaking noise, shuffles and resamples. ``None``: a fixed seed for the
        noise when nothing is resampled (the estimate is then reproducible), fresh entropy
        (recorded in ``settings["random_state"]``) when it is.
    batch_index : ndarray of int, shape batch, optional
        Flat index of every element in a larger batch, from which its seeds are derived
        (default ``0..n-1``): chunks of a batch that pass their global indices get the numbers
        of the unchunked run (used by :func:`pidtools.xarray.pid_dataset`).

    Returns
    -------
    EstimateResult
        ``atoms``, ``redundancy`` of shape ``(*batch, n_atoms)`` in bits; ``mi`` the KSG
        estimate of ``I(T; S)``; ``entropy`` and ``h_res`` are the plug-in ``H(T)`` and
        ``H(T) - mi`` for a discrete target, NaN for a continuous one; ``plugin_atoms`` is None.

    Notes
    -----
    The estimator and the quantity it estimates are described in the module docstring
    (:mod:`pidtools.knn`). Neighbour search is a scan over all pairs, ``O(n_samples**2)`` per
    element and draw.

    *Noise and ties.* Equal values would make neighbour distances tie; ties are broken with
    noise drawn from a seed per batch element (derived from ``random_state`` and the element's
    flat index), so the result does not depend on threads or chunks.

    *Null and p-values.* Each shuffle permutes the target; ``p_value`` of an atom is
    ``(1 + #{null >= estimate}) / (1 + n_shuffles)``, ``p_adjusted`` the two-sided max-T
    p-value over the atoms of an element (:func:`pidtools.estimate.max_t_p_values`).

    *Bootstrap.* Samples are drawn with replacement; copies of one sample are not counted as
    each other's neighbours (they would sit at distance 0). The interval holds the percentiles
    of the bootstrap atoms.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> s1, s2 = rng.standard_normal((2, 2000))
    >>> res = estimate_knn(s1 + s2 + 0.5 * rng.standard_normal(2000), [s1, s2])
    >>> res.labels
    ('{1}{2}', '{1}', '{2}', '{12}')
    >>> bool(abs(res.mi - np.log2(9.0) / 2) < 0.1)  # I = log2(1 + 2 / 0.25) / 2
    True
    """
    k = _check_k(k)
    if transform not in TRANSFORMS:
        raise ParameterError(
            f"unknown transform {transform!r}: choose one of {', '.join(map(repr, TRANSFORMS))}",
            param="transform",
        )
    if union not in UNIONS:
        raise ParameterError(
            f"unknown union {union!r}: choose one of {', '.join(map(repr, UNIONS))}", param="union"
        )
    if not isinstance(local, bool | np.bool_):
        raise ParameterTypeError(f"local must be True or False, got {local!r}", param="local")
    n_shuffles, n_boot = _count(n_shuffles, "n_shuffles"), _count(n_boot, "n_boot")
    if not is_real(ci) or not 0.0 < ci < 1.0:
        raise ParameterError(f"ci must be a number in (0, 1), got {ci!r}: e.g. ci=0.95", param="ci")
    resample = n_shuffles > 0 or n_boot > 0
    if resample:
        seed = resolve_random_state(random_state)
    else:
        _check_random_state(random_state)
        seed = DEFAULT_NOISE_SEED if random_state is None else resolve_random_state(random_state)

    arrays, names = _as_sample_arrays(target, sources)
    n_src, n = len(arrays) - 1, arrays[0].shape[-1]
    discrete = _check_variables(arrays, names, discrete_target, k)
    batch_shape = _batch_shape(arrays, names)
    n_batch = int(np.prod(batch_shape))

    target_codes = None
    data_parts, rows = [], np.empty((n_batch, n_src + 1), dtype=np.int64)
    offset = 0
    for v, x in enumerate(arrays):
        x = x.astype(np.float64) if v else x
        if v == 0:
            if discrete:
                target_codes = np.unique(x, return_inverse=True)[1].reshape(x.shape)
                x = target_codes.astype(np.float64)
            else:
                x = x.astype(np.float64)
        block = x.reshape(-1, n)
        local_rows = np.arange(block.shape[0]).reshape(x.shape[:-1])
        rows[:, v] = np.broadcast_to(local_rows, batch_shape).ravel() + offset
        data_parts.append(block)
        offset += block.shape[0]
    data = np.ascontiguousarray(np.concatenate(data_parts))

    lat = lattice(n_src)
    coef = node_coefficients(n_src, union)
    # a node's count sums the counts of up to (sum of positive coef) sets
    psi = digamma(np.arange(int(np.clip(coef, 0, None).sum(axis=1).max()) * n + 1, dtype=float))
    keys = np.random.SeedSequence(seed).generate_state(6, np.uint64)
    index = np.arange(n_batch) if batch_index is None else np.asarray(batch_index).ravel()
    if index.shape != (n_batch,):
        raise ParameterError(
            f"batch_index has {index.size} entries for a batch of {n_batch}: give one per element",
            param="batch_index",
        )
    index = np.ascontiguousarray(index, dtype=np.int64)
    mode = TRANSFORMS[transform]

    def run(key, kind, n_draws, local_out):
        seeds = np.empty(n_batch, dtype=np.uint64)
        element_seeds(key, index, seeds)
        red = np.empty((n_batch, n_draws, lat.n_nodes))
        kernel.knn_sx(data, rows, discrete, mode, seeds, k, coef, psi, kind, red, local_out)
        return red

    no_local = np.empty((0, 0, 0))
    local_red = np.empty((n_batch, n, lat.n_nodes)) if local else no_local
    red = run(keys[0:2], kernel.NONE, 1, local_red)[:, 0]
    mobius = lat.mobius.astype(np.float64)
    atoms = red @ mobius.T

    stats: dict[str, np.ndarray] = {}
    if n_shuffles:
        null = run(keys[2:4], kernel.SHUFFLE, n_shuffles, no_local) @ mobius.T
        stats["null_mean"] = null.mean(axis=1)
        stats["null_std"] = null.std(axis=1)
        stats["p_value"] = (1.0 + (null >= atoms[:, None, :]).sum(axis=1)) / (1.0 + n_shuffles)
        stats["p_adjusted"] = max_t_p_values(atoms, null)
    if n_boot:
        boot = run(keys[4:6], kernel.BOOTSTRAP, n_boot, no_local) @ mobius.T
        q = 50.0 * (1.0 - ci), 50.0 * (1.0 + ci)
        stats["ci_low"], stats["ci_high"] = np.percentile(boot, q, axis=1)

    mi = red[:, -1]
    entropy = _class_entropy(target_codes, batch_shape, n) if discrete else np.full(n_batch, np.nan)
    shaped = lambda a: a.reshape(batch_shape + a.shape[1:])  # noqa: E731
    extra = {}
    if local:
        extra = dict(
            local_redundancy=shaped(local_red),
            local_atoms=shaped(local_red @ mobius.T),
        )
    settings = dict(
        measure="sx", estimator="knn", k=k, discrete_target=discrete, transform=transform, union=union,
        n_shuffles=n_shuffles, n_boot=n_boot, ci=float(ci), random_state=seed, n_samples=n,
    )  # fmt: skip
    return EstimateResult(
        measure="sx",
        n_sources=n_src,
        labels=lat.labels,
        atoms=shaped(atoms),
        redundancy=shaped(red),
        mi=shaped(mi),
        entropy=shaped(entropy),
        h_res=shaped(entropy - mi),
        settings=settings,
        **extra,
        **{key: shaped(v) for key, v in stats.items()},
    )


def from_estimate(
    target: Any,
    sources: Sequence[Any],
    *,
    batch_index: np.ndarray | None = None,
    measure: str = "sx",
    k: int = 4,
    n_shuffles: int = 0,
    n_boot: int = 0,
    ci: float = 0.95,
    random_state: int | np.random.Generator | None = None,
    **binning: Any,
) -> EstimateResult:
    """:func:`estimate_knn` with the settings of :func:`pidtools.estimate` (``estimator="knn"``);
    ``bins`` and ``binning`` do not apply and are ignored."""
    check_estimate_settings(measure, k)
    return estimate_knn(
        target, sources, k=k, n_shuffles=n_shuffles, n_boot=n_boot, ci=ci,
        random_state=random_state, batch_index=batch_index,
    )  # fmt: skip


def check_estimate_settings(measure: Any, k: Any) -> None:
    """The settings of :func:`pidtools.estimate` that ``estimator="knn"`` constrains."""
    if measure != "sx":
        raise ParameterError(
            f"estimator='knn' estimates the shared-exclusion measure only, got measure="
            f"{measure!r}: pass measure='sx' or a binned estimator ('plugin', 'shuffle')",
            param="measure",
        )
    _check_k(k)


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise ParameterTypeError(f"k must be an int >= 1, got {k!r}: e.g. k=4", param="k")
    if k < 1:
        raise ParameterError(f"k must be an int >= 1, got {k}: e.g. k=4", param="k")
    return int(k)


def _check_variables(arrays, names, discrete_target, k) -> bool:
    """Check the variable types for the estimator; return whether the target is discrete."""
    n = arrays[0].shape[-1]
    if n <= k:
        raise ParameterError(
            f"k={k} needs more than k samples, got {n}: lower k or pass more samples", param="k"
        )
    for name, a in zip(names[1:], arrays[1:], strict=True):
        if not np.issubdtype(a.dtype, np.floating):
            raise ParameterTypeError(
                f"{name} holds {a.dtype} values but the nearest-neighbour estimator needs "
                "continuous (floating) sources: cast it with .astype(float) if its values are "
                "measurements, or use a binned estimator for codes",
                param=name,
            )
    is_int = not np.issubdtype(arrays[0].dtype, np.floating)
    if discrete_target is None:
        return is_int
    if not isinstance(discrete_target, bool | np.bool_):
        raise ParameterTypeError(
            f"discrete_target must be True, False or None, got {discrete_target!r}",
            param="discrete_target",
        )
    return bool(discrete_target)


def _class_entropy(codes: np.ndarray, batch_shape: tuple[int, ...], n: int) -> np.ndarray:
    """Plug-in entropy (bits) of the class labels of every batch element."""
    flat = np.broadcast_to(codes, batch_shape + (n,)).reshape(-1, n)
    n_classes = int(codes.max()) + 1
    counts = np.zeros((flat.shape[0], n_classes))
    np.add.at(counts, (np.arange(flat.shape[0])[:, None], flat), 1.0)
    p = counts / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=1)
