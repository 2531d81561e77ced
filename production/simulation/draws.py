"""Keyed random draws: each draw is a pure function of the seed and what it is for.

A draw never depends on how many draws came before it, so a history is the same whether it is simulated
in one call or in many ticks, and whatever order simultaneous events are handled in. The keys are
``(seed, "work", op)`` for an operation's processing time and ``(seed, "tbf"|"ttr", line, k)`` for the
running time before a line's k-th failure and that failure's repair time.
"""

from __future__ import annotations

import math
from hashlib import blake2b

from .model import Spread

_SCALE = 1.0 / 2**64
_TAU = 2 * math.pi


def uniforms(*key) -> tuple[float, float]:
    """Two independent uniforms in (0, 1), fixed by ``key`` (strings and integers)."""
    digest = blake2b("\x1f".join(map(str, key)).encode(), digest_size=16).digest()
    return (
        (int.from_bytes(digest[:8], "little") + 0.5) * _SCALE,
        (int.from_bytes(digest[8:], "little") + 0.5) * _SCALE,
    )


def sample(spread: Spread, mean: float, *key) -> float:
    """A draw with mean ``mean`` spread as ``spread``, fixed by ``key``."""
    kind = spread.kind
    if kind == "fixed" or mean <= 0 or (spread.cv == 0 and kind != "exponential"):
        return mean
    u, v = uniforms(*key)
    if kind == "exponential":
        return -mean * math.log(u)
    if kind == "lognormal":
        sigma2 = math.log1p(spread.cv * spread.cv)
        z = math.sqrt(-2.0 * math.log(u)) * math.cos(_TAU * v)
        return mean * math.exp(math.sqrt(sigma2) * z - sigma2 / 2)
    if kind == "triangular":
        half = spread.cv * math.sqrt(6) * mean
        if u < 0.5:
            return mean - half + half * math.sqrt(2 * u)
        return mean + half - half * math.sqrt(2 * (1 - u))
    half = spread.cv * math.sqrt(3) * mean
    return mean - half + 2 * half * u
