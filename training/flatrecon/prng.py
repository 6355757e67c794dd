"""mulberry32, bit-for-bit the generator of app/masks/prng.ts, so Python and the app draw the same
mask from the same seed (reference vectors in app/masks/test check it)."""

from __future__ import annotations

import numpy as np

_M32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    return (a * b) & _M32


class Mulberry32:
    """Uniform floats in [0, 1) from a 32-bit seed; the sequence equals `mulberry32(seed)` in TS."""

    def __init__(self, seed: int):
        self.a = int(seed) & _M32

    def next(self) -> float:
        self.a = (self.a + 0x6D2B79F5) & _M32
        t = self.a
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & _M32
        t &= _M32
        return ((t ^ (t >> 14)) & _M32) / 4294967296.0

    def uniform(self, n: int) -> np.ndarray:
        return np.array([self.next() for _ in range(n)], dtype=np.float64)
