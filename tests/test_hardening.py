"""Adversarial input, faults and signals: the command line answers with one line and the
documented exit status (2: bad input or usage, 1: the data or the machine failed, 128 + signal
when interrupted), never with a traceback or a signal death, and leaves the output folder as it
was; the library gives the right numbers or a clear error.

Inputs are generated here, small. Cases where a crash would kill the process run the command
in a subprocess; the others use click's runner.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import pidtools
from infomorph._io import atomic_write, remove_stale_partials
from infomorph_cli.main import cli
from pidtools.distributions import gate
from pidtools.dynamics import planted_dataset
from pidtools.errors import ParameterError

COMMANDS = ("analyze", "demo", "pid", "train")


# ---------------------------------------------------------------- helpers


def snapshot(folder: Path) -> dict:
    """Every entry under ``folder``: its type, size and modification time."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(folder))] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns)
    return out


def invoke(cwd: Path, *args):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        return CliRunner().invoke(cli, [str(a) for a in args])


def run_cli(cwd: Path, *args, timeout: float = 300) -> subprocess.CompletedProcess:
    """The command in its own process: a crash shows as a negative return code."""
    return subprocess.run(
        [sys.executable, "-c", "from infomorph_cli.main import main; main()", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line(stderr: str, code: int, returncode: int, *words: str) -> None:
    """Exit ``code``, no traceback, an ``Error:`` line holding ``words``."""
    assert returncode == code, stderr
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    for word in words:
        assert word in errors[0], errors[0]


def assert_fails(res, code: int, *words: str) -> None:
    """A CliRunner result: exit ``code`` by a message, not by an escaped exception."""
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert_one_line(res.stderr, code, res.exit_code, *words)


@pytest.fixture
def record(tmp_path) -> Path:
    """A small planted dataset in the record's layout, as netCDF."""
    path = tmp_path / "data.nc"
    planted_dataset("xor", 3, 2, 100).to_netcdf(path, engine="h5netcdf")
    return path


@pytest.fixture
def full_disk(tmp_path):
    """A full 64 KiB tmpfs: every write fails with ENOSPC (needs mount rights)."""
    where = tmp_path / "full"
    where.mkdir()
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("a small tmpfs needs Linux and mount(8)")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({made.stderr.decode().strip()})")
    try:
        (where / "keep.txt").write_text("an earlier file\n")
        fd = os.open(where / "filler", os.O_WRONLY | os.O_CREAT)
        try:  # leave no room at all
            while os.write(fd, b"\0" * 1024):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


# ---------------------------------------------------------------- full disk


def test_full_disk_analyze_exits_1_and_leaves_nothing(full_disk, record):
    before = snapshot(full_disk)
    res = run_cli(record.parent, "analyze", record, "--quiet", "-o", full_disk / "atoms.nc")
    assert_one_line(res.stderr, 1, res.returncode, "no space left on device writing -o")
    assert snapshot(full_disk) == before


@pytest.mark.slow
def test_full_disk_train_exits_1_and_leaves_nothing(full_disk):
    before = snapshot(full_disk)
    res = run_cli(
        full_disk.parent, "train", "--arch", "readout", "--epochs", "1", "--probe", "100",
        "--quiet", "-o", full_disk / "run.nc",
    )  # fmt: skip
    assert_one_line(res.stderr, 1, res.returncode, "no space left on device writing", "run.nc")
    assert snapshot(full_disk) == before


@pytest.mark.slow
def test_full_disk_demo_exit_1_and_leave_nothing(full_disk):
    before = snapshot(full_disk)
    res = run_cli(
        full_disk, "demo", "--epochs", "2", "--neurons", "4", "--quiet", "-o", full_disk / "d"
    )
    assert_one_line(res.stderr, 1, res.returncode, "no space left on device writing")
    assert snapshot(full_disk) == before


def test_device_errors_are_data_errors_without_a_mount(tmp_path, record, monkeypatch):
    """Where no small file system can be mounted: a write that fails with ENOSPC."""
    import infomorph._io

    def full(ds, path):
        Path(path).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(infomorph._io, "write_netcdf", full)
    before = snapshot(tmp_path)
    res = invoke(tmp_path, "analyze", record, "--quiet", "-o", "atoms.nc")
    assert_fails(res, 1, "no space left on device writing -o atoms.nc")
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- special files, overwrite


def test_outputs_onto_fifos_and_devices_are_refused(tmp_path, record):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "null").symlink_to(os.devnull)  # a character device, reached by a link
    before = snapshot(tmp_path)
    for args, kind in [
        (["analyze", record, "--quiet", "-o", "fifo"], "a FIFO"),
        (["analyze", record, "--quiet", "--plot", "null"], "a character device"),
        (["train", "--epochs", "1", "--quiet", "-o", "fifo"], "a FIFO"),
        (["train", "--epochs", "1", "--quiet", "-o", "null"], "a character device"),
    ]:
        assert_fails(invoke(tmp_path, *args), 2, kind, "regular file")
    assert snapshot(tmp_path) == before
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_an_existing_regular_output_is_replaced(tmp_path, record):
    (tmp_path / "atoms.nc").write_text("old")
    res = invoke(tmp_path, "analyze", record, "--quiet", "-o", "atoms.nc")
    assert res.exit_code == 0, res.output
    assert xr.open_dataset(tmp_path / "atoms.nc")["atoms"].sizes["epoch"] == 3


# ---------------------------------------------------------------- signals and temporaries


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, pytest.param(signal.SIGINT, marks=pytest.mark.slow)]
)
def test_signals_stop_cleanly_and_remove_what_was_being_written(tmp_path, signum):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from infomorph_cli.main import main; main()", "demo",
         "--epochs", "500", "--neurons", "4", "--quiet", "-o", str(out)],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = proc.stderr.readline()
        while line.startswith("compiling"):
            line = proc.stderr.readline()
        assert line.startswith("training"), line  # the command runs: its handlers are set
        time.sleep(0.5)
        proc.send_signal(signum)
        rest = proc.communicate(timeout=120)[1]
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 128 + signum, rest  # handled: not a death by the signal
    assert "Traceback" not in rest and f"interrupted ({signal.Signals(signum).name})" in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # its folder is gone again


