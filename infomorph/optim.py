"""Adam (Kingma & Ba 2015), the one optimiser of the package: infomorphic layers ascend their
goals with it, the backprop baseline descends its loss with it.

L2 weight decay is added to the gradient, as ``torch.optim.Adam(weight_decay=...)`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

__all__ = ["Adam"]


class Adam:
    """Adam on a dict of parameter arrays, updated in place.

    Parameters
    ----------
    params : mapping str -> ndarray
        The parameters (float64 arrays, changed in place by every step).
    names : iterable of str
        The keys of ``params`` this optimiser updates.
    lr : float
        Step size.
    weight_decay : float
        L2 decay: ``weight_decay * w`` pulls every parameter towards zero.
    betas : (float, float)
        Decay rates of the first and second moment estimates.
    eps : float
        Added to the root of the second moment.
    """

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        names: Iterable[str],
        lr: float,
        weight_decay: float = 0.0,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ):
        self.params, self.names = params, list(names)
        self.lr, self.weight_decay, self.betas, self.eps = lr, weight_decay, betas, eps
        self.m = {k: np.zeros_like(params[k]) for k in self.names}
        self.v = {k: np.zeros_like(params[k]) for k in self.names}
        self.t = 0

    def ascend(self, grads: Mapping[str, np.ndarray]) -> None:
        """One step up an objective whose gradient is ``grads``."""
        self._step(grads, 1.0)

    def descend(self, grads: Mapping[str, np.ndarray]) -> None:
        """One step down a loss whose gradient is ``grads``."""
        self._step(grads, -1.0)

    def _step(self, grads: Mapping[str, np.ndarray], sign: float) -> None:
        """``w += lr mhat / (sqrt(vhat) + eps)`` for the ascent direction ``g = sign dG/dw - wd w``."""
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1.0 - b1**self.t, 1.0 - b2**self.t
        for k in self.names:
            w = self.params[k]
            g = (grads[k] if sign > 0 else -grads[k]) - self.weight_decay * w
            self.m[k] = b1 * self.m[k] + (1.0 - b1) * g
            self.v[k] = b2 * self.v[k] + (1.0 - b2) * g * g
            w += self.lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)
