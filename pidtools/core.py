"""The public PID entry points: :func:`pid`, :func:`sx_gradient` and :class:`PIDResult`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import as_pmf_array, check_bool, check_goal
from .errors import ParameterError, ParameterTypeError
from .information import information_terms
from .lattice import format_label, lattice, parse_label
from .measures import get_measure
from .measures.sx import sx_parts, sx_redundancy_gradient

__all__ = ["PIDResult", "pid", "sx_gradient", "goal_node_weights", "from_dit"]


@dataclass(frozen=True)
class PIDResult:
    """Atoms of a partial information decomposition, for one pmf or a batch of them.

    Attributes
    ----------
    measure : str
        Name of the redundancy measure.
    n_sources : int
        Number of sources.
    labels : tuple of str
        Atom labels in lattice order (bottom-up), e.g. ``("{1}{2}", "{1}", "{2}", "{12}")``.
    atoms : ndarray, shape (*batch, n_atoms)
        The atoms Pi (bits).
    redundancy : ndarray, shape (*batch, n_atoms)
        The redundancy I_cap of every node (bits); ``atoms`` is its Mobius inverse.
    mi : ndarray, shape batch
        I(T; S1..Sn), which the atoms sum to.
    entropy : ndarray, shape batch
        H(T).
    h_res : ndarray, shape batch
        H(T | S1..Sn), the part of H(T) that no source explains.
    local_atoms, local_redundancy : ndarray, shape (*batch, nT, n1, ..., nn, n_atoms) or None
        Local (pointwise) values per outcome, NaN where p = 0 (with ``local=True``).
    atoms_plus, atoms_minus : ndarray, shape (*batch, n_atoms) or None
        Informative and misinformative parts of the I^sx atoms (with ``parts=True``):
        ``atoms = atoms_plus - atoms_minus``.
    local_atoms_plus, local_atoms_minus : ndarray or None
        Their local values per outcome (with ``parts=True`` and ``local=True``).
    """

    measure: str
    n_sources: int
    labels: tuple[str, ...]
    atoms: np.ndarray
    redundancy: np.ndarray
    mi: np.ndarray
    entropy: np.ndarray
    h_res: np.ndarray
    local_atoms: np.ndarray | None = field(default=None, repr=False)
    local_redundancy: np.ndarray | None = field(default=None, repr=False)
    atoms_plus: np.ndarray | None = field(default=None, repr=False)
    atoms_minus: np.ndarray | None = field(default=None, repr=False)
    local_atoms_plus: np.ndarray | None = field(default=None, repr=False)
    local_atoms_minus: np.ndarray | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.atoms.shape[:-1]

    def index(self, label: str) -> int:
        """Position of an atom label (any set order accepted) in :attr:`labels`."""
        return self.labels.index(format_label(parse_label(label, self.n_sources)))

    def __getitem__(self, label: str):
        """The atom ``label``: a float for a single pmf, an array over the batch otherwise."""
        try:
            i = self.index(label)
        except (ValueError, TypeError) as err:
            raise KeyError(f"{err}; atoms are {', '.join(self.labels)}") from None
        value = self.atoms[..., i]
        return float(value) if value.ndim == 0 else value

    def by_target(self, part: str = "atoms") -> np.ndarray:
        """Atoms per target value: ``sum_s p(s | t)`` times the local atoms at ``(t, s)``.

        Parameters
        ----------
        part : {"atoms", "plus", "minus"}
            The atoms themselves or their informative / misinformative part.

        Returns
        -------
        ndarray, shape (*batch, nT, n_atoms)
            Averaging over ``t`` with weights ``p(t)`` gives the global atoms; the atoms of one
            target value sum to its specific information ``I(T = t; S)``. NaN for a target value
            of probability zero.
        """
        local = {
            "atoms": self.local_atoms,
            "plus": self.local_atoms_plus,
            "minus": self.local_atoms_minus,
        }
        if part not in local:
            raise ValueError(f"part must be 'atoms', 'plus' or 'minus', got {part!r}")
        values = local[part]
        if values is None:
            fix = "local=True, parts=True" if part != "atoms" else "local=True"
            raise ValueError(f"by_target({part!r}) needs local values: call pid(..., {fix})")
        p = self.extra["pmf"]
        n = self.n_sources
        source_axes = tuple(range(p.ndim - n, p.ndim))
        p_t = p.sum(axis=source_axes, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            weights = np.where(p > 0, p, 0.0) / p_t
        summed = np.einsum(
            "...c,...ca->...a",
            weights.reshape(*p.shape[: p.ndim - n], -1),
            np.nan_to_num(values).reshape(*p.shape[: p.ndim - n], -1, values.shape[-1]),
        )
        return np.where(p_t.reshape(p_t.shape[: p.ndim - n] + (1,)) > 0, summed, np.nan)

    def _bivariate(self, label: str):
        if self.n_sources != 2:
            raise AttributeError(
                f"red/unq1/unq2/syn exist for two sources only; this result has "
                f"{self.n_sources}: index by label, e.g. result['{self.labels[0]}']"
            )
        return self[label]

    red = property(lambda self: self._bivariate("{1}{2}"), doc="Redundancy (n = 2).")
    unq1 = property(lambda self: self._bivariate("{1}"), doc="Unique information of S1 (n = 2).")
    unq2 = property(lambda self: self._bivariate("{2}"), doc="Unique information of S2 (n = 2).")
    syn = property(lambda self: self._bivariate("{12}"), doc="Synergy (n = 2).")

    def as_dict(self) -> dict[str, float]:
        """Atoms of a single pmf as ``{label: value}``."""
        if self.batch_shape:
            raise ValueError(
                f"as_dict needs a single pmf, this result has batch shape {self.batch_shape}: "
                "index the batch first or use to_xarray()"
            )
        return {lab: float(v) for lab, v in zip(self.labels, self.atoms, strict=True)}

    def to_xarray(self, dims: Sequence[str] | None = None):
        """Atoms as an ``xarray.DataArray`` with dimensions ``(*dims, "atom")``.

        Parameters
        ----------
        dims : sequence of str, optional
            Names of the batch dimensions (default ``batch_0``, ``batch_1``, ...).
        """
        import xarray as xr

        dims = (
            list(dims) if dims is not None else [f"batch_{i}" for i in range(len(self.batch_shape))]
        )
        if len(dims) != len(self.batch_shape):
            raise ParameterError(
                f"dims names {len(dims)} dimensions but the batch has {len(self.batch_shape)} "
                f"(shape {self.batch_shape}): give one name per batch axis",
                param="dims",
            )
        return xr.DataArray(
            self.atoms,
            dims=[*dims, "atom"],
            coords={"atom": list(self.labels)},
            name="atoms",
            attrs={"measure": self.measure, "n_sources": self.n_sources, "units": "bit"},
        )

    def __repr__(self) -> str:
        head = f"PIDResult(measure={self.measure!r}, n_sources={self.n_sources}"
        if self.batch_shape:
            return head + f", batch_shape={self.batch_shape})"
        width = max(len(lab) for lab in self.labels)
        rows = "\n".join(
            f"  {lab:<{width}}  {v: .6f}" for lab, v in zip(self.labels, self.atoms, strict=True)
        )
        return f"{head}, mi={float(self.mi):.6f})\n{rows}"


def from_dit(dist, sources: Sequence | None = None, target: Any = None) -> np.ndarray:
    """Convert a ``dit.Distribution`` to an array with axes (T, S1, ..., Sn).

    Parameters
    ----------
    dist : dit.Distribution
        The joint distribution.
    sources : sequence, optional
        One entry per source: a variable index or a sequence of them (a joint source). Default:
        every variable except the target, each on its own.
    target : int or sequence of int, optional
        The target variable(s). Default: the last variable.

    Notes
    -----
    Each variable's values are mapped to ``0..k-1`` in the sorted order of its alphabet.
    """
    if not _is_dit(dist):
        raise ParameterTypeError(
            f"dist must be a dit.Distribution, got {type(dist).__name__}; arrays are already "
            "pmfs: pass them to pid directly",
            param="dist",
        )
    n_vars = dist.outcome_length()
    group = lambda g: (int(g),) if isinstance(g, int | np.integer) else tuple(int(i) for i in g)  # noqa: E731
    tgt = group(n_vars - 1 if target is None else target)
    srcs = (
        [group(s) for s in sources]
        if sources is not None
        else [(i,) for i in range(n_vars) if i not in tgt]
    )
    groups = [tgt, *srcs]
    for role, g in zip(["target"] + ["sources"] * len(srcs), groups, strict=True):
        if not g or any(not 0 <= i < n_vars for i in g):
            raise ParameterError(
                f"{role} names variable(s) {g}, but dist has variables 0..{n_vars - 1}: pass "
                f"indices in 0..{n_vars - 1} (default target: the last variable; default "
                "sources: every other variable)",
                param=role,
            )
    alphabets = [sorted(a) for a in dist.alphabet]
    codes = [{v: k for k, v in enumerate(a)} for a in alphabets]
    sizes = [int(np.prod([len(alphabets[i]) for i in g])) for g in groups]
    arr = np.zeros(sizes)
    d = dist.copy(base="linear")
    for outcome, prob in zip(d.outcomes, d.pmf, strict=True):
        cell = []
        for g in groups:
            c = 0
            for i in g:
                c = c * len(alphabets[i]) + codes[i][outcome[i]]
            cell.append(c)
        arr[tuple(cell)] += prob
    return arr


def _is_dit(p: Any) -> bool:
    return type(p).__module__.startswith("dit.") and hasattr(p, "outcome_length")


def _from_dit_or_array(p: Any, sources, target, n_sources: int | None):
    """``(p, n_sources)``: a dit Distribution converted to an array (its sources given by
    ``sources``/``target``), an array passed through; ``sources``/``target`` with an array fail."""
    if _is_dit(p):
        if n_sources is not None:
            raise ParameterTypeError(
                f"n_sources={n_sources!r} applies to arrays only; for dit.Distribution input "
                "choose the variables with sources= and target= instead",
                param="n_sources",
            )
        return from_dit(p, sources=sources, target=target), None
    if sources is not None or target is not None:
        raise ParameterTypeError(
            "sources= and target= apply to dit.Distribution input only; arrays use axis order "
            "(T, S1..Sn)",
            param="sources" if sources is not None else "target",
        )
    return p, n_sources


def pid(
    p: Any,
    measure: str = "sx",
    *,
    n_sources: int | None = None,
    local: bool = False,
    normalize: bool = False,
    sources: Sequence | None = None,
    target: Any = None,
    parts: bool = False,
) -> PIDResult:
    """Partial information decomposition of one pmf or a batch of pmfs.

    Parameters
    ----------
    p : array_like or dit.Distribution
        Probabilities whose last ``n_sources + 1`` axes are (T, S1, ..., Sn); leading axes are a
        batch. A ``dit.Distribution`` is converted with :func:`from_dit` (``sources``, ``target``).
    measure : str
        Redundancy measure: a name from :func:`pidtools.list_measures` (default ``"sx"``) or
        ``"dit:CLASSNAME"`` for any dit PID class (slow path).
    n_sources : int, optional
        Number of sources, 1..5 (5 for ``"sx"`` only). Default ``p.ndim - 1`` (a single pmf).
    local : bool
        Also return local (pointwise) atoms per outcome, for pointwise measures.
    normalize : bool
        Rescale each pmf to sum to 1 instead of rejecting pmfs whose total differs from 1.
    parts : bool
        For ``"sx"``: also return the informative and misinformative parts of the atoms
        (``atoms_plus``, ``atoms_minus``; Makkeh, Gutknecht & Wibral 2021).

    Returns
    -------
    PIDResult

    Examples
    --------
    >>> import numpy as np
    >>> xor = np.zeros((2, 2, 2)); xor[0, 0, 0] = xor[1, 0, 1] = xor[1, 1, 0] = xor[0, 1, 1] = .25
    >>> round(pid(xor).syn, 4)
    0.415
    """
    local = check_bool(local, "local")
    parts = check_bool(parts, "parts")
    p, n_sources = _from_dit_or_array(p, sources, target, n_sources)
    arr, n = as_pmf_array(p, n_sources, normalize)
    if isinstance(measure, str) and measure.startswith("dit:"):
        from .measures.dit_adapter import dit_redundancy

        compute, pointwise, name = dit_redundancy(measure[4:]), True, measure
    else:
        m = get_measure(measure)
        if n not in m.n_sources:
            raise ParameterError(
                f"measure {measure!r} is defined for n_sources in {m.n_sources}, got {n}: choose "
                "another measure or number of sources",
                param="measure",
            )
        compute, pointwise, name = m.compute, m.pointwise, m.name
    if local and not pointwise:
        raise ParameterError(
            f"measure {name!r} has no local (pointwise) form: use local=False, or a pointwise "
            "measure such as 'sx', 'pm' or 'ccs'",
            param="local",
        )
    if parts and name != "sx":
        raise ValueError(
            f"parts=True splits I^sx atoms into informative and misinformative parts: use "
            f"measure='sx' (got {name!r}) or parts=False"
        )
    lat = lattice(n)
    batch_shape = arr.shape[: arr.ndim - n - 1]
    flat = arr.reshape((-1,) + arr.shape[arr.ndim - n - 1 :])
    split = {}
    if parts:
        red, red_plus, local_red, local_plus = sx_parts(flat, n, local)
        split = _split_parts(lat, red, red_plus, local_red, local_plus, arr.shape, batch_shape)
    else:
        red, local_red = compute(flat, n, local)
    # incomplete PIDs: an atom is NaN only where it needs a NaN node
    atoms = lat.to_atoms(red)
    info = information_terms(arr, n)
    local_atoms = None
    if local_red is not None:
        local_atoms = lat.to_atoms(local_red).reshape(arr.shape + (lat.n_nodes,))
        local_red = local_red.reshape(arr.shape + (lat.n_nodes,))
    return PIDResult(
        measure=name,
        n_sources=n,
        labels=lat.labels,
        atoms=atoms.reshape(batch_shape + (lat.n_nodes,)),
        redundancy=red.reshape(batch_shape + (lat.n_nodes,)),
        mi=info["mi"],
        entropy=info["entropy"],
        h_res=info["h_res"],
        local_atoms=local_atoms,
        local_redundancy=local_red,
        extra={"pmf": arr} if local else {},
        **split,
    )


def _split_parts(lat, red, red_plus, local_red, local_plus, pmf_shape, batch_shape) -> dict:
    """The informative / misinformative atoms (and local ones) as :class:`PIDResult` fields."""
    n_nodes = lat.n_nodes
    out = {
        "atoms_plus": lat.to_atoms(red_plus).reshape(batch_shape + (n_nodes,)),
        "atoms_minus": lat.to_atoms(red_plus - red).reshape(batch_shape + (n_nodes,)),
    }
    if local_plus is not None:
        shape = pmf_shape + (n_nodes,)
        out["local_atoms_plus"] = lat.to_atoms(local_plus).reshape(shape)
        out["local_atoms_minus"] = lat.to_atoms(local_plus - local_red).reshape(shape)
    return out


def goal_node_weights(goal: Mapping[str, float], n_sources: int) -> tuple[np.ndarray, float]:
    """Map a goal ``{atom label: weight, "H_res": weight}`` to weights on redundancy nodes.

    ``G = sum_alpha gamma_alpha Pi_alpha = sum_alpha c_alpha I_cap(alpha)`` with
    ``c = M^T gamma`` for the Mobius inverse ``M``. Returns ``(c, weight of H_res)``.
    """
    lat = lattice(n_sources)
    checked = check_goal(goal, lat.labels, lambda k: format_label(parse_label(k, n_sources)))
    gamma = np.array([checked.get(lab, 0.0) for lab in lat.labels])
    return lat.mobius_sparse.T @ gamma, checked.get("H_res", 0.0)


def sx_gradient(
    p: Any, goal: Mapping[str, float], *, n_sources: int | None = None, normalize: bool = False
) -> np.ndarray:
    """Analytic gradient of an I^sx goal with respect to the pmf entries.

    ``G(p) = sum_label goal[label] * Pi_label(p) + goal.get("H_res", 0) * H(T | S1..Sn)``,
    differentiated with respect to each ``p(t, s1, ..., sn)`` as an independent variable (not
    projected onto the simplex).

    Parameters
    ----------
    p : array_like
        Probabilities with axes (..., T, S1, ..., Sn), as for :func:`pid`.
    goal : mapping
        Atom label -> weight, plus optionally ``"H_res"``.
    n_sources : int, optional
        Number of sources (default ``p.ndim - 1``).
    normalize : bool
        Rescale each pmf to sum to 1 first (the gradient is then taken at the rescaled pmf).

    Returns
    -------
    ndarray
        dG/dp with the shape of ``p``. Where ``p = 0`` the derivative is one-sided and can be
        infinite or undefined (NaN).

    Notes
    -----
    For a node alpha with ``A, B, C`` as in the local redundancy,
    ``dI/dp(z) = log2 A(z)/(B(z)C(z)) + (1/ln 2) [sum_{x in a_z, t_x = t_z} p(x)/A(x)
    - sum_{x in a_z} p(x)/B(x) - 1]``; both sums are inclusion-exclusion sums of marginals.
    """
    arr, n = as_pmf_array(p, n_sources, normalize)
    weights, weight_res = goal_node_weights(goal, n)
    flat = arr.reshape((-1,) + arr.shape[arr.ndim - n - 1 :])
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = sx_redundancy_gradient(flat, n, weights, weight_res, all_cells=True)
    return grad.reshape(arr.shape)
