"""numba's on-disk cache is dropped when any kernel source changes."""

from pidtools.kernels._jit import refresh_cache


def test_cache_is_dropped_when_a_source_changes(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    src = [tmp_path / "a.py", tmp_path / "b.py"]
    for i, f in enumerate(src):
        f.write_text(f"x = {i}\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "a.kernel-1.py311.nbi").write_bytes(b"index")
    assert refresh_cache(tmp_path, src)  # no digest yet: start clean
    assert not list(cache.glob("*.nbi"))

    (cache / "a.kernel-1.py311.nbi").write_bytes(b"index")
    (cache / "a.kernel-1.py311.1.nbc").write_bytes(b"code")
    assert not refresh_cache(tmp_path, src)  # nothing changed: the cache stays
    assert len(list(cache.glob("*.nb?"))) == 2

    src[1].write_text("x = 2\n")  # a file the kernel calls into
    assert refresh_cache(tmp_path, src)
    assert not list(cache.glob("*.nb?"))
    assert not refresh_cache(tmp_path, src)


def test_a_custom_cache_dir_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "elsewhere"))
    f = tmp_path / "a.py"
    f.write_text("x = 0\n")
    assert not refresh_cache(tmp_path, [f])
