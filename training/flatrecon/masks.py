"""1D Cartesian masks over columns (phase encode), fastMRI conventions.

random: a fully sampled centre of round(W·cf) columns, other columns kept with the probability that
gives W/acc columns on average. equispaced: the same centre plus columns at a spacing chosen so the
total is ≈ W/acc, with a random offset.
"""

from __future__ import annotations

import zlib

import numpy as np

CENTER_FRACTIONS = {4: 0.08, 8: 0.04}


def center_fraction_for(acc: int) -> float:
    return CENTER_FRACTIONS.get(int(acc), 0.32 / float(acc))


def _center(num_cols: int, num_low: int) -> np.ndarray:
    mask = np.zeros(num_cols, dtype=bool)
    pad = (num_cols - num_low + 1) // 2
    mask[pad : pad + num_low] = True
    return mask


def random_mask(num_cols: int, acc: int, cf: float, rng: np.random.Generator) -> np.ndarray:
    num_low = int(round(num_cols * cf))
    prob = (num_cols / acc - num_low) / (num_cols - num_low)
    mask = rng.uniform(size=num_cols) < prob
    return mask | _center(num_cols, num_low)


def equispaced_mask(num_cols: int, acc: int, cf: float, rng: np.random.Generator) -> np.ndarray:
    num_low = int(round(num_cols * cf))
    mask = _center(num_cols, num_low)
    adjusted = (acc * (num_low - num_cols)) / (num_low * acc - num_cols)
    offset = int(rng.integers(0, max(1, round(adjusted))))
    cols = np.around(np.arange(offset, num_cols - 1, adjusted)).astype(np.int64)
    mask[cols[cols < num_cols]] = True
    return mask


def make_mask(shape: tuple[int, int], acc: int, kind: str, rng: np.random.Generator,
              cf: float | None = None) -> np.ndarray:
    """(H, W) float32 mask selecting columns."""
    h, w = shape
    cf = center_fraction_for(acc) if cf is None else cf
    if kind == "random":
        cols = random_mask(w, acc, cf, rng)
    elif kind == "equispaced":
        cols = equispaced_mask(w, acc, cf, rng)
    else:
        raise ValueError(f"unknown mask kind {kind!r}")
    return np.broadcast_to(cols[None, :], (h, w)).astype(np.float32)


def eval_seed(image: str, index: int, acc: int, seed: int) -> int:
    """Deterministic seed per (image name, slice index, acceleration, mask seed)."""
    return zlib.crc32(f"{image}|{index}|{acc}|{seed}".encode())
