"""numba's on-disk cache: one folder per digest of the kernel sources, so no process ever runs
machine code compiled from other sources, also when processes run across an edit."""

import os
import subprocess
import sys
import time

import pytest

from pidtools.kernels import _jit
from pidtools.kernels._jit import CACHE_PREFIX, cache_folder, cache_is_cold, refresh_cache

HELPER = """from pidtools.kernels._jit import jit


@jit(inline=True)
def value():
    return {}
"""
MAIN = """from pidtools.kernels._jit import jit

from .helper import value


@jit
def f():
    return value()
"""
INIT = """from pathlib import Path

from pidtools.kernels._jit import refresh_cache

refresh_cache(Path(__file__).parent, sorted(Path(__file__).parent.glob("*.py")))
"""
#: Imports the package, then (when given a flag file) waits for it before the first call.
RUN = """import pathlib, sys, time
import kpkg.main
if len(sys.argv) > 1:
    pathlib.Path(sys.argv[1] + ".ready").touch()
    while not pathlib.Path(sys.argv[1]).exists():
        time.sleep(0.05)
print(kpkg.main.f())
"""


def _package(root):
    pkg = root / "kpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(INIT)
    (pkg / "helper.py").write_text(HELPER.format(1))
    (pkg / "main.py").write_text(MAIN)
    return pkg


def _env(root):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    return env


@pytest.mark.slow
def test_processes_across_a_source_edit_never_run_a_stale_kernel(tmp_path):
    """A imports the kernels; a file they inline changes; B compiles and caches the new code;
    A then compiles the old code and saves it. C, started afterwards, must run the new code."""
    pkg = _package(tmp_path)
    env = _env(tmp_path)
    go = tmp_path / "go"
    a = subprocess.Popen(
        [sys.executable, "-c", RUN, str(go)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "go.ready").exists():
            assert a.poll() is None and time.monotonic() < deadline, "process A did not start"
            time.sleep(0.05)
        (pkg / "helper.py").write_text(HELPER.format(2))
        b = subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True, text=True)
        assert b.stdout.strip() == "2", b.stderr
        go.touch()
        assert a.communicate(timeout=120)[0].strip() == "1"  # A runs the source it imported
    finally:
        a.kill()
        a.wait()
    c = subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True, text=True)
    assert c.stdout.strip() == "2", c.stderr
    folders = sorted(p.name for p in (pkg / "__pycache__").glob(f"{CACHE_PREFIX}*"))
    assert len(folders) == 2  # A's (old sources) and B's and C's (new sources)


def test_cache_folder_follows_the_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(_jit.numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(_jit, "_DIGESTS", {})
    src = [tmp_path / "a.py", tmp_path / "b.py"]
    for i, f in enumerate(src):
        f.write_text(f"x = {i}\n")
    assert cache_folder(tmp_path) is None  # not registered: numba's own locators apply
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "a.kernel-1.py311.nbi").write_bytes(b"index")  # the former layout
    assert refresh_cache(tmp_path, src)
    assert not list(cache.glob("*.nbi"))
    first = cache_folder(tmp_path)
    assert first.parent == cache and first.name.startswith(CACHE_PREFIX)
    assert cache_is_cold(tmp_path)  # nothing compiled for these sources yet
    first.mkdir()
    (first / "a.kernel-1.py311.nbi").write_bytes(b"index")
    assert not cache_is_cold(tmp_path)
    assert not refresh_cache(tmp_path, src) and cache_folder(tmp_path) == first

    src[1].write_text("x = 2\n")  # a file the kernel calls into
    refresh_cache(tmp_path, src)
    second = cache_folder(tmp_path)
    assert second != first and first.is_dir()  # recently used: kept for running processes
    old = time.time() - 2 * _jit.STALE_AFTER
    for p in (first, *first.iterdir()):
        os.utime(p, (old, old))
    assert refresh_cache(tmp_path, src) and not first.exists()
    assert cache_is_cold(tmp_path)


def test_a_custom_cache_dir_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setattr(_jit, "_DIGESTS", {})
    f = tmp_path / "a.py"
    f.write_text("x = 0\n")
    assert not refresh_cache(tmp_path, [f])
    assert cache_folder(tmp_path) is None
