"""The recorded xarray Dataset follows the documented schema and survives netCDF."""

import json

import numpy as np
import pytest

from infomorph import record
from infomorph.train import fit
from pidtools import lattice


@pytest.fixture(scope="module")
def run():
    return fit(
        "digits",
        arch="hidden",
        n_hidden=6,
        hidden_classes="three",
        epochs=2,
        batch_size=256,
        random_state=0,
        record_probe=5,
        progress=False,
    )


def test_record_follows_the_schema(run):
    _, ds = run
    record.check_schema(ds)
    assert list(ds.layer.values) == ["hidden", "readout"]
    assert dict(ds.sizes) == {
        "epoch": 2,
        "layer": 2,
        "neuron": 10,
        "atom": 18,
        "split": 3,
        "sample": 5,
        "source": 3,
    }
    assert list(ds.atom_label.sel(layer="hidden").values) == list(lattice(3).labels)
    assert list(ds.atom_label.sel(layer="readout").values[:4]) == list(lattice(2).labels)
    hidden = ds.atoms.sel(layer="hidden")
    assert (
        np.isfinite(hidden.isel(neuron=slice(0, 6))).all() and np.isnan(hidden.isel(neuron=6)).all()
    )
    atoms_sum = ds.atoms.sum("atom", min_count=1)
    np.testing.assert_allclose(atoms_sum.values, ds.mi.values, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(
        (ds.mi + ds.h_res).values, ds.entropy.values, atol=1e-9, equal_nan=True
    )
    assert json.loads(ds.attrs["goal"])["hidden"]["{12}{13}"] == -1.0
    assert ds.attrs["seed"] == 0
    assert np.isnan(ds.lateral.sel(layer="readout")).all()
    assert np.isfinite(ds.lateral.sel(layer="hidden").isel(neuron=slice(0, 6))).all()
    assert set(np.unique(ds.output.sel(layer="hidden").isel(neuron=slice(0, 6)))) <= {-1.0, 1.0}


def test_save_and_load_round_trip(run, tmp_path):
    _, ds = run
    path = record.save(ds, tmp_path / "run.nc")
    back = record.load(path)
    np.testing.assert_array_equal(back.atoms.values, ds.atoms.values)
    assert back.attrs["goal"] == ds.attrs["goal"]
    assert [p.name for p in tmp_path.iterdir()] == ["run.nc"]  # no temporary left behind


def test_atom_selection_by_label(run):
    _, ds = run
    red = record.atom(ds, "readout", "{2}{1}")
    assert red.dims == ("epoch", "neuron") and red.sizes["neuron"] == 10
    np.testing.assert_array_equal(red.values, ds.atoms.sel(layer="readout").isel(atom=0).values)
    with pytest.raises(ValueError, match="malformed|antichain|not an antichain|inside"):
        record.atom(ds, "hidden", "{123}{1}")


def test_check_schema_rejects_broken_records(run):
    _, ds = run
    with pytest.raises(ValueError, match="lacks the variable 'mi'"):
        record.check_schema(ds.drop_vars("mi"))
    with pytest.raises(ValueError, match="dims"):
        record.check_schema(ds.assign(accuracy=ds.accuracy.T))
    broken = ds.copy(deep=True)
    broken["atoms"][:, 1, 5, 0] = 0.0  # a value in the padding of a 4-atom layer
    broken["atoms"][:, 1, 5, 10] = 0.0
    with pytest.raises(ValueError, match="padding"):
        record.check_schema(broken)
