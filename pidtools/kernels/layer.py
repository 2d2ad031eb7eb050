"""Shannon terms of a layer under target shuffles (:func:`pidtools.layer.shannon_invariants`)."""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit

#: Odd multiplier of the table's hash (Fibonacci hashing: the top bits of ``key * GOLDEN``).
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@jit
def dense_ids(states, ids):
    """Number the distinct values of ``states`` (64-bit codes) ``0..k-1`` in order of first
    appearance: ``ids[i]`` is the number of ``states[i]``; returns ``k``.

    One pass with an open-addressing hash table of at least twice as many slots as samples, so
    the cost grows linearly with the number of samples (no sort).
    """
    n = states.shape[0]
    bits = 1
    while (1 << bits) < 2 * n:
        bits += 1
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    keys = np.empty(1 << bits, dtype=np.uint64)
    slot_id = np.full(1 << bits, -1, dtype=np.int64)
    k = 0
    for i in range(n):
        key = states[i]
        h = np.int64((key * GOLDEN) >> shift)
        while slot_id[h] >= 0 and keys[h] != key:
            h = (h + 1) & mask
        if slot_id[h] < 0:
            keys[h] = key
            slot_id[h] = k
            k += 1
        ids[i] = slot_id[h]
    return k


@jit
def joint_count_sums(ids, n_ids, targets, n_t, out):
    """``out[r] = sum over (state, t) of c log2 c``: ``c`` counts the samples of one source
    state with target value ``t`` in row ``r`` of ``targets`` (e.g. the observed target and
    its shuffles, codes ``0..n_t-1``); ``ids`` numbers the samples' states ``0..n_ids-1``.

    Serial: a parallel loop over the rows gained nothing measurable when the cores are shared
    with other work.
    """
    n = ids.shape[0]
    counts = np.zeros(n_ids * n_t, dtype=np.int64)
    for r in range(targets.shape[0]):
        for i in range(n):
            counts[ids[i] * n_t + targets[r, i]] += 1
        total = 0.0
        for i in range(n):  # each non-empty cell once: read, then cleared
            cell = ids[i] * n_t + targets[r, i]
            c = counts[cell]
            if c > 1:
                total += c * math.log2(c)
            counts[cell] = 0
        out[r] = total
