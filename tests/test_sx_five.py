"""Five-source lattice and I^sx, the informative / misinformative parts, atoms per target value.

Golden values: the I^sx definition evaluated literally (event probabilities summed over the
outcomes that show some set's value), the lattice's zeta matrix, and dit's PID_SX parts.
"""

import itertools

import numpy as np
import pytest
from conftest import dit_label

import pidtools
from pidtools.distributions import gate
from pidtools.testing import random_pmf


def literal_isx(p: np.ndarray, antichain) -> float:
    """I^sx of ``antichain`` (sets of 1-based sources) straight from the definition:
    ``sum_{t,s} p(t,s) log2 P(some set shows s, T = t) / (P(some set shows s) P(T = t))``."""
    cells = list(itertools.product(*[range(k) for k in p.shape]))
    p_t = p.sum(axis=tuple(range(1, p.ndim)))
    total = 0.0
    for x in cells:
        if p[x] == 0:
            continue
        t, s = x[0], x[1:]
        joint = marginal = 0.0
        for y in cells:
            shows = any(all(y[1 + i - 1] == s[i - 1] for i in a) for a in antichain)
            if shows:
                marginal += p[y]
                joint += p[y] if y[0] == t else 0.0
        total += p[x] * np.log2(joint / (marginal * p_t[t]))
    return total


def test_five_source_lattice():
    lat = pidtools.lattice(5)
    assert lat.n_nodes == 7579  # Dedekind number 7581 minus the two trivial antichains
    assert lat.bottom == "{1}{2}{3}{4}{5}" and lat.top == "{12345}"
    # the sparse Mobius inverse inverts the zeta sums: red(alpha) = sum of atoms below alpha,
    # with "below" from the definition (every set of alpha contains a set of beta)
    rng = np.random.default_rng(0)
    red = rng.normal(size=lat.n_nodes)
    atoms = lat.to_atoms(red)
    for k in rng.choice(lat.n_nodes, size=12, replace=False):
        below = [
            j
            for j, beta in enumerate(lat.nodes)
            if all(any(b <= a for b in beta) for a in lat.nodes[k])
        ]
        assert atoms[below].sum() == pytest.approx(red[k], abs=1e-9)
        assert max(below) == k  # bottom-up listing
    assert lat.leq("{1}{3}", "{12}{345}") and not lat.leq("{12}", "{1}{2}")
    with pytest.raises(ValueError, match="to_atoms"):
        _ = lat.mobius


@pytest.mark.parametrize("n", [2, 3, 4])
def test_sparse_mobius_equals_dense_inverse(n):
    lat = pidtools.lattice(n)
    inverse = np.rint(np.linalg.inv(lat.order.astype(float))).astype(np.int64)
    assert np.array_equal(lat.mobius, inverse)


@pytest.mark.parametrize("alphabet", [2, 3])
def test_five_source_redundancy_matches_definition(alphabet):
    rng = np.random.default_rng(alphabet)
    shape = (2,) + (alphabet,) * 5 if alphabet == 2 else (2, 3, 2, 3, 2, 2)
    p = random_pmf(shape, rng, zero_fraction=0.2)
    res = pidtools.pid(p)
    lat = pidtools.lattice(5)
    picks = rng.choice(lat.n_nodes, size=6 if alphabet == 2 else 3, replace=False)
    for k in [0, lat.n_nodes - 1, *picks]:
        assert res.redundancy[k] == pytest.approx(literal_isx(p, lat.nodes[k]), abs=1e-10)
    assert res.atoms.sum() == pytest.approx(float(res.mi), abs=1e-10)


def test_five_source_batch_and_local():
    rng = np.random.default_rng(5)
    P = np.stack([random_pmf((2,) * 6, rng, zero_fraction=0.3) for _ in range(3)])
    res = pidtools.pid(P, n_sources=5, local=True)
    np.testing.assert_allclose(res.atoms.sum(-1), res.mi, atol=1e-10)
    one = pidtools.pid(P[1], local=True)
    np.testing.assert_array_equal(one.atoms, res.atoms[1])  # independent of the batch
    weights = np.where(P > 0, P, 0).reshape(3, -1)
    mean = np.einsum("bc,bca->ba", weights, np.nan_to_num(res.local_atoms.reshape(3, 64, -1)))
    np.testing.assert_allclose(mean, res.atoms, atol=1e-10)


def test_three_bit_parity_embedded_in_five_sources():
    """Two extra constant sources leave every atom of 3-bit parity where it was."""
    p3 = gate("parity")
    p5 = p3[..., None, None] * np.array([1.0, 0.0])[:, None] * np.array([1.0, 0.0])
    three, five = pidtools.pid(p3), pidtools.pid(p5)
    for label in three.labels:
        assert five[label] == pytest.approx(three[label], abs=1e-12), label


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_parts_path_matches_inclusion_exclusion_path(n):
    rng = np.random.default_rng(n)
    p = random_pmf((3,) + (2,) * n, rng, zero_fraction=0.2)
    plain = pidtools.pid(p, local=True)
    split = pidtools.pid(p, local=True, parts=True)
    np.testing.assert_allclose(split.atoms, plain.atoms, atol=1e-12)
    np.testing.assert_allclose(split.atoms_plus - split.atoms_minus, plain.atoms, atol=1e-12)
    np.testing.assert_allclose(split.local_atoms, plain.local_atoms, atol=1e-12)


