"""Argument checks of the public API: valid input of unusual types works, invalid input fails
with a message that names the argument, the rule and the fix."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import pidtools
import pidtools.xarray as px
from pidtools.convergence import convergence
from pidtools.distributions import gate

AND = gate("and")


@pytest.fixture
def samples():
    s1, s2 = np.random.default_rng(0).integers(0, 2, (2, 500))
    return s1 ^ s2, s1, s2


@pytest.fixture
def xor_dit():
    dit = pytest.importorskip("dit")
    return dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)


# ---------------------------------------------------------------- pmf arrays


def test_float32_pmf_gives_the_float64_atoms():
    p64 = np.random.default_rng(7).dirichlet(np.ones(18)).reshape(2, 3, 3)
    p32 = p64.astype(np.float32)
    np.testing.assert_allclose(pidtools.pid(p32).atoms, pidtools.pid(p64).atoms, atol=1e-6)
    goal = {"{12}": 1.0}
    np.testing.assert_allclose(
        pidtools.sx_gradient(p32, goal), pidtools.sx_gradient(p64, goal), rtol=1e-5, atol=1e-5
    )


def test_float64_tolerance_is_unchanged():
    p = np.random.default_rng(7).dirichlet(np.ones(18)).reshape(2, 3, 3)
    with pytest.raises(ValueError, match="does not sum to 1.*pass normalize=True"):
        pidtools.pid(p * (1 + 1e-8))


def test_dataarray_pmf_gives_the_array_atoms():
    res = pidtools.pid(xr.DataArray(AND))
    np.testing.assert_array_equal(res.atoms, pidtools.pid(AND).atoms)


@pytest.mark.parametrize("p", ["abc", {"a": 1}, None])
def test_non_arrays_are_rejected(p):
    with pytest.raises(TypeError, match="p must be an array-like"):
        pidtools.pid(p)


def test_ragged_pmf():
    with pytest.raises(ValueError, match="p is ragged: every axis must have one length"):
        pidtools.pid([[[0.5, 0.0], [0.25]], [[0.25, 0.0], [0.0, 0.0]]])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: pidtools.pid(AND * 2, normalize="no"), "normalize"),
        (lambda: pidtools.pid(AND, local="no"), "local"),
        (lambda: pidtools.compare(AND, ["sx"], normalize=1), "normalize"),
        (lambda: pidtools.sx_gradient(AND, {"{12}": 1.0}, normalize="yes"), "normalize"),
    ],
)
def test_flags_must_be_bool(call, name):
    with pytest.raises(TypeError, match=f"{name} must be True or False"):
        call()


def test_numpy_bool_flag_is_accepted():
    res = pidtools.pid(AND * 2, normalize=np.bool_(True))
    np.testing.assert_allclose(res.atoms, pidtools.pid(AND).atoms)


@pytest.mark.parametrize(
    ("p", "match"),
    [
        (np.array([0.5, 0.5]), r"p needs axes \(T, S1, ..., Sn\) with 1 to 5 sources, got 1 axis"),
        (np.array([]), r"p needs axes \(T, S1, ..., Sn\) with 1 to 5 sources, got 1 axis"),
        (np.float64(0.5), "got 0 axes: give the target and each source an axis"),
        (np.full((2,) * 7, 1 / 128), "too many for .* 5 sources: pass n_sources=k"),
    ],
)
def test_number_of_axes(p, match):
    with pytest.raises(ValueError, match=match):
        pidtools.pid(p)


def test_batch_without_n_sources_is_recognised():
    batch = np.stack([AND, gate("xor"), AND])
    with pytest.raises(ValueError, match="looks like a batch of 3 pmfs.*pass n_sources=2") as err:
        pidtools.pid(batch)
    assert "normalize=True" not in str(err.value)
    with pytest.raises(ValueError, match="pass normalize=True"):
        pidtools.pid(AND * 2)


# ---------------------------------------------------------------- dit input, compare


def test_n_sources_with_dit_input(xor_dit):
    with pytest.raises(TypeError, match="n_sources=3 applies to arrays only.*sources= and target="):
        pidtools.pid(xor_dit, n_sources=3)


def test_from_dit_needs_a_distribution():
    with pytest.raises(TypeError, match="dist must be a dit.Distribution.*pass them to pid"):
        pidtools.from_dit(AND)


def test_dit_target_out_of_range(xor_dit):
    with pytest.raises(ValueError, match="target names variable.*0..2: pass indices in 0..2"):
        pidtools.pid(xor_dit, target=5)


@pytest.mark.parametrize("measures", [5, ["sx", 3]])
def test_compare_measures_type(measures):
    with pytest.raises(TypeError, match="measures must be a measure name or a sequence"):
        pidtools.compare(AND, measures)


def test_compare_tol_accepts_numpy_floats():
    table = pidtools.compare(AND, ["sx"], tol=np.float32(1e-9))
    assert table.attrs["tol"] == pytest.approx(1e-9)
    with pytest.raises(TypeError, match="tol must be a real number"):
        pidtools.compare(AND, ["sx"], tol=True)


# ---------------------------------------------------------------- estimate


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bins": -3}, "bins must be None, 'auto' or an int >= 2"),
        ({"bins": 0}, "bins must be None, 'auto' or an int >= 2"),
        ({"binning": "foo"}, "unknown binning 'foo'"),
        ({"binning": [0.0, 1.0, 0.5]}, "strictly increasing"),
    ],
)
def test_binning_values_are_checked_for_integer_variables(samples, kwargs, match):
    t, s1, s2 = samples
    with pytest.raises(ValueError, match=match):
        pidtools.estimate(t, [s1, s2], **kwargs)


def test_valid_bins_still_do_not_apply_to_integers(samples):
    t, s1, s2 = samples
    res = pidtools.estimate(t, [s1, s2], bins=8, binning="quantile")
    np.testing.assert_array_equal(res.atoms, pidtools.estimate(t, [s1, s2]).atoms)


@pytest.mark.parametrize(("random_state", "exc"), [("abc", TypeError), (-1, ValueError)])
def test_random_state_checked_without_resampling(samples, random_state, exc):
    t, s1, s2 = samples
    with pytest.raises(exc, match="random_state must be a non-negative int"):
        pidtools.estimate(t, [s1, s2], random_state=random_state)


def test_huge_alphabet_is_rejected_before_allocating():
    x = np.arange(100_000)
    with pytest.raises(ValueError, match=r"cells .*target 100000, sources\[0\] 100000.*bin them"):
        pidtools.estimate(x, [x, x])


def test_ci_accepts_numpy_floats(samples):
    t, s1, s2 = samples
    res = pidtools.estimate(t, [s1, s2], n_boot=5, ci=np.float32(0.9), random_state=0)
    assert res.settings["ci"] == pytest.approx(0.9)
    with pytest.raises(TypeError, match="ci must be a real number"):
        pidtools.estimate(t, [s1, s2], n_boot=5, ci=True)


def test_no_samples():
    with pytest.raises(ValueError, match="target and sources have no samples.*at least one"):
        pidtools.estimate(np.array([], int), [np.array([], int)])


# ---------------------------------------------------------------- convergence


@pytest.mark.parametrize(
    ("sizes", "exc", "match"),
    [
        (["a"], TypeError, "sample_sizes must hold ints"),
        ([10.7], TypeError, "sample_sizes must hold ints"),
        ([0], ValueError, "sample_sizes must be positive ints"),
        ([], ValueError, "non-empty sequence"),
    ],
)
def test_convergence_sample_sizes(sizes, exc, match):
    with pytest.raises(exc, match=match):
        convergence(AND, sizes, n_repeats=2)


def test_convergence_accepts_numpy_ints():
    out = convergence(AND, np.array([20]), n_repeats=2, random_state=0)
    assert list(out.n_samples.values) == [20]


def test_convergence_pmf_messages():
    with pytest.raises(ValueError, match=r"normalise pmf first \(pmf / pmf.sum\(\)\)") as err:
        convergence(AND * 2, [50])
    assert "normalize=True" not in str(err.value)
    with pytest.raises(ValueError, match="convergence takes one pmf"):
        convergence(np.stack([AND, AND]), [50])


# ---------------------------------------------------------------- xarray


@pytest.fixture
def ds(samples):
    t, s1, _ = samples
    return xr.Dataset({"t": ("sample", t), "x": ("sample", s1.astype(float))})


def test_pid_dataset_unknown_keyword(ds):
    with pytest.raises(TypeError, match="pid_dataset.*'bin' .did you mean 'bins'.*binning"):
        px.pid_dataset(ds, "t", ["x"], bin=8)


def test_pid_dataset_mismatched_dimension(ds):
    a = xr.DataArray(np.zeros((3, 500)), dims=("neuron", "sample"), name="a")
    b = xr.DataArray(np.zeros((4, 500)), dims=("neuron", "sample"), name="b")
    with pytest.raises(ValueError, match=r"sources\[1\] \('b'\) has 4 entries along.*'neuron'"):
        px.pid_dataset(ds, "t", [a, b], bins=2)


def test_pid_dataset_skip_missing_must_be_bool(ds):
    with pytest.raises(TypeError, match="skip_missing must be True or False"):
        px.pid_dataset(ds, "t", ["x"], bins=2, skip_missing="yes")
