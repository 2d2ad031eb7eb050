"""Data sets for infomorphic networks, read from local files only (never downloaded).

======================  ================================================================
name                    source
======================  ================================================================
``"digits"``            scikit-learn's bundled 8x8 digits (1797 images): the default
``"fashion-mnist"``     IDX files; default folder ``/usr/share/datasets/fashion-mnist``
                        (Debian package ``dataset-fashion-mnist``)
``"mnist"``             IDX files from a folder the user gives (``path=``)
``"mnist1d"``           generated locally by the ``mnist1d`` package (``make_dataset``)
======================  ================================================================

Splits: the data set's own train/test split where it has one (Fashion-MNIST, MNIST: 60k/10k;
mnist1d: its 4000/1000), 20% of the training part kept for validation as in the papers (a
permutation with the fixed ``split_seed``). ``digits`` has no official split: 20% of the images
(stratified, ``split_seed``) are the test set, then 20% of the rest the validation set.

Inputs are float64, standardised as in the papers' code: minus the mean and divided by the
standard deviation of all training-split values (one scalar each, so pixels keep their relative
scale); ``standardize=False`` keeps images in ``[0, 1]``. Labels are int64 ``0..9``.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ._checks import check_seed

__all__ = ["Dataset", "load", "read_idx", "DATASETS", "FASHION_MNIST_DIR"]

DATASETS = ("digits", "fashion-mnist", "mnist", "mnist1d")
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
_IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


@dataclass(frozen=True)
class Dataset:
    """Train/validation/test splits of a classification data set."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int = 10

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` of ``"train"``, ``"validation"`` or ``"test"``."""
        parts = {
            "train": (self.X_train, self.y_train),
            "validation": (self.X_val, self.y_val),
            "test": (self.X_test, self.y_test),
        }
        if name not in parts:
            raise ValueError(f"split must be one of {', '.join(parts)}, got {name!r}")
        return parts[name]


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed), e.g. the MNIST / Fashion-MNIST files.

    The format: two zero bytes, a type byte, the number of dimensions, one big-endian uint32 per
    dimension, then the data in C order.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {raw[:4]!r})")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(np.int64)
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    count = int(np.prod(dims))
    if len(raw) != 4 + 4 * ndim + count * dtype.itemsize:
        raise ValueError(f"{path}: size does not match the header's dimensions {tuple(dims)}")
    return np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim).reshape(dims)


def _find_idx(folder: Path, stem: str, name: str, hint: str) -> Path:
    for candidate in (folder / stem, folder / (stem + ".gz")):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{name}: expected {stem} or {stem}.gz in {folder}, which does not have it. {hint}"
    )


def _validation_split(X, y, split_seed):
    order = np.random.default_rng(split_seed).permutation(len(y))
    n_val = len(y) // 5
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]


def _standardized(data: Dataset) -> Dataset:
    mean, std = data.X_train.mean(), data.X_train.std()
    scale = 1.0 / std if std > 0 else 1.0
    return replace(
        data,
        X_train=(data.X_train - mean) * scale,
        X_val=(data.X_val - mean) * scale,
        X_test=(data.X_test - mean) * scale,
    )


def _load_idx_folder(name: str, folder: Path, hint: str, split_seed: int) -> Dataset:
    if not folder.is_dir():
        raise FileNotFoundError(f"{name}: folder {folder} does not exist. {hint}")
    arrays = {k: read_idx(_find_idx(folder, stem, name, hint)) for k, stem in _IDX_FILES.items()}
    X = arrays["train_images"].reshape(len(arrays["train_images"]), -1) / 255.0
    X_test = arrays["test_images"].reshape(len(arrays["test_images"]), -1) / 255.0
    y, y_test = arrays["train_labels"].astype(np.int64), arrays["test_labels"].astype(np.int64)
    return Dataset(name, *_validation_split(X, y, split_seed), X_test, y_test)


def load(
    name: str = "digits",
    path: str | os.PathLike | None = None,
    split_seed: int = 0,
    standardize: bool = True,
) -> Dataset:
    """Load a data set by name with its train/validation/test splits.

    Parameters
    ----------
    name : {"digits", "fashion-mnist", "mnist", "mnist1d"}
        Which data set (see the module docstring).
    path : path-like, optional
        Folder with the IDX files (``fashion-mnist``: default ``/usr/share/datasets/fashion-mnist``;
        ``mnist``: required).
    split_seed : int
        Seed of the validation (and, for digits, test) split; fixed so runs are comparable.
        An int in ``0..2**32 - 1`` (the range scikit-learn's split accepts).
    standardize : bool
        Subtract the training split's mean and divide by its standard deviation (scalars).

    Raises
    ------
    FileNotFoundError
        If the files are missing; the message says where they are expected and how to get them.
    ValueError, TypeError
        If ``name``, ``split_seed`` or ``standardize`` is not valid.
    """
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    check_seed("split_seed", split_seed, 2**32 - 1, allow_none=False)
    if not isinstance(standardize, bool | np.bool_):
        raise TypeError(
            f"standardize must be a bool, got {standardize!r} of type "
            f"{type(standardize).__name__}: pass True or False"
        )
    data = _load(name, path, split_seed)
    return _standardized(data) if standardize else data


def _load(name: str, path, split_seed: int) -> Dataset:
    if name == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        d = load_digits()
        X, y = d.data / 16.0, d.target.astype(np.int64)
        X, X_test, y, y_test = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=split_seed
        )
        return Dataset(name, *_validation_split(X, y, split_seed), X_test, y_test)
    if name == "fashion-mnist":
        hint = (
            "Install the Debian package (apt-get install dataset-fashion-mnist) or pass path= to "
            "a folder with the four Fashion-MNIST IDX files."
        )
        folder = Path(path) if path is not None else FASHION_MNIST_DIR
        return _load_idx_folder(name, folder, hint, split_seed)
    if name == "mnist":
        hint = (
            "MNIST is not shipped with infomorph: put the four IDX files (train-images-idx3-ubyte, "
            "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally "
            ".gz) in a folder and pass path=."
        )
        if path is None:
            raise FileNotFoundError(f"mnist: no folder given. {hint}")
        return _load_idx_folder(name, Path(path), hint, split_seed)
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as err:
        raise FileNotFoundError(
            "mnist1d: the mnist1d package is not installed; pip install mnist1d (it generates the "
            "data locally, no download)"
        ) from err
    d = make_dataset(get_dataset_args())
    X, X_test = np.asarray(d["x"], dtype=np.float64), np.asarray(d["x_test"], dtype=np.float64)
    y, y_test = np.asarray(d["y"], np.int64), np.asarray(d["y_test"], np.int64)
    return Dataset(name, *_validation_split(X, y, split_seed), X_test, y_test)
