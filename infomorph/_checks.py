"""Argument checks shared by infomorph's public API: messages name the argument, the rule and
the fix."""

from __future__ import annotations

import math
import numbers

import numpy as np


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
    TypeError
        If ``value`` is not a real number (bools are rejected).
    ValueError
        If it is NaN, infinite or out of range.
    """
    if high is not None:
        rule, fix = f"in [{low:g}, {high:g}]", f"a number in [{low:g}, {high:g}]"
    elif low is not None:
        rule = fix = f"a finite number {'>' if open_low else '>='} {low:g}"
    else:
        rule = fix = "a finite number"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be {rule}, got {value!r} of type {type(value).__name__}: pass {fix}{hint}"
        )
    v = float(value)
    below = low is not None and (v <= low if open_low else v < low)
    if not math.isfinite(v) or below or (high is not None and v > high):
        raise ValueError(f"{name} must be {rule}, got {value!r}: pass {fix}{hint}")
    return v


def check_int(
    name: str, value, low: int, high: int | None = None, *, allow_none: bool = False, hint: str = ""
) -> int | None:
    """Check that ``value`` is an int (or numpy integer, not bool) in ``[low, high]``.

    ``allow_none=True`` also accepts ``None`` (returned unchanged). Raises TypeError for a
    non-integer and ValueError for an int out of range; the message names ``name``, the rule
    and, through ``hint``, optionally more.
    """
    if value is None and allow_none:
        return None
    rule = f"an int >= {low}" if high is None else f"an int in {low}..{high}"
    if allow_none:
        rule = "None or " + rule
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"{name} must be {rule}, got {value!r} of type {type(value).__name__}: "
            f"pass {rule}{hint}"
        )
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {rule}, got {value!r}: pass {rule}{hint}")
    return int(value)


def check_seed(name: str, value, high: int | None = None, allow_none: bool = True) -> int | None:
    """Check a seed: an int ``>= 0`` (at most ``high``) or, with ``allow_none``, None."""
    return check_int(name, value, 0, high, allow_none=allow_none, hint=" (a seed, e.g. 0)")
