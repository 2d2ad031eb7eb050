"""Properties of every redundancy measure (hypothesis): sum rule, symmetries, batching, locals,
BROJA optimality certificates, and :func:`pidtools.compare`."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pidtools
from pidtools.distributions import gate
from pidtools.measures.broja import broja_solution
from pidtools.testing import pmfs, random_pmf

LATTICE_MEASURES = ["sx", "min", "mmi", "pm", "ccs"]
ALL = [*LATTICE_MEASURES, "broja", "dep"]
NONNEGATIVE_BIVARIATE = ["min", "mmi", "broja", "dep"]


def _pid(p, measure, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # bivariate measures on three sources
        return pidtools.pid(p, measure=measure, **kwargs)


def _relabel(perm):
    """Map a label of the permuted pmf (new source k = old source perm[k-1]) to the old label."""

    def relabel(label):
        parts = label[1:-1].split("}{")
        return "".join(
            "{" + "".join(sorted(str(perm[int(c) - 1]) for c in part)) + "}" for part in parts
        )

    return relabel


@pytest.mark.parametrize("measure", ALL)
@settings(max_examples=25, deadline=None)
@given(p=pmfs(2, 4))
def test_bivariate_sum_rule_and_self_redundancy(measure, p):
    res = pidtools.pid(p, measure=measure)
    assert res.atoms.sum() == pytest.approx(float(res.mi), abs=1e-9)
    for i, label in ((1, "{1}"), (2, "{2}")):
        mi = float(pidtools.pid(p.sum(axis=3 - i)).mi)
        assert res.redundancy[res.index(label)] == pytest.approx(mi, abs=1e-10)
    if measure in NONNEGATIVE_BIVARIATE:
        assert (res.atoms >= -1e-9).all(), res.atoms


@pytest.mark.parametrize("measure", LATTICE_MEASURES)
@settings(max_examples=10, deadline=None)
@given(p=pmfs(3, 3))
def test_trivariate_sum_rule_and_mobius(measure, p):
    res = pidtools.pid(p, measure=measure)
    assert res.atoms.sum() == pytest.approx(float(res.mi), abs=1e-9)
    lat = pidtools.lattice(3)
    np.testing.assert_allclose(lat.order.astype(float) @ res.atoms, res.redundancy, atol=1e-10)


@pytest.mark.parametrize("measure", LATTICE_MEASURES)
def test_four_sources_sum_rule(measure):
    p = random_pmf((2, 2, 2, 2, 2), np.random.default_rng(4), 0.2)
    res = pidtools.pid(p, measure=measure)
    assert len(res.labels) == 166
    assert res.atoms.sum() == pytest.approx(float(res.mi), abs=1e-9)


@pytest.mark.parametrize("measure", ALL)
@settings(max_examples=10, deadline=None)
@given(p=pmfs(3, 3), perm=st.permutations([1, 2, 3]))
def test_source_permutation_invariance(measure, p, perm):
    res = _pid(p, measure)
    res_q = _pid(np.transpose(p, (0, *perm)), measure)
    relabel = _relabel(perm)
    for label in res_q.labels:
        # NaN (undetermined) nodes of the bivariate measures must permute alike
        np.testing.assert_allclose(
            res_q.redundancy[res_q.index(label)],
            res.redundancy[res.index(relabel(label))],
            atol=1e-9,
        )


@pytest.mark.parametrize("measure", ALL)
@settings(max_examples=10, deadline=None)
@given(p=pmfs(2, 4), rnd=st.randoms(use_true_random=False))
def test_outcome_relabelling_invariance(measure, p, rnd):
    q = p[np.ix_(*[rnd.sample(range(k), k) for k in p.shape])]
    np.testing.assert_allclose(
        pidtools.pid(q, measure=measure).atoms, pidtools.pid(p, measure=measure).atoms, atol=1e-9
    )


@pytest.mark.parametrize("measure", ALL)
@settings(max_examples=5, deadline=None)
@given(ps=st.lists(pmfs(2, 3), min_size=2, max_size=5))
def test_batch_equals_single(measure, ps):
    shape = ps[0].shape
    ps = [q for q in ps if q.shape == shape]
    local = measure in ("sx", "pm", "ccs")
    batch = pidtools.pid(
        np.stack(ps).reshape((len(ps), 1) + shape), measure=measure, n_sources=2, local=local
    )
    assert batch.atoms.shape == (len(ps), 1, 4)
    for k, q in enumerate(ps):
        single = pidtools.pid(q, measure=measure, local=local)
        np.testing.assert_allclose(batch.atoms[k, 0], single.atoms, rtol=0, atol=1e-14)
        if local:
            np.testing.assert_allclose(
                batch.local_atoms[k, 0], single.local_atoms, rtol=0, atol=1e-14
            )


def test_large_batch_runs_the_parallel_kernels():
    rng = np.random.default_rng(9)
    P = np.stack([random_pmf((2, 3, 3), rng, 0.2) for _ in range(600)])
    for measure in ALL:
        res = pidtools.pid(P, measure=measure, n_sources=2)
        for k in (0, 299, 599):
            np.testing.assert_allclose(
                res.atoms[k], pidtools.pid(P[k], measure=measure).atoms, atol=1e-14
            )


# ---------------------------------------------------------------- local values


@settings(max_examples=15, deadline=None)
@given(p=pmfs(2, 4))
def test_pm_local_values(p):
    res = pidtools.pid(p, measure="pm", local=True)
    assert np.isnan(res.local_atoms[p == 0]).all() and np.isfinite(res.local_atoms[p > 0]).all()
    mean = np.einsum("ijk,ijkl->l", p, np.nan_to_num(res.local_atoms))
    np.testing.assert_allclose(mean, res.atoms, atol=1e-12)
    # specificity minus ambiguity, by hand at one outcome
    t, i, j = np.argwhere(p > 0)[0]
    pt, p1, p2 = p.sum(axis=(1, 2))[t], p.sum(axis=(0, 2))[i], p.sum(axis=(0, 1))[j]
    p1t, p2t = p.sum(axis=2)[t, i], p.sum(axis=1)[t, j]
    red = min(-np.log2(p1), -np.log2(p2)) - min(-np.log2(p1t / pt), -np.log2(p2t / pt))
    assert res.local_redundancy[t, i, j, 0] == pytest.approx(red, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(p=pmfs(3, 3))
def test_ccs_local_values(p):
    res = pidtools.pid(p, measure="ccs", local=True)
    assert np.isnan(res.local_atoms[p == 0]).all() and np.isfinite(res.local_atoms[p > 0]).all()
    np.testing.assert_allclose(
        res.local_atoms, res.local_redundancy @ pidtools.lattice(3).mobius.T, atol=1e-12
    )
    # single-set nodes: q is p itself, so the local value is the pmi and averages to I(T; S_a)
    for label in ("{1}", "{23}", "{123}"):
        k = res.index(label)
        assert np.nansum(p * res.local_redundancy[..., k]) == pytest.approx(
            res.redundancy[k], abs=1e-12
        )


def test_ccs_local_xor_and_copy():
    """XOR: every local co-information is 0 -> no redundancy; COPY: pmi signs disagree."""
    for name, red in (("xor", 0.0), ("copy", 0.0), ("rdn", 1.0)):
        res = pidtools.pid(gate(name), measure="ccs", local=True)
        support = gate(name) > 0
        np.testing.assert_allclose(res.local_redundancy[..., 0][support], red, atol=1e-12)


# ---------------------------------------------------------------- BROJA optimality


@settings(max_examples=30, deadline=None)
@given(p=pmfs(2, 5))
def test_broja_certified_optimum(p):
    """The dual bound certifies the optimum; feasible points are no better."""
    sol = broja_solution(p)
    assert sol.objective - sol.lower_bound <= 1e-9
    np.testing.assert_allclose(sol.q.sum(axis=2), p.sum(axis=2), rtol=0, atol=1e-10)
    np.testing.assert_allclose(sol.q.sum(axis=1), p.sum(axis=1), rtol=0, atol=1e-10)
    assert (sol.q >= 0).all()

    def mi(q):
        qt, qs = q.sum(axis=(1, 2)), q.sum(axis=0)
        m = q > 0
        return float(np.sum(q[m] * np.log2(q[m] / (qt[:, None, None] * qs[None])[m])))

    pt = p.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        ci = np.nan_to_num(
            p.sum(axis=2)[:, :, None] * p.sum(axis=1)[:, None, :] / pt[:, None, None]
        )
    for feasible in (p, ci, 0.5 * (p + ci)):
        assert sol.objective <= mi(feasible) + 1e-10
    assert mi(sol.q) == pytest.approx(sol.objective, abs=1e-10)
    res = pidtools.pid(p, measure="broja")
    assert res.red == pytest.approx(
        float(res.redundancy[1] + res.redundancy[2]) - sol.objective, abs=1e-12
    )


def test_broja_larger_alphabets_certified():
    rng = np.random.default_rng(12)
    for shape in ((2, 8, 8), (3, 10, 6), (2, 20, 20)):
        sol = broja_solution(random_pmf(shape, rng, 0.3))
        assert sol.objective - sol.lower_bound <= 1e-9, shape


# ---------------------------------------------------------------- compare


def test_compare_table():
    table = pidtools.compare(gate("xor"))
    assert list(table.index) == ["{1}{2}", "{1}", "{2}", "{12}"]
    assert list(table.columns) == [*ALL, "negative"]
    assert table.loc["{1}{2}", "negative"] == "sx"
    assert table.loc["{12}", "negative"] == ""
    assert table.attrs["mi"] == pytest.approx(1.0)
    np.testing.assert_allclose(table[ALL].sum(), 1.0, atol=1e-12)
    np.testing.assert_allclose(table["sx"], pidtools.pid(gate("xor")).atoms)
    sub = pidtools.compare(gate("unq"), ["pm", "dit:PID_WB"])
    assert list(sub.columns) == ["pm", "dit:PID_WB", "negative"]
    assert sub.loc["{2}", "negative"] == "pm"


def test_compare_three_sources_notes_incomplete_measures():
    table = pidtools.compare(gate("parity"))
    assert table.shape == (18, len(ALL) + 1)
    assert np.isnan(table.loc["{1}{2}{3}", "broja"]) and table.loc["{1}", "broja"] == pytest.approx(
        0, abs=1e-12
    )
    assert any("'broja' is bivariate" in note for note in table.attrs["notes"])
    four = pidtools.compare(random_pmf((2,) * 5, np.random.default_rng(0)))
    assert "broja" not in four.columns and four.shape == (166, len(LATTICE_MEASURES) + 1)


def test_compare_batch_dataset():
    ds = pidtools.compare(np.stack([gate("xor"), gate("and")]), ["sx", "min"], n_sources=2)
    assert ds["atoms"].dims == ("batch_0", "atom", "measure")
    assert ds["atoms"].shape == (2, 4, 2)
    assert bool(ds["negative"].sel(atom="{1}{2}", measure="sx")[0])
    np.testing.assert_allclose(
        ds["atoms"].sum("atom"), np.repeat(ds["mi"].values[:, None], 2, 1), atol=1e-12
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((gate("and"), ["nope"]), {}, ValueError, "unknown measure 'nope'"),
        (
            (random_pmf((2,) * 5, np.random.default_rng(0)), ["broja"]),
            {},
            ValueError,
            "drop it from measures",
        ),
        ((gate("and"), []), {}, ValueError, "measures is empty"),
        ((gate("and"),), {"tol": -1}, ValueError, "tol must be a number >= 0"),
        ((gate("and") * 2,), {}, ValueError, "normalize=True"),
        ((gate("and"),), {"target": 0}, TypeError, "dit.Distribution input only"),
    ],
)
def test_compare_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        pidtools.compare(*args, **kwargs)
