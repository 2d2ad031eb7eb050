"""The nearest-neighbour I^sx estimator (pidtools.knn) against independent references.

References: scikit-learn's KSG / Ross estimators (mutual_info_regression / _classif), a KSG
written here on scipy's cKDTree, analytic Gaussian mutual information, and the continuous I^sx
redundancy integrated numerically (Gauss-Hermite quadrature, pidtools.testing) from known
densities.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

from pidtools.knn import estimate_knn
from pidtools.testing import gaussian_sx_nodes, mixture_sx_nodes

LN2 = np.log(2.0)


# --------------------------------------------------------------------------- references


def ksg_tree(target, sources, k=4):
    """KSG algorithm 1 (bits) of I(T; S) on scipy's cKDTree, max-norm, no noise."""
    t = np.asarray(target, float)[:, None]
    s = np.column_stack(sources)
    n = len(t)
    eps = cKDTree(np.hstack([t, s])).query(np.hstack([t, s]), k + 1, p=np.inf)[0][:, -1]
    r = np.nextafter(eps, 0)
    nt = cKDTree(t).query_ball_point(t, r, p=np.inf, return_length=True)
    ns = cKDTree(s).query_ball_point(s, r, p=np.inf, return_length=True)
    return (digamma(k) + digamma(n) - np.mean(digamma(nt) + digamma(ns))) / LN2


def gaussian_samples(cov, n, seed):
    x = np.random.default_rng(seed).multivariate_normal(np.zeros(len(cov)), cov, size=n).T
    return x[0], list(x[1:])


def mixture_samples(means, cov, n, seed):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, n)
    s = rng.multivariate_normal([0, 0], cov, size=n) + np.asarray(means, float)[t]
    return t, [s[:, 0], s[:, 1]]


GAUSSIAN_CASES = {
    "sum": np.array([[2.25, 1, 1], [1, 1, 0], [1, 0, 1]]),  # T = S1 + S2 + noise
    "correlated": np.array([[1, 0.6, 0.6], [0.6, 1, 0.3], [0.6, 0.3, 1]]),
    "asymmetric": np.array([[1, 0.8, 0.3], [0.8, 1, 0.2], [0.3, 0.2, 1]]),
}
MIXTURE_CASES = {
    "shifted both": ([[0, 0], [1, 1]], np.array([[1, 0.3], [0.3, 1]])),
    "shifted one": ([[0, 0], [1.5, 0]], np.eye(2)),
}


# --------------------------------------------------------------------------- mutual information


def test_one_source_is_sklearn_ksg():
    """With one source and sklearn's setup (unit variance, tiny noise) the estimator is KSG."""
    rng = np.random.default_rng(1)
    s = rng.standard_normal(3000)
    t = np.tanh(s) + 0.4 * rng.standard_normal(3000)
    ours = estimate_knn(t, [s], k=4, transform="standardize").mi
    ref = mutual_info_regression(s[:, None], t, n_neighbors=4, random_state=0)[0] / LN2
    assert ours == pytest.approx(ref, abs=1e-3)


def test_one_source_discrete_target_is_sklearn_ross():
    t, (s1, _) = mixture_samples([[0, 0], [1.2, 0]], np.eye(2), 3000, 2)
    ours = estimate_knn(t, [s1], k=4, transform="standardize").mi
    ref = mutual_info_classif(s1[:, None], t, n_neighbors=4, random_state=0)[0] / LN2
    assert ours == pytest.approx(ref, abs=1e-3)


def test_single_source_nodes_agree_with_sklearn():
    """I(T; S_a) at the joint space's scale vs sklearn's KSG: within KSG error (N = 4000)."""
    t, s = gaussian_samples(GAUSSIAN_CASES["asymmetric"], 4000, 3)
    res = estimate_knn(t, s)
    ref = mutual_info_regression(np.column_stack(s), t, n_neighbors=4, random_state=0) / LN2
    assert res.redundancy[1:3] == pytest.approx(ref, abs=0.03)
    t, s = mixture_samples(*MIXTURE_CASES["shifted both"], 4000, 4)
    res = estimate_knn(t, s)
    ref = mutual_info_classif(np.column_stack(s), t, n_neighbors=4, random_state=0) / LN2
    assert res.redundancy[1:3] == pytest.approx(ref, abs=0.03)


