"""Training data (Colin27 slices with simulated k-space) and readers for evaluation/user data.

k-space is simulated from magnitude: x0 = |image|·exp(iφ) with a smooth random phase φ, y = M·F(x0).
Every example is normalised by the app's rule: scale = max |Fᴴ(M·y)|, k-space and target divided by it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from scipy.ndimage import zoom

from .fftc import fft2c_np, ifft2c_np
from .masks import make_mask
from .paths import COLIN_BRAIN, COLIN_HEAD
from .sources import Sources  # noqa: F401  (type of AcquisitionDataset's sources)


# ----------------------------------------------------------------------------- Colin27 slice bank
def _volume_slices(vol: np.ndarray, step: int, min_tissue: float) -> list[np.ndarray]:
    vol = np.nan_to_num(vol.astype(np.float32))
    vol = np.clip(vol, 0, None)
    vmax = float(np.percentile(vol, 99.9))
    vol = np.clip(vol / vmax, 0, 1)
    out: list[np.ndarray] = []
    for axis in range(3):
        for i in range(0, vol.shape[axis], step):
            s = np.take(vol, i, axis=axis)
            if (s > 0.1).mean() >= min_tissue:
                out.append(np.ascontiguousarray(np.rot90(s)))
    return out


def colin_slices(step: int = 2, min_tissue: float = 0.25, brain: bool = True) -> list[np.ndarray]:
    """Axial, coronal and sagittal slices of Colin27 with ≥ min_tissue of pixels above 10 % of max.

    ch2 (1 mm full head) always; ch2better (0.5 mm, brain only) block-averaged to 1 mm if `brain`.
    """
    import nibabel as nib

    slices = _volume_slices(np.asarray(nib.load(str(COLIN_HEAD)).dataobj), step, min_tissue)
    if brain and COLIN_BRAIN.exists():
        v = np.asarray(nib.load(str(COLIN_BRAIN)).dataobj, dtype=np.float32)
        s = [d - d % 2 for d in v.shape]
        v = v[: s[0], : s[1], : s[2]].reshape(s[0] // 2, 2, s[1] // 2, 2, s[2] // 2, 2).mean(axis=(1, 3, 5))
        slices += _volume_slices(v, step * 2, min_tissue)
    return slices


def smooth_phase(shape: tuple[int, int], rng: np.random.Generator, max_amp: float = np.pi) -> np.ndarray:
    """A smooth random phase map: a bicubically upsampled 4×4 random field plus a linear ramp."""
    coarse = rng.normal(size=(4, 4))
    field = zoom(coarse, (shape[0] / 4, shape[1] / 4), order=3)[: shape[0], : shape[1]]
    field = field / (np.abs(field).max() + 1e-8)
    yy, xx = np.meshgrid(np.linspace(-1, 1, shape[0]), np.linspace(-1, 1, shape[1]), indexing="ij")
    ramp = rng.uniform(-1, 1) * yy + rng.uniform(-1, 1) * xx
    return (rng.uniform(0, max_amp) * field + 0.5 * ramp).astype(np.float32)


def random_crop(img: np.ndarray, size: int, rng: np.random.Generator, tries: int = 8) -> np.ndarray:
    h, w = img.shape
    ph, pw = max(0, size - h), max(0, size - w)
    if ph or pw:
        img = np.pad(img, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)))
        h, w = img.shape
    crop = img[:size, :size]
    for _ in range(tries):
        r, c = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
        crop = img[r : r + size, c : c + size]
        if (crop > 0.1).mean() > 0.2:
            break
    return crop


@dataclass
class Example:
    target: np.ndarray  # (H, W) complex64, normalised
    kspace: np.ndarray  # (H, W) complex64, masked, normalised
    mask: np.ndarray  # (H, W) float32
    scale: float


def simulate(image: np.ndarray, mask: np.ndarray) -> Example:
    """Masked centred k-space of a (complex) image and the app's normalisation."""
    k = fft2c_np(image.astype(np.complex64)) * mask
    scale = float(np.abs(ifft2c_np(k)).max()) or 1.0
    return Example((image / scale).astype(np.complex64), (k / scale).astype(np.complex64),
                   mask.astype(np.float32), scale)


