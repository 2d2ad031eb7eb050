"""Test helpers: hypothesis strategies for pmfs, assertions on PID results, and the exact
continuous I^sx redundancies of Gaussian and Gaussian-mixture variables (numerical quadrature)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "pmfs", "random_pmf", "assert_atoms_close", "gaussian_sx_nodes", "mixture_sx_nodes",
]  # fmt: skip


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


# --------------------------------------------------------------------------- continuous truth

_LN2 = np.log(2.0)


def _gauss_hermite(dim: int, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Nodes (dim, n**dim) and weights of E[f(Z)] for Z ~ N(0, I_dim) (Gauss-Hermite)."""
    from numpy.polynomial.hermite_e import hermegauss

    x, w = hermegauss(n)
    w = w / w.sum()
    nodes = np.stack([g.ravel() for g in np.meshgrid(*[x] * dim, indexing="ij")])
    weights = np.prod(np.stack(np.meshgrid(*[w] * dim, indexing="ij")), axis=0).ravel()
    return nodes, weights


def _log_normal(x: np.ndarray, mean, cov) -> np.ndarray:
    """Log density of N(mean, cov) at the columns of ``x`` (dim, m)."""
    d = x - np.asarray(mean, float).reshape(-1, 1)
    cov = np.atleast_2d(cov)
    quad = np.sum(d * np.linalg.solve(cov, d), axis=0)
    return -0.5 * (quad + len(cov) * np.log(2 * np.pi) + np.log(np.linalg.det(cov)))


def _union_node(log_joint, log_t, log_s, scale: str) -> np.ndarray:
    """Local continuous I^sx (nats) of node {1}{2}, the eps -> 0 limit of the union events.

    ``"rank"`` (uniform margins): ``log mean_a p(t, s_a) / (p(t) p(s_a))``; ``"none"``:
    ``log [sum_a p(t, s_a) / (p(t) sum_a p(s_a))]``.
    """
    if scale == "rank":
        return np.logaddexp(*(j - log_t - s for j, s in zip(log_joint, log_s, strict=True))) - _LN2
    return np.logaddexp(*log_joint) - log_t - np.logaddexp(*log_s)


def gaussian_sx_nodes(cov, scale: str = "rank") -> np.ndarray:
    """Continuous I^sx of the nodes ``{1}{2}, {1}, {2}, {12}`` (bits), ``(T, S1, S2) ~ N(0, cov)``.

    The union node is integrated by Gauss-Hermite quadrature (60 nodes per axis), the others
    are the analytic Gaussian mutual informations. ``scale`` as ``transform`` of
    :func:`pidtools.knn.estimate_knn` (``"rank"`` or ``"none"``).
    """
    cov = np.asarray(cov, float)
    z, w = _gauss_hermite(3)
    x = np.linalg.cholesky(cov) @ z
    joint = [_log_normal(x[[0, a]], [0, 0], cov[np.ix_([0, a], [0, a])]) for a in (1, 2)]
    log_t = _log_normal(x[[0]], [0], cov[0, 0])
    log_s = [_log_normal(x[[a]], [0], cov[a, a]) for a in (1, 2)]
    mi = [0.5 * np.log2(cov[0, 0] * cov[a, a] / (cov[0, 0] * cov[a, a] - cov[0, a] ** 2))
          for a in (1, 2)]  # fmt: skip
    whole = 0.5 * np.log2(cov[0, 0] * np.linalg.det(cov[1:, 1:]) / np.linalg.det(cov))
    return np.array([w @ _union_node(joint, log_t, log_s, scale) / _LN2, *mi, whole])


def mixture_sx_nodes(means, cov, scale: str = "rank") -> np.ndarray:
    """As :func:`gaussian_sx_nodes` for a fair binary T and ``(S1, S2) | T=t ~ N(means[t], cov)``,
    every node by quadrature."""
    cov = np.asarray(cov, float)
    z, w = _gauss_hermite(2)
    out = np.zeros(4)
    for t in (0, 1):
        s = np.linalg.cholesky(cov) @ z + np.asarray(means[t], float)[:, None]
        joint = [_log_normal(s[[a]], [means[t][a]], cov[a, a]) - _LN2 for a in (0, 1)]
        marg = [
            np.logaddexp(*(_log_normal(s[[a]], [m[a]], cov[a, a]) for m in means)) - _LN2
            for a in (0, 1)
        ]
        log_t = np.full(s.shape[1], -_LN2)
        cond = _log_normal(s, means[t], cov)
        whole = cond - np.logaddexp(*(_log_normal(s, m, cov) for m in means)) + _LN2
        single = [joint[a] - log_t - marg[a] for a in (0, 1)]
        nodes = [_union_node(joint, log_t, marg, scale), *single, whole]
        out += 0.5 * np.array([w @ v for v in nodes]) / _LN2
    return out
