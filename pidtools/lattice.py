"""The redundancy lattice of partial information decomposition.

A node of the lattice for ``n`` sources is an *antichain*: a collection of non-empty subsets of
``{1, ..., n}`` none of which lies strictly inside another. Nodes are written with 1-based
source indices in braces, e.g. ``"{1}{2}"`` (redundancy), ``"{12}"`` (synergy), ``"{1}{23}"``.
Within a label the sets are ordered by size, then lexicographically; the parser accepts any
order and spacing and normalises it.

The lattice order is ``beta <= alpha`` iff every set of ``alpha`` contains some set of
``beta``. Nodes are listed bottom-up: sorted by the size of their down-set, then by their sets.
For two sources this gives ``("{1}{2}", "{1}", "{2}", "{12}")``: redundancy, the two unique
informations and synergy.

References
----------
Williams, P. L. & Beer, R. D. (2010). Nonnegative decomposition of multivariate information.
arXiv:1004.2515.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import combinations

import numpy as np

from .kernels.mobius import mobius_rows

__all__ = ["Lattice", "lattice", "parse_label", "format_label", "MAX_SOURCES"]

MAX_SOURCES = 5

Antichain = tuple[frozenset[int], ...]


def _set_key(a: frozenset[int]) -> tuple[int, tuple[int, ...]]:
    return (len(a), tuple(sorted(a)))


def format_label(node: Antichain) -> str:
    """Write an antichain as its label, e.g. ``"{1}{23}"``."""
    return "".join(
        "{" + "".join(str(i) for i in sorted(a)) + "}" for a in sorted(node, key=_set_key)
    )


_LABEL_RE = re.compile(r"\s*\{\s*([1-9](?:\s*,?\s*[1-9])*)\s*\}\s*")


def parse_label(label: str, n_sources: int) -> Antichain:
    """Parse a node label such as ``"{1}{23}"`` into a normalised antichain.

    Parameters
    ----------
    label : str
        Sets of 1-based source indices in braces. Digits may be separated by commas or spaces.
    n_sources : int
        Number of sources; indices must lie in ``1..n_sources``.

    Raises
    ------
    ValueError
        If the label is malformed, names a source outside ``1..n_sources``, or is not an
        antichain (one set contains another).
    """
    if not isinstance(label, str):
        raise TypeError(
            f"atom label must be a str such as '{{1}}{{2}}', got {type(label).__name__}"
        )
    pos, sets = 0, []
    while pos < len(label):
        m = _LABEL_RE.match(label, pos)
        if m is None:
            raise ValueError(
                f"atom label {label!r} is malformed: write sets of 1-based source indices in "
                f"braces, e.g. '{{1}}{{2}}' or '{{12}}'"
            )
        digits = [int(c) for c in m.group(1) if c.isdigit()]
        sets.append(frozenset(digits))
        pos = m.end()
    if not sets:
        raise ValueError(f"atom label {label!r} is empty: write e.g. '{{1}}{{2}}'")
    for a in sets:
        bad = [i for i in a if not 1 <= i <= n_sources]
        if bad:
            raise ValueError(
                f"atom label {label!r} names source {bad[0]}, but there are {n_sources} sources: "
                f"use indices 1..{n_sources}"
            )
    uniq = list(dict.fromkeys(sets))
    for a in uniq:
        for b in uniq:
            if a != b and a < b:
                raise ValueError(
                    f"atom label {label!r} is not an antichain: {format_label((a,))} lies inside "
                    f"{format_label((b,))}; drop the larger set"
                )
    return tuple(sorted(uniq, key=_set_key))


def _antichains(n: int) -> list[Antichain]:
    subsets = [frozenset(c) for k in range(1, n + 1) for c in combinations(range(1, n + 1), k)]
    out: list[Antichain] = []

    def extend(chosen: list[frozenset[int]], start: int) -> None:
        if chosen:
            out.append(tuple(sorted(chosen, key=_set_key)))
        for i in range(start, len(subsets)):
            s = subsets[i]
            if all(not (s <= c or c <= s) for c in chosen):
                extend([*chosen, s], i + 1)

    extend([], 0)
    return out


def _mask(a: frozenset[int]) -> int:
    return sum(1 << (i - 1) for i in a)


def _up_mask(node: Antichain, n: int) -> int:
    """The node's up-set as a bit mask over source masks: bit ``s`` is set iff the sources of
    mask ``s`` contain some set of the node."""
    masks = [_mask(a) for a in node]
    return sum(1 << s for s in range(1 << n) if any(s & m == m for m in masks))


def _subset_mobius(indicator: np.ndarray) -> np.ndarray:
    """Mobius transform over the subsets of the sources, along the last axis (length ``2**n``):
    ``g(m) = sum_{m' <= m} (-1)**|m - m'| f(m')``."""
    g = indicator.astype(np.int64, copy=True)
    n_masks = g.shape[-1]
    bit = 1
    while bit < n_masks:
        with_bit = np.array([m for m in range(n_masks) if m & bit])
        g[..., with_bit] -= g[..., with_bit ^ bit]
        bit <<= 1
    return g


@dataclass(frozen=True)
class Lattice:
    """The redundancy lattice for ``n_sources`` sources.

    Every node is stored by its *up-set*: the source sets that contain some set of the node.
    ``beta <= alpha`` iff the up-set of ``alpha`` lies inside that of ``beta``. The lattice is
    distributive, so the Mobius inverse is sparse: the atom of ``alpha`` is
    ``sum_C (-1)**|C| I(up(alpha) + C)`` over the subsets ``C`` of the source sets that can be
    added to ``alpha``'s up-set one at a time (those outside it whose strict supersets are all
    inside), ``2**k`` terms for a node with ``k`` children.

    Attributes
    ----------
    n_sources : int
        Number of sources.
    nodes : tuple of antichains
        Antichains (tuples of frozensets of 1-based indices), bottom-up.
    labels : tuple of str
        The node labels, in the same order.
    up_masks : ndarray of uint64, shape (n_nodes,)
        Each node's up-set: bit ``s`` is set iff the sources of mask ``s`` contain a set of it.
    mobius_ptr, mobius_index, mobius_sign : ndarray of int64
        The Mobius inverse in sparse rows: ``atom[a] = sum_q mobius_sign[q] *
        redundancy[mobius_index[q]]`` over ``q`` in ``mobius_ptr[a]:mobius_ptr[a + 1]``.
    union_coefficients : ndarray of int64, shape (n_nodes, 2**n_sources)
        Inclusion-exclusion coefficients: for node alpha, the probability that some set of alpha
        shows its observed value is ``sum_m union_coefficients[alpha, m] * P(S_m = s_m)``, where
        bit ``i`` of the mask ``m`` stands for source ``i + 1``.
    """

    n_sources: int
    nodes: tuple[Antichain, ...]
    labels: tuple[str, ...]
    up_masks: np.ndarray = field(repr=False)
    mobius_ptr: np.ndarray = field(repr=False)
    mobius_index: np.ndarray = field(repr=False)
    mobius_sign: np.ndarray = field(repr=False)
    union_coefficients: np.ndarray = field(repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def bottom(self) -> str:
        return self.labels[0]

    @property
    def top(self) -> str:
        return self.labels[-1]

    def index(self, label: str) -> int:
        """Position of a node given by its label (any set order is accepted)."""
        node = parse_label(label, self.n_sources)
        try:
            return self._positions[node]
        except KeyError:  # pragma: no cover - parse_label only returns valid antichains
            raise ValueError(f"atom label {label!r} is not a node of the lattice") from None

    @cached_property
    def _positions(self) -> dict[Antichain, int]:
        return {node: i for i, node in enumerate(self.nodes)}

    def leq(self, beta: str, alpha: str) -> bool:
        """Whether node ``beta`` lies below (or equals) node ``alpha``."""
        up_a, up_b = self.up_masks[self.index(alpha)], self.up_masks[self.index(beta)]
        return bool(up_a & ~up_b == 0)

    def down_set(self, label: str) -> tuple[str, ...]:
        """Labels of the nodes below (or equal to) ``label``."""
        up = self.up_masks[self.index(label)]
        below = np.nonzero(up & ~self.up_masks == 0)[0]
        return tuple(self.labels[j] for j in below)

    @cached_property
    def order(self) -> np.ndarray:
        """Zeta matrix, bool ``(n_nodes, n_nodes)``: ``order[i, j]`` iff ``nodes[j] <= nodes[i]``
        (the redundancy of node ``i`` is the sum of the atoms ``j`` below it)."""
        up = self.up_masks
        out = np.empty((len(up), len(up)), dtype=bool)
        for lo in range(0, len(up), 512):
            out[lo : lo + 512] = up[lo : lo + 512, None] & ~up[None, :] == 0
        out.setflags(write=False)
        return out

    @cached_property
    def mobius_sparse(self):
        """The Mobius inverse as a ``scipy.sparse.csr_array`` (``atoms = mobius_sparse @ red``)."""
        from scipy.sparse import csr_array

        k = self.n_nodes
        data = (
            self.mobius_sign.astype(np.float64),
            self.mobius_index.copy(),
            self.mobius_ptr.copy(),
        )
        out = csr_array(data, shape=(k, k))
        out.sort_indices()
        return out

    @cached_property
    def _mobius_sign_f(self) -> np.ndarray:
        return np.ascontiguousarray(self.mobius_sign, dtype=np.float64)

    @cached_property
    def mobius(self) -> np.ndarray:
        """The Mobius inverse as a dense int64 matrix, the integer inverse of :attr:`order`
        (``atoms = mobius @ redundancy``); up to four sources."""
        if self.n_sources > 4:
            raise ValueError(
                f"the dense Mobius matrix of {self.n_sources} sources would hold "
                f"{self.n_nodes}**2 entries: use Lattice.to_atoms(redundancy) or mobius_sparse"
            )
        out = np.zeros((self.n_nodes, self.n_nodes), dtype=np.int64)
        rows = np.repeat(np.arange(self.n_nodes), np.diff(self.mobius_ptr))
        out[rows, self.mobius_index] = self.mobius_sign
        out.setflags(write=False)
        return out

    def to_atoms(self, redundancy: np.ndarray) -> np.ndarray:
        """Atoms from redundancies along the last axis (sparse Mobius inversion).

        Each row is summed in the same order whatever the rows around it, so a pmf's atoms do
        not depend on the batch it came in. An atom is NaN where one of the redundancies it
        needs is NaN.
        """
        red = np.asarray(redundancy, dtype=np.float64)
        flat = np.ascontiguousarray(red.reshape(-1, self.n_nodes))
        atoms = np.empty_like(flat)
        mobius_rows(flat.size, flat, self.mobius_ptr, self.mobius_index, self._mobius_sign_f, atoms)
        return atoms.reshape(red.shape)


def _mobius_rows(up: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sparse Mobius inverse of the lattice whose nodes have the up-sets ``up``."""
    n_masks = 1 << n
    position = {int(u): i for i, u in enumerate(up)}
    strict_supersets = [
        sum(1 << s for s in range(n_masks) if s & m == m and s != m) for m in range(n_masks)
    ]
    ptr, index, sign = [0], [], []
    for u in map(int, up):
        addable = [
            1 << m
            for m in range(1, n_masks)
            if not u >> m & 1 and u & strict_supersets[m] == strict_supersets[m]
        ]
        for r in range(len(addable) + 1):
            for extra in combinations(addable, r):
                index.append(position[u | sum(extra)])
                sign.append(-1 if r % 2 else 1)
        ptr.append(len(index))
    return (
        np.asarray(ptr, dtype=np.int64),
        np.asarray(index, dtype=np.int64),
        np.asarray(sign, dtype=np.int64),
    )


@cache
def lattice(n_sources: int) -> Lattice:
    """Return the redundancy lattice for ``n_sources`` in ``1..5`` (built once, cached).

    Examples
    --------
    >>> lattice(2).labels
    ('{1}{2}', '{1}', '{2}', '{12}')
    >>> lattice(3).n_nodes, lattice(4).n_nodes, lattice(5).n_nodes
    (18, 166, 7579)
    """
    if isinstance(n_sources, bool) or not isinstance(n_sources, int | np.integer):
        raise TypeError(f"n_sources must be an int in 1..{MAX_SOURCES}, got {n_sources!r}")
    n = int(n_sources)
    if not 1 <= n <= MAX_SOURCES:
        raise ValueError(
            f"n_sources must be in 1..{MAX_SOURCES}, got {n}: use at most {MAX_SOURCES} sources"
        )
    raw = _antichains(n)
    up_raw = np.array([_up_mask(a, n) for a in raw], dtype=np.uint64)
    # size of each down-set: the nodes whose up-set contains this node's
    down = np.array([int(np.count_nonzero(u & ~up_raw == 0)) for u in up_raw], dtype=np.int64)
    keys = [(int(d), [_set_key(s) for s in a]) for d, a in zip(down, raw, strict=True)]
    perm = sorted(range(len(raw)), key=keys.__getitem__)
    nodes = tuple(raw[i] for i in perm)
    up = up_raw[perm]
    ptr, index, sign = _mobius_rows(up, n)
    bits = (up[:, None] >> np.arange(1 << n, dtype=np.uint64)) & np.uint64(1)
    coef = _subset_mobius(bits)
    for arr in (up, ptr, index, sign, coef):
        arr.setflags(write=False)
    return Lattice(n, nodes, tuple(format_label(a) for a in nodes), up, ptr, index, sign, coef)
