"""Classical compressed sensing baseline: wavelet-ℓ1 FISTA (orthonormal Daubechies-4, periodised),
min_x ½‖M F x − y‖² + λ‖Ψx‖₁ on the complex image (complex soft-thresholding, approximation band
left unpenalised). ‖A‖ ≤ 1, so the step size is 1. The wavelet is made translation-invariant by
cycle spinning (a random circular shift of up to 2^levels pixels per iteration, seeded): plain
decimated-wavelet ℓ1 barely beats zero filling with 1D Cartesian masks, because zero filling itself
lowers the wavelet ℓ1 norm (it removes high-frequency energy)."""

from __future__ import annotations

import numpy as np
import pywt

from .fftc import fft2c_np, ifft2c_np

WAVELET = "db4"
LEVELS = 4


def _soft(c: np.ndarray, thr: float) -> np.ndarray:
    mag = np.abs(c)
    return c * np.maximum(1.0 - thr / np.maximum(mag, 1e-12), 0.0)


def wavelet_prox(x: np.ndarray, thr: float) -> np.ndarray:
    h, w = x.shape
    coeffs = pywt.wavedec2(x, WAVELET, mode="periodization", level=LEVELS)
    out = [coeffs[0]] + [tuple(_soft(d, thr) for d in det) for det in coeffs[1:]]
    return pywt.waverec2(out, WAVELET, mode="periodization")[:h, :w]


def fista_wavelet(kspace: np.ndarray, mask: np.ndarray, lam: float = 0.002, iters: int = 100,
                  seed: int = 0) -> np.ndarray:
    """kspace: masked centred k-space (H, W) complex; returns the complex image."""
    y = kspace * mask
    x = ifft2c_np(y)
    z, t = x.copy(), 1.0
    rng = np.random.default_rng(seed)
    for _ in range(iters):
        grad = ifft2c_np(mask * fft2c_np(z) - y)
        sh = tuple(int(v) for v in rng.integers(0, 2**LEVELS, 2))
        x_new = np.roll(wavelet_prox(np.roll(z - grad, sh, (0, 1)), lam), (-sh[0], -sh[1]), (0, 1))
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        z = x_new + ((t - 1.0) / t_new) * (x_new - x)
        x, t = x_new, t_new
    return x.astype(np.complex64)
