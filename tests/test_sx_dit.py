"""I^sx against dit's PID_SX: live on dit's canonical bivariate pmfs, stored for larger ones."""

import numpy as np
import pytest
from conftest import dit_label, golden_cases

import pidtools

dit = pytest.importorskip("dit")
from dit.pid import PID_SX  # noqa: E402
from dit.pid.distributions import bivariates, trivariates  # noqa: E402


def _cell(dist, outcome):
    """Our array index (target first) of a dit outcome whose last variable is the target."""
    codes = [sorted(a).index(v) for a, v in zip(dist.alphabet, outcome, strict=True)]
    return (codes[-1], *codes[:-1])


def _compare_with_dit(dist, atol=1e-9):
    ref = PID_SX(dist, pointwise=True)  # dit: sources are variables 0..n-1, target the last
    ours = pidtools.pid(dist, local=True)
    for node in ref._lattice:
        label = dit_label(node, offset=1)
        assert ours[label] == pytest.approx(float(ref.get_pi(node)), abs=atol), label
        for outcome, value in ref.get_pw_pi(node).items():
            cell = _cell(dist, outcome)
            got = ours.local_atoms[cell + (ours.index(label),)]
            assert got == pytest.approx(float(value), abs=atol), (label, outcome)


@pytest.mark.parametrize("name", sorted(bivariates))
def test_live_dit_bivariates(name):
    _compare_with_dit(bivariates[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(trivariates))
def test_live_dit_trivariates(name):
    _compare_with_dit(trivariates[name])


@pytest.mark.slow
def test_live_dit_random_bivariate():
    rng = np.random.default_rng(11)
    for _ in range(5):
        p = rng.dirichlet(np.ones(2 * 3 * 3)).reshape(2, 3, 3)
        cells = [tuple(map(int, c)) for c in zip(*np.nonzero(p), strict=True)]
        d = dit.Distribution([c[1:] + c[:1] for c in cells], [p[c] for c in cells])
        _compare_with_dit(d)


def test_stored_dit_values():
    """Every case of the stored dit run: canonical bi-/trivariates and random pmfs, n = 2..4."""
    cases = golden_cases("sx")
    by_n = {}
    for case in cases:
        p = case["pmf"]
        res = pidtools.pid(p, local="local_atoms" in case)
        by_n[p.ndim - 1] = by_n.get(p.ndim - 1, 0) + 1
        for label, value in case["atoms"].items():
            assert res[label] == pytest.approx(value, abs=1e-9), (case["name"], label)
        for label, values in case.get("local_atoms", {}).items():
            ref = np.array([np.nan if v is None else v for v in values]).reshape(p.shape)
            got = res.local_atoms[..., res.index(label)]
            np.testing.assert_allclose(
                got[p > 0], ref[p > 0], atol=1e-9, rtol=0, err_msg=case["name"]
            )
    assert by_n.get(2, 0) >= 50 and by_n.get(3, 0) >= 50 and by_n.get(4, 0) >= 50, by_n