@pytest.mark.parametrize("n_sources", [2, 3, 4])
def test_atoms_sum_to_ksg_of_whole_set(n_sources):
    rng = np.random.default_rng(n_sources)
    s = list(rng.standard_normal((n_sources, 1500)))
    t = np.sin(s[0]) + s[1] * s[-1] + 0.3 * rng.standard_normal(1500)
    res = estimate_knn(t, s, transform="none")
    assert res.atoms.sum() == pytest.approx(res.mi, abs=1e-12)
    assert res.mi == pytest.approx(ksg_tree(t, s), abs=1e-9)


def test_gaussian_mi_analytic():
    """Whole set and single source vs -1/2 log(1 - rho^2) and its multivariate form, N = 10^4."""
    cov = GAUSSIAN_CASES["correlated"]
    t, s = gaussian_samples(cov, 10_000, 5)
    res = estimate_knn(t, s)
    rho2 = cov[0, 1] ** 2
    whole = 0.5 * np.log2(np.linalg.det(cov[1:, 1:]) / np.linalg.det(cov))
    assert res.redundancy[1] == pytest.approx(-0.5 * np.log2(1 - rho2), abs=0.03)
    assert res.mi == pytest.approx(whole, abs=0.03)


# --------------------------------------------------------------------------- redundancy


SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    "case", ["sum", *(pytest.param(c, marks=SLOW) for c in GAUSSIAN_CASES if c != "sum")]
)
def test_redundancy_gaussian_ground_truth(case):
    cov = GAUSSIAN_CASES[case]
    t, s = gaussian_samples(cov, 10_000, 6)
    res = estimate_knn(t, s)
    assert res.redundancy[:3] == pytest.approx(gaussian_sx_nodes(cov)[:3], abs=0.02)


@pytest.mark.parametrize("case", ["shifted both", pytest.param("shifted one", marks=SLOW)])
def test_redundancy_mixture_ground_truth(case):
    means, cov = MIXTURE_CASES[case]
    t, s = mixture_samples(means, cov, 10_000, 7)
    res = estimate_knn(t, s)
    assert res.redundancy[:3] == pytest.approx(mixture_sx_nodes(means, cov)[:3], abs=0.02)


def test_quadrature_reference_is_right():
    """The ground-truth helpers themselves, against closed forms and scipy's quad."""
    from scipy.integrate import quad
    from scipy.stats import norm

    cov = GAUSSIAN_CASES["correlated"]
    red, mi1, _, _ = gaussian_sx_nodes(cov)
    assert mi1 == pytest.approx(-0.5 * np.log2(1 - 0.36), abs=1e-12)
    assert red >= mi1  # log of a mean of exp >= mean of logs (Jensen)
    scale = np.diag([1.0, 3.0, 0.5])  # the rank scale ignores the sources' units
    assert gaussian_sx_nodes(scale @ cov @ scale)[0] == pytest.approx(red, abs=1e-9)
    assert gaussian_sx_nodes(scale @ cov @ scale, "none")[0] != pytest.approx(red, abs=1e-3)
    # binary target, S1 | t ~ N(1.5 t, 1), S2 independent noise: I(T;S1) by 1-d quadrature
    means, cov2 = MIXTURE_CASES["shifted one"]
    red, mi1, mi2, whole = mixture_sx_nodes(means, cov2)

    def integrand(x, t):
        return norm.pdf(x, 1.5 * t) * np.log2(
            2 * norm.pdf(x, 1.5 * t) / (norm.pdf(x) + norm.pdf(x, 1.5))
        )

    ref = sum(0.5 * quad(integrand, -12, 14, args=(t,))[0] for t in (0, 1))
    assert mi1 == pytest.approx(ref, abs=1e-9)
    assert mi2 == pytest.approx(0.0, abs=1e-12)
    assert whole == pytest.approx(mi1, abs=1e-9)
    assert 0 < red < mi1


