"""Write small HDF5 test files in the exact fastMRI and ISMRMRD/MRD layouts (h5py).

Usage: python make_h5_fixtures.py OUT_DIR COLIN27_NII
Images are real: an axial and a sagittal slice of Colin27 (Debian mricron-data ch2.nii.gz), zero-padded
to 256x256 and centre-cropped; k-space is their centred orthonormal FFT. Coil sensitivities for
multi-coil files are smooth synthetic maps.
"""

import sys
from pathlib import Path

import h5py
import nibabel as nib
import numpy as np

out = Path(sys.argv[1])
colin_path = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)


def fft2c(x):
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def crop(x, n):
    r0 = (x.shape[-2] - n) // 2
    c0 = (x.shape[-1] - n) // 2
    return x[..., r0 : r0 + n, c0 : c0 + n]


def pad256(x):
    p = np.zeros((256, 256))
    r0, c0 = (256 - x.shape[0]) // 2, (256 - x.shape[1]) // 2
    p[r0 : r0 + x.shape[0], c0 : c0 + x.shape[1]] = x
    return p


colin = np.asarray(nib.load(colin_path).dataobj, dtype=np.float64)  # (x=181, y=217, z=181), RAS
colin /= colin.max()
# axial (rows anterior → posterior) and sagittal (rows superior → inferior) slices, values in [0, 1]
brain = np.stack([pad256(colin[:, ::-1, 90].T), pad256(colin[70, :, ::-1].T)]).astype(np.float32)  # (2, 256, 256)
img96 = crop(brain, 96)  # (2, 96, 96)
np.save(out / "brain_crop96.npy", img96)


def header(nx, ny, fovx, fovy, traj="cartesian", center=None):
    c = ny // 2 if center is None else center
    return f"""<?xml version="1.0"?>
<ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD"><encoding>
<encodedSpace><matrixSize><x>{nx}</x><y>{ny}</y><z>1</z></matrixSize><fieldOfView_mm><x>{fovx}</x><y>{fovy}</y><z>5</z></fieldOfView_mm></encodedSpace>
<reconSpace><matrixSize><x>{nx}</x><y>{ny}</y><z>1</z></matrixSize><fieldOfView_mm><x>{fovx}</x><y>{fovy}</y><z>5</z></fieldOfView_mm></reconSpace>
<trajectory>{traj}</trajectory>
<encodingLimits><kspace_encoding_step_1><minimum>0</minimum><maximum>{ny - 1}</maximum><center>{c}</center></kspace_encoding_step_1></encodingLimits>
</encoding></ismrmrdHeader>"""


def sens_maps(coils, n):
    y, x = np.mgrid[-1 : 1 : n * 1j, -1 : 1 : n * 1j]
    maps = []
    for c in range(coils):
        a = 2 * np.pi * c / coils
        cx, cy = 1.2 * np.cos(a), 1.2 * np.sin(a)
        mag = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 1.5)
        maps.append(mag * np.exp(1j * (0.5 * x * np.cos(a) + 0.5 * y * np.sin(a) + a)))
    return np.stack(maps).astype(np.complex64)


# --- fastMRI single-coil, fully sampled (train/val layout) ---
k = fft2c(img96).astype(np.complex64)
with h5py.File(out / "fastmri_single.h5", "w") as f:
    f.create_dataset("kspace", data=k)
    f.create_dataset("reconstruction_esc", data=crop(img96, 64).astype(np.float32))
    f.create_dataset("ismrmrd_header", data=header(96, 96, 192.0, 192.0))
    f.attrs["acquisition"] = "AXT1"
    f.attrs["patient_id"] = "fixture"

# --- fastMRI test-split layout: undersampled, `mask` dataset (bool), acceleration attribute ---
mask = np.zeros(96, dtype=bool)
mask[::4] = True
mask[40:56] = True
with h5py.File(out / "fastmri_test_mask.h5", "w") as f:
    f.create_dataset("kspace", data=(k * mask[None, None, :]).astype(np.complex64))
    f.create_dataset("mask", data=mask)
    f.create_dataset("ismrmrd_header", data=header(96, 96, 192.0, 192.0))
    f.attrs["acceleration"] = 4
    f.attrs["num_low_frequency"] = 16

# --- fastMRI multi-coil (slices, coils, rows, cols) ---
s = sens_maps(4, 96)
kmc = fft2c(img96[:, None] * s[None]).astype(np.complex64)  # (2, 4, 96, 96)
with h5py.File(out / "fastmri_multi.h5", "w") as f:
    f.create_dataset("kspace", data=kmc)
    f.create_dataset(
        "reconstruction_rss", data=np.sqrt((np.abs(img96[:, None] * s[None]) ** 2).sum(1)).astype(np.float32)
    )

# --- pair layout: float32 (slices, rows, cols, 2) ---
with h5py.File(out / "fastmri_pair.h5", "w") as f:
    f.create_dataset("kspace", data=np.stack([k.real, k.imag], -1).astype(np.float32))

