"""Shannon terms of a layer under target shuffles (:func:`pidtools.layer.shannon_invariants`)."""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit


@jit
def joint_count_sums(order, starts, targets, n_t, out):
    """``out[r] = sum over (state, t) of c log2 c``: ``c`` counts the samples of one source
    state with target value ``t`` in row ``r`` of ``targets`` (e.g. the observed target and
    its shuffles, codes ``0..n_t-1``).

    The samples of state ``g`` are ``order[starts[g]:starts[g + 1]]``. Serial: a parallel
    loop over the rows gained nothing measurable when the cores are shared with other work.
    """
    n_states = starts.shape[0] - 1
    for r in range(targets.shape[0]):
        counts = np.zeros(n_t, dtype=np.int64)
        total = 0.0
        for g in range(n_states):
            lo, hi = starts[g], starts[g + 1]
            if hi - lo < 2:  # one sample: c log c = 0
                continue
            for i in range(lo, hi):
                counts[targets[r, order[i]]] += 1
            for i in range(lo, hi):
                v = targets[r, order[i]]
                c = counts[v]
                if c > 1:
                    total += c * math.log2(c)
                counts[v] = 0
        out[r] = total
