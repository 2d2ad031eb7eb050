"""Any PID class of dit through the common API: ``pidtools.pid(p, measure="dit:PID_GH")``.

This is the slow path: one dit object per pmf, in Python (dit takes from milliseconds to minutes
per pmf). It makes every measure dit has reachable with the same :class:`~pidtools.PIDResult`,
for comparison and for measures pidtools does not compute itself.

Each pmf is handed to dit as a ``dit.Distribution`` built from the outcome tuples of its support
with the target as the *last* variable (``sources=[[0], ..., [n-1]], target=[n]``): dit 2.3's
``PID_SX`` and ``PID_PM`` mis-index the target when it is variable 0. dit variable ``i`` is our
source ``i + 1``.
"""

from __future__ import annotations

import inspect
import warnings
from functools import cache

import numpy as np

from ..lattice import lattice

__all__ = ["dit_redundancy", "dit_classes"]


@cache
def dit_classes() -> dict[str, type]:
    """The PID classes of ``dit.pid`` by name (every subclass of ``BasePID`` it exports)."""
    try:
        import dit.pid
        from dit.pid.pid import BasePID
    except ImportError as err:  # pragma: no cover - dit is a dependency
        raise ValueError(
            f"measure 'dit:...' needs the dit package, which failed to import: {err}"
        ) from None
    return {
        name: obj
        for name, obj in vars(dit.pid).items()
        if inspect.isclass(obj) and issubclass(obj, BasePID) and not inspect.isabstract(obj)
    }


def _dit_distribution(p: np.ndarray):
    import dit

    cells = np.argwhere(p > 0)
    outcomes = [tuple(int(i) for i in c[1:]) + (int(c[0]),) for c in cells]
    return dit.Distribution(outcomes, [float(p[tuple(c)]) for c in cells]), cells


def _node_key(node) -> frozenset:
    """A dit node (tuple of tuples of 0-based variables) as a set of sets of our sources."""
    return frozenset(frozenset(int(i) + 1 for i in a) for a in node)


def dit_redundancy(class_name: str):
    """A ``compute(P, n_sources, local)`` that runs dit's ``class_name`` on every pmf of ``P``.

    Returns the redundancy of every node in our lattice order (NaN for the nodes dit leaves
    undetermined, with a ``UserWarning`` saying so) and, with ``local=True``, dit's pointwise
    redundancy per outcome (NaN where ``p = 0``) for classes that have a pointwise form.

    Raises
    ------
    ValueError
        For an unknown class name (the message lists dit's PID classes), for ``local=True`` with
        a class that has no pointwise form, and when dit fails on a pmf (naming the class, the
        batch index and dit's error).
    """
    classes = dit_classes()
    if class_name not in classes:
        raise ValueError(
            f"unknown dit PID class {class_name!r} (measure 'dit:{class_name}'): choose one of "
            f"{', '.join(sorted(classes))}"
        )
    cls = classes[class_name]
    from dit.pid.pid import BasePointwisePID

    pointwise = issubclass(cls, BasePointwisePID)

    def compute(P: np.ndarray, n_sources: int, local: bool):
        if local and not pointwise:
            raise ValueError(
                f"dit class {class_name!r} has no pointwise form: use local=False, or a pointwise "
                "class such as 'dit:PID_SX' or 'dit:PID_PM'"
            )
        lat = lattice(n_sources)
        position = {frozenset(node): k for k, node in enumerate(lat.nodes)}
        red = np.full((P.shape[0], lat.n_nodes), np.nan)
        loc = np.full(P.shape + (lat.n_nodes,), np.nan) if local else None
        incomplete = 0
        for b in range(P.shape[0]):
            dist, cells = _dit_distribution(P[b])
            kwargs = {"pointwise": True} if local else {}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = cls(
                        dist, sources=[[i] for i in range(n_sources)], target=[n_sources], **kwargs
                    )
                    values = {_node_key(node): result.get_red(node) for node in result._lattice}
            except Exception as err:  # dit raises many kinds of errors: report them all alike
                raise ValueError(
                    f"dit class {class_name!r} failed on pmf {b} of the batch (shape "
                    f"{P.shape[1:]}): {type(err).__name__}: {err}"
                ) from err
            for key, value in values.items():
                if key in position:
                    red[b, position[key]] = float(value)
            incomplete += bool(np.isnan(red[b]).any())
            if local:
                for node in result._lattice:
                    k = position[_node_key(node)]
                    pw = result.get_pw_red(node)
                    for c in cells:
                        outcome = tuple(int(i) for i in c[1:]) + (int(c[0]),)
                        loc[(b, *c, k)] = float(pw[outcome])
        if incomplete:
            n_missing = int(np.isnan(red).any(axis=0).sum())
            warnings.warn(
                f"dit's {class_name} left {n_missing} of {lat.n_nodes} redundancy nodes "
                f"undetermined for {incomplete} of {P.shape[0]} pmfs (dit: complete=False); "
                "they are NaN, and so is every atom that depends on them",
                UserWarning,
                stacklevel=3,
            )
        return red, loc

    return compute
