"""Canonical small distributions ("gates") with axes (T, S1, ..., Sn).

The sources are independent and uniform unless said otherwise; the target is a function of them.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import numpy as np

__all__ = ["GATES", "gate"]


def _function_gate(
    n_sources: int, n_target: int, f: Callable[..., int], arity: int = 2
) -> np.ndarray:
    p = np.zeros((n_target,) + (arity,) * n_sources)
    for s in product(range(arity), repeat=n_sources):
        p[(f(*s), *s)] += 1.0
    return p / p.sum()


#: name -> (description, builder)
GATES: dict[str, tuple[str, Callable[[], np.ndarray]]] = {
    "xor": ("T = S1 xor S2", lambda: _function_gate(2, 2, lambda a, b: a ^ b)),
    "and": ("T = S1 and S2", lambda: _function_gate(2, 2, lambda a, b: a & b)),
    "or": ("T = S1 or S2", lambda: _function_gate(2, 2, lambda a, b: a | b)),
    "copy": ("T = (S1, S2), four values", lambda: _function_gate(2, 4, lambda a, b: 2 * a + b)),
    "rdn": (
        "S1 = S2 = T, one shared bit",
        lambda: np.diag([0.5, 0.5])[:, :, None] * np.eye(2)[:, None, :],
    ),
    "unq": ("T = S1, S2 an independent bit", lambda: _function_gate(2, 2, lambda a, b: a)),
    "sum": ("T = S1 + S2, three values", lambda: _function_gate(2, 3, lambda a, b: a + b)),
    "parity": ("T = S1 xor S2 xor S3", lambda: _function_gate(3, 2, lambda a, b, c: a ^ b ^ c)),
}


def gate(name: str) -> np.ndarray:
    """The pmf of a canonical gate: one of ``GATES`` (e.g. ``"xor"``), axes (T, S1, ..., Sn)."""
    try:
        return GATES[name][1]()
    except KeyError:
        raise ValueError(f"unknown gate {name!r}: choose one of {', '.join(GATES)}") from None
