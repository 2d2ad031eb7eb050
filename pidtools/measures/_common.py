"""Helpers shared by the measure wrappers: cached layouts, node set masks, bivariate views,
and the batch driver of the two specific-information measures (I_min and I_mmi)."""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np

from ..kernels._jit import n_chunks
from ..kernels.marginals import Layout, NodeSets, make_layout
from ..kernels.specific import Redundancy, specific_redundancy_forward
from ..lattice import _mask, lattice


@cache
def layout(pmf_shape: tuple[int, ...]) -> Layout:
    """The marginal layout of pmfs of shape ``(nT, n1, ..., nn)`` (built once per shape)."""
    return make_layout(pmf_shape)


def layout_of(P: np.ndarray) -> Layout:
    """The layout of the pmfs in the batch ``P`` of shape ``(batch, nT, n1, ..., nn)``."""
    return layout(tuple(int(s) for s in P.shape[1:]))


@cache
def node_set_masks(n_sources: int) -> NodeSets:
    """The sets of every lattice node as source masks, in CSR form.

    Node ``a`` has the sets ``mask[ptr[a]:ptr[a + 1]]``; bit ``i`` of a mask stands for source
    ``i + 1`` (as in :mod:`pidtools.kernels.marginals`).
    """
    nodes = lattice(n_sources).nodes
    ptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    masks = []
    for k, node in enumerate(nodes):
        masks.extend(_mask(a) for a in node)
        ptr[k + 1] = len(masks)
    return NodeSets(ptr, np.asarray(masks, dtype=np.int64))


def specific_information_redundancy(
    P: np.ndarray, n_sources: int, redundancy: Redundancy
) -> np.ndarray:
    """The ``redundancy`` (I_min or I_mmi) of every lattice node for a validated batch ``P``."""
    nodes = node_set_masks(n_sources)
    red = np.empty((P.shape[0], len(nodes.ptr) - 1))
    flat = P.reshape(P.shape[0], -1)
    lay = layout_of(P)
    # the mode goes in as a plain int: numba types an enum member argument slowly on every call
    mode = int(redundancy)
    specific_redundancy_forward(P.size, flat, lay, nodes, n_chunks(P.shape[0]), mode, red)
    return red


def bivariate_view(P: np.ndarray, first: frozenset[int], second: frozenset[int]) -> np.ndarray:
    """The pmfs of (T, S_first, S_second) for two source sets (1-based, possibly overlapping).

    Returns a C-contiguous batch of shape ``(batch, nT, prod n_first, prod n_second)``; each
    set's values are enumerated in C order of its sorted sources. A source in both sets
    appears in both coordinates, so cells with disagreeing copies have probability zero (as
    dit's coalesced variables).
    """
    n = P.ndim - 2
    union = sorted(first | second)
    drop = tuple(1 + i for i in range(1, n + 1) if i not in union)
    M = P.sum(axis=drop) if drop else P  # (batch, nT, *S_union)
    dims = [P.shape[1 + i] for i in union]
    coords = dict(zip(union, np.indices(dims).reshape(len(union), -1), strict=True))

    def flat_index(group: frozenset[int]) -> np.ndarray:
        idx = np.zeros(coords[union[0]].shape, dtype=np.int64)
        for i in sorted(group):
            idx = idx * P.shape[1 + i] + coords[i]
        return idx

    n_first = int(np.prod([P.shape[1 + i] for i in first]))
    n_second = int(np.prod([P.shape[1 + i] for i in second]))
    Q = np.zeros((P.shape[0], P.shape[1], n_first, n_second))
    Q[:, :, flat_index(first), flat_index(second)] = M.reshape(P.shape[0], P.shape[1], -1)
    return Q


def source_set_mi(P: np.ndarray, a: frozenset[int]) -> np.ndarray:
    """``I(T; S_a)`` (bits) for every pmf of the batch ``P`` (1-based source indices ``a``)."""
    from ..information import information_terms

    n = P.ndim - 2
    drop = tuple(1 + i for i in range(1, n + 1) if i not in a)
    Q = P.sum(axis=drop) if drop else P
    return information_terms(Q.reshape(Q.shape[0], Q.shape[1], -1), 1)["mi"]


def unique_information_redundancy(
    P: np.ndarray, n_sources: int, pair_redundancy, name: str
) -> np.ndarray:
    """Redundancy of the nodes that a bivariate unique-information measure determines.

    Every single-set node ``{a}`` gets ``I(T; S_a)`` and every two-set node ``{a}{b}`` the
    bivariate redundancy ``pair_redundancy`` of the sources ``S_a`` and ``S_b`` (coalesced,
    possibly overlapping), as dit's ``BaseUniquePID`` does through its reduced PIDs. Nodes with
    three or more sets (for three sources ``{1}{2}{3}`` and ``{12}{13}{23}``) are not determined
    by a bivariate measure: NaN, as dit reports for its incomplete PIDs.
    """
    lat = lattice(n_sources)
    red = np.full((P.shape[0], lat.n_nodes), np.nan)
    for k, node in enumerate(lat.nodes):
        if len(node) == 1:
            red[:, k] = source_set_mi(P, node[0])
        elif len(node) == 2:
            pair = P if n_sources == 2 else bivariate_view(P, node[0], node[1])
            red[:, k] = pair_redundancy(pair)
    missing = [lab for lab, node in zip(lat.labels, lat.nodes, strict=True) if len(node) > 2]
    if missing:
        warnings.warn(
            f"measure {name!r} is bivariate: with {n_sources} sources the nodes "
            f"{', '.join(missing)} are undetermined and NaN, and so is every atom that depends "
            "on them (dit reports this PID as incomplete)",
            UserWarning,
            stacklevel=4,
        )
    return red
