"""Multi-coil handling shared by training, evaluation and (as app/recon/coils.ts) the app.

The forward model is SENSE-style, A = M·F·S (as E2E-VarNet and BART): the state is one complex
image per coil, the network sees the sensitivity-weighted combination x = Σ_c conj(S_c)·x_c and its
output z is expanded back as S_c·z, so the coils are used jointly. Sensitivities come from the
fully sampled k-space centre (ACS): low-resolution coil images l_c (Hann-windowed ACS) divided by
their root-sum-of-squares, S_c = l_c / sqrt(Σ|l_c|² + ε²). One coil keeps only the low-resolution
phase (|S| = 1), so the network always sees a phase-demodulated image. The displayed image at every
step is the RSS of the coil images (exactly the RSS reference when nothing is undersampled), with
the phase of the combination.
"""

from __future__ import annotations

import numpy as np

from .fftc import fft2c_np, ifft2c_np

ACS_MAX = 32  # calibration lines per axis at most (ESPIRiT's default is 24)
MAPS_EPS = 1e-3  # ε relative to the maximum low-resolution RSS


def acs_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """The largest fully sampled rectangle centred on (H//2, W//2), grown one line at a time
    (columns first, then rows) while shorter than ACS_MAX lines (so at most ACS_MAX + 1, odd): (r0, r1, c0, c1)."""
    m = np.asarray(mask) > 0
    h, w = m.shape
    rc, cc = h // 2, w // 2
    if not m[rc, cc]:
        return (rc, rc + 1, cc, cc + 1)
    r0, r1, c0, c1 = rc, rc + 1, cc, cc + 1
    grown = True
    while grown:
        grown = False
        if c1 - c0 < ACS_MAX and c0 > 0 and c1 < w and m[r0:r1, c0 - 1].all() and m[r0:r1, c1].all():
            c0, c1, grown = c0 - 1, c1 + 1, True
        if r1 - r0 < ACS_MAX and r0 > 0 and r1 < h and m[r0 - 1, c0:c1].all() and m[r1, c0:c1].all():
            r0, r1, grown = r0 - 1, r1 + 1, True
    return (r0, r1, c0, c1)


def _hann(n: int) -> np.ndarray:
    """Symmetric Hann window of n points that is non-zero at both ends (n + 2-point window, inner)."""
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(1, n + 1) / (n + 1))).astype(np.float64)


def estimate_maps(kspace: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(C, H, W) complex64 sensitivities from masked centred k-space (C, H, W) and its mask (H, W)."""
    k = np.asarray(kspace)
    c, h, w = k.shape
    r0, r1, c0, c1 = acs_box(mask)
    win = np.zeros((h, w), dtype=np.float64)
    win[r0:r1, c0:c1] = _hann(r1 - r0)[:, None] * _hann(c1 - c0)[None, :]
    low = ifft2c_np(k.astype(np.complex128) * win)
    if c == 1:
        # phase of l + ε: the phase of faint background pixels goes smoothly to 0 instead of
        # following rounding noise (float32 in the app, float64 here)
        shifted = low + MAPS_EPS * float(np.abs(low).max())
        mag = np.abs(shifted)
        return np.where(mag > 0, shifted / np.maximum(mag, 1e-30), 1.0).astype(np.complex64)
    rss = np.sqrt((np.abs(low) ** 2).sum(axis=0))
    eps = MAPS_EPS * float(rss.max()) if rss.max() > 0 else 1.0
    return (low / np.sqrt(rss**2 + eps**2)).astype(np.complex64)


def combine(coil_images: np.ndarray, maps: np.ndarray) -> np.ndarray:
    """Σ_c conj(S_c)·x_c over the coil axis (-3)."""
    return (np.conj(maps) * coil_images).sum(axis=-3)


def rss(coil_images: np.ndarray) -> np.ndarray:
    return np.sqrt((np.abs(coil_images) ** 2).sum(axis=-3))


def display(coil_images: np.ndarray, maps: np.ndarray) -> np.ndarray:
    """The shown image: RSS magnitude with the phase of the sensitivity-weighted combination."""
    comb = combine(coil_images, maps)
    mag = np.abs(comb)
    ph = np.where(mag > 0, comb / np.maximum(mag, 1e-30), 1.0)
    return (rss(coil_images) * ph).astype(np.complex64)


def normalisation_scale(masked_kspace: np.ndarray) -> float:
    """The model contract's divisor: max of the RSS of the zero-filled coil images."""
    s = float(rss(ifft2c_np(np.asarray(masked_kspace))).max())
    return s if s > 0 and np.isfinite(s) else 1.0


def dc_residual(coil_images: np.ndarray, measured: np.ndarray, mask: np.ndarray) -> float:
    """Worst coil's ‖M·F x_c − y_c‖ / ‖y_c‖ (coils with no signal skipped)."""
    kx = fft2c_np(coil_images)
    worst = 0.0
    for c in range(measured.shape[0]):
        den = float(np.linalg.norm(measured[c]))
        if den > 0:
            worst = max(worst, float(np.linalg.norm(mask * kx[c] - measured[c])) / den)
    return worst


# ----------------------------------------------------------------------------- simulation (training)
def simulate_maps(shape: tuple[int, int], ncoils: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth, realistic receive sensitivities (C, H, W): coils on an ellipse around the field of
    view, magnitude falling with distance (Gaussian of random width), a slowly varying phase per coil;
    the array is scaled so the RSS of the maps is about 1 in the centre."""
    h, w = shape
    if ncoils == 1:
        return np.ones((1, h, w), dtype=np.complex64)
    yy, xx = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    out = np.empty((ncoils, h, w), dtype=np.complex64)
    rot = rng.uniform(0, 2 * np.pi)
    radius = rng.uniform(1.0, 1.6)
    rings = 1 if ncoils <= 8 else 2
    for c in range(ncoils):
        ang = rot + 2 * np.pi * c / ncoils * rings + rng.normal(0, 0.15)
        z = (c % rings) * 0.6 - 0.3 * (rings - 1)  # second ring sits above/below the slice
        py, px = radius * np.sin(ang), radius * np.cos(ang)
        d2 = (yy - py) ** 2 + (xx - px) ** 2 + z**2
        width = rng.uniform(0.6, 1.4)
        mag = np.exp(-d2 / (2 * width**2))
        phase = rng.uniform(-np.pi, np.pi) + rng.uniform(-1.5, 1.5) * yy + rng.uniform(-1.5, 1.5) * xx
        out[c] = mag * np.exp(1j * phase)
    centre = rss(out)[h // 2 - h // 8 : h // 2 + h // 8 + 1, w // 2 - w // 8 : w // 2 + w // 8 + 1].mean()
    return (out / max(float(centre), 1e-6)).astype(np.complex64)
