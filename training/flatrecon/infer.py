"""Inference with the shipped PyTorch weights (the reference the app's ONNX parity test compares to)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from .coils import display, estimate_maps, normalisation_scale
from .data import c2ch
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


def prepare(kspace: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray | float]:
    """The model contract, as app/recon/prepare.ts: masked per-coil k-space (C, H, W) divided by
    scale = max RSS of the zero-filled coil images, ACS sensitivities, the mask."""
    k = np.asarray(kspace)
    k = k[None] if k.ndim == 2 else k
    m = np.asarray(mask).astype(np.float32)
    if k.ndim != 3 or m.shape != k.shape[1:]:
        raise ValueError(f"kspace must be (H, W) or (C, H, W) with a mask (H, W), got {k.shape} and {m.shape}.")
    if min(k.shape[1:]) < 64:
        raise ValueError(f"images must be at least 64×64, got {k.shape[1:]}.")
    y = (k * m).astype(np.complex64)
    scale = normalisation_scale(y)
    return {"kspace": (y / scale).astype(np.complex64), "maps": estimate_maps(y, m), "mask": m, "scale": scale}


def run_normalised(net: Unrolled, kspace: np.ndarray, maps: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per-coil states (N+1, C, H, W) complex64 for normalised masked k-space and maps (C, H, W)."""
    y = c2ch(kspace)[None]
    s = c2ch(maps)[None]
    m = torch.from_numpy(mask[None, None, None].astype(np.float32))
    with torch.no_grad():
        out = net(y, s, m)[:, 0].numpy()
    return (out[:, :, 0] + 1j * out[:, :, 1]).astype(np.complex64)


def reconstruct(kspace: np.ndarray, mask: np.ndarray, model: str = "flat", dft_mode: str = "fft") -> np.ndarray:
    """Shown trajectory (N+1, H, W) complex64 (RSS magnitude, combined phase) for centred k-space
    (H, W) or (C, H, W) and a mask (H, W), in the input's units."""
    p = prepare(kspace, mask)
    net = _cached(str(resolve_model(model)), dft_mode)
    states = run_normalised(net, p["kspace"], p["maps"], p["mask"])  # type: ignore[arg-type]
    return (display(states, p["maps"]) * p["scale"]).astype(np.complex64)  # type: ignore[operator]
