"""Build the bundled sample study resources/sample/colin27_fastmri_singlecoil.h5.

Six axial slices of the Colin27 T1 template (Debian mricron-data, ch2.nii.gz, 1 mm isotropic,
full head) laid out like a fastMRI single-coil file. The template is a magnitude image, so its
k-space is SIMULATED: a smooth synthetic phase is applied and the centred orthonormal 2D FFT
taken (the FLAT Viewer convention, app/README.md). Deterministic: fixed slices, fixed seed.

Run from the repository root:
    .venv/bin/python scripts/make_sample.py [--src /usr/share/mricron/templates/ch2.nii.gz]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import h5py
import nibabel as nib
import numpy as np

SIZE = 256  # matrix; 1 mm voxels, so FOV 256 mm
SLICE_INDICES = [71, 79, 87, 95, 103, 111]  # voxel k of ch2.nii.gz: z = 0..40 mm in steps of 8 mm
SEED = 20261126


def axial_slices(volume: np.ndarray) -> np.ndarray:
    """Radiological axial view: rows run anterior->posterior, columns patient right->left.

    ch2.nii.gz is RAS+ with an identity-rotation affine: voxel i grows towards the patient's right
    and j anteriorly, so flipping both and transposing gives the usual radiological display.
    """
    out = []
    for k in SLICE_INDICES:
        sl = volume[::-1, ::-1, k].T  # (y descending = anterior first, x descending = right first)
        rows, cols = sl.shape
        pad_r, pad_c = SIZE - rows, SIZE - cols
        sl = np.pad(sl, ((pad_r // 2, pad_r - pad_r // 2), (pad_c // 2, pad_c - pad_c // 2)))
        out.append(sl)
    return np.stack(out).astype(np.float64)


def smooth_phase(rng: np.random.Generator, n: int) -> np.ndarray:
    """A smooth synthetic phase map (low-order polynomial plus one broad bump), radians."""
    y, x = np.mgrid[-1 : 1 : n * 1j, -1 : 1 : n * 1j]
    a = rng.uniform(-1.0, 1.0, size=5)
    cy, cx = rng.uniform(-0.4, 0.4, size=2)
    return (
        0.5 * np.pi * (a[0] * x + a[1] * y)
        + 0.4 * np.pi * (a[2] * x * y + a[3] * (x**2 - y**2))
        + 0.6 * a[4] * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 0.3)
    )


def fft2c(x: np.ndarray) -> np.ndarray:
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def ismrmrd_header(slices: int) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:schemaLocation="http://www.ismrm.org/ISMRMRD ismrmrd.xsd">
  <subjectInformation>
    <patientID>colin27</patientID>
  </subjectInformation>
  <measurementInformation>
    <patientPosition>HFS</patientPosition>
    <protocolName>AXT1 Colin27 template, simulated k-space (FLAT Viewer sample)</protocolName>
  </measurementInformation>
  <acquisitionSystemInformation>
    <receiverChannels>1</receiverChannels>
  </acquisitionSystemInformation>
  <experimentalConditions>
    <H1resonanceFrequency_Hz>63500000</H1resonanceFrequency_Hz>
  </experimentalConditions>
  <encoding>
    <encodedSpace>
      <matrixSize><x>{SIZE}</x><y>{SIZE}</y><z>1</z></matrixSize>
      <fieldOfView_mm><x>{SIZE}.0</x><y>{SIZE}.0</y><z>1.0</z></fieldOfView_mm>
    </encodedSpace>
    <reconSpace>
      <matrixSize><x>{SIZE}</x><y>{SIZE}</y><z>1</z></matrixSize>
      <fieldOfView_mm><x>{SIZE}.0</x><y>{SIZE}.0</y><z>1.0</z></fieldOfView_mm>
    </reconSpace>
    <trajectory>cartesian</trajectory>
    <encodingLimits>
      <kspace_encoding_step_1><minimum>0</minimum><maximum>{SIZE - 1}</maximum><center>{SIZE // 2}</center></kspace_encoding_step_1>
      <kspace_encoding_step_2><minimum>0</minimum><maximum>0</maximum><center>0</center></kspace_encoding_step_2>
      <slice><minimum>0</minimum><maximum>{slices - 1}</maximum><center>0</center></slice>
    </encodingLimits>
  </encoding>
  <userParameters>
    <userParameterString><name>note</name><value>Magnitude template with a smooth synthetic phase; k-space simulated by a centred orthonormal 2D FFT. fastMRI crops to 320x320; this sample's recon space is 256x256.</value></userParameterString>
  </userParameters>
</ismrmrdHeader>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default="/usr/share/mricron/templates/ch2.nii.gz")
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "resources/sample/colin27_fastmri_singlecoil.h5")
    )
    args = parser.parse_args()

    vol = np.asarray(nib.load(args.src).get_fdata(), dtype=np.float64)
    mag = axial_slices(vol)
    mag /= mag.max()  # magnitude in [0, 1] over the six slices
    rng = np.random.default_rng(SEED)
    image = np.stack([m * np.exp(1j * smooth_phase(rng, SIZE)) for m in mag])
    kspace = fft2c(image).astype(np.complex64)
    recon = np.abs(image).astype(np.float32)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(out, "w", libver="earliest") as f:
        f.create_dataset("kspace", data=kspace)
        f.create_dataset("reconstruction_esc", data=recon)
        f.create_dataset("ismrmrd_header", data=ismrmrd_header(len(SLICE_INDICES)))
        f.attrs["acquisition"] = "AXT1"
        f.attrs["max"] = float(recon.max())
        f.attrs["norm"] = float(np.linalg.norm(recon))
        f.attrs["patient_id"] = "colin27"
        # Not a fastMRI attribute: tells FLAT Viewer to label this k-space "simulated".
        f.attrs["simulated_kspace"] = np.int8(1)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB): kspace {kspace.shape} {kspace.dtype}")


if __name__ == "__main__":
    main()
