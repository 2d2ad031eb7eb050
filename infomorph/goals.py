"""Named goal presets: mappings atom label -> weight (plus ``"H_res"``).

A neuron maximises ``G = sum_label gamma[label] Pi_label + gamma["H_res"] H(Y | sources)``,
with the atoms ``Pi`` of the I^sx decomposition of its output ``Y`` with respect to its input
classes. Sources are numbered as in the papers: 1 = receptive/feed-forward (R), 2 = context (C)
or, in a two-class lateral layer, lateral (L); 3 = lateral in a three-class layer. For the
associative memory, 1 = external pattern, 2 = recurrent field.

=========================  =======  =====================================================
preset                     sources  gamma
=========================  =======  =====================================================
``readout``                2        {1}: -0.2, {2}: 0.1, {1}{2}: 1, {12}: 0.1
``context_heuristic``      2        {1}{2}: 1
``context_optimized``      2        {1}: 0.038, {2}: 0.319, {1}{2}: 0.776, {12}: 0.154,
                                    H_res: 0.008
``lateral_heuristic``      2        {1}: 1
``lateral_optimized``      2        {1}: 0.805, {2}: -0.408, {1}{2}: 0.538, {12}: 0.563,
                                    H_res: -0.010
``trivariate_heuristic``   3        {1}{2}: 1
``trivariate_optimized``   3        {1}{2}{3}: 0.33, {1}{2}: 1, {1}{3}: -1, {12}{13}: -1
``associative_memory``     2        {1}{2}: 1
=========================  =======  =====================================================

References
----------
Makkeh, A. et al. (2025), PNAS 122(10) e2408125122; Schneider, M. et al. (2025), ICLR.
"""

from __future__ import annotations

from collections.abc import Mapping

from pidtools import goal_node_weights

__all__ = ["PRESETS", "N_SOURCES", "resolve_goal"]

PRESETS: dict[str, dict[str, float]] = {
    "readout": {"{1}": -0.2, "{2}": 0.1, "{1}{2}": 1.0, "{12}": 0.1},
    "context_heuristic": {"{1}{2}": 1.0},
    "context_optimized": {
        "{1}": 0.038,
        "{2}": 0.319,
        "{1}{2}": 0.776,
        "{12}": 0.154,
        "H_res": 0.008,
    },
    "lateral_heuristic": {"{1}": 1.0},
    "lateral_optimized": {
        "{1}": 0.805,
        "{2}": -0.408,
        "{1}{2}": 0.538,
        "{12}": 0.563,
        "H_res": -0.010,
    },
    "trivariate_heuristic": {"{1}{2}": 1.0},
    "trivariate_optimized": {"{1}{2}{3}": 0.33, "{1}{2}": 1.0, "{1}{3}": -1.0, "{12}{13}": -1.0},
    "associative_memory": {"{1}{2}": 1.0},
}

#: Number of sources each preset is written for.
N_SOURCES = {name: (3 if name.startswith("trivariate") else 2) for name in PRESETS}


def resolve_goal(goal: str | Mapping[str, float], n_sources: int) -> dict[str, float]:
    """Return the goal as a checked ``{label: weight}`` dict for neurons with ``n_sources``.

    Parameters
    ----------
    goal : str or mapping
        A preset name from :data:`PRESETS` or a mapping atom label -> weight (plus ``"H_res"``).
    n_sources : int
        Number of input classes of the neurons (2 or 3).

    Raises
    ------
    ValueError
        For an unknown preset, a preset written for another number of sources, or a label that
        is not an atom of the ``n_sources`` lattice.
    """
    if isinstance(goal, str):
        if goal not in PRESETS:
            raise ValueError(f"goal {goal!r} is not a preset; choose one of {', '.join(PRESETS)}")
        if N_SOURCES[goal] != n_sources:
            raise ValueError(
                f"goal preset {goal!r} is written for {N_SOURCES[goal]} sources but the layer has "
                f"{n_sources} input classes: choose a {n_sources}-source preset or a mapping"
            )
        goal = PRESETS[goal]
    if not isinstance(goal, Mapping):
        raise TypeError(
            "goal must be a preset name or a mapping atom label -> weight, "
            f"got {type(goal).__name__}"
        )
    goal_node_weights(goal, n_sources)  # validates the labels and weights
    return {str(k): float(v) for k, v in goal.items()}
