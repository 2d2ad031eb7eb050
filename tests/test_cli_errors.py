"""Bad input on the command line: exit 2, a message in the command line's words, no traceback,
nothing written; and files written with the usual permissions."""

import os
import stat

import numpy as np
import pytest
from click.testing import CliRunner

from infomorph._io import atomic_write, atomic_write_many
from infomorph_cli.main import cli
from pidtools.dynamics import planted_dataset


def invoke(tmp_path, *args):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        return CliRunner().invoke(cli, [str(a) for a in args])


def assert_usage_error(res, *words):
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    for word in words:
        assert word in res.stderr, res.stderr


@pytest.fixture
def record(tmp_path):
    path = tmp_path / "data.nc"
    planted_dataset("xor", 3, 2, 100).to_netcdf(path, engine="h5netcdf")
    return path


def test_analyze_output_problems_are_caught_before_any_work(tmp_path, record):
    (tmp_path / "afile").write_text("")
    cases = [
        (["-o", record], ["-o", "is the input file"]),
        (["--plot", "atoms.xyz"], ["--plot", "unknown figure type .xyz", ".png"]),
        (["-o", "atoms.nc", "--plot", "atoms.xyz"], ["--plot", "unknown figure type"]),
        (["-o", "afile/atoms.nc"], ["-o", "is a file, not a folder"]),
        (["-o", "."], ["-o", "is a folder; give a file name"]),
        (["-o", "same.png", "--plot", "same.png"], ["same file"]),
    ]
    for args, words in cases:
        res = invoke(tmp_path, "analyze", record, "--quiet", *args)
        assert_usage_error(res, *words)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "data.nc"]


def test_analyze_partial_nan_names_the_variable_and_the_sample_dimension(tmp_path, record):
    ds = planted_dataset("xor", 3, 2, 100).astype(float)
    ds["output"][{"sample": 7}] = np.nan  # NaN at one sample of every unit: not padding
    ds.to_netcdf(record, engine="h5netcdf")
    res = invoke(tmp_path, "analyze", record, "--quiet", "-o", "atoms.nc")
    assert_usage_error(res, "--target output contains NaN", "--sample-dim 'sample'")
    assert "index" not in res.stderr and "))" not in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.nc"]


def test_pid_samples_errors_name_the_target_column(tmp_path):
    (tmp_path / "s.csv").write_text("y,a\n0,1\nnan,0\n1,1\n")
    res = invoke(tmp_path, "pid", "--samples", "s.csv", "--target", "y", "--source", "a")
    assert_usage_error(res, "--target y contains NaN", "index (1,)")


def test_analyze_rejects_zero_workers(tmp_path, record):
    assert_usage_error(invoke(tmp_path, "analyze", record, "--workers", "0"), "--workers")


def test_analyze_all_nan_target_is_an_error_not_an_empty_report(tmp_path, record):
    ds = planted_dataset("xor", 3, 2, 100).astype(float)
    ds["output"][:] = np.nan
    ds.to_netcdf(record, engine="h5netcdf")
    res = invoke(tmp_path, "analyze", record, "--quiet", "-o", "atoms.nc")
    assert_usage_error(res, "no unit has finite values", "output")
    assert not (tmp_path / "atoms.nc").exists()


def test_analyze_names_the_source_option_not_the_library_argument(tmp_path, record):
    ds = planted_dataset("xor", 3, 2, 100).astype(float)
    ds["receptive"][0, 0, 5] = np.inf
    ds.to_netcdf(record, engine="h5netcdf")
    res = invoke(tmp_path, "analyze", record, "--quiet")  # default sources: receptive, context
    assert_usage_error(res, "--source receptive")
    assert "sources[0]" not in res.stderr


def test_analyze_writes_output_and_figure_together(tmp_path, record):
    res = invoke(tmp_path, "analyze", record, "--quiet", "-o", "atoms.nc", "--plot", "a.png")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "atoms.nc").stat().st_size > 0 and (tmp_path / "a.png").stat().st_size > 0


@pytest.mark.parametrize(
    ("make", "args", "words"),
    [
        ("empty.npy", [], ["not a readable .npy array"]),
        ("oned.npy", [], ["axes T,S1,...,Sn", "got 1 axes"]),
        ("six.npy", [], ["1 to 4 sources", "got 7 axes"]),
        ("pmf.csv", ["--shape", "a,b"], ["--shape 'a,b'", "positive ints"]),
        ("pmf.csv", ["--shape", ""], ["--shape ''", "positive ints"]),
        ("pmf.csv", ["--shape=-2,-2"], ["--shape '-2,-2'", "positive ints"]),
        ("half.npy", [], ["--normalize"]),
        ("half.npy", ["--compare"], ["--normalize"]),
    ],
)
def test_pid_file_problems(tmp_path, make, args, words):
    path = tmp_path / make
    if make == "empty.npy":
        path.write_bytes(b"")
    elif make == "oned.npy":
        np.save(path, np.array([0.5, 0.5]))
    elif make == "six.npy":
        np.save(path, np.full((2,) * 7, 1 / 2**7))
    elif make == "pmf.csv":
        path.write_text(",".join(["0.25"] * 4))
    else:
        np.save(path, np.full((2, 2, 2), 1 / 16))
    res = invoke(tmp_path, "pid", path, *args)
    assert_usage_error(res, *words)
    assert "normalize=True" not in res.stderr


def test_pid_samples_shuffle_hint_uses_the_option(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, (2, 200))
    rows = "\n".join(f"{a ^ b},{a},{b}" for a, b in x.T)
    (tmp_path / "s.csv").write_text("y,x1,x2\n" + rows + "\n")
    res = invoke(
        tmp_path, "pid", "--samples", "s.csv", "--target", "y", "--source", "x1",
        "--source", "x2", "--estimator", "shuffle", "--shuffles", "0",
    )  # fmt: skip
    assert_usage_error(res, "--shuffles")
    assert "n_shuffles=" not in res.stderr


def test_train_and_demo_check_their_output_before_training(tmp_path):
    (tmp_path / "afile").write_text("")
    res = invoke(tmp_path, "train", "--epochs", "1", "--quiet", "-o", "afile/run.nc")
    assert_usage_error(res, "-o", "is a file, not a folder")
    res = invoke(tmp_path, "train", "--epochs", "1", "--quiet", "-o", ".")
    assert_usage_error(res, "-o", "is a folder")
    res = invoke(tmp_path, "demo", "--epochs", "2", "--quiet", "-o", "afile/sub")
    assert_usage_error(res, "-o", "cannot create the folder")
    (tmp_path / "out" / "summary.json").mkdir(parents=True)
    res = invoke(tmp_path, "demo", "--epochs", "2", "--quiet", "-o", "out")
    assert_usage_error(res, "summary.json is a folder")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "out"]


def test_written_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "a.txt", lambda tmp: open(tmp, "w").write("x"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o600)  # an existing file keeps its own mode
        atomic_write(path, lambda tmp: open(tmp, "w").write("y"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "y"
    finally:
        os.umask(old)


def test_files_written_together_land_together_or_not_at_all(tmp_path):
    def fail(tmp):
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError, match="writer failed"):
        atomic_write_many(
            [(tmp_path / "a.txt", lambda tmp: open(tmp, "w").write("a")), (tmp_path / "b", fail)]
        )
    assert list(tmp_path.iterdir()) == []
