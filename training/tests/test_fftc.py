import numpy as np
import pytest
import torch

from flatrecon.fftc import FactoredDFT, fft2c_fft, fft2c_np, ifft2c_fft, ifft2c_np, to_complex


def _ch(z: np.ndarray) -> torch.Tensor:
    return torch.tensor(np.stack((z.real, z.imag))[None], dtype=torch.float32)


@pytest.mark.parametrize("shape", [(64, 64), (65, 81), (181, 230), (256, 256), (320, 368)])
def test_matmul_dft_matches_centred_numpy_fft(colin_slice, shape):
    img = colin_slice[: shape[0], : shape[1]].astype(np.complex64)  # zero-padded where the slice is smaller
    img = np.pad(img, ((0, shape[0] - img.shape[0]), (0, shape[1] - img.shape[1])))
    ref = np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(img), norm="ortho"))  # app/README.md convention
    np.testing.assert_allclose(fft2c_np(img), ref, atol=1e-6 * np.abs(ref).max())
    x = _ch(img)
    dft = FactoredDFT(x)
    k = to_complex(dft.fft(x))[0].numpy()
    assert np.abs(k - ref).max() / np.abs(ref).max() < 2e-6
    back = to_complex(dft.ifft(dft.fft(x)))[0].numpy()
    assert np.abs(back - img).max() < 1e-5
    k2 = to_complex(fft2c_fft(x))[0].numpy()
    assert np.abs(k2 - ref).max() / np.abs(ref).max() < 2e-6
    np.testing.assert_allclose(to_complex(ifft2c_fft(_ch(ref)))[0].numpy(), ifft2c_np(ref), atol=1e-5)


def test_odd_size_shift_convention_differs_from_naive_roll():
    # For odd sizes fftshift and ifftshift differ; the centred transform must use both as specified.
    x = np.zeros((65, 65), np.complex64)
    x[32, 32] = 1.0  # centre pixel (index n//2) → flat spectrum with zero phase
    k = fft2c_np(x)
    np.testing.assert_allclose(k, np.full_like(k, 1 / 65), atol=1e-7)
