"""A ~50 MB fastMRI-layout HDF5 study for the data-plane load checks (e2e and bench).

Usage: python make_large_h5.py OUT_DIR COLIN27_NII

Source: Colin27 T1 (Debian mricron-data `ch2.nii.gz`, 181x217x181, 1 mm), the volume scripts/setup.sh
installs. Its 64 central axial slices are zero-padded to 256x256, scaled to max 1 and turned into
centred orthonormal k-space (`fftshift(fft2(ifftshift(x), norm="ortho"))`, complex64). The file holds
`kspace` (64, 256, 256) complex64 (33.6 MB) and `reconstruction_esc` (64, 256, 256) float32
(16.8 MB), as a fastMRI single-coil file does: 50.3 MB of data in one file, large_colin27_fastmri.h5.
"""

import sys
from pathlib import Path

import h5py
import nibabel as nib
import numpy as np


def fft2c(x: np.ndarray) -> np.ndarray:
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def main() -> None:
    out = Path(sys.argv[1])
    vol = np.asarray(nib.load(sys.argv[2]).get_fdata(), dtype=np.float32)  # (x, y, z)
    z0 = vol.shape[2] // 2 - 32
    slices = np.stack([np.rot90(vol[:, :, z]) for z in range(z0, z0 + 64)])  # (64, 217, 181)
    padded = np.zeros((64, 256, 256), np.float32)
    r0 = (256 - slices.shape[1]) // 2
    c0 = (256 - slices.shape[2]) // 2
    padded[:, r0 : r0 + slices.shape[1], c0 : c0 + slices.shape[2]] = slices
    padded /= padded.max()
    kspace = fft2c(padded.astype(np.complex64)).astype(np.complex64)
    with h5py.File(out / "large_colin27_fastmri.h5", "w") as f:
        f.create_dataset("kspace", data=kspace)
        f.create_dataset("reconstruction_esc", data=padded)
        f.attrs["acquisition"] = "AXT1"
        f.attrs["patient_id"] = "colin27"


if __name__ == "__main__":
    main()
