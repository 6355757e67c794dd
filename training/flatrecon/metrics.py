"""fastMRI-convention metrics on magnitude images (PSNR/SSIM with data_range = target max, NMSE)."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter


def nmse(gt: np.ndarray, pred: np.ndarray) -> float:
    return float(np.linalg.norm(gt - pred) ** 2 / np.linalg.norm(gt) ** 2)


def psnr(gt: np.ndarray, pred: np.ndarray, data_range: float | None = None) -> float:
    dr = float(gt.max()) if data_range is None else data_range
    mse = float(np.mean((gt.astype(np.float64) - pred.astype(np.float64)) ** 2))
    return float(10.0 * np.log10(dr**2 / mse)) if mse > 0 else float("inf")


def ssim(gt: np.ndarray, pred: np.ndarray, data_range: float | None = None, win: int = 7) -> float:
    """Mean SSIM as skimage.structural_similarity (uniform 7×7 window, sample covariance,
    K1=0.01, K2=0.03, border of (win-1)//2 excluded), which fastMRI's evaluate.py calls."""
    x = gt.astype(np.float64)
    y = pred.astype(np.float64)
    dr = float(gt.max()) if data_range is None else data_range
    c1, c2 = (0.01 * dr) ** 2, (0.03 * dr) ** 2
    npix = win * win
    cov_norm = npix / (npix - 1.0)
    ux, uy = uniform_filter(x, win), uniform_filter(y, win)
    uxx, uyy, uxy = uniform_filter(x * x, win), uniform_filter(y * y, win), uniform_filter(x * y, win)
    vx, vy, vxy = cov_norm * (uxx - ux * ux), cov_norm * (uyy - uy * uy), cov_norm * (uxy - ux * uy)
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux**2 + uy**2 + c1) * (vx + vy + c2))
    p = (win - 1) // 2
    return float(s[p:-p, p:-p].mean())
