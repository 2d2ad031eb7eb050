"""Argument checks shared by infomorph's public API: messages name the argument, the rule and
the fix."""

from __future__ import annotations

import math
import numbers

import numpy as np

from pidtools.errors import ParameterError, ParameterTypeError

#: Most neurons in one layer. Every neuron keeps weights and per-batch histograms, and a hidden
#: layer's lateral weights grow with its size squared: 10_000 neurons take about 0.8 GB of
#: lateral weights alone (float64), beyond what a layer of this design is meant for.
MAX_NEURONS = 10_000


def check_real(
    name: str,
    value,
    low: float | None = None,
    high: float | None = None,
    *,
    open_low: bool = False,
    hint: str = "",
) -> float:
    """Check that ``value`` is a finite real number in a range; return it as float.

    Parameters
    ----------
    name : str
        The argument's name, used in the message.
    value
        What the caller passed.
    low, high : float, optional
        Lower and upper bound (inclusive; ``low`` exclusive with ``open_low=True``).
    hint : str
        Appended to the message, e.g. what the argument means.

    Raises
    ------
    ParameterTypeError
        If ``value`` is not a real number (bools are rejected); a ``TypeError``.
    ParameterError
        If it is NaN, infinite or out of range; a ``ValueError``.
    """
    if high is not None:
        rule, fix = f"in [{low:g}, {high:g}]", f"a number in [{low:g}, {high:g}]"
    elif low is not None:
        rule = fix = f"a finite number {'>' if open_low else '>='} {low:g}"
    else:
        rule = fix = "a finite number"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(
            f"{name} must be {rule}, got {value!r} of type {type(value).__name__}: pass {fix}{hint}",
            param=name,
        )
    v = float(value)
    below = low is not None and (v <= low if open_low else v < low)
    if not math.isfinite(v) or below or (high is not None and v > high):
        raise ParameterError(f"{name} must be {rule}, got {value!r}: pass {fix}{hint}", param=name)
    return v


def check_int(
    name: str, value, low: int, high: int | None = None, *, allow_none: bool = False, hint: str = ""
) -> int | None:
    """Check that ``value`` is an int (or numpy integer, not bool) in ``[low, high]``.

    ``allow_none=True`` also accepts ``None`` (returned unchanged). Raises
    :class:`~pidtools.errors.ParameterTypeError` for a non-integer and
    :class:`~pidtools.errors.ParameterError` for an int out of range; the message names ``name``, the rule
    and, through ``hint``, optionally more.
    """
    if value is None and allow_none:
        return None
    rule = f"an int >= {low}" if high is None else f"an int in {low}..{high}"
    if allow_none:
        rule = "None or " + rule
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ParameterTypeError(
            f"{name} must be {rule}, got {value!r} of type {type(value).__name__}: "
            f"pass {rule}{hint}",
            param=name,
        )
    if value < low or (high is not None and value > high):
        raise ParameterError(f"{name} must be {rule}, got {value!r}: pass {rule}{hint}", param=name)
    return int(value)


#: Largest seed: records store the seed as a 64-bit integer.
MAX_SEED = 2**63 - 1


def check_seed(name: str, value, high: int = MAX_SEED, allow_none: bool = True) -> int | None:
    """Check a seed: an int in ``0..high`` or, with ``allow_none``, None."""
    return check_int(name, value, 0, high, allow_none=allow_none, hint=" (a seed, e.g. 0)")
