"""Tests of pidtools.kernels.sx2: two-source I^sx from counts, fused plug-in and shuffle null."""

import numpy as np
import pytest

import pidtools
from pidtools.errors import ParameterError, ParameterTypeError
from pidtools.kernels.estimate import element_seeds, joint_counts, resampled_counts
from pidtools.kernels.sx2 import (
    COLUMNS,
    sx2_counts_atoms,
    sx2_plugin_atoms,
    sx2_shuffled_atoms,
)

ATOL = 1e-12


def reference(counts: np.ndarray) -> np.ndarray:
    """The generic path: pidtools.pid of counts / N, as (..., 6) columns."""
    totals = counts.sum(axis=(-3, -2, -1), keepdims=True)
    res = pidtools.pid(counts / totals, n_sources=2)
    return np.concatenate([res.atoms, res.mi[..., None], res.entropy[..., None]], axis=-1)


def random_tables(rng, shape, n_tables=12):
    """Sparse random count tables, with an empty target row, empty source slices and a table
    with a single occupied cell among them."""
    counts = rng.integers(0, 6, (n_tables, *shape)) * (rng.random((n_tables, *shape)) < 0.6)
    counts[0] = 0
    counts[(0, *(rng.integers(0, k) for k in shape))] = 5
    counts[1, rng.integers(shape[0])] = 0
    counts[2, :, rng.integers(shape[1])] = 0
    counts[3, :, :, rng.integers(shape[2])] = 0
    counts[4] *= 1000
    counts[counts.reshape(n_tables, -1).sum(axis=1) == 0, 0, 0, 0] = 1
    return counts


def test_columns_follow_the_lattice_labels():
    assert COLUMNS[:4] == pidtools.lattice(2).labels
    assert COLUMNS[4:] == ("mi", "entropy")


@pytest.mark.parametrize(
    "shape", [(2, 2, 2), (3, 2, 4), (1, 3, 3), (2, 8, 8), (5, 5, 5), (8, 8, 8), (16, 16, 16)]
)
def test_counts_match_generic_pid(shape):
    rng = np.random.default_rng(sum(shape) * 7919)
    counts = random_tables(rng, shape)
    out = sx2_counts_atoms(counts)
    np.testing.assert_allclose(out, reference(counts), rtol=0, atol=ATOL)
    # the redundancy of every node, by summing the atoms below it
    totals = counts.sum(axis=(1, 2, 3), keepdims=True)
    redundancy = pidtools.pid(counts / totals, n_sources=2).redundancy
    below = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 1]])
    np.testing.assert_allclose(out[:, :4] @ below.T, redundancy, rtol=0, atol=ATOL)


def test_counts_batch_axes_and_float_input():
    rng = np.random.default_rng(3)
    counts = random_tables(rng, (3, 4, 2), 12).reshape(3, 4, 3, 4, 2)
    out = sx2_counts_atoms(counts.astype(np.float64))
    assert out.shape == (3, 4, 6)
    np.testing.assert_allclose(out, reference(counts), rtol=0, atol=ATOL)


def test_empty_table_gives_nan():
    assert np.isnan(sx2_counts_atoms(np.zeros((2, 3, 3), dtype=int))).all()


# Closed forms (bits) from the shared-exclusion paper, see /work/shared/reference/pid.md:
# [Red, Unq1, Unq2, Syn].
L = np.log2
GATES = {
    "xor": ({(0, 0, 0): 1, (1, 0, 1): 1, (1, 1, 0): 1, (0, 1, 1): 1},
            [L(2 / 3), L(3 / 2), L(3 / 2), L(4 / 3)]),
    "and": ({(0, 0, 0): 1, (0, 0, 1): 1, (0, 1, 0): 1, (1, 1, 1): 1},
            [0.5 * L(32 / 27), 0.25 * L(27 / 16), 0.25 * L(27 / 16), 0.75 * L(4 / 3)]),
    "rdn": ({(0, 0, 0): 3, (1, 1, 1): 3}, [1.0, 0.0, 0.0, 0.0]),
    "t=s1": ({(0, 0, 0): 2, (0, 0, 1): 2, (1, 1, 0): 2, (1, 1, 1): 2},
             [L(4 / 3), L(3 / 2), -L(4 / 3), L(4 / 3)]),
}  # fmt: skip
COPY = {(2 * a + b, a, b): 1 for a in (0, 1) for b in (0, 1)}


