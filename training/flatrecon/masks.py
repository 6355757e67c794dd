"""Undersampling masks: the one definition shared with app/masks (same generator, same rules).

1D Cartesian masks over columns (phase encode), after fastMRI's RandomMaskFunc/EquispacedMaskFunc:
a fully sampled centre band of round(W·cf) columns; `random` keeps each other column with the
probability that makes the expected total W/R; `equispaced` adds columns on fastMRI's adjusted
spacing (so the total is ≈ W/R, not W/R + centre) from a random offset. `vd2d` is a 2D
variable-density mask for slices of 3D scans (both axes phase-encoded): a fully sampled central
ellipse plus points drawn with a density falling off with k-space radius, scaled so ≈ 1/R of all
points are kept. Every draw comes from mulberry32(seed) in a fixed order (see app/masks/cartesian.ts).
"""

from __future__ import annotations

import zlib

import numpy as np

from .prng import Mulberry32

KINDS = ("random", "equispaced", "vd2d")


def center_fraction_for(acc: float) -> float:
    """fastMRI's defaults (0.08 at 4×, 0.04 at 8×), i.e. 0.32/R, as app/masks defaultCenterFraction."""
    return min(1.0, 0.32 / float(acc))


def _center_band(num_cols: int, num_low: int) -> np.ndarray:
    mask = np.zeros(num_cols, dtype=bool)
    pad = (num_cols - num_low + 1) // 2
    mask[pad : pad + num_low] = True
    return mask


def column_mask(kind: str, cols: int, acc: float, cf: float, seed: int) -> np.ndarray:
    """(cols,) bool; acceleration 1 samples every column."""
    if acc <= 1:
        return np.ones(cols, dtype=bool)
    rng = Mulberry32(seed)
    num_low = int(np.floor(cols * cf + 0.5))
    if kind == "random":
        outer = cols - num_low
        prob = max(0.0, (cols / acc - num_low) / outer) if outer > 0 else 0.0
        draws = rng.uniform(cols)
        mask = draws < prob
    elif kind == "equispaced":
        mask = np.zeros(cols, dtype=bool)
        if num_low * acc < cols:
            spacing = (acc * (num_low - cols)) / (num_low * acc - cols)
        else:
            spacing = float(acc)
        offset = int(np.floor(rng.next() * max(1, int(np.floor(spacing + 0.5)))))
        k = 0
        while True:
            c = int(np.floor(offset + k * spacing + 0.5))
            if c >= cols:
                break
            mask[c] = True
            k += 1
    else:
        raise ValueError(f"unknown 1D mask kind {kind!r}")
    return mask | _center_band(cols, num_low)


def vd2d_mask(rows: int, cols: int, acc: float, cf: float, seed: int) -> np.ndarray:
    """(rows, cols) bool: central ellipse of semi-axes cf·rows/2·… plus density (1 - r)^2 points."""
    if acc <= 1:
        return np.ones((rows, cols), dtype=bool)
    rng = Mulberry32(seed)
    yy = (np.arange(rows) - rows // 2) / max(rows / 2, 1)
    xx = (np.arange(cols) - cols // 2) / max(cols / 2, 1)
    r = np.sqrt(yy[:, None] ** 2 + xx[None, :] ** 2)
    rc = max(np.sqrt(cf), 2.0 / min(rows, cols))  # centre radius: area fraction ≈ cf
    centre = r <= rc
    density = np.clip(1.0 - r / np.sqrt(2.0), 0.0, 1.0) ** 2
    density[centre] = 0.0
    want = rows * cols / acc - centre.sum()
    total = density.sum()
    scale = want / total if total > 0 and want > 0 else 0.0
    # Scale the density so the expected count is the target; clipping at 1 is rebalanced twice.
    for _ in range(3):
        p = np.clip(density * scale, 0.0, 1.0)
        short = want - p.sum()
        free = density[(density * scale) < 1].sum()
        if short <= 1e-6 or free <= 0:
            break
        scale += short / free
    p = np.clip(density * scale, 0.0, 1.0)
    draws = rng.uniform(rows * cols).reshape(rows, cols)
    return (draws < p) | centre


def make_mask(shape: tuple[int, int], acc: float, kind: str, seed: int, cf: float | None = None) -> np.ndarray:
    """(H, W) float32 mask (1 = sampled)."""
    h, w = shape
    cf = center_fraction_for(acc) if cf is None else cf
    if kind == "vd2d":
        return vd2d_mask(h, w, acc, cf, seed).astype(np.float32)
    cols = column_mask(kind, w, acc, cf, seed)
    return np.broadcast_to(cols[None, :], (h, w)).astype(np.float32)


def eval_seed(image: str, index: int, acc: int, seed: int) -> int:
    """Deterministic seed per (image name, slice index, acceleration, mask seed)."""
    return zlib.crc32(f"{image}|{index}|{acc}|{seed}".encode())
