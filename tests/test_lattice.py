import numpy as np
import pytest

from pidtools import lattice
from pidtools.lattice import parse_label


@pytest.mark.parametrize(("n", "count"), [(1, 1), (2, 4), (3, 18), (4, 166)])
def test_node_counts(n, count):
    # Dedekind numbers minus two: the known sizes of the redundancy lattice.
    assert lattice(n).n_nodes == count


def test_bivariate_order_and_labels():
    lat = lattice(2)
    assert lat.labels == ("{1}{2}", "{1}", "{2}", "{12}")
    assert lat.bottom == "{1}{2}" and lat.top == "{12}"
    assert lat.leq("{1}{2}", "{12}") and not lat.leq("{1}", "{2}")
    assert set(lat.down_set("{12}")) == set(lat.labels)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_mobius_is_inverse_of_order(n):
    lat = lattice(n)
    zeta = lat.order.astype(np.int64)
    eye = np.eye(lat.n_nodes, dtype=np.int64)
    assert np.array_equal(lat.mobius @ zeta, eye)
    assert np.array_equal(zeta @ lat.mobius, eye)
    # bottom-up listing: the order matrix is lower triangular
    assert not np.triu(lat.order, 1).any()


@pytest.mark.parametrize("n", [2, 3, 4])
def test_order_is_a_partial_order(n):
    z = lattice(n).order
    assert z.diagonal().all()
    assert not (z & z.T & ~np.eye(len(z), dtype=bool)).any()  # antisymmetric
    zi = z.astype(int)
    assert np.array_equal((zi @ zi) > 0, z)  # transitive


def test_lattice_is_cached_and_read_only():
    assert lattice(3) is lattice(3)
    with pytest.raises(ValueError):
        lattice(3).mobius[0, 0] = 5


def test_union_coefficients_follow_inclusion_exclusion():
    lat = lattice(3)
    row = lat.union_coefficients[lat.index("{1}{2}{3}")]
    # P(A or B or C) = sum singles - sum pairs + triple
    assert row.tolist() == [0, 1, 1, -1, 1, -1, -1, 1]


def test_parse_label_normalises():
    assert parse_label("{23}{1}", 3) == parse_label("{1}{23}", 3)
    assert lattice(3).index("{13} {2}") == lattice(3).index("{2}{13}")
    assert parse_label("{1,2}", 2) == parse_label("{12}", 2)


@pytest.mark.parametrize(
    ("label", "match"),
    [
        ("{1}{12}", "not an antichain"),
        ("{3}", "names source 3"),
        ("1}{2", "malformed"),
        ("", "empty"),
    ],
)
def test_bad_labels(label, match):
    with pytest.raises(ValueError, match=match):
        parse_label(label, 2)


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_bad_n_sources(bad):
    with pytest.raises(ValueError, match="n_sources"):
        lattice(bad)
    with pytest.raises(TypeError):
        lattice(2.0)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_sparse_mobius_of_a_batch_is_that_of_each_row(n):
    """Rows are inverted in groups of 8 and one by one: same bits either way, whatever the
    batch; n <= 4 also equals the dense inverse; a NaN spreads only to the atoms that need it."""
    lat = lattice(n)
    red = np.random.default_rng(n).normal(size=(11, lat.n_nodes))  # a group of 8, 3 left over
    red[2, 1] = np.nan
    atoms = lat.to_atoms(red)
    rows = np.stack([lat.to_atoms(r[None])[0] for r in red])
    np.testing.assert_array_equal(atoms, rows)
    np.testing.assert_array_equal(lat.to_atoms(red[5:]), atoms[5:])
    assert np.isfinite(np.delete(atoms, 2, axis=0)).all()
    if n <= 4:
        clean = np.nan_to_num(red)
        np.testing.assert_allclose(lat.to_atoms(clean), clean @ lat.mobius.T, atol=1e-12)
        needs = lat.mobius[:, 1] != 0
        assert np.isnan(atoms[2, needs]).all() and np.isfinite(atoms[2, ~needs]).all()
