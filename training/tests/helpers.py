"""Tiny model factory and real-data batches for fast tests."""

from __future__ import annotations

import numpy as np
import torch

from flatrecon.coils import estimate_maps, normalisation_scale, simulate_maps
from flatrecon.data import c2ch, smooth_phase
from flatrecon.fftc import fft2c_np
from flatrecon.masks import make_mask
from flatrecon.model import ModelConfig, Unrolled


def tiny_model(method: str = "flat", **kw) -> Unrolled:
    cfg = ModelConfig(method=method, steps=kw.pop("steps", 3), chans=4, levels=kw.pop("levels", 2), **kw)
    return Unrolled(cfg).eval()


def acquisition(img: np.ndarray, shape=(72, 90), coils: int = 1, acc: int = 4, seed: int = 0,
                kind: str = "random") -> dict:
    """A crop of a real image with a smooth phase, seen through `coils` simulated coils, masked and
    normalised as the model contract says (numpy arrays, (C, H, W))."""
    rng = np.random.default_rng(seed)
    crop = img[60 : 60 + shape[0], 40 : 40 + shape[1]].astype(np.float32)
    z = crop * np.exp(1j * smooth_phase(crop.shape, rng))
    coil_imgs = simulate_maps(crop.shape, coils, rng) * z[None]
    mask = make_mask(crop.shape, acc, kind, seed)
    y = (fft2c_np(coil_imgs) * mask).astype(np.complex64)
    scale = normalisation_scale(y)
    return {"kspace": y / scale, "maps": estimate_maps(y, mask), "mask": mask, "scale": scale,
            "target": (coil_imgs / scale).astype(np.complex64)}


def as_batch(ex: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(y, maps, mask) tensors [1, C, 2, H, W], [1, C, 2, H, W], [1, 1, 1, H, W]."""
    return (c2ch(ex["kspace"])[None], c2ch(ex["maps"])[None],
            torch.from_numpy(ex["mask"][None, None, None].astype(np.float32)))