@pytest.mark.parametrize("gate", sorted(GATES))
def test_closed_form_gates(gate):
    cells, atoms = GATES[gate]
    counts = np.zeros((2, 2, 2), dtype=int)
    for cell, k in cells.items():
        counts[cell] = k
    out = sx2_counts_atoms(counts)
    np.testing.assert_allclose(out[:4], atoms, rtol=0, atol=ATOL)
    assert out[4] == pytest.approx(sum(atoms), abs=ATOL)


def test_copy_gate():
    counts = np.zeros((4, 2, 2), dtype=int)
    for cell, k in COPY.items():
        counts[cell] = k
    out = sx2_counts_atoms(counts)
    np.testing.assert_allclose(
        out, [L(4 / 3), L(3 / 2), L(3 / 2), L(4 / 3), 2.0, 2.0], rtol=0, atol=ATOL
    )


# ----------------------------------------------------------------------- samples


def samples(rng, n_batch, n_samples, sizes, shared_target=False):
    """Codes in the layout of pidtools.kernels.estimate, target partly a function of sources."""
    n_t, n1, n2 = sizes
    s1 = rng.integers(0, n1, (n_batch, n_samples))
    s2 = rng.integers(0, n2, (n_batch, n_samples))
    if shared_target:
        t = rng.integers(0, n_t, (1, n_samples))
        t_rows = np.zeros(n_batch, dtype=np.int64)
    else:
        noise = rng.integers(0, n_t, (n_batch, n_samples))
        t = np.where(rng.random((n_batch, n_samples)) < 0.5, (s1 * s2 + s2) % n_t, noise)
        t_rows = np.arange(n_batch)
    codes = np.concatenate([t, s1, s2]).astype(np.int64)
    rows = np.stack([t_rows, len(t) + np.arange(n_batch), len(t) + n_batch + np.arange(n_batch)])
    strides = np.array([n1 * n2, n2, 1], dtype=np.int64)
    return codes, np.ascontiguousarray(rows.T, dtype=np.int64), strides


def seeds_for(key, n_batch):
    seeds = np.empty(n_batch, dtype=np.uint64)
    element_seeds(np.array(key, dtype=np.uint64), np.arange(n_batch, dtype=np.int64), seeds)
    return seeds


CASES = [  # (seed, n_batch, n_samples, sizes, n_draws, shared target)
    (11, 1, 300, (2, 2, 2), 5, False),
    (12, 7, 257, (2, 8, 8), 4, False),
    (13, 5, 500, (5, 5, 5), 3, True),
    (14, 3, 400, (8, 8, 8), 6, False),
    (15, 4, 60, (3, 16, 2), 8, False),
    (16, 2, 1, (2, 3, 3), 3, False),
    (17, 3, 2, (2, 2, 2), 4, True),
]


@pytest.mark.parametrize("seed, n_batch, n_samples, sizes, n_draws, shared", CASES)
def test_shuffled_atoms_equal_resampled_counts_then_pid(
    seed, n_batch, n_samples, sizes, n_draws, shared
):
    rng = np.random.default_rng(seed)
    codes, rows, strides = samples(rng, n_batch, n_samples, sizes, shared)
    seeds = seeds_for([seed, 2 * seed + 1], n_batch)
    counts = np.empty((n_batch, n_draws, int(np.prod(sizes))))
    resampled_counts(codes, rows, strides, seeds, False, counts)
    expected = reference(counts.reshape(n_batch, n_draws, *sizes).astype(np.int64))
    out = sx2_shuffled_atoms(codes, rows, strides, sizes, seeds, np.empty((n_batch, n_draws, 6)))
    np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)
    atoms = sx2_shuffled_atoms(codes, rows, strides, sizes, seeds, np.empty((n_batch, n_draws, 4)))
    np.testing.assert_array_equal(atoms, out[..., :4])


def test_shuffled_draws_depend_on_the_element_seed_only():
    rng = np.random.default_rng(21)
    codes, rows, strides = samples(rng, 6, 200, (2, 4, 4))
    seeds = seeds_for([5, 6], 6)
    whole = sx2_shuffled_atoms(codes, rows, strides, (2, 4, 4), seeds, np.empty((6, 3, 4)))
    part = sx2_shuffled_atoms(codes, rows[4:], strides, (2, 4, 4), seeds[4:], np.empty((2, 3, 4)))
    np.testing.assert_array_equal(part, whole[4:])
    assert not np.array_equal(whole[0, 0], whole[0, 1])  # the draws differ


