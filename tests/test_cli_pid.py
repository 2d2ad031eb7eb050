"""`infomorph pid`: gates, pmf files, sample columns, formats and bad input."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from infomorph_cli.main import cli
from pidtools.distributions import gate


def run(*args, cwd=None):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_gate_json_matches_closed_form():
    res = run("pid", "--gate", "xor", "--format", "json")
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    assert out["atoms"]["{12}"] == pytest.approx(np.log2(4 / 3), abs=1e-12)
    assert out["mi"] == pytest.approx(1.0)


def test_pmf_files(tmp_path):
    np.save(tmp_path / "and.npy", gate("and"))
    np.savetxt(tmp_path / "and.csv", gate("and").ravel() * 4, delimiter=",")
    a = run("pid", tmp_path / "and.npy", "--format", "csv")
    b = run("pid", tmp_path / "and.csv", "--shape", "2,2,2", "--normalize", "--format", "csv")
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout.replace(str(tmp_path / "and.csv"), str(tmp_path / "and.npy"))
    assert a.stdout.splitlines()[0] == "atom,bits" and len(a.stdout.splitlines()) == 5


def test_samples_with_statistics(tmp_path):
    rng = np.random.default_rng(0)
    s1, s2 = rng.integers(0, 2, (2, 4000))
    pd.DataFrame({"y": s1 ^ s2, "a": s1, "b": s2}).to_csv(tmp_path / "s.csv", index=False)
    res = run(
        "pid",
        "--samples",
        tmp_path / "s.csv",
        "--target",
        "y",
        "--source",
        "a",
        "--source",
        "b",
        "--shuffles",
        "50",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["atoms"]["{12}"] == pytest.approx(np.log2(4 / 3), abs=0.01)
    assert out["p_value"]["{12}"] == pytest.approx(1 / 51)
    assert out["settings"]["n_shuffles"] == 50


def test_samples_default_to_the_bias_corrected_estimator_and_warn_on_sparse_cells(tmp_path):
    """Independent noise on a fine binning: the plug-in atoms are large (every sample its own
    cell), the default shuffle estimator brings them to about 0, and the report warns."""
    rng = np.random.default_rng(1)
    n = 300
    frame = pd.DataFrame(
        {"y": rng.integers(0, 2, n), "a": rng.normal(size=n), "b": rng.normal(size=n)}
    )
    frame.to_csv(tmp_path / "noise.csv", index=False)
    args = [
        "pid",
        "--samples",
        tmp_path / "noise.csv",
        "--target",
        "y",
        "--source",
        "a",
        "--source",
        "b",
    ]
    text = run(*args, "--bins", "16")
    assert text.exit_code == 0, text.output
    assert "estimator shuffle (100 target shuffles)" in text.stdout
    assert "warning: fewer than 5 samples per occupied joint cell" in text.stdout
    out = json.loads(run(*args, "--bins", "16", "--format", "json").stdout)
    assert out["settings"]["estimator"] == "shuffle"
    assert out["samples_per_cell"] < 5
    assert sum(out["plugin_atoms"].values()) > 0.5  # the bias the default removes
    assert abs(sum(out["atoms"].values())) < 0.1
    assert min(out["p_adjusted"].values()) > 0.05
    plug = run(*args, "--estimator", "plugin", "--shuffles", "0")
    assert "note: plug-in atoms without a null" in plug.stdout
    assert "warning" not in plug.stdout  # auto bins leave enough samples per cell


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exactly one of"),
        (["--gate", "xor", "--measure", "nope"], "is not one of"),
        (["--samples", "s.csv", "--target", "y"], "at least one --source"),
        (["--samples", "s.csv", "--target", "y", "--source", "q"], "'q' is not a column"),
        (["p.csv"], "needs --shape"),
        (["p.csv", "--shape", "2,2"], "has 4 cells but"),
        (["neg.npy"], "negative"),
    ],
)
def test_bad_input(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"y": [0, 1] * 10, "a": [0, 0, 1, 1] * 5}).to_csv("s.csv", index=False)
    np.savetxt("p.csv", gate("xor").ravel(), delimiter=",")
    np.save("neg.npy", -gate("xor"))
    res = CliRunner().invoke(cli, ["pid", *args])
    assert res.exit_code == 2, res.output
    assert message in res.stderr


def test_compare_every_measure():
    res = run("pid", "--gate", "and", "--compare", "--format", "json")
    assert res.exit_code == 0, res.output
    table = json.loads(res.stdout)["compare"]
    assert set(table) == {"{1}{2}", "{1}", "{2}", "{12}"}
    # I_min and I_mmi agree on AND: redundancy = I(T; S1) = 0.3113 bit
    assert table["{1}{2}"]["min"] == pytest.approx(0.311278, abs=1e-6)
    assert table["{1}{2}"]["mmi"] == pytest.approx(0.311278, abs=1e-6)
    assert table["{1}{2}"]["sx"] == pytest.approx(0.5 * np.log2(32 / 27), abs=1e-12)
    assert "pm" in table["{1}"]["negative"]  # I± gives AND negative unique information
    text = run("pid", "--gate", "and", "--compare")
    assert text.exit_code == 0 and "broja" in text.stdout
