"""Baselines on the same splits and seeds: logistic regression and a backprop MLP in numpy.

The MLP has the architecture of the one-hidden-layer infomorphic network: ``n_hidden`` logistic
(sigmoid) hidden units, a softmax read-out, cross-entropy loss, Adam (lr 0.001, as in the
papers' backprop baseline), mini-batches.
"""

from __future__ import annotations

import numpy as np

from .data import Dataset
from .optim import Adam

__all__ = ["logistic_regression", "BackpropMLP", "fit_mlp"]


def logistic_regression(
    data: Dataset, max_iter: int = 200, random_state: int | None = 0
) -> dict[str, float]:
    """Multinomial logistic regression (scikit-learn, lbfgs); accuracy per split."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=max_iter, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.X_train, data.y_train)
    return {s: float(model.score(*data.split(s))) for s in ("train", "validation", "test")}


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class BackpropMLP:
    """One sigmoid hidden layer + softmax read-out, trained by backprop with Adam.

    Parameters
    ----------
    n_features, n_hidden, n_classes : int
        Layer sizes.
    lr : float
        Adam learning rate.
    random_state : int or None
        Seed of the initialisation (uniform in ``+-1/sqrt(fan_in)``).
    """

    def __init__(
        self,
        n_features: int,
        n_hidden: int,
        n_classes: int = 10,
        lr: float = 0.001,
        random_state: int | None = 0,
    ):
        rng = np.random.default_rng(random_state)
        b1, b2 = 1.0 / np.sqrt(n_features), 1.0 / np.sqrt(n_hidden)
        self.params = {
            "W1": rng.uniform(-b1, b1, (n_features, n_hidden)),
            "b1": rng.uniform(-b1, b1, n_hidden),
            "W2": rng.uniform(-b2, b2, (n_hidden, n_classes)),
            "b2": rng.uniform(-b2, b2, n_classes),
        }
        self.optimizer = Adam(self.params, self.params, lr)

    def _hidden(self, X):
        return 0.5 * (1.0 + np.tanh(0.5 * (X @ self.params["W1"] + self.params["b1"])))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Softmax class probabilities."""
        return _softmax(self._hidden(X) @ self.params["W2"] + self.params["b2"])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(X) == y))

    def gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy (nats) and its gradient w.r.t. every parameter."""
        h = self._hidden(X)
        p = _softmax(h @ self.params["W2"] + self.params["b2"])
        n = len(y)
        loss = -float(np.mean(np.log(p[np.arange(n), y] + 1e-300)))
        dz2 = p.copy()
        dz2[np.arange(n), y] -= 1.0
        dz2 /= n
        dz1 = (dz2 @ self.params["W2"].T) * h * (1.0 - h)
        return loss, {"W2": h.T @ dz2, "b2": dz2.sum(0), "W1": X.T @ dz1, "b1": dz1.sum(0)}

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        """One Adam step on the batch; returns the batch loss."""
        loss, grads = self.gradients(X, y)
        self.optimizer.descend(grads)
        return loss


def fit_mlp(
    data: Dataset,
    n_hidden: int = 100,
    epochs: int = 30,
    batch_size: int = 1024,
    lr: float = 0.001,
    random_state: int | None = 0,
    history: bool = False,
) -> tuple[BackpropMLP, dict[str, float]]:
    """Train :class:`BackpropMLP` on ``data``; return it and its accuracy per split.

    With ``history``, the dict also holds ``"history"``: the accuracy after every epoch, an
    array of shape ``(epochs, 3)`` (train, validation, test).
    """
    mlp = BackpropMLP(data.n_features, n_hidden, data.n_classes, lr, random_state)
    rng = np.random.default_rng(random_state)
    splits = ("train", "validation", "test")
    per_epoch = np.empty((epochs, 3))
    for e in range(epochs):
        order = rng.permutation(len(data.y_train))
        for lo in range(0, len(order), batch_size):
            idx = order[lo : lo + batch_size]
            mlp.step(data.X_train[idx], data.y_train[idx])
        if history:
            per_epoch[e] = [mlp.accuracy(*data.split(s)) for s in splits]
    result = {s: mlp.accuracy(*data.split(s)) for s in splits}
    if history:
        result["history"] = per_epoch
    return mlp, result
