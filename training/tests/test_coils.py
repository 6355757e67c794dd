"""Coil handling on real Colin27 content: ACS box, sensitivities, the shown image and the residual."""

import numpy as np
from helpers import acquisition

from flatrecon.coils import acs_box, dc_residual, display, estimate_maps, rss, simulate_maps
from flatrecon.fftc import fft2c_np, ifft2c_np
from flatrecon.masks import make_mask


def test_acs_box_for_column_and_2d_masks():
    m = make_mask((64, 96), 4, "random", 1)
    r0, r1, c0, c1 = acs_box(m)
    assert (r1 - r0) == 33 and m[r0:r1, c0:c1].all() and (c1 - c0) >= 5  # grown in pairs past ACS_MAX = 32
    v = make_mask((96, 96), 6, "vd2d", 2)
    r0, r1, c0, c1 = acs_box(v)
    assert v[r0:r1, c0:c1].all() and r1 - r0 >= 5 and c1 - c0 >= 5


def test_fully_sampled_display_is_exactly_the_rss(colin_slice):
    rng = np.random.default_rng(0)
    x = colin_slice[:128, :128].astype(np.complex64)
    coils = simulate_maps(x.shape, 8, rng) * x[None]
    k = fft2c_np(coils)
    maps = estimate_maps(k, np.ones(x.shape, np.float32))
    shown = display(ifft2c_np(k), maps)
    np.testing.assert_allclose(np.abs(shown), rss(coils), atol=1e-5 * float(rss(coils).max()))
    inside = rss(coils) > 0.2 * rss(coils).max()
    energy = (np.abs(maps) ** 2).sum(axis=0)
    assert np.abs(energy[inside] - 1).max() < 0.01  # Σ|S_c|² = 1 where there is signal


def test_single_coil_maps_are_pure_phase_and_residual_zero_for_the_data(colin_slice):
    ex = acquisition(colin_slice, coils=1)
    assert np.allclose(np.abs(ex["maps"]), 1.0, atol=1e-5)
    zf = ifft2c_np(ex["kspace"])
    assert dc_residual(zf, ex["kspace"], ex["mask"]) < 1e-6
    assert dc_residual(zf * 1.1, ex["kspace"], ex["mask"]) > 0.09
