"""Inference with the shipped PyTorch weights (the reference the app's ONNX parity test compares to)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from .fftc import ifft2c_np
from .model import Unrolled
from .paths import MODELS_DIR
from .train import load_model


@lru_cache(maxsize=8)
def _cached(path: str, dft_mode: str) -> Unrolled:
    return load_model(path, dft_mode=dft_mode).requires_grad_(False)


def resolve_model(model: str) -> Path:
    """A model name in resources/models (`flat` → flat.pt) or a path to a .pt file."""
    p = Path(model)
    if p.suffix == ".pt" and p.exists():
        return p
    cand = MODELS_DIR / f"{model}.pt"
    if not cand.exists():
        raise FileNotFoundError(f"no weights for model {model!r} (looked for {cand}).")
    return cand


def run_normalised(net: Unrolled, kspace: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """States (N+1, H, W) complex64 for already-normalised masked k-space."""
    y = torch.from_numpy(np.stack((kspace.real, kspace.imag))[None].astype(np.float32))
    m = torch.from_numpy(mask[None, None].astype(np.float32))
    with torch.no_grad():
        s = net(y, m)[:, 0].numpy()
    return (s[:, 0] + 1j * s[:, 1]).astype(np.complex64)


def reconstruct(kspace: np.ndarray, mask: np.ndarray, model: str = "flat", dft_mode: str = "fft") -> np.ndarray:
    """FLAT/vanilla trajectory (N+1, H, W) complex64 for centred masked k-space (H, W).

    Normalisation as the model contract: scale = max |Fᴴ(M y)|, run on y/scale, states × scale.
    """
    k = np.asarray(kspace)
    m = np.asarray(mask).astype(np.float32)
    if k.ndim != 2 or m.shape != k.shape:
        raise ValueError(f"kspace and mask must be 2D of the same shape, got {k.shape} and {m.shape}.")
    if min(k.shape) < 64:
        raise ValueError(f"images must be at least 64×64, got {k.shape}.")
    k = (k * m).astype(np.complex64)
    scale = float(np.abs(ifft2c_np(k)).max()) or 1.0
    net = _cached(str(resolve_model(model)), dft_mode)
    return (run_normalised(net, k / scale, m) * scale).astype(np.complex64)