# --- ISMRMRD / MRD ---
counters = np.dtype(
    [
        (n, "<u2")
        for n in [
            "kspace_encode_step_1",
            "kspace_encode_step_2",
            "average",
            "slice",
            "contrast",
            "phase",
            "repetition",
            "set",
            "segment",
        ]
    ]
    + [("user", "<u2", (8,))]
)
head = np.dtype(
    [
        ("version", "<u2"),
        ("flags", "<u8"),
        ("measurement_uid", "<u4"),
        ("scan_counter", "<u4"),
        ("acquisition_time_stamp", "<u4"),
        ("physiology_time_stamp", "<u4", (3,)),
        ("number_of_samples", "<u2"),
        ("available_channels", "<u2"),
        ("active_channels", "<u2"),
        ("channel_mask", "<u8", (16,)),
        ("discard_pre", "<u2"),
        ("discard_post", "<u2"),
        ("center_sample", "<u2"),
        ("encoding_space_ref", "<u2"),
        ("trajectory_dimensions", "<u2"),
        ("sample_time_us", "<f4"),
        ("position", "<f4", (3,)),
        ("read_dir", "<f4", (3,)),
        ("phase_dir", "<f4", (3,)),
        ("slice_dir", "<f4", (3,)),
        ("patient_table_position", "<f4", (3,)),
        ("idx", counters),
        ("user_int", "<i4", (8,)),
        ("user_float", "<f4", (8,)),
    ]
)
acq_complex = np.dtype(
    [
        ("head", head),
        ("traj", h5py.vlen_dtype(np.dtype("<f4"))),
        ("data", h5py.vlen_dtype(np.dtype([("real", "<f4"), ("imag", "<f4")]))),
    ]
)
acq = np.dtype([("head", head), ("traj", h5py.vlen_dtype(np.dtype("<f4"))), ("data", h5py.vlen_dtype(np.dtype("<f4")))])


AXIAL = ((1, 0, 0), (0, 1, 0), (0, 0, 1))


def write_mrd(path, kspace, lines, extra=(), traj_dims=0, traj_name="cartesian", complex_vlen=False, dirs=lambda sl: AXIAL):
    """kspace: (slices, coils, rows=readout, cols=phase); lines: list of (slice, col, flags, average);
    dirs(slice) -> (read_dir, phase_dir, slice_dir) in patient LPS."""
    _, C, R, Cols = kspace.shape
    recs = []
    for n, (sl, col, flags, avg, scale) in enumerate(list(lines) + list(extra)):
        h = np.zeros((), dtype=head)
        h["version"] = 1
        h["flags"] = flags
        h["scan_counter"] = n
        h["number_of_samples"] = R
        h["available_channels"] = C
        h["active_channels"] = C
        h["center_sample"] = R // 2
        h["trajectory_dimensions"] = traj_dims
        h["sample_time_us"] = 5.0
        h["read_dir"], h["phase_dir"], h["slice_dir"] = dirs(sl)
        h["idx"]["kspace_encode_step_1"] = col
        h["idx"]["slice"] = sl
        h["idx"]["average"] = avg
        line = kspace[sl, :, :, col] * scale  # (coils, readout samples)
        d = np.empty(C * R * 2, dtype=np.float32)
        d[0::2] = line.real.ravel()
        d[1::2] = line.imag.ravel()
        t = np.zeros(R * traj_dims, dtype=np.float32) if traj_dims else np.zeros(0, dtype=np.float32)
        recs.append((h, t, d))
    # some ISMRMRD writers store samples as vlen of a {real, imag} compound instead of floats
    cplx = np.dtype([("real", "<f4"), ("imag", "<f4")])
    dtype = acq_complex if complex_vlen else acq
    arr = np.empty(len(recs), dtype=dtype)
    for i, (h, t, d) in enumerate(recs):
        arr[i] = (h, t, d.view(cplx) if complex_vlen else d)
    with h5py.File(path, "w") as f:
        g = f.create_group("dataset")
        g.create_dataset(
            "xml",
            data=np.array([header(R, Cols, 192.0, 192.0, traj_name).encode()], dtype=object),
            dtype=h5py.string_dtype(),
        )
        g.create_dataset("data", data=arr)