# --------------------------------------------------------------------------- properties


def test_invariant_under_monotone_transforms():
    t, s = gaussian_samples(GAUSSIAN_CASES["asymmetric"], 1500, 8)
    a = estimate_knn(t, s, random_state=3)
    b = estimate_knn(np.exp(t), [s[0] ** 3, np.arctan(s[1])], random_state=3)
    np.testing.assert_allclose(a.atoms, b.atoms, atol=1e-12)
    c = estimate_knn(t, s, random_state=4)  # another tie-breaking draw: estimator noise only
    np.testing.assert_allclose(a.atoms, c.atoms, atol=0.02)


def test_independent_data_consistent_with_null():
    rng = np.random.default_rng(9)
    t, s1, s2 = rng.standard_normal((3, 12, 300))
    res = estimate_knn(t, [s1, s2], n_shuffles=30, random_state=0)
    z = (res.atoms - res.null_mean) / res.null_std
    assert np.abs(z).max() < 4.5
    assert (res.p_value < 0.05).mean() < 0.15
    dependent = estimate_knn(s1[:3] + s2[:3], [s1[:3], s2[:3]], n_shuffles=30, random_state=0)
    assert (dependent.p_value[:, -1] <= 1 / 31).all()  # synergy of a sum: far above the null


def test_batch_matches_elements_and_is_reproducible():
    rng = np.random.default_rng(10)
    t = rng.standard_normal(300)
    s = rng.standard_normal((2, 3, 300)) + t
    res = estimate_knn(t, [s[0], s[1]], n_boot=5, n_shuffles=5, random_state=1)
    again = estimate_knn(t, [s[0], s[1]], n_boot=5, n_shuffles=5, random_state=1)
    for name in ("atoms", "null_mean", "ci_low", "ci_high"):
        np.testing.assert_array_equal(getattr(res, name), getattr(again, name))
    assert res.atoms.shape == (3, 4)
    single = estimate_knn(t, [s[0, 0], s[1, 0]], random_state=1)
    np.testing.assert_array_equal(res.atoms[0], single.atoms)
    assert (res.ci_low <= res.ci_high).all()


def test_local_values_average_to_global():
    t, s = mixture_samples(*MIXTURE_CASES["shifted one"], 800, 11)
    res = estimate_knn(t, s, local=True)
    assert res.local_atoms.shape == (800, 4)
    np.testing.assert_allclose(res.local_atoms.mean(axis=0), res.atoms, atol=1e-12)
    assert res.entropy == pytest.approx(-sum(p * np.log2(p) for p in np.bincount(t) / 800))


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(k=0), ValueError, "k must be"),
        (dict(k=2.0), TypeError, "k must be"),
        (dict(k=50), ValueError, "more than k samples"),
        (dict(transform="log"), ValueError, "transform"),
        (dict(union="all"), ValueError, "union"),
        (dict(discrete_target="yes"), TypeError, "discrete_target"),
    ],
)
def test_bad_settings(kwargs, error, words):
    x = np.random.default_rng(0).standard_normal((3, 50))
    with pytest.raises(error, match=words):
        estimate_knn(x[0], [x[1], x[2]], **kwargs)


def test_integer_source_rejected():
    x = np.random.default_rng(0).standard_normal((2, 50))
    with pytest.raises(TypeError, match=r"sources\[1\].*floating"):
        estimate_knn(x[0], [x[1], np.arange(50)])


# --------------------------------------------------------------------------- wiring


