"""Centred orthonormal 2D DFT, the convention of app/README.md.

F(x) = fftshift(fft2(ifftshift(x), norm="ortho")), Fᴴ(y) = fftshift(ifft2(ifftshift(y), norm="ortho")).
Two torch implementations: `torch.fft` (training, fast) and explicit DFT matrices built from the
tensor's own (dynamic) size (ONNX export: MatMul/Sin/Cos only, no `DFT` op, any H, W incl. odd).
Torch tensors hold complex images as real [..., 2, H, W] (re, im) channels.
"""

from __future__ import annotations

import math

import numpy as np
import torch

AX = (-2, -1)


def fft2c_np(x: np.ndarray) -> np.ndarray:
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=AX), norm="ortho"), axes=AX)


def ifft2c_np(y: np.ndarray) -> np.ndarray:
    return np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(y, axes=AX), norm="ortho"), axes=AX)


def to_complex(x: torch.Tensor) -> torch.Tensor:
    return torch.complex(x[..., 0, :, :], x[..., 1, :, :])


def to_channels(z: torch.Tensor) -> torch.Tensor:
    return torch.stack((z.real, z.imag), dim=-3)


def fft2c_fft(x: torch.Tensor) -> torch.Tensor:
    z = to_complex(x)
    z = torch.fft.fftshift(torch.fft.fft2(torch.fft.ifftshift(z, dim=AX), norm="ortho"), dim=AX)
    return to_channels(z)


def ifft2c_fft(y: torch.Tensor) -> torch.Tensor:
    z = to_complex(y)
    z = torch.fft.fftshift(torch.fft.ifft2(torch.fft.ifftshift(z, dim=AX), norm="ortho"), dim=AX)
    return to_channels(z)


def dft_matrix(n: torch.Tensor | int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin parts of the centred 1D DFT matrix C[k, j] = exp(-2πi (k-h)(j-h)/n)/√n, h = n//2.

    The product is reduced mod n in integers before the float cast so the angle stays in [0, 2π)
    (float32 sin of a large argument would lose ~1e-5).
    """
    idx = torch.arange(n, device=like.device, dtype=torch.int64)
    h = n // 2
    c = idx - h
    prod = torch.remainder(c.unsqueeze(1) * c.unsqueeze(0), n)
    nf = torch.as_tensor(n, device=like.device).to(like.dtype)
    ang = prod.to(like.dtype) * (2.0 * math.pi) / nf
    scale = torch.rsqrt(nf)
    return torch.cos(ang) * scale, torch.sin(ang) * scale


class MatDFT:
    """Centred 2D DFT by matrix products for one (H, W); built once per forward and reused by every
    cascade. Complex products use three real matmuls (Gauss) instead of four."""

    def __init__(self, like: torch.Tensor):
        h, w = like.shape[-2], like.shape[-1]
        ch, sh = dft_matrix(h, like)
        cw, sw = dft_matrix(w, like)
        # forward C = cos - i sin; inverse Cᴴ = cos + i sin
        self.fwd_h, self.inv_h = (ch, -sh, ch - sh), (ch, sh, ch + sh)
        self.fwd_w, self.inv_w = (cw, -sw, cw - sw), (cw, sw, cw + sw)

    @staticmethod
    def _left(m, re, im):
        """(A + iB) @ (re + i im) with P1 = A re, P2 = B im, P3 = (A + B)(re + im)."""
        a, b, apb = m
        p1, p2, p3 = torch.matmul(a, re), torch.matmul(b, im), torch.matmul(apb, re + im)
        return p1 - p2, p3 - p1 - p2

    @staticmethod
    def _right(re, im, m):
        """(re + i im) @ (A + iB) (the 1D DFT matrices are symmetric)."""
        a, b, apb = m
        p1, p2, p3 = torch.matmul(re, a), torch.matmul(im, b), torch.matmul(re + im, apb)
        return p1 - p2, p3 - p1 - p2

    def _apply(self, x: torch.Tensor, mh, mw) -> torch.Tensor:
        re, im = self._left(mh, x[..., 0, :, :], x[..., 1, :, :])
        re, im = self._right(re, im, mw)
        return torch.stack((re, im), dim=-3)

    def fft(self, x: torch.Tensor) -> torch.Tensor:
        return self._apply(x, self.fwd_h, self.fwd_w)

    def ifft(self, y: torch.Tensor) -> torch.Tensor:
        return self._apply(y, self.inv_h, self.inv_w)


class TorchDFT:
    def __init__(self, like: torch.Tensor):
        del like

    def fft(self, x: torch.Tensor) -> torch.Tensor:
        return fft2c_fft(x)

    def ifft(self, y: torch.Tensor) -> torch.Tensor:
        return ifft2c_fft(y)


def make_dft(mode: str, like: torch.Tensor) -> MatDFT | TorchDFT:
    if mode == "matmul":
        return MatDFT(like)
    if mode == "fft":
        return TorchDFT(like)
    raise ValueError(f"unknown DFT mode {mode!r}")
