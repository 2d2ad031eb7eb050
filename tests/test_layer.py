"""Layer-level analysis: synergy profile and complexity (closed forms), Shannon invariants
(against scikit-learn's mutual information), subset sampling and grouped sources."""

import numpy as np
import pytest
from sklearn.metrics import mutual_info_score

import pidtools
from pidtools.distributions import gate
from pidtools.layer import (
    atom_degrees,
    joint_codes,
    layer_bins,
    layer_pid,
    pair_groups,
    sample_subsets,
    shannon_invariants,
    synergy_profile,
)
from pidtools.testing import random_pmf

L2 = np.log2


def _complexity(pi_by_degree, mi):
    return sum(m * v for m, v in pi_by_degree.items()) / mi


# Pi_m from the closed-form I^sx atoms (Makkeh et al. 2021; tests/test_sx.py GOLDEN).
GATES = {
    # XOR: Pi_1 = log2(2/3) + 2 log2(3/2), Pi_2 = log2(4/3), I = 1
    "xor": ({1: L2(2 / 3) + 2 * L2(3 / 2), 2: L2(4 / 3)}, 1.0, 1.4150),
    # AND: Pi_1 = 0.5 log2(32/27) + 0.5 log2(27/16), Pi_2 = 0.75 log2(4/3), I = H(1/4)
    "and": (
        {1: 0.5 * L2(32 / 27) + 0.5 * L2(27 / 16), 2: 0.75 * L2(4 / 3)},
        -(0.25 * L2(0.25) + 0.75 * L2(0.75)),
        1.3837,
    ),
    # COPY: Pi_1 = log2(4/3) + 2 log2(3/2), Pi_2 = log2(4/3), I = 2
    "copy": ({1: L2(4 / 3) + 2 * L2(3 / 2), 2: L2(4 / 3)}, 2.0, 1.2075),
}


@pytest.mark.parametrize("name", sorted(GATES))
def test_complexity_of_gates_from_closed_form_atoms(name):
    by_degree, mi, paper = GATES[name]
    prof = synergy_profile(pidtools.pid(gate(name)))
    np.testing.assert_allclose(prof.pi, [by_degree[1], by_degree[2]], atol=1e-12)
    assert float(prof.complexity) == pytest.approx(_complexity(by_degree, mi), abs=1e-12)
    assert float(prof.complexity) == pytest.approx(paper, abs=5e-5)  # layers.md, 4 decimals


def test_complexity_of_three_bit_parity():
    # local atoms of parity are constant (tests/test_sx.py PARITY_LOCAL), so global = local;
    # orbits under source permutations: degree 1 {1}x3, {1}{2}x3, {1}{23}x3, {1}{2}{3};
    # degree 2 {12}x3, {12}{13}x3, {12}{13}{23}; degree 3 {123}
    pi1 = 3 * L2(5 / 4) + 3 * L2(7 / 8) + 3 * L2(32 / 35) + L2(8 / 7)
    pi2 = 3 * L2(9 / 8) + 3 * L2(16 / 15) + L2(875 / 1024)
    pi3 = L2(32 / 27)
    prof = synergy_profile(pidtools.pid(gate("parity")))
    np.testing.assert_allclose(prof.pi, [pi1, pi2, pi3], atol=1e-12)
    assert float(prof.complexity) == pytest.approx(pi1 + 2 * pi2 + 3 * pi3, abs=1e-12)


def test_complexity_of_double_xor():
    import dit  # a dependency: a missing dit fails rather than skips
    from dit.pid.distributions import trivariates

    assert dit is not None
    prof = synergy_profile(pidtools.pid(trivariates["dbl xor"]))
    assert float(prof.complexity) == pytest.approx(1.6488, abs=5e-5)  # layers.md


