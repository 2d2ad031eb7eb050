"""Elementwise math that the compiler can vectorise (no calls into libm)."""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit

_SQRT2 = math.sqrt(2.0)
_TWO_OVER_LN2 = 2.0 / math.log(2.0)
_LOWEST_NORMAL_BITS = np.uint64(0x0010000000000000)  # the smallest positive normal number
_NORMAL_SPAN = np.uint64(0x7FE0000000000000)  # from it to infinity (excluded)


@jit(fastmath={"contract"})
def log2_inplace(x, k):
    """Replace ``x[:k]`` by ``log2(x[:k])``.

    With ``x = m 2^e``, ``m`` in ``[1/sqrt 2, sqrt 2)``: ``log2 x = e + (2 / ln 2) atanh(z)``,
    ``z = (m - 1) / (m + 1)``, ``|z| < 0.172``, and the odd series of atanh is summed to the
    term ``z^19 / 19`` (truncation below 3e-17 relative). Branch-free, so the loop vectorises,
    and compiled with fused multiply-adds: faster than a libm call per element, within a few ulp
    of it. Inputs that are not positive normal numbers fall back to ``math.log2``.
    """
    bits = x.view(np.uint64)
    unusual = 0
    for j in range(k):  # positive normal numbers are the bit patterns in [LOWEST, LOWEST + SPAN)
        unusual += (bits[j] - _LOWEST_NORMAL_BITS) >= _NORMAL_SPAN
    if unusual:
        for j in range(k):
            x[j] = math.log2(x[j]) if x[j] > 0.0 else (-np.inf if x[j] == 0.0 else np.nan)
        return
    for j in range(k):
        b = bits[j]
        e = np.float64(np.int64((b >> np.uint64(52)) & np.uint64(0x7FF)) - 1023)
        bits[j] = (b & np.uint64(0x000FFFFFFFFFFFFF)) | np.uint64(0x3FF0000000000000)
        m = x[j]
        big = m > _SQRT2
        m = 0.5 * m if big else m
        e = e + 1.0 if big else e
        z = (m - 1.0) / (m + 1.0)
        # 1 + y/3 + ... + y^9/19 with y = z^2, by Estrin's scheme: pairs of terms, then pairs
        # of pairs, so the chain of dependent multiply-adds is 4 long instead of 9
        y = z * z
        y2 = y * y
        y4 = y2 * y2
        q0 = (1.0 + y * (1.0 / 3.0)) + y2 * (1.0 / 5.0 + y * (1.0 / 7.0))
        q1 = (1.0 / 9.0 + y * (1.0 / 11.0)) + y2 * (1.0 / 13.0 + y * (1.0 / 15.0))
        s = (q0 + y4 * q1) + (y4 * y4) * (1.0 / 17.0 + y * (1.0 / 19.0))
        x[j] = e + _TWO_OVER_LN2 * z * s