def test_a_later_write_removes_stale_temporaries_of_the_same_file(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = socket.gethostname().replace("-", "_")
    stale = tmp_path / f".run.nc.partial-{host}-{dead.pid}-abc123.nc"
    live = tmp_path / f".run.nc.partial-{host}-{os.getppid()}-def456.nc"  # a running writer
    other = tmp_path / f".other.nc.partial-{host}-{dead.pid}-abc123.nc"
    for p in (stale, live, other):
        p.write_bytes(b"half a file")
    atomic_write(tmp_path / "run.nc", lambda tmp: Path(tmp).write_text("done"))
    assert not stale.exists() and live.exists() and other.exists()
    assert (tmp_path / "run.nc").read_text() == "done"
    assert remove_stale_partials(tmp_path / "other.nc") == [other]


def test_an_interrupted_write_leaves_no_temporary(tmp_path):
    def interrupted(tmp):
        Path(tmp).write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "a.nc", interrupted)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- sizes that cannot fit


def test_sizes_that_cannot_fit_fail_before_allocating(tmp_path):
    header = {"descr": "<f8", "fortran_order": False, "shape": (2, 10**6, 10**6)}
    with open(tmp_path / "huge.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.write(b"\0" * 64)
    header["shape"] = (2, 10, 10)
    with open(tmp_path / "short.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.write(b"\0" * 64)
    res = run_cli(tmp_path, "pid", "huge.npy")  # numpy would try to allocate 16 TB
    assert_one_line(res.stderr, 2, res.returncode, "2000000000000 cells", "16777216")
    res = run_cli(tmp_path, "pid", "short.npy")
    assert_one_line(res.stderr, 2, res.returncode, "1600 bytes", "truncated")

    view = np.broadcast_to(np.float32(1.0), (2, 8192, 8192))  # no memory of its own
    with pytest.raises(ParameterError, match=r"134217728 cells .* limit of 16777216") as err:
        pidtools.pid(view)
    assert err.value.param == "p"

    from infomorph.train import fit

    with pytest.raises(ParameterError, match=r"n_hidden .* 2\.\.10000, got 1000000") as err:
        fit("digits", arch="hidden", n_hidden=10**6, progress=False)
    assert err.value.param == "n_hidden"
    res = invoke(tmp_path, "train", "--neurons", "1000000", "-o", "run.nc")
    assert_fails(res, 2, "--neurons", "1000000", "10000")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.npy", "short.npy"]


def test_huge_bootstrap_fails_before_allocating(tmp_path):
    (tmp_path / "s.csv").write_text("y,a\n" + "0,0\n1,1\n" * 20)
    res = run_cli(tmp_path, "pid", "--samples", "s.csv", "--target", "y", "--source", "a",
                  "--boot", "1000000000")  # fmt: skip
    assert_one_line(res.stderr, 2, res.returncode, "--boot", "1000000000")


def test_train_seed_out_of_range_is_refused_before_training(tmp_path):
    t0 = time.perf_counter()
    res = invoke(tmp_path, "train", "--seed", "1180591620717411303424", "-o", "run.nc")
    assert_fails(res, 2, "--seed", "1180591620717411303424")
    assert time.perf_counter() - t0 < 10 and list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- silent wrong results


def test_normalize_cannot_overflow(tmp_path):
    huge = np.where(gate("and") > 0, 1.7e308, 0.0)  # the total overflows to inf
    np.save(tmp_path / "and.npy", huge)
    res = invoke(tmp_path, "pid", "and.npy", "--normalize", "--format", "json")
    assert res.exit_code == 0, res.output
    import json

    out = json.loads(res.stdout)
    # AND: I(T; S1, S2) = H(T) = h(1/4) bits; the atoms sum to it
    h = -(0.25 * np.log2(0.25) + 0.75 * np.log2(0.75))
    assert out["mi"] == pytest.approx(h, abs=1e-12)
    assert sum(out["atoms"].values()) == pytest.approx(h, abs=1e-12)
    tiny = np.where(gate("and") > 0, 5e-324, 0.0)  # the smallest subnormal in every cell
    res_small = pidtools.pid(tiny, normalize=True)
    assert float(res_small.mi) == pytest.approx(h, abs=1e-12)
    uniform = pidtools.pid(np.full((2, 2, 2), 1.7e308), normalize=True)
    assert float(uniform.entropy) == 1.0  # a uniform binary target: exactly one bit
    with pytest.raises(ParameterError, match="does not sum to 1"):
        pidtools.pid(huge)  # without normalize: an error, not zeros


@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_zarr_store_with_a_deleted_chunk_is_an_error(tmp_path, dtype):
    store = tmp_path / "acts.zarr"
    ds = planted_dataset("xor", 3, 2, 100).astype(dtype).chunk({"epoch": 1})
    ds.to_zarr(store, zarr_format=3, consolidated=False)
    chunk = store / "receptive" / "c" / "1" / "0" / "0"
    assert chunk.is_file()
    chunk.unlink()
    before = snapshot(tmp_path)
    res = invoke(tmp_path, "analyze", store, "--quiet", "-o", "atoms.nc")
    assert_fails(res, 2, "'receptive'", "no stored chunk", "epoch 2,")  # epochs are 1, 2, 3
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- errors and messages


def test_every_command_has_debug_and_shows_the_traceback_with_it(tmp_path):
    for command in COMMANDS:
        assert "--debug" in invoke(tmp_path, command, "--help").output, command
    np.save(tmp_path / "half.npy", np.full((2, 2, 2), 1 / 16))
    assert_fails(invoke(tmp_path, "pid", "half.npy"), 2, "half.npy does not sum to 1")
    res = invoke(tmp_path, "pid", "half.npy", "--debug")
    assert isinstance(res.exception, ParameterError)


def test_record_load_and_atom_lookup_say_what_is_wrong(tmp_path):
    from infomorph.record import load

    (tmp_path / "notes.nc").write_text("not a netCDF file")
    with pytest.raises(ValueError, match=r"notes.nc is not a readable netCDF-4 file"):
        load(tmp_path / "notes.nc")
    res = pidtools.pid(gate("xor"))
    with pytest.raises(KeyError, match=r"\{1\}\{2\}, \{1\}, \{2\}, \{12\}"):
        res["{3}"]


def test_messages_name_options_and_files_not_library_arguments(tmp_path):
    from infomorph_cli.output import PARAM_OPTIONS

    np.save(tmp_path / "two.npy", np.full((2, 2, 2), 0.25))  # looks like a batch of two pmfs
    res = invoke(tmp_path, "pid", "two.npy")
    assert_fails(res, 2, "two.npy does not sum to 1", "--normalize")
    assert "n_sources" not in res.stderr and "normalize=" not in res.stderr
    assert PARAM_OPTIONS["random_state"] == "--seed" and PARAM_OPTIONS["n_hidden"] == "--neurons"
    (tmp_path / "text.csv").write_text("y,a\nyes,1\nno,0\nyes,1\n")
    (tmp_path / "header.csv").write_text("y,a\n")
    xr.Dataset({"y": (("s", "k"), np.zeros((10, 2))), "a": (("s",), np.arange(10))}).to_netcdf(
        tmp_path / "cols.nc", engine="h5netcdf"
    )
    zero = planted_dataset("xor", 3, 2, 100).isel(epoch=slice(0, 0))
    zero.to_netcdf(tmp_path / "zero.nc", engine="h5netcdf")
    (tmp_path / "junk.nc").write_bytes(b"\x00junk" * 100)
    before = snapshot(tmp_path)
    samples = ["--target", "y", "--source", "a"]
    cases = [
        (["pid", "--samples", "text.csv", *samples], ["--target y holds text", "integer codes"]),
        (["pid", "--samples", "header.csv", *samples], ["header row but no samples"]),
        (["pid", "--samples", "cols.nc", *samples], ["--target y", "('s', 'k')", "1-D"]),
        (["analyze", "zero.nc", "-o", "atoms.nc"], ["'epoch' has length 0"]),
        (["analyze", "junk.nc"], ["junk.nc is not a readable netCDF file", "to_netcdf"]),
        (["analyze", "text.csv"], ["pid --samples text.csv"]),
    ]
    for args, words in cases:
        res = invoke(tmp_path, *args)
        assert_fails(res, 2, *words)
        assert "Consider explicit" not in res.stderr
    assert snapshot(tmp_path) == before


def test_train_options(tmp_path):
    text = invoke(tmp_path, "train", "--help").output
    for option in ("--dataset", "--arch", "--epochs", "--batch-size", "--seed"):
        described = text.split(option, 1)[1].split("\n  -", 1)[0]
        assert len(described.split()) > 3, option  # more than the metavar and default
    assert "required" in text.split("--output", 1)[1].split("\n  -", 1)[0]
    assert "--goal PRESET" in text
    assert_fails(invoke(tmp_path, "train", "--batch-size", "1", "-o", "r.nc"), 2, "--batch-size")
    assert_fails(invoke(tmp_path, "train", "--neurons", "1", "-o", "r.nc"), 2, "--neurons")
    assert_fails(invoke(tmp_path, "train", "--goal", "nope", "-o", "r.nc"), 2, "--goal")
    listed = invoke(tmp_path, "train", "--list-goals")  # no -o needed to list
    assert listed.exit_code == 0 and "trivariate_optimized" in listed.output
    assert list(tmp_path.iterdir()) == []