def test_profile_groups_atoms_by_smallest_set_batched():
    rng = np.random.default_rng(0)
    P = np.stack([random_pmf((2,) * 6, rng, 0.3) for _ in range(2)])
    res = pidtools.pid(P, n_sources=5)
    prof = synergy_profile(res)
    for b in range(2):
        by_label = np.zeros(5)
        for label, value in zip(res.labels, res.atoms[b], strict=True):
            smallest = min(len(s) for s in label.strip("{}").split("}{"))
            by_label[smallest - 1] += value
        np.testing.assert_allclose(prof.pi[b], by_label, atol=1e-12)
    np.testing.assert_allclose(prof.pi.sum(-1), res.mi, atol=1e-10)
    assert atom_degrees(2).tolist() == [1, 1, 1, 2]


def _bits(a, b):
    return mutual_info_score(a, b) / np.log(2)


def _states(codes, units):
    return np.array(["-".join(map(str, col)) for col in codes[list(units)].T])


def test_shannon_invariants_equal_their_definitions():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 3, (6, 800))
    t = (X[0] + X[1] * X[2]) % 3
    groups = [(0,), (1, 2), (3,), (4, 5)]
    inv = shannon_invariants(t, X, groups=groups)
    everything = _states(X, range(6))
    mi = _bits(t, everything)
    single = [_bits(t, _states(X, g)) for g in groups]
    without = [_bits(t, _states(X, [u for h in groups if h != g for u in h])) for g in groups]
    assert inv.mi == pytest.approx(mi, abs=1e-10)
    np.testing.assert_allclose(inv.mi_single, single, atol=1e-10)
    np.testing.assert_allclose(inv.mi_without, without, atol=1e-10)
    assert inv.redundancy_degree == pytest.approx(sum(single) / mi, abs=1e-10)
    assert inv.vulnerability == pytest.approx((4 * mi - sum(without)) / mi, abs=1e-10)


def test_shannon_invariants_shuffle_correction_and_wide_layers():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 2, (200, 2000))  # 200 units: joint states through hashes
    t = X[0] ^ X[1]
    plug = shannon_invariants(t, X, n_shuffles=3, random_state=4)
    corr = shannon_invariants(t, X, estimator="shuffle", n_shuffles=3, random_state=4)
    p1 = t.mean()
    h_t = -(p1 * np.log2(p1) + (1 - p1) * np.log2(1 - p1))
    assert plug.mi == pytest.approx(h_t, abs=1e-12)  # every sample has its own joint state
    assert plug.bias["mi"] == pytest.approx(h_t, abs=0.01)  # ... so the plug-in is all bias
    assert corr.mi == pytest.approx(plug.mi - plug.bias["mi"], abs=1e-12)
    np.testing.assert_allclose(corr.mi_single, plug.mi_single - plug.bias["mi_single"])


def test_shannon_invariants_shuffles_equal_their_definitions():
    """Each null term is the MI of one target permutation (the same for every term), drawn
    in order from numpy's generator seeded with random_state."""
    rng = np.random.default_rng(7)
    X = rng.integers(0, 3, (4, 600))
    t = (X[0] + X[1] + rng.integers(0, 2, 600)) % 3
    groups = [(0, 1), (2,), (3,)]
    inv = shannon_invariants(t, X, groups=groups, estimator="shuffle", n_shuffles=6,
                             random_state=9)  # fmt: skip
    perms = np.random.default_rng(9)
    nulls = []
    for _ in range(6):
        tp = perms.permutation(t)
        nulls.append(
            [_bits(tp, _states(X, range(4)))]
            + [_bits(tp, _states(X, g)) for g in groups]
            + [_bits(tp, _states(X, [u for h in groups if h != g for u in h])) for g in groups]
        )
    null = np.mean(nulls, axis=0)
    observed = (
        [_bits(t, _states(X, range(4)))]
        + [_bits(t, _states(X, g)) for g in groups]
        + [_bits(t, _states(X, [u for h in groups if h != g for u in h])) for g in groups]
    )
    assert inv.bias["mi"] == pytest.approx(null[0], abs=1e-10)
    np.testing.assert_allclose(inv.bias["mi_single"], null[1:4], atol=1e-10)
    np.testing.assert_allclose(inv.bias["mi_without"], null[4:], atol=1e-10)
    assert inv.mi == pytest.approx(observed[0] - null[0], abs=1e-10)
    np.testing.assert_allclose(inv.mi_single, np.subtract(observed[1:4], null[1:4]), atol=1e-10)