NOISE = 1 << 18  # ACQ_IS_NOISE_MEASUREMENT (bit 19)
NAV = 1 << 22  # ACQ_IS_NAVIGATION_DATA (bit 23)
# fully sampled, 2 slices, 1 coil; a noise scan and a navigator that must be ignored
k1 = fft2c(img96)[:, None].astype(np.complex64)
lines = [(s_, c, 0, 0, 1.0) for s_ in range(2) for c in range(96)]
write_mrd(out / "mrd_full.h5", k1, lines, extra=[(0, 5, NOISE, 0, 50.0), (1, 7, NAV, 0, 50.0)])
write_mrd(out / "mrd_full_complex_vlen.h5", k1, lines, complex_vlen=True)
# undersampled (every 3rd column + 12 centre columns), 4 coils, two averages of each line
keep = sorted(set(range(0, 96, 3)) | set(range(42, 54)))
lines = [(s_, c, 0, a, 1.0 + 0.2 * (2 * a - 1)) for s_ in range(2) for c in keep for a in range(2)]
write_mrd(out / "mrd_under_mc.h5", kmc, lines)
# non-Cartesian: trajectory present
write_mrd(out / "mrd_radial.h5", k1, [(0, c, 0, 0, 1.0) for c in range(96)], traj_dims=2, traj_name="radial")
# a header that claims Cartesian but acquisitions that carry a trajectory
write_mrd(out / "mrd_traj_only.h5", k1, [(0, c, 0, 0, 1.0) for c in range(96)], traj_dims=2)
# single coil, undersampled, two averages scaled 0.8 / 1.2 (their mean is the true line)
lines = [(s_, c, 0, a, 0.8 + 0.4 * a) for s_ in range(2) for c in keep for a in range(2)]
write_mrd(out / "mrd_under_sc.h5", k1, lines)
np.save(out / "mrd_keep_columns.npy", np.array(keep, dtype=np.int32))
# orientation: sagittal (readout toward the feet, phase encode toward posterior), directions left
# empty (all zero, as writers leave them), and two slices with different directions
full_lines = [(s_, c, 0, 0, 1.0) for s_ in range(2) for c in range(96)]
write_mrd(out / "mrd_sagittal.h5", k1, full_lines, dirs=lambda sl: ((0, 0, -1), (0, 1, 0), (-1, 0, 0)))
write_mrd(out / "mrd_no_dirs.h5", k1, full_lines, dirs=lambda sl: ((0, 0, 0), (0, 0, 0), (0, 0, 0)))
write_mrd(out / "mrd_mixed_dirs.h5", k1, full_lines, dirs=lambda sl: AXIAL if sl == 0 else ((0, 0, -1), (0, 1, 0), (-1, 0, 0)))

# --- small seeds for the fuzz tests: 64x64 crops of the real image ---
img64 = crop(brain[:1], 64)
k64 = fft2c(img64).astype(np.complex64)
with h5py.File(out / "fuzz_fastmri.h5", "w") as f:
    f.create_dataset("kspace", data=k64)
    f.create_dataset("reconstruction_esc", data=img64.astype(np.float32))
    f.create_dataset("ismrmrd_header", data=header(64, 64, 128.0, 128.0))
    f.attrs["max"] = float(img64.max())
write_mrd(out / "fuzz_mrd.h5", k64[:, None], [(0, c, 0, 0, 1.0) for c in range(64)])
np.save(out / "fuzz.npy", k64[0])
k64[0].T.astype(np.complex64).tofile(out / "fuzz.cfl")  # column-major: transpose then C-order bytes
(out / "fuzz.hdr").write_text("# Dimensions\n64 64 1 1 1\n")

# --- NIfTI from Colin27 (nibabel) with the expected radiological axial slices ---
vol = np.asarray(nib.load(colin_path).dataobj)
sub = vol[60:124, 80:144, 70:76].astype(np.int16)  # 64 x 64 x 6 voxels, RAS
aff = np.diag([1.0, 1.0, 1.0, 1.0])
img = nib.Nifti1Image(sub, aff)
img.header.set_data_dtype(np.int16)
img.header["scl_slope"] = 0.5
img.header["scl_inter"] = 10.0
img.set_qform(aff, code=1)
img.set_sform(aff, code=1)
nib.save(img, out / "colin_small.nii")
# fuzz seed: two 64x64 slices (every mutation is loaded, so keep it small)
fuzz_img = nib.Nifti1Image(sub[:, :, :2], aff)
fuzz_img.header["scl_slope"] = 0.5
fuzz_img.set_qform(aff, code=1)
fuzz_img.set_sform(aff, code=1)
nib.save(fuzz_img, out / "fuzz.nii")
expected = (np.stack([sub[::-1, ::-1, k].T for k in range(sub.shape[2])]) * 0.5 + 10.0).astype(np.float32)
np.save(out / "colin_small_expected.npy", expected)
# same anatomy stored LPI (x and z flipped, axes permuted to (y, x, z)) with float32, gzip
lpi = np.transpose(sub[::-1, :, ::-1], (1, 0, 2)).astype(np.float32)
aff2 = np.array([[0, -1.0, 0, 0], [1.0, 0, 0, 0], [0, 0, -1.0, 0], [0, 0, 0, 1]])
img2 = nib.Nifti1Image(lpi, aff2)
img2.set_qform(aff2, code=1)
img2.set_sform(aff2, code=1)
nib.save(img2, out / "colin_small_lpi.nii.gz")
np.save(
    out / "colin_small_lpi_expected.npy",
    np.stack([sub[::-1, ::-1, k].T for k in range(sub.shape[2])]).astype(np.float32),
)
print("ok")
