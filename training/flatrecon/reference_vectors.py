"""Reference vectors: one definition of every mask, coil rule and metric, written by Python and
checked by the app's vitest suite (app/test/fixtures/reference_vectors.json). Regenerate with
`flatrecon reference-vectors` after changing masks.py, coils.py or metrics.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .coils import display, estimate_maps, normalisation_scale, simulate_maps
from .fftc import fft2c_np, ifft2c_np
from .masks import center_fraction_for, column_mask
from .metrics import nmse, psnr, ssim
from .paths import REPO_ROOT

OUT = REPO_ROOT / "app" / "test" / "fixtures" / "reference_vectors.json"


def _c(z: np.ndarray) -> list[float]:
    """complex array → interleaved re/im list (float32 precision)."""
    z = np.asarray(z, dtype=np.complex64).ravel()
    return np.stack((z.real, z.imag), axis=-1).ravel().astype(float).round(7).tolist()


def _phantom(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    mag = ((yy / 0.8) ** 2 + (xx / 0.6) ** 2 < 1).astype(np.float64) * (0.6 + 0.4 * np.cos(3 * xx))
    mag += 0.3 * (((yy - 0.2) / 0.2) ** 2 + (xx / 0.3) ** 2 < 1)
    return (mag * np.exp(1j * (0.8 * xx + 0.3 * yy))).astype(np.complex64) + 0.01 * rng.standard_normal((h, w))


def masks_section() -> list[dict]:
    out = []
    for kind in ("random", "equispaced"):
        for cols, acc, seed in ((37, 4, 0), (256, 4, 7), (256, 8, 123456789), (368, 4, 4294967295), (180, 3, 42)):
            cf = center_fraction_for(acc)
            m = column_mask(kind, cols, acc, cf, seed)
            out.append({"kind": kind, "cols": cols, "acceleration": acc, "centerFraction": cf, "seed": seed,
                        "mask": m.astype(int).tolist()})
    return out


def coils_section() -> list[dict]:
    rng = np.random.default_rng(0)
    out = []
    for (h, w, c, acc, seed) in ((24, 20, 3, 4, 5), (20, 18, 1, 2, 9)):
        x = _phantom(h, w, rng)
        maps_true = simulate_maps((h, w), c, rng)
        k = fft2c_np(maps_true * x[None])
        cols = column_mask("random", w, acc, 0.3, seed)
        mask = np.broadcast_to(cols[None, :], (h, w)).astype(np.float32)
        y = (k * mask).astype(np.complex64)
        maps = estimate_maps(y, mask)
        zf = ifft2c_np(y)
        out.append({"rows": h, "cols": w, "coils": c, "mask": mask.astype(int).ravel().tolist(),
                    "kspace": _c(y), "maps": _c(maps), "scale": normalisation_scale(y),
                    "zeroFilledShown": _c(display(zf, maps))})
    return out


def metrics_section() -> list[dict]:
    rng = np.random.default_rng(1)
    out = []
    for h, w in ((16, 16), (23, 31)):
        ref = np.abs(_phantom(h, w, rng)).astype(np.float32)
        img = (ref + 0.05 * rng.standard_normal((h, w))).astype(np.float32)
        for dr in (None, 1.7):
            out.append({"rows": h, "cols": w, "ref": ref.ravel().astype(float).tolist(),
                        "img": img.ravel().astype(float).tolist(), "dataRange": dr,
                        "psnr": psnr(ref, img, dr), "ssim": ssim(ref, img, dr), "nmse": nmse(ref, img)})
    return out


def write(path: Path = OUT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"generator": "training/flatrecon/reference_vectors.py", "masks": masks_section(),
            "coils": coils_section(), "metrics": metrics_section()}
    path.write_text(json.dumps(data) + "\n")
    return path
