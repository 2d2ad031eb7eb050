"""Data loading: IDX files, splits, and helpful errors for missing files."""

import gzip

import numpy as np
import pytest

from infomorph.data import FASHION_MNIST_DIR, load, read_idx


def _write_idx(path, array, type_byte=0x08):
    header = bytes([0, 0, type_byte, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    data = header + array.astype({0x08: ">u1", 0x0D: ">f4"}[type_byte]).tobytes()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as f:
        f.write(data)


def test_read_idx_plain_and_gzip(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    _write_idx(tmp_path / "a-idx3-ubyte", images)
    _write_idx(tmp_path / "b-idx3-ubyte.gz", images)
    np.testing.assert_array_equal(read_idx(tmp_path / "a-idx3-ubyte"), images)
    np.testing.assert_array_equal(read_idx(tmp_path / "b-idx3-ubyte.gz"), images)
    floats = np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3)
    _write_idx(tmp_path / "f", floats, 0x0D)
    np.testing.assert_array_equal(read_idx(tmp_path / "f"), floats)
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")


def test_mnist_folder_of_idx_files(tmp_path):
    rng = np.random.default_rng(0)
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (50, 28, 28)))
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(50) % 10)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", rng.integers(0, 256, (20, 28, 28)))
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.arange(20) % 10)
    d = load("mnist", tmp_path, standardize=False)
    assert d.X_train.shape == (40, 784) and d.X_val.shape == (10, 784)
    assert d.X_test.shape == (20, 784)
    assert 0.0 <= d.X_train.min() and d.X_train.max() <= 1.0
    z = load("mnist", tmp_path)
    assert abs(z.X_train.mean()) < 1e-12 and abs(z.X_train.std() - 1.0) < 1e-12
    np.testing.assert_allclose(z.X_test, (d.X_test - d.X_train.mean()) / d.X_train.std())
    np.testing.assert_array_equal(d.y_test, np.arange(20) % 10)


def test_missing_files_say_where_and_how(tmp_path):
    with pytest.raises(FileNotFoundError, match="pass path="):
        load("mnist")
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load("mnist", tmp_path)
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load("fashion-mnist", tmp_path / "nowhere")
    with pytest.raises(ValueError, match="dataset must be one of"):
        load("cifar10")


def test_digits_splits():
    d = load("digits")
    assert len(d.y_train) + len(d.y_val) + len(d.y_test) == 1797
    assert len(d.y_test) == 360 and len(d.y_val) == (1797 - 360) // 5
    rows = {r.tobytes() for r in d.X_test}
    assert sum(r.tobytes() in rows for r in d.X_train) < 5  # (a few duplicate images exist)
    assert np.array_equal(load("digits").X_val, d.X_val)


@pytest.mark.skipif(
    not (FASHION_MNIST_DIR / "train-images-idx3-ubyte.gz").exists()
    and not (FASHION_MNIST_DIR / "train-images-idx3-ubyte").exists(),
    reason=f"Fashion-MNIST not in {FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)",
)
def test_fashion_mnist_default_folder():
    d = load("fashion-mnist")
    assert d.X_train.shape == (48000, 784) and d.X_val.shape == (12000, 784)
    assert d.X_test.shape == (10000, 784)
    assert np.bincount(d.y_test).tolist() == [1000] * 10


def test_mnist1d_generated_locally():
    pytest.importorskip("mnist1d")
    d = load("mnist1d")
    assert d.X_train.shape[1] == 40 and len(d.y_test) == 1000