def test_real_valued_units_binned_like_estimate():
    rng = np.random.default_rng(8)
    n = 2000
    t = rng.integers(0, 10, n)
    X = rng.normal(size=(6, n)) + 0.3 * t  # real-valued units
    # bins="auto": 10 target values x 5 binned units, 5 * 10 * B**5 <= 2000 -> B = 2;
    # with 20000 samples, 5 * 10 * 3**5 = 12150 <= 20000 < 5 * 10 * 4**5 -> B = 3
    assert layer_bins(t, X, k=5) == 2
    big = rng.normal(size=(6, 20_000))
    assert layer_bins(rng.integers(0, 10, 20_000), big, k=5) == 3
    # pairs as sources: two sources of two units each, 5 * 10 * B**4 <= 2000 -> B = 2
    assert layer_bins(t, X, k=2, groups=[(0, 1), (2, 3)]) == 2
    # units with few distinct values count with them: a binary target, three binary units
    # and two binned ones, 5 * 2 * 2**3 * B**2 <= 2000 -> B = 5 (2 if all five were binned)
    coded = np.vstack([X[:2], (X[2:5] > 0).astype(float)])
    assert layer_bins(t % 2, coded, k=5) == 5
    assert layer_bins(t % 2, coded, k=5, bins="auto", binning="quantile") == 2
    lay = layer_pid(t, X, k=3, n_subsets=3, bins=4, binning="quantile", seed=2)
    assert lay.bins == 4
    for row, sub in zip(lay.result.atoms, lay.subsets, strict=True):
        ref = pidtools.estimate(t, [X[u] for u in sub], bins=4, binning="quantile")
        np.testing.assert_allclose(row, ref.atoms, atol=1e-12)
    auto = layer_pid(t, X, k=3, n_subsets=2, seed=2)  # auto binning, bins from layer_bins
    b = layer_bins(t, X, k=3)
    for row, sub in zip(auto.result.atoms, auto.subsets, strict=True):
        ref = pidtools.estimate(t, [X[u] for u in sub], bins=b, binning="auto")
        np.testing.assert_allclose(row, ref.atoms, atol=1e-12)


def test_shannon_invariants_of_exact_xor():
    """Balanced XOR: I(T; S) = 1, I(T; S_i) = 0 = I(T; S_-i): degree 0, vulnerability 2."""
    s = np.array([[0, 0, 1, 1], [0, 1, 0, 1]]).repeat(25, axis=1)
    inv = shannon_invariants(s[0] ^ s[1], s)
    assert inv.mi == pytest.approx(1.0, abs=1e-12)
    assert inv.redundancy_degree == pytest.approx(0.0, abs=1e-12)
    assert inv.vulnerability == pytest.approx(2.0, abs=1e-12)
    copy = shannon_invariants(s[0] * 2 + s[1], s)  # COPY: I(T; S_i) = 1, I(T; S_-i) = 1
    assert copy.redundancy_degree == pytest.approx(1.0, abs=1e-12)
    assert copy.vulnerability == pytest.approx(1.0, abs=1e-12)


def test_sample_subsets_are_seeded_distinct_and_complete_when_few():
    a = sample_subsets(20, 5, 26, seed=3)
    assert a.shape == (26, 5) and len({tuple(r) for r in a}) == 26
    assert (np.diff(a, axis=1) > 0).all()
    np.testing.assert_array_equal(a, sample_subsets(20, 5, 26, seed=3))
    assert not np.array_equal(a, sample_subsets(20, 5, 26, seed=4))
    assert sample_subsets(6, 5, 26).shape == (6, 5)  # all C(6, 5)


