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
from functools import cache
from itertools import combinations

import numpy as np

__all__ = ["Lattice", "lattice", "parse_label", "format_label", "MAX_SOURCES"]

MAX_SOURCES = 4

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


def _below(beta: Antichain, alpha: Antichain) -> bool:
    """``beta <= alpha``: every set of alpha contains some set of beta."""
    return all(any(b <= a for b in beta) for a in alpha)


@dataclass(frozen=True)
class Lattice:
    """The redundancy lattice for ``n_sources`` sources.

    Attributes
    ----------
    n_sources : int
        Number of sources.
    nodes : tuple of antichains
        Antichains (tuples of frozensets of 1-based indices), bottom-up.
    labels : tuple of str
        The node labels, in the same order.
    order : ndarray of bool, shape (n_nodes, n_nodes)
        ``order[i, j]`` is True iff ``nodes[j] <= nodes[i]`` (zeta matrix: redundancy of node
        ``i`` is the sum of the atoms ``j`` below it).
    mobius : ndarray of int64, shape (n_nodes, n_nodes)
        The integer inverse of ``order``: ``atoms = mobius @ redundancy``.
    union_coefficients : ndarray of int64, shape (n_nodes, 2**n_sources)
        Inclusion-exclusion coefficients: for node alpha, the probability that some set of alpha
        shows its observed value is ``sum_m union_coefficients[alpha, m] * P(S_m = s_m)``, where
        bit ``i`` of the mask ``m`` stands for source ``i + 1``.
    """

    n_sources: int
    nodes: tuple[Antichain, ...]
    labels: tuple[str, ...]
    order: np.ndarray = field(repr=False)
    mobius: np.ndarray = field(repr=False)
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
            return self.nodes.index(node)
        except ValueError:  # pragma: no cover - parse_label only returns valid antichains
            raise ValueError(f"atom label {label!r} is not a node of the lattice") from None

    def leq(self, beta: str, alpha: str) -> bool:
        """Whether node ``beta`` lies below (or equals) node ``alpha``."""
        return bool(self.order[self.index(alpha), self.index(beta)])

    def up_set(self, label: str) -> tuple[str, ...]:
        """Labels of the nodes above (or equal to) ``label``."""
        j = self.index(label)
        return tuple(self.labels[i] for i in range(self.n_nodes) if self.order[i, j])

    def down_set(self, label: str) -> tuple[str, ...]:
        """Labels of the nodes below (or equal to) ``label``."""
        i = self.index(label)
        return tuple(self.labels[j] for j in range(self.n_nodes) if self.order[i, j])


def _mask(a: frozenset[int]) -> int:
    return sum(1 << (i - 1) for i in a)


@cache
def lattice(n_sources: int) -> Lattice:
    """Return the redundancy lattice for ``n_sources`` in ``1..4`` (built once, cached).

    Examples
    --------
    >>> lattice(2).labels
    ('{1}{2}', '{1}', '{2}', '{12}')
    >>> lattice(3).n_nodes, lattice(4).n_nodes
    (18, 166)
    """
    if isinstance(n_sources, bool) or not isinstance(n_sources, int | np.integer):
        raise TypeError(f"n_sources must be an int in 1..{MAX_SOURCES}, got {n_sources!r}")
    n = int(n_sources)
    if not 1 <= n <= MAX_SOURCES:
        raise ValueError(
            f"n_sources must be in 1..{MAX_SOURCES}, got {n}: use at most four sources"
        )
    raw = _antichains(n)
    down = {a: sum(_below(b, a) for b in raw) for a in raw}
    nodes = tuple(sorted(raw, key=lambda a: (down[a], [_set_key(s) for s in a])))
    k = len(nodes)
    order = np.array([[_below(b, a) for b in nodes] for a in nodes], dtype=bool)
    mobius = np.rint(np.linalg.inv(order.astype(float))).astype(np.int64)
    assert np.array_equal(mobius @ order.astype(np.int64), np.eye(k, dtype=np.int64))
    coef = np.zeros((k, 1 << n), dtype=np.int64)
    for i, alpha in enumerate(nodes):
        for r in range(1, len(alpha) + 1):
            for beta in combinations(alpha, r):
                coef[i, _mask(frozenset().union(*beta))] += (-1) ** (r + 1)
    for arr in (order, mobius, coef):
        arr.setflags(write=False)
    return Lattice(n, nodes, tuple(format_label(a) for a in nodes), order, mobius, coef)
