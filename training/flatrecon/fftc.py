"""Centred orthonormal 2D DFT, the convention of app/README.md.

F(x) = fftshift(fft2(ifftshift(x), norm="ortho")), Fᴴ(y) = fftshift(ifft2(ifftshift(y), norm="ortho")).
Two torch implementations: `torch.fft` (training, fast) and a two-factor decomposition into small
DFT matrices built from the tensor's own (dynamic) size (ONNX export: MatMul/Sin/Cos/Reshape only, no
`DFT` op, any H, W incl. odd).
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


class TorchDFT:
    def __init__(self, like: torch.Tensor):
        del like

    def fft(self, x: torch.Tensor) -> torch.Tensor:
        return fft2c_fft(x)

    def ifft(self, y: torch.Tensor) -> torch.Tensor:
        return ifft2c_fft(y)


def _twiddle(prod: torch.Tensor, n: torch.Tensor, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of 2π·prod/n, with prod already reduced mod n in integers."""
    ang = torch.remainder(prod, n).to(like.dtype) * (2.0 * math.pi) / n.to(like.dtype)
    return torch.cos(ang), torch.sin(ang)


def _split(n: torch.Tensor) -> torch.Tensor:
    """The first factor n1 of n = n1·n2: the largest power of two ≤ 16 dividing n (1 for odd n, which
    then runs as one dense DFT). Tensor arithmetic so the exported graph keeps H and W dynamic."""
    one = torch.ones_like(n)
    n1 = one
    for f in (2, 4, 8, 16):
        n1 = torch.where(torch.remainder(n, f) == 0, one * f, n1)
    return n1


class FactoredDFT:
    """Centred 2D DFT by a two-factor (Cooley–Tukey "four-step") decomposition written as matrix
    products, for the exported graphs: n = n1·n2, a length-n1 DFT, a twiddle, a length-n2 DFT and a
    transpose cost n·(n1 + n2) per row instead of n² (8× fewer for 256). Centring is a phase ramp
    before and after: C[k, j] = e^{2πi h k/n} e^{2πi h j/n} e^{-2πi h²/n} e^{-2πi kj/n} / √n, h = n//2.
    Sizes come from the tensor at run time (MatMul/Sin/Cos/Reshape only, no DFT op)."""

    def __init__(self, like: torch.Tensor):
        self.axes = [self._plan(torch.as_tensor(like.shape[d]), like) for d in (-2, -1)]

    @staticmethod
    def _plan(n: torch.Tensor, like: torch.Tensor) -> dict:
        n = n.to(torch.int64)
        n1 = _split(n)
        n2 = torch.div(n, n1, rounding_mode="trunc")
        h = torch.div(n, 2, rounding_mode="trunc")
        j = torch.arange(n, device=like.device, dtype=torch.int64)
        # pre/post ramp e^{+2πi h j/n}; constant e^{-2πi h²/n}/√n folded into the post ramp
        pre = _twiddle(h * j, n, like)
        post = _twiddle(h * j - h * h, n, like)
        scale = torch.rsqrt(n.to(like.dtype))
        a1 = torch.arange(n1, device=like.device, dtype=torch.int64)
        a2 = torch.arange(n2, device=like.device, dtype=torch.int64)
        w1 = _twiddle(a1.unsqueeze(1) * a1.unsqueeze(0), n1, like)  # [k1, j1]
        w2 = _twiddle(a2.unsqueeze(1) * a2.unsqueeze(0), n2, like)  # [j2, k2] (symmetric)
        tw = _twiddle(a1.unsqueeze(1) * a2.unsqueeze(0), n, like)  # [k1, j2]
        return {"n": n, "n1": n1, "n2": n2, "pre": pre, "post": (post[0] * scale, post[1] * scale),
                "w1": w1, "w2": w2, "tw": tw}

    @staticmethod
    def _cmul(ar, ai, br, bi, sign: float):
        """(ar + i ai)·(br + i sign·bi)."""
        return ar * br - sign * ai * bi, ai * br + sign * ar * bi

    @staticmethod
    def _cmm_left(mr, mi, xr, xi, sign: float):
        """(mr + i sign·mi) @ (xr + i xi)."""
        return torch.matmul(mr, xr) - sign * torch.matmul(mi, xi), torch.matmul(mr, xi) + sign * torch.matmul(mi, xr)

    @staticmethod
    def _cmm_right(xr, xi, mr, mi, sign: float):
        """(xr + i xi) @ (mr + i sign·mi)."""
        return torch.matmul(xr, mr) - sign * torch.matmul(xi, mi), torch.matmul(xi, mr) + sign * torch.matmul(xr, mi)

    def _last(self, re: torch.Tensor, im: torch.Tensor, p: dict, sign: float):
        """Centred DFT along the last axis; sign −1 forward (e^{-i…}), +1 inverse."""
        shape = re.shape
        # the centring ramps carry the opposite sign of the kernel
        re, im = self._cmul(re, im, p["pre"][0], p["pre"][1], -sign)
        re = re.reshape(-1, p["n1"], p["n2"])
        im = im.reshape(-1, p["n1"], p["n2"])
        re, im = self._cmm_left(p["w1"][0], p["w1"][1], re, im, sign)  # over j1 → k1
        re, im = self._cmul(re, im, p["tw"][0], p["tw"][1], sign)
        re, im = self._cmm_right(re, im, p["w2"][0], p["w2"][1], sign)  # over j2 → k2
        re = re.transpose(-1, -2).reshape(shape)  # k = k1 + n1·k2
        im = im.transpose(-1, -2).reshape(shape)
        return self._cmul(re, im, p["post"][0], p["post"][1], -sign)

    def _apply(self, x: torch.Tensor, sign: float) -> torch.Tensor:
        re, im = x[..., 0, :, :], x[..., 1, :, :]
        re, im = self._last(re, im, self.axes[1], sign)
        re, im = self._last(re.transpose(-1, -2), im.transpose(-1, -2), self.axes[0], sign)
        return torch.stack((re.transpose(-1, -2), im.transpose(-1, -2)), dim=-3)

    def fft(self, x: torch.Tensor) -> torch.Tensor:
        return self._apply(x, -1.0)

    def ifft(self, y: torch.Tensor) -> torch.Tensor:
        return self._apply(y, 1.0)


def make_dft(mode: str, like: torch.Tensor) -> FactoredDFT | TorchDFT:
    if mode == "matmul":
        return FactoredDFT(like)
    if mode == "fft":
        return TorchDFT(like)
    raise ValueError(f"unknown DFT mode {mode!r}")