def test_parts_of_one_source_are_entropies():
    """One source (pmfs of fewer cells than the kernel's 8 lanes): the informative part is
    H(S), the misinformative part H(S | T)."""
    rng = np.random.default_rng(3)
    P = np.stack([random_pmf((2, 2), rng) for _ in range(6)])
    res = pidtools.pid(P, n_sources=1, parts=True, local=True)
    ps = P.sum(axis=1)
    h_s = -(ps * np.log2(ps)).sum(axis=1)
    h_s_given_t = -(P * np.log2(P / P.sum(axis=2, keepdims=True))).sum(axis=(1, 2))
    np.testing.assert_allclose(res.atoms_plus[:, 0], h_s, atol=1e-12)
    np.testing.assert_allclose(res.atoms_minus[:, 0], h_s_given_t, atol=1e-12)
    np.testing.assert_allclose(res.atoms[:, 0], h_s - h_s_given_t, atol=1e-12)


def test_parts_of_two_bit_copy():
    """COPY: at every outcome P(some set shows s) for {1}{2} is 3/4 and i+ = log2(4/3); the
    target (both bits) excludes nothing further for {12}: i- of the top node is 0."""
    res = pidtools.pid(gate("copy"), parts=True)
    lat = pidtools.lattice(2)
    red_plus = lat.order.astype(float) @ res.atoms_plus
    red_minus = lat.order.astype(float) @ res.atoms_minus
    assert red_plus[res.index("{1}{2}")] == pytest.approx(np.log2(4 / 3), abs=1e-12)
    assert red_plus[res.index("{12}")] == pytest.approx(2.0, abs=1e-12)
    assert red_minus[res.index("{12}")] == pytest.approx(0.0, abs=1e-12)


def test_by_target_averages_and_sums():
    rng = np.random.default_rng(7)
    p = random_pmf((3, 2, 3), rng, zero_fraction=0.2)
    res = pidtools.pid(p, local=True, parts=True)
    p_t = p.sum(axis=(1, 2))
    for part, glob in [("atoms", res.atoms), ("plus", res.atoms_plus), ("minus", res.atoms_minus)]:
        per_t = res.by_target(part)
        assert per_t.shape == (3, 4)
        np.testing.assert_allclose(p_t @ per_t, glob, atol=1e-12)
    # specific information I(T = t; S) = sum_s p(s|t) log2 p(t|s) / p(t)
    p_s = p.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p / p_t[:, None, None] * np.log2(p / p_s / p_t[:, None, None]), 0)
    np.testing.assert_allclose(res.by_target().sum(-1), terms.sum(axis=(1, 2)), atol=1e-12)


def test_parts_bad_input():
    with pytest.raises(ValueError, match="parts=True"):
        pidtools.pid(gate("xor"), measure="mmi", parts=True)
    with pytest.raises(ValueError, match="local=True, parts=True"):
        pidtools.pid(gate("xor"), local=True).by_target("plus")
    with pytest.raises(ValueError, match="local=True"):
        pidtools.pid(gate("xor")).by_target()
    with pytest.raises(ValueError, match="n_sources in"):
        pidtools.pid(np.full((2,) * 6, 1 / 64), measure="ccs")


from dit.pid import PID_SX  # noqa: E402
from dit.pid.distributions import bivariates, trivariates  # noqa: E402


def _cell(dist, outcome):
    codes = [sorted(a).index(v) for a, v in zip(dist.alphabet, outcome, strict=True)]
    return (codes[-1], *codes[:-1])


def _compare_parts_with_dit(dist):
    ref = PID_SX(dist, pointwise=True)
    ours = pidtools.pid(dist, local=True, parts=True)
    d = dist.copy(base="linear")
    prob = dict(zip(d.outcomes, d.pmf, strict=True))
    for node in ref._lattice:
        i = ours.index(dit_label(node, offset=1))
        for get, local, glob in [
            (ref.get_pw_pi_plus, ours.local_atoms_plus, ours.atoms_plus),
            (ref.get_pw_pi_minus, ours.local_atoms_minus, ours.atoms_minus),
        ]:
            values = get(node)
            for outcome, value in values.items():
                assert local[_cell(dist, outcome) + (i,)] == pytest.approx(float(value), abs=1e-9)
            mean = sum(prob[o] * float(v) for o, v in values.items())
            assert glob[i] == pytest.approx(mean, abs=1e-9)


@pytest.mark.parametrize("name", ["and", "rdn xor", "pnt. unq.", "prob. 2"])
def test_parts_match_dit_bivariates(name):
    _compare_parts_with_dit(bivariates[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sum", "dbl xor"])
def test_parts_match_dit_trivariates(name):
    _compare_parts_with_dit(trivariates[name])