def test_estimate_pid_dataset_and_cli_use_knn(tmp_path):
    """pidtools.estimate(estimator="knn"), pid_dataset (chunked) and `infomorph analyze
    --estimator knn` give the numbers of estimate_knn."""
    import json

    import xarray as xr
    from click.testing import CliRunner

    import pidtools
    from infomorph_cli.main import cli
    from pidtools.xarray import pid_dataset

    rng = np.random.default_rng(12)
    rec, ctx = rng.standard_normal((2, 3, 2, 400))  # epoch, neuron, sample
    out = rec + np.tanh(ctx) + 0.5 * rng.standard_normal((3, 2, 400))
    direct = estimate_knn(out, [rec, ctx], k=5, n_shuffles=8, random_state=2)
    via = pidtools.estimate(out, [rec, ctx], estimator="knn", k=5, n_shuffles=8, random_state=2)
    np.testing.assert_array_equal(via.atoms, direct.atoms)
    np.testing.assert_array_equal(via.p_adjusted, direct.p_adjusted)
    dims = ("epoch", "neuron", "sample")
    ds = xr.Dataset({"output": (dims, out), "receptive": (dims, rec), "context": (dims, ctx)})
    ds = ds.assign_coords(epoch=[1, 2, 3])
    res = pid_dataset(ds.chunk({"neuron": 1}), "output", ["receptive", "context"],
                      estimator="knn", k=5, n_shuffles=8, random_state=2).compute()  # fmt: skip
    np.testing.assert_array_equal(res["atoms"].values, direct.atoms)
    assert res.attrs["k"] == 5 and "occupied" not in res
    path = tmp_path / "acts.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    args = ["analyze", str(path), "--estimator", "knn", "--k", "5", "--shuffles", "8", "--seed",
            "2", "--format", "json", "--quiet"]  # fmt: skip
    run = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report["settings"]["estimator"] == "knn" and report["settings"]["k"] == 5
    mean = np.array([report["mean"][lab] for lab in direct.labels]).T  # (epoch, atom)
    np.testing.assert_allclose(mean, direct.atoms.mean(axis=1), atol=1e-9)
    bad = CliRunner().invoke(cli, [*args[:2], "--estimator", "knn", "--measure", "mmi"])
    assert bad.exit_code != 0 and "measure" in bad.output


# --------------------------------------------------------------------------- slow table


@pytest.mark.slow
def test_ground_truth_table(capsys):
    """The table of benchmarks/knn_results.md: mean over 5 seeds at N = 10^4."""
    rows = []
    cases = [(n, "g", c) for n, c in GAUSSIAN_CASES.items()]
    cases += [(n, "m", c) for n, c in MIXTURE_CASES.items()]
    for name, kind, case in cases:
        for union in ("leading", "event"):
            est = []
            for seed in range(5):
                if kind == "g":
                    t, s = gaussian_samples(case, 10_000, 100 + seed)
                else:
                    t, s = mixture_samples(*case, 10_000, 100 + seed)
                est.append(estimate_knn(t, s, union=union).redundancy[:3])
            truth = (gaussian_sx_nodes(case) if kind == "g" else mixture_sx_nodes(*case))[:3]
            err = np.mean(est, axis=0) - truth
            rows.append((name, union, truth, err, np.std(est, axis=0)))
    with capsys.disabled():
        print(
            "\n| case | union | true {1}{2} | true I(T;S1) | true I(T;S2) | error {1}{2} |"
            " error I(T;S1) | error I(T;S2) | sd {1}{2} |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for name, union, truth, err, sd in rows:
            print(
                f"| {name} | {union} | "
                + " | ".join(f"{v:.4f}" for v in truth)
                + " | "
                + " | ".join(f"{v:+.4f}" for v in err)
                + f" | {sd[0]:.4f} |"
            )
    for name, union, _, err, _ in rows:
        if union == "leading":
            assert abs(err[0]) < 0.02, name  # the redundancy
            assert np.abs(err[1:]).max() < 0.03, name  # I(T; S_a): KSG error