@pytest.mark.parametrize("seed, n_batch, n_samples, sizes, n_draws, shared", CASES)
def test_plugin_atoms_equal_joint_counts_then_pid(seed, n_batch, n_samples, sizes, n_draws, shared):
    rng = np.random.default_rng(seed)
    codes, rows, strides = samples(rng, n_batch, n_samples, sizes, shared)
    counts = np.empty((n_batch, int(np.prod(sizes))))
    joint_counts(codes, rows, strides, counts)
    expected = reference(counts.reshape(n_batch, *sizes).astype(np.int64))
    out = sx2_plugin_atoms(codes, rows, strides, sizes, np.empty((n_batch, 6)))
    np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)
    both = np.empty((n_batch, 4))
    sx2_shuffled_atoms(codes, rows, strides, sizes, seeds_for([1, 1], n_batch),
                       np.empty((n_batch, n_draws, 4)), plugin_out=both)  # fmt: skip
    np.testing.assert_array_equal(both, out[:, :4])


# ----------------------------------------------------------------------- bad input


@pytest.fixture(scope="module")
def layout():
    codes, rows, strides = samples(np.random.default_rng(0), 2, 50, (2, 3, 3))
    return codes, rows, strides, (2, 3, 3), seeds_for([1, 2], 2)


@pytest.mark.parametrize(
    "change, param, error",
    [
        (dict(codes=np.zeros((6, 50))), "codes", ParameterTypeError),
        (dict(codes=np.zeros((6, 0), dtype=np.int64)), "codes", ParameterError),
        (dict(sizes=(2, 3)), "sizes", ParameterError),
        (dict(sizes=(2, 3, 0)), "sizes", ParameterError),
        (dict(sizes=5), "sizes", ParameterError),
        (dict(sizes=(2, 2, 3)), "strides", ParameterError),
        (dict(strides=np.array([3, 3, 1])), "strides", ParameterError),
        (dict(rows=np.zeros((2, 4), dtype=np.int64)), "rows", ParameterError),
        (dict(rows=np.full((2, 3), 6)), "rows", ParameterError),
        (dict(seeds=np.zeros(2, dtype=np.int64)), "seeds", ParameterTypeError),
        (dict(seeds=np.zeros(3, dtype=np.uint64)), "seeds", ParameterTypeError),
        (dict(out=np.empty((2, 3, 5))), "out", ParameterError),
        (dict(out=np.empty((2, 3, 4), dtype=np.float32)), "out", ParameterTypeError),
        (dict(out=np.empty((2, 4, 3))[:, :, ::1].transpose(0, 2, 1)), "out", ParameterError),
    ],
)
def test_bad_shuffle_input_names_the_argument(layout, change, param, error):
    codes, rows, strides, sizes, seeds = layout
    args = dict(codes=codes, rows=rows, strides=strides, sizes=sizes, seeds=seeds)
    args["out"] = np.empty((2, 3, 4))
    args.update(change)
    with pytest.raises(error) as info:
        sx2_shuffled_atoms(**args)
    assert info.value.param == param


def test_codes_outside_the_alphabet_are_rejected(layout):
    codes, rows, strides, sizes, _ = layout
    bad = codes.copy()
    bad[rows[1, 2], 7] = 3  # source 2 has 3 values: 0..2
    with pytest.raises(ParameterError, match="source 2 must lie in 0..2"):
        sx2_plugin_atoms(bad, rows, strides, sizes, np.empty((2, 4)))
    bad[rows[1, 2], 7] = -1
    with pytest.raises(ParameterError, match="source 2"):
        sx2_plugin_atoms(bad, rows, strides, sizes, np.empty((2, 4)))
    bad[rows[1, 2], 7] = 0
    bad[rows[0, 0], 3] = 2  # the target has 2 values
    with pytest.raises(ParameterError, match="target must lie in 0..1"):
        sx2_shuffled_atoms(bad, rows, strides, sizes, seeds_for([1, 2], 2), np.empty((2, 3, 4)))


@pytest.mark.parametrize(
    "counts, error",
    [
        (np.zeros((2, 2)), ParameterError),
        (np.full((2, 2, 2), 0.5), ParameterError),
        (-np.ones((2, 2, 2)), ParameterError),
        (np.array(["a"] * 8).reshape(2, 2, 2), ParameterTypeError),
    ],
)
def test_bad_counts(counts, error):
    with pytest.raises(error) as info:
        sx2_counts_atoms(counts)
    assert info.value.param == "counts"
