"""Test helpers: hypothesis strategies for pmfs and assertions on PID results."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["pmfs", "random_pmf", "assert_atoms_close"]


def random_pmf(
    shape: tuple[int, ...], rng: np.random.Generator, zero_fraction: float = 0.0
) -> np.ndarray:
    """A Dirichlet(1) pmf of ``shape`` with about ``zero_fraction`` of its cells set to zero."""
    p = rng.dirichlet(np.ones(int(np.prod(shape))))
    if zero_fraction > 0:
        zero = rng.random(p.size) < zero_fraction
        if zero.sum() > p.size - 2:
            zero[rng.choice(p.size, 2, replace=False)] = False
        p[zero] = 0.0
    return (p / p.sum()).reshape(shape)


def pmfs(n_sources: int = 2, max_alphabet: int = 4, zeros: bool = True):
    """Hypothesis strategy for single pmfs with ``n_sources`` sources (alphabets 2..max)."""
    from hypothesis import strategies as st

    @st.composite
    def draw(draw_):
        shape = tuple(draw_(st.integers(2, max_alphabet)) for _ in range(n_sources + 1))
        seed = draw_(st.integers(0, 2**32 - 1))
        frac = draw_(st.sampled_from([0.0, 0.3])) if zeros else 0.0
        return random_pmf(shape, np.random.default_rng(seed), frac)

    return draw()


def assert_atoms_close(result, expected: Mapping[str, float], atol: float = 1e-9) -> None:
    """Assert that every atom named in ``expected`` matches ``result`` within ``atol`` (bits)."""
    bad = {
        label: (result[label], value)
        for label, value in expected.items()
        if not np.allclose(result[label], value, atol=atol, rtol=0)
    }
    if bad:
        rows = "; ".join(f"{k}: got {g!r}, expected {e!r}" for k, (g, e) in bad.items())
        raise AssertionError(f"atoms differ beyond atol={atol}: {rows}")
