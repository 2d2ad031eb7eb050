"""Adam (Kingma & Ba 2015), the one optimiser of the package: infomorphic layers ascend their
goals with it, the backprop baseline descends its loss with it.

L2 weight decay is added to the gradient, as ``torch.optim.Adam(weight_decay=...)`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from . import kernels

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
        for k in self.names:
            p = params[k]
            if not (isinstance(p, np.ndarray) and p.dtype == np.float64 and p.flags.c_contiguous):
                raise TypeError(
                    f"params[{k!r}] must be a C-contiguous float64 ndarray (it is updated in "
                    f"place), got {type(p).__name__} {getattr(p, 'dtype', '')}: pass "
                    "np.ascontiguousarray(p, dtype=np.float64)"
                )
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
            w, m, v = self.params[k], self.m[k], self.v[k]
            g = np.ascontiguousarray(grads[k], dtype=np.float64)
            if g.shape != w.shape:
                raise ValueError(f"gradient of {k!r} has shape {g.shape}, its parameter {w.shape}")
            kernels.adam_update(
                w.size,
                w.reshape(-1),
                g.reshape(-1),
                m.reshape(-1),
                v.reshape(-1),
                float(self.lr),
                float(self.weight_decay),
                b1,
                b2,
                c1,
                c2,
                float(self.eps),
                sign,
            )