def _fit(a: np.ndarray, size: int, rng: np.random.Generator, tries: int = 6) -> np.ndarray:
    """Random size×size window of the last two axes (zero-padded when smaller), retried a few times
    until at least 20 % of it is tissue (above 10 % of the maximum)."""
    h, w = a.shape[-2:]
    ph, pw = max(0, size - h), max(0, size - w)
    if ph or pw:
        pad = [(0, 0)] * (a.ndim - 2) + [(ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)]
        a = np.pad(a, pad)
        h, w = a.shape[-2:]
    energy = np.abs(a) if a.ndim == 2 else np.sqrt((np.abs(a) ** 2).sum(axis=tuple(range(a.ndim - 2))))
    thr = 0.1 * float(energy.max())
    for _ in range(tries):
        r, c = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
        if (energy[r : r + size, c : c + size] > thr).mean() > 0.2:
            break
    return a[..., r : r + size, c : c + size]


def _augment(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if rng.uniform() < 0.5:
        a = a[..., :, ::-1]
    if rng.uniform() < 0.5:
        a = a[..., ::-1, :]
    if rng.uniform() < 0.5:
        a = np.swapaxes(a, -1, -2)
    return np.ascontiguousarray(a)


def _pick(rng: np.random.Generator, table: dict) -> object:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


ACCELERATIONS = {2: 0.05, 3: 0.1, 4: 0.35, 6: 0.15, 8: 0.3, 10: 0.05}
MASK_KINDS = {"random": 0.45, "equispaced": 0.35, "vd2d": 0.2}
COIL_COUNTS = {1: 0.3, 2: 0.1, 4: 0.25, 8: 0.25, 12: 0.1}


def _compress(coil_images: np.ndarray, ncoils: int) -> np.ndarray:
    """C coil images → ncoils (SVD virtual coils when fewer, zero coils appended when more)."""
    c = coil_images.shape[0]
    if ncoils < c:
        u, _, _ = np.linalg.svd(coil_images.reshape(c, -1), full_matrices=False)
        return np.tensordot(u[:, :ncoils].conj().T, coil_images, axes=1).astype(np.complex64)
    if ncoils > c:
        pad = np.zeros((ncoils - c,) + coil_images.shape[1:], dtype=np.complex64)
        return np.concatenate((coil_images, pad))
    return coil_images


def acquisition_example(src: Sources, rng: np.random.Generator, crop: int, ncoils: int,
                        acc: int | None = None, kind: str | None = None) -> dict[str, np.ndarray]:
    """One simulated (or real multi-coil) acquisition as the app will see it: coil images, noise,
    a mask, ACS sensitivities and the model contract's normalisation. Returns normalised arrays:
    target coil images (C, H, W), masked k-space (C, H, W), maps (C, H, W), mask (H, W)."""
    from .coils import estimate_maps, normalisation_scale, simulate_maps

    u = rng.uniform()
    clean = True
    if src.multicoil and u < 0.15:
        coils = _augment(_fit(src.multicoil[int(rng.integers(len(src.multicoil)))], crop, rng), rng)
        coils = _compress(coils.astype(np.complex64), ncoils)
        clean = False  # real data: noise already in it
    else:
        if src.complex_images and u < 0.55:
            z = _augment(_fit(src.complex_images[int(rng.integers(len(src.complex_images)))], crop, rng), rng)
        else:
            mag = _augment(_fit(src.magnitude[int(rng.integers(len(src.magnitude)))], crop, rng), rng)
            v = rng.uniform()
            if src.phases and v < 0.5:  # measured phase transplanted onto a magnitude image
                ph = _augment(_fit(src.phases[int(rng.integers(len(src.phases)))], crop, rng), rng)
                z = mag * np.exp(1j * np.angle(ph))
            elif v < 0.8:
                z = mag * np.exp(1j * smooth_phase(mag.shape, rng))
            else:
                z = mag.astype(np.complex64)
        z = (z * rng.uniform(0.6, 1.0)).astype(np.complex64)
        coils = (simulate_maps(z.shape, ncoils, rng) * z[None]).astype(np.complex64)
    k_full = fft2c_np(coils)
    if clean:
        sigma = float(np.exp(rng.uniform(np.log(2e-4), np.log(2e-2)))) * float(np.abs(coils).max())
        white = rng.standard_normal(k_full.shape) + 1j * rng.standard_normal(k_full.shape)
        noisy = k_full + sigma * white / np.sqrt(2)
    else:
        noisy = k_full
    acc = int(_pick(rng, ACCELERATIONS)) if acc is None else acc
    kind = str(_pick(rng, MASK_KINDS)) if kind is None else kind
    mask = make_mask(coils.shape[-2:], acc, kind, int(rng.integers(0, 2**32)))
    y = (noisy * mask).astype(np.complex64)
    maps = estimate_maps(y, mask)
    scale = normalisation_scale(y)
    return {"target": (coils / scale).astype(np.complex64), "kspace": (y / scale).astype(np.complex64),
            "maps": maps, "mask": mask.astype(np.float32)}


def c2ch(z: np.ndarray) -> torch.Tensor:
    """complex (..., H, W) → float32 (..., 2, H, W)."""
    return torch.from_numpy(np.stack((z.real, z.imag), axis=-3).astype(np.float32))


def example_tensors(ex: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    return {"target": c2ch(ex["target"]), "kspace": c2ch(ex["kspace"]), "maps": c2ch(ex["maps"]),
            "mask": torch.from_numpy(ex["mask"][None, None])}


class AcquisitionDataset:
    """Simulated acquisitions; example i of epoch e with (crop, coils) is a pure function of
    (seed, e, i, crop, coils), so a resumed run sees exactly the data an uninterrupted run would."""

    def __init__(self, src: Sources, seed: int):
        self.src, self.seed, self.epoch = src, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def get(self, i: int, crop: int, ncoils: int) -> dict[str, torch.Tensor]:
        rng = np.random.default_rng((self.seed, self.epoch, int(i), crop, ncoils))
        return example_tensors(acquisition_example(self.src, rng, crop, ncoils))


def validation_examples(src_val: list[np.ndarray], colin_val: list[np.ndarray], size: int = 160,
                        seed: int = 1234) -> list[dict[str, torch.Tensor]]:
    """A fixed validation set (4×, random masks): held-out Kellman frames and odd Colin27 slices
    with held-out measured phase, single-coil and 8-coil."""
    from .sources import Sources

    out = []
    val_src = Sources(magnitude=list(colin_val), complex_images=list(src_val))
    for j in range(8):
        rng = np.random.default_rng((seed, j))
        ex = acquisition_example(val_src, rng, size, 1 if j % 2 == 0 else 8, acc=4, kind="random")
        out.append(example_tensors(ex))
    return out


# ----------------------------------------------------------------------------- readers
def load_images(path: str | Path) -> np.ndarray:
    """(S, H, W) complex64 images from .npy (2D/3D, real or complex), NIfTI, a DICOM file or a
    DICOM folder. Magnitude sources come back with zero phase."""
    p = Path(path)
    name = p.name.lower()
    if name.endswith(".npy"):
        a = np.load(p)
    elif name.endswith(".nii") or name.endswith(".nii.gz"):
        import nibabel as nib

        a = np.moveaxis(np.asarray(nib.load(str(p)).dataobj, dtype=np.float32), -1, 0)
    elif p.is_dir() or name.endswith(".dcm"):
        a = load_dicom_series(p)
    else:
        raise ValueError(f"{p}: unsupported image file (use .npy, .nii[.gz], .dcm or a DICOM folder).")
    a = np.asarray(a)
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3 or min(a.shape[1:]) < 64:
        raise ValueError(f"{p}: expected a 2D or 3D array with H, W ≥ 64, got shape {a.shape}.")
    return a.astype(np.complex64)


def load_dicom_series(path: Path) -> np.ndarray:
    """Magnitude volume (S, H, W) float32 from one DICOM file or a folder, sorted by position."""
    import pydicom

    files = sorted(path.glob("*.dcm")) if path.is_dir() else [path]
    dss = [pydicom.dcmread(str(f)) for f in files]

    def key(ds) -> float:
        pos = getattr(ds, "ImagePositionPatient", None)
        ori = getattr(ds, "ImageOrientationPatient", None)
        if pos is not None and ori is not None:
            n = np.cross(np.array(ori[:3], float), np.array(ori[3:], float))
            return float(np.dot(n, np.array(pos, float)))
        return float(getattr(ds, "InstanceNumber", 0))

    dss.sort(key=key)
    vol = []
    for ds in dss:
        a = ds.pixel_array.astype(np.float32)
        a = a * float(getattr(ds, "RescaleSlope", 1) or 1) + float(getattr(ds, "RescaleIntercept", 0) or 0)
        vol.append(a)
    return np.stack(vol)


@dataclass
class FastMRISlice:
    kspace: np.ndarray  # (H, W) complex64, centred (fastMRI's ifftshift/ifft2/fftshift convention)
    target: np.ndarray | None  # (320, 320) float32 reconstruction_esc, if present
    recon_size: tuple[int, int]


def read_fastmri(path: str | Path) -> list[FastMRISlice]:
    """fastMRI single-coil HDF5: `kspace` (S, H, W) complex, `reconstruction_esc` (S, 320, 320),
    `ismrmrd_header` (XML with encoding/reconSpace/matrixSize)."""
    import h5py

    out: list[FastMRISlice] = []
    with h5py.File(str(path), "r") as f:
        if "kspace" not in f:
            raise ValueError(f"{path}: not a fastMRI file (no 'kspace' dataset).")
        k = np.asarray(f["kspace"])
        if k.ndim != 3:
            raise ValueError(f"{path}: single-coil fastMRI expects kspace (slices, H, W), got {k.shape}.")
        target = np.asarray(f["reconstruction_esc"]) if "reconstruction_esc" in f else None
        size = (320, 320)
        if "ismrmrd_header" in f:
            size = _recon_size(bytes(np.asarray(f["ismrmrd_header"]).tobytes()))
        for i in range(k.shape[0]):
            out.append(FastMRISlice(k[i].astype(np.complex64), None if target is None else target[i], size))
    return out


def _recon_size(header: bytes) -> tuple[int, int]:
    root = ET.fromstring(header.rstrip(b"\x00").decode())
    ns = {"m": root.tag.split("}")[0].strip("{")} if root.tag.startswith("{") else {}
    pre = "m:" if ns else ""
    ms = root.find(f".//{pre}encoding/{pre}reconSpace/{pre}matrixSize", ns)
    if ms is None:
        return (320, 320)
    return (int(ms.find(f"{pre}x", ns).text), int(ms.find(f"{pre}y", ns).text))  # type: ignore[union-attr]


def center_crop(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    h, w = a.shape[-2:]
    ch, cw = min(size[0], h), min(size[1], w)
    r, c = (h - ch) // 2, (w - cw) // 2
    return a[..., r : r + ch, c : c + cw]


def validation_stack(size: int = 256) -> np.ndarray:
    """Validation slices for model selection (ablations), never the eval files: odd-index Colin27 ch2
    slices (training uses even indices) in three orientations, plus two cardiac frames from the
    shared/data *train* file when present; zero-padded/cropped to size×size, max 1."""
    import nibabel as nib

    from .paths import shared_data_dir

    vol = np.asarray(nib.load(str(COLIN_HEAD)).dataobj, dtype=np.float32)
    vol = np.clip(vol / float(np.percentile(vol, 99.9)), 0, 1)
    picks = [np.rot90(vol[:, :, 71]), np.rot90(vol[:, :, 101]), np.rot90(vol[:, 121, :]), np.rot90(vol[91, :, :])]
    card = shared_data_dir() / "cardiac_magnitude_100x256x256.npz"
    if card.exists():
        imgs = np.load(card)["images"]
        picks += [imgs[7], imgs[55]]
    out = []
    for p in picks:
        p = np.asarray(p, dtype=np.float32)
        ph, pw = max(0, size - p.shape[0]), max(0, size - p.shape[1])
        p = np.pad(p, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)))
        out.append(center_crop(p, (size, size)) / max(float(p.max()), 1e-8))
    return np.stack(out).astype(np.float32)
