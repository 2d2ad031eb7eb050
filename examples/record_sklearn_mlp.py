"""Record the hidden activations of a scikit-learn MLP epoch by epoch, for `infomorph analyze`.

A network trained outside this package: scikit-learn's MLPClassifier on the bundled 8x8 digits,
one `partial_fit` pass per epoch. After every epoch the hidden layer's drive (pre-activation),
its activation and the labels of a fixed probe set are stored in the layout `analyze` reads.

    python examples/record_sklearn_mlp.py mlp.nc
    infomorph analyze mlp.nc --target hidden --source drive --source label --plot mlp.png
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import xarray as xr
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier


def record_mlp(n_epochs: int = 8, n_hidden: int = 16, random_state: int = 0) -> xr.Dataset:
    """Train an MLP on digits for ``n_epochs`` and return the recorded activations."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rng = np.random.default_rng(random_state)
    probe = rng.permutation(len(X))[:1000]
    mlp = MLPClassifier(
        hidden_layer_sizes=(n_hidden,),
        activation="logistic",
        learning_rate_init=3e-3,
        random_state=random_state,
    )
    drive, hidden = [], []
    for _ in range(n_epochs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.partial_fit(X, y, classes=np.arange(10))
        z = X[probe] @ mlp.coefs_[0] + mlp.intercepts_[0]  # (sample, neuron)
        drive.append(z.T)
        hidden.append((1.0 / (1.0 + np.exp(-z))).T)
    dims = ("epoch", "neuron", "sample")
    return xr.Dataset(
        {
            "drive": (dims, np.stack(drive)),
            "hidden": (dims, np.stack(hidden)),
            "label": (("sample",), y[probe]),
        },
        coords={"epoch": np.arange(1, n_epochs + 1), "neuron": np.arange(n_hidden)},
        attrs={"source": "sklearn MLPClassifier(partial_fit) on load_digits"},
    )


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "mlp.nc"
    record_mlp().to_netcdf(out, engine="h5netcdf")
    print(f"wrote {out}")
