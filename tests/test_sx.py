"""I^sx: closed-form golden values (pid.md / Makkeh et al. 2021), API, properties, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pidtools
from pidtools.distributions import gate
from pidtools.testing import assert_atoms_close, pmfs, random_pmf

L2 = np.log2

# Global atoms from the closed forms of the shared-exclusion paper (bits).
GOLDEN = {
    "xor": {"{1}{2}": L2(2 / 3), "{1}": L2(3 / 2), "{2}": L2(3 / 2), "{12}": L2(4 / 3)},
    "and": {
        "{1}{2}": 0.5 * L2(32 / 27),
        "{1}": 0.25 * L2(27 / 16),
        "{2}": 0.25 * L2(27 / 16),
        "{12}": 0.75 * L2(4 / 3),
    },
    "copy": {"{1}{2}": L2(4 / 3), "{1}": L2(3 / 2), "{2}": L2(3 / 2), "{12}": L2(4 / 3)},
    "rdn": {"{1}{2}": 1.0, "{1}": 0.0, "{2}": 0.0, "{12}": 0.0},
    "unq": {"{1}{2}": L2(4 / 3), "{1}": L2(3 / 2), "{2}": -L2(4 / 3), "{12}": L2(4 / 3)},
}

# 3-bit parity: local atoms, the same at every outcome.
PARITY_LOCAL = {
    "{1}": L2(5 / 4),
    "{12}": L2(9 / 8),
    "{123}": L2(32 / 27),
    "{1}{2}": L2(7 / 8),
    "{1}{23}": L2(32 / 35),
    "{12}{13}": L2(16 / 15),
    "{1}{2}{3}": L2(8 / 7),
    "{12}{13}{23}": L2(875 / 1024),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_bivariate_golden(name):
    res = pidtools.pid(gate(name))
    assert_atoms_close(res, GOLDEN[name], atol=1e-12)
    assert res.red == pytest.approx(GOLDEN[name]["{1}{2}"], abs=1e-12)
    assert res.syn == pytest.approx(GOLDEN[name]["{12}"], abs=1e-12)


def test_parity_local_atoms_by_symmetry():
    res = pidtools.pid(gate("parity"), local=True)
    support = gate("parity") > 0
    for label, value in PARITY_LOCAL.items():
        # the label stands for its whole orbit under permutations of the three sources
        idx = res.index(label)
        assert np.allclose(res.local_atoms[..., idx][support], value, atol=1e-12), label
    perm = {"{2}": "{1}", "{3}": "{1}", "{13}": "{12}", "{23}": "{12}", "{2}{3}": "{1}{2}"}
    for label, ref in perm.items():
        assert np.allclose(res.local_atoms[..., res.index(label)][support], PARITY_LOCAL[ref])
    # global atoms are the p-weighted mean of the (here constant) local atoms
    assert res["{12}{13}{23}"] == pytest.approx(L2(875 / 1024), abs=1e-12)


def test_local_atoms_nan_off_support_and_average_to_global():
    rng = np.random.default_rng(1)
    p = random_pmf((3, 3, 4), rng, zero_fraction=0.3)
    res = pidtools.pid(p, local=True)
    assert res.local_atoms.shape == p.shape + (4,)
    assert np.isnan(res.local_atoms[p == 0]).all()
    assert np.isfinite(res.local_atoms[p > 0]).all()
    mean = np.einsum("ijk,ijkl->l", np.where(p > 0, p, 0), np.nan_to_num(res.local_atoms))
    np.testing.assert_allclose(mean, res.atoms, atol=1e-12)
    np.testing.assert_allclose(res.local_atoms, res.local_redundancy @ pidtools.lattice(2).mobius.T)


def test_result_api():
    p = np.stack([gate("xor"), gate("and")])
    res = pidtools.pid(p, n_sources=2)
    assert res.batch_shape == (2,)
    assert res.labels == ("{1}{2}", "{1}", "{2}", "{12}")
    assert res["{12}"].shape == (2,)
    np.testing.assert_allclose(res.mi, [1.0, 0.8112781244591328])
    np.testing.assert_allclose(res.atoms.sum(-1), res.mi, atol=1e-12)
    np.testing.assert_allclose(res.entropy - res.h_res, res.mi, atol=1e-12)
    da = res.to_xarray(dims=["gate"])
    assert da.dims == ("gate", "atom") and list(da.atom.values) == list(res.labels)
    single = pidtools.pid(gate("xor"))
    assert isinstance(single["{1}{2}"], float)
    assert set(single.as_dict()) == set(single.labels)
    assert "syn" not in repr(single) and "{12}" in repr(single)
    with pytest.raises(KeyError, match="atoms are"):
        single["{3}"]
    with pytest.raises(AttributeError, match="two sources"):
        _ = pidtools.pid(gate("parity")).syn


def test_batch_axes_and_normalize():
    rng = np.random.default_rng(2)
    P = np.stack([random_pmf((2, 3, 2), rng, 0.2) for _ in range(12)]).reshape(3, 4, 2, 3, 2)
    res = pidtools.pid(P, n_sources=2)
    assert res.atoms.shape == (3, 4, 4) and res.mi.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            np.testing.assert_allclose(res.atoms[i, j], pidtools.pid(P[i, j]).atoms, atol=1e-14)
    scaled = pidtools.pid(7.0 * P, n_sources=2, normalize=True)
    np.testing.assert_allclose(scaled.atoms, res.atoms, atol=1e-12)


def test_one_and_four_sources():
    p1 = np.array([[0.4, 0.1], [0.1, 0.4]])
    res = pidtools.pid(p1)
    assert res.labels == ("{1}",)
    assert res["{1}"] == pytest.approx(float(res.mi))
    p4 = random_pmf((2, 2, 2, 2, 2), np.random.default_rng(3), 0.2)
    res4 = pidtools.pid(p4)
    assert len(res4.labels) == 166
    assert res4.atoms.sum() == pytest.approx(float(res4.mi), abs=1e-10)


def test_dit_distribution_input():
    import dit

    d = dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)  # last variable = XOR target
    res = pidtools.pid(d)
    assert_atoms_close(res, GOLDEN["xor"], atol=1e-12)
    # the same distribution with the target named explicitly as the first variable
    res0 = pidtools.pid(d, target=0, sources=[1, 2])
    assert_atoms_close(res0, GOLDEN["xor"], atol=1e-12)
    with pytest.raises(TypeError, match="dit.Distribution input only"):
        pidtools.pid(gate("xor"), target=0)
    # compare() reads dit input the same way
    table = pidtools.compare(d, ["sx", "mmi"], target=0, sources=[1, 2])
    assert float(table.loc["{12}", "sx"]) == pytest.approx(res0["{12}"], abs=1e-12)
    with pytest.raises(TypeError, match="dit.Distribution input only"):
        pidtools.compare(gate("xor"), ["sx"], sources=[1, 2])


@pytest.mark.parametrize(
    ("p", "kwargs", "exc", "match"),
    [
        (-gate("xor"), {}, ValueError, "negative"),
        (np.full((2, 2, 2), np.nan), {}, ValueError, "NaN"),
        (np.zeros((2, 2, 2)), {}, ValueError, "all-zero"),
        (gate("xor") * 1.1, {}, ValueError, "normalize=True"),
        (gate("xor"), {"n_sources": 3}, ValueError, "needs at least 4"),
        (gate("xor"), {"n_sources": 6}, ValueError, "n_sources must be in 1..5"),
        (gate("xor"), {"measure": "nope"}, ValueError, "unknown measure 'nope'"),
        ("abc", {}, TypeError, "array-like"),
        (np.array([["a"]]), {}, TypeError, "real numbers"),
        (np.ones((2, 0, 2)), {}, ValueError, "empty axis"),
    ],
)
def test_bad_input(p, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        pidtools.pid(p, **kwargs)


# ---------------------------------------------------------------- properties (hypothesis)


@settings(max_examples=40, deadline=None)
@given(pmfs(2, 5))
def test_atoms_sum_to_joint_mi(p):
    res = pidtools.pid(p)
    assert res.atoms.sum() == pytest.approx(float(res.mi), abs=1e-10)
    # the single-source redundancies are the marginal mutual informations
    for i, label in ((1, "{1}"), (2, "{2}")):
        marg = p.sum(axis=3 - i)
        assert res.redundancy[res.index(label)] == pytest.approx(
            float(pidtools.pid(marg).mi), abs=1e-10
        )


@settings(max_examples=25, deadline=None)
@given(pmfs(3, 3), st.permutations([1, 2, 3]))
def test_source_permutation_invariance(p, perm):
    res = pidtools.pid(p)
    q = np.transpose(p, (0, *perm))  # new source k is old source perm[k-1]
    res_q = pidtools.pid(q)

    def relabel(lab):
        parts = lab[1:-1].split("}{")
        return "".join("{" + "".join(str(perm[int(c) - 1]) for c in part) + "}" for part in parts)

    for lab in res_q.labels:
        assert res_q[lab] == pytest.approx(res[relabel(lab)], abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(pmfs(2, 4), st.randoms(use_true_random=False))
def test_outcome_relabelling_invariance(p, rnd):
    perms = [rnd.sample(range(k), k) for k in p.shape]
    q = p[np.ix_(*perms)]
    np.testing.assert_allclose(pidtools.pid(q).atoms, pidtools.pid(p).atoms, atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(pmfs(3, 3))
def test_mobius_round_trip(p):
    res = pidtools.pid(p)
    lat = pidtools.lattice(3)
    np.testing.assert_allclose(lat.order.astype(float) @ res.atoms, res.redundancy, atol=1e-12)


@settings(max_examples=10, deadline=None)
@given(st.lists(pmfs(2, 3, zeros=True), min_size=2, max_size=6))
def test_batch_equals_single(ps):
    shape = ps[0].shape
    ps = [q for q in ps if q.shape == shape]
    batch = pidtools.pid(np.stack(ps), n_sources=2)
    for k, q in enumerate(ps):
        np.testing.assert_allclose(batch.atoms[k], pidtools.pid(q).atoms, rtol=0, atol=1e-14)
