"""Training sources: every file here is marked *train* in shared/data/README.md (or is Colin27 from
Debian's mricron-data); nothing marked eval is ever opened. The model card lists the same files.

Kinds: magnitude images (given a measured or smooth phase and simulated coils), complex images with
their measured phase (simulated coils), and real multi-coil raw k-space (used as acquired).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from .fftc import ifft2c_np
from .paths import shared_data_dir

# file → licence, for the model card (shared/data/README.md)
TRAIN_FILES = {
    "ch2.nii.gz (Debian mricron-data, Colin27)": "BSD-3 (mricron) with the Colin27 notice",
    "ch2better.nii.gz (Debian mricron-data, Colin27)": "BSD-3 (mricron) with the Colin27 notice",
    "cardiac_magnitude_100x256x256.npz": "Deep-ADMM-Net repository (MIT); data are the authors' — research use",
    "brain_loraks_mprage_kspace_4coil_256x256.npy": "USC LORAKS licence: education, research, non-profit",
    "brain_loraks_t2_complex_256x340.npy": "USC LORAKS licence: education, research, non-profit",
    "cardiac_kellman_gre_complex_256x192.npy": "ISMRM 2012 challenge data via mripy: research, non-profit",
    "thorax_abdomen_cor_kellman_gre_complex_256x256.npy": "ISMRM 2012 challenge data via mripy: research, non-profit",
}
VAL_KELLMAN_DATASETS = (16, 17)  # held out of training for the validation PSNR in the log


@dataclass
class Sources:
    magnitude: list[np.ndarray] = field(default_factory=list)  # float32 (H, W), max ≈ 1
    complex_images: list[np.ndarray] = field(default_factory=list)  # complex64 (H, W), measured phase
    multicoil: list[np.ndarray] = field(default_factory=list)  # complex64 (C, H, W) coil images
    files: list[str] = field(default_factory=list)

    @property
    def phases(self) -> list[np.ndarray]:
        return self.complex_images


def _kellman(split: str) -> list[np.ndarray]:
    d = shared_data_dir()
    path, meta = d / "cardiac_kellman_gre_complex_256x192.npy", d / "kellman_meta.json"
    if not (path.exists() and meta.exists()):
        return []
    vol = np.load(path)
    entries = json.loads(meta.read_text())["cardiac"]
    keep = [(e["dataset"] in VAL_KELLMAN_DATASETS) == (split == "val") for e in entries]
    return [vol[i] for i, k in enumerate(keep[: vol.shape[0]]) if k]


def load_sources(colin: list[np.ndarray], use_shared: bool = True) -> Sources:
    """Colin27 slices (given) plus the shared train files that exist on this machine."""
    src = Sources(magnitude=list(colin))
    src.files += [k for k in TRAIN_FILES if k.startswith("ch2")]
    if not use_shared:
        return src
    d = shared_data_dir()
    card = d / "cardiac_magnitude_100x256x256.npz"
    if card.exists():
        src.magnitude += [np.asarray(a, dtype=np.float32) / max(float(a.max()), 1e-6) for a in np.load(card)["images"]]
        src.files.append(card.name)
    for name in ("brain_loraks_t2_complex_256x340.npy", "thorax_abdomen_cor_kellman_gre_complex_256x256.npy"):
        p = d / name
        if p.exists():
            a = np.load(p)
            src.complex_images += list(a[None] if a.ndim == 2 else a)
            src.files.append(name)
    kel = _kellman("train")
    if kel:
        src.complex_images += kel
        src.files.append("cardiac_kellman_gre_complex_256x192.npy")
    mp = d / "brain_loraks_mprage_kspace_4coil_256x256.npy"
    if mp.exists():
        src.multicoil.append(ifft2c_np(np.load(mp)).astype(np.complex64))
        src.files.append(mp.name)
    src.complex_images = [(z / max(float(np.abs(z).max()), 1e-6)).astype(np.complex64) for z in src.complex_images]
    return src


def validation_sources() -> list[np.ndarray]:
    """Held-out complex images for the validation PSNR: the Kellman datasets in VAL_KELLMAN_DATASETS."""
    return [(z / max(float(np.abs(z).max()), 1e-6)).astype(np.complex64) for z in _kellman("val")]