def test_layer_pid_subsets_equal_estimates_of_the_subsets():
    rng = np.random.default_rng(5)
    X = rng.integers(0, 2, (8, 3000))
    t = X[0] ^ X[1] | X[2]
    lay = layer_pid(t, X, k=3, n_subsets=4, seed=1)
    for row, sub in zip(lay.result.atoms, lay.subsets, strict=True):
        ref = pidtools.estimate(t, [X[u] for u in sub])
        np.testing.assert_allclose(row, ref.atoms, atol=1e-12)
    assert lay.complexity == pytest.approx(np.mean(lay.profile.complexity))
    low, high = lay.band()
    assert low <= lay.complexity <= high


def test_grouped_sources_equal_explicit_joint_codes():
    rng = np.random.default_rng(6)
    X = rng.integers(0, 3, (6, 4000))
    t = (X[0] + X[3] + X[4]) % 2
    groups = pair_groups(6)
    assert groups == [(0, 1), (2, 3), (4, 5)]
    lay = layer_pid(t, X, k=3, n_subsets=1, groups=groups)
    explicit = [X[a] * 3 + X[b] for a, b in groups]  # joint state as one variable
    ref = pidtools.estimate(t, explicit)
    np.testing.assert_allclose(lay.result.atoms[0], ref.atoms, atol=1e-12)
    codes, k = joint_codes([X[0], X[1]])
    assert k == 9 and np.array_equal(codes, X[0] * 3 + X[1])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: shannon_invariants(np.zeros(5), np.zeros((2, 5)), binning="kde"), "binning"),
        (
            lambda: shannon_invariants(np.zeros(5), np.zeros((2, 5)), binning="uniform"),
            "needs bins",
        ),
        (lambda: layer_pid(np.zeros(5), np.zeros((2, 5)), bins=1), "int >= 2"),
        (lambda: shannon_invariants(np.zeros(4, int), np.zeros((2, 5), int)), "target must"),
        (lambda: shannon_invariants(np.zeros(5, int), np.zeros(5, int)), "n_units, n_samples"),
        (
            lambda: shannon_invariants(np.zeros(5, int), np.zeros((2, 5), int), groups=[(2,)]),
            "unit indices in 0..1",
        ),
        (
            lambda: shannon_invariants(
                np.zeros(5, int), np.zeros((2, 5), int), estimator="shuffle"
            ),
            "n_shuffles > 0",
        ),
        (lambda: sample_subsets(4, 5, 3), "k must be in 1..4"),
        (lambda: synergy_profile("x"), "PIDResult"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_estimate_grouped_sources_equal_explicit_joint_coding():
    rng = np.random.default_rng(8)
    a, b, c = rng.integers(0, 3, (3, 2000))
    t = (a + b * c) % 2
    grouped = pidtools.estimate(t, [(a, b), c])
    explicit = pidtools.estimate(t, [a * 3 + b, c])  # the joint state as one variable
    np.testing.assert_allclose(grouped.atoms, explicit.atoms, atol=1e-12)
    # real members: each binned on its own (equal width, 4 bins), then combined
    x, y = rng.normal(size=(2, 2000))
    t2 = (x > 0) ^ (y > 0)

    def uniform_bins(v, k):
        return np.minimum((k * (v - v.min()) / (v.max() - v.min())).astype(int), k - 1)

    grouped = pidtools.estimate(t2, [(x, y), a], bins=4, binning="uniform")
    explicit = pidtools.estimate(t2, [uniform_bins(x, 4) * 4 + uniform_bins(y, 4), a])
    np.testing.assert_allclose(grouped.atoms, explicit.atoms, atol=1e-12)
    # batched members broadcast: a group per neuron with a shared second member
    X = rng.integers(0, 2, (3, 2000))
    batch = pidtools.estimate(t, [(X, c)])
    for k in range(3):
        one = pidtools.estimate(t, [X[k] * 3 + c])
        np.testing.assert_allclose(batch.atoms[k], one.atoms, atol=1e-12)
    with pytest.raises(ValueError, match=r"members of sources\[0\] have \[2000, 3\] samples"):
        pidtools.estimate(t, [(a, b[:3])])


def test_ratios_of_noise_are_nan_and_of_signal_finite():
    """Independent noise: a wide binary layer whose joint states are all distinct and 5 units
    of noise; the corrected I(T; S) is within its null's spread, so C, the degree of redundancy
    and the vulnerability are NaN instead of noise over noise. A planted copy of the label in
    every unit (with flips) keeps them finite."""
    rng = np.random.default_rng(12)
    n = 400
    label = rng.integers(0, 2, n)
    noise = rng.integers(0, 2, (40, n))
    inv = shannon_invariants(label, noise, estimator="shuffle", n_shuffles=30, random_state=0)
    assert inv.settings["n_states"] == n
    assert abs(inv.mi) <= inv.settings["min_mi"]
    assert np.isnan(inv.redundancy_degree) and np.isnan(inv.vulnerability)
    lay = layer_pid(label, noise[:5], estimator="shuffle", n_shuffles=30, seed=0)
    assert np.isnan(lay.profile.complexity).all()
    flips = rng.random((5, n)) < 0.1
    signal = np.where(flips, 1 - label, label)
    lay = layer_pid(label, signal, estimator="shuffle", n_shuffles=30, seed=0)
    assert np.isfinite(lay.profile.complexity).all()
    inv = shannon_invariants(label, signal, estimator="shuffle", n_shuffles=30, random_state=0)
    assert np.isfinite(inv.redundancy_degree) and inv.redundancy_degree > 1  # copies: redundant


@pytest.mark.parametrize(
    "x",
    [
        np.array([[-128, 127, 0], [5, -128, 5]], dtype=np.int8),  # extremes of a narrow type
        np.array([2**64 - 1, 2**64 - 5, 7, 2**64 - 1], dtype=np.uint64),  # above 2**63, wide span
        np.array([2**64 - 1, 2**64 - 3, 2**64 - 1], dtype=np.uint64),  # above 2**63, narrow span
        np.array([True, False, True]),
        np.random.default_rng(0).integers(0, 2**50, 500),  # sorted, not tabled
        np.random.default_rng(1).integers(-3, 4, (4, 7, 9)),
    ],
)
def test_integer_ranks_are_the_sorted_distinct_values_positions(x):
    from pidtools.binning import integer_ranks

    values, inverse = np.unique(x.ravel(), return_inverse=True)
    codes, k = integer_ranks(x)
    assert k == values.size and codes.dtype == np.int64 and codes.shape == x.shape
    np.testing.assert_array_equal(codes.ravel(), inverse)


@pytest.mark.parametrize(
    "members",
    [
        [np.array([3, 1, 3, 2]), np.array([0, 9, 0, 9])],
        [np.arange(12).reshape(3, 4) % 5 - 2, np.array([7, 7, 8, 8])],  # broadcast, negative
        [np.array([2**61, 0, 2**61]), np.array([5, 5, 4])],  # too many states to fold: rows
    ],
)
def test_joint_codes_rank_the_rows_of_member_values(members):
    arrays = np.broadcast_arrays(*members)
    rows = np.stack(arrays, axis=-1).reshape(-1, len(arrays))
    states, inverse = np.unique(rows, axis=0, return_inverse=True)
    codes, k = joint_codes(members)
    assert k == states.shape[0] and codes.shape == arrays[0].shape
    np.testing.assert_array_equal(codes.ravel(), inverse.ravel())


def test_mi_terms_of_hashed_states_equal_direct_plugin_mi():
    from pidtools.layer import _mi_terms

    rng = np.random.default_rng(3)
    t = rng.integers(0, 4, 3000)
    s = np.where(rng.random(3000) < 0.6, t, rng.integers(0, 4, 3000)) + 10 * rng.integers(
        0, 3, 3000
    )
    targets = np.stack([t, rng.permutation(t)])
    hashed = s.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # any 64-bit codes
    got = _mi_terms(targets, 4, hashed)
    want = [mutual_info_score(row, s) / np.log(2) for row in targets]
    np.testing.assert_allclose(got, want, atol=1e-12)
