"""Unrolled networks: FLAT (time-conditioned Euler steps on the conditional probability-flow ODE)
and the vanilla unrolled baseline, both with the same small U-Net Φ.

Parameters of Φ are stacked along a leading cascade axis (K = N unshared, K = 1 shared) so one step
can gather its weights with a tensor index (the ONNX step graph uses the `step` input for that).
Complex images are [B, 2, H, W] (re, im); per-coil states [B, C, 2, H, W] (see coils.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from .fftc import make_dft


@dataclass
class ModelConfig:
    method: str = "flat"  # "flat" | "vanilla"
    steps: int = 12
    chans: int = 12
    levels: int = 2
    shared: bool = False
    schedule: str = "uniform"  # "uniform" | "power"
    alpha: float = 1.0  # power schedule t_k = (k/N)^(1+alpha)
    projection: float = 1.0  # FLAT: weight w of the null-space projection, v = Fᴴ(1 - w·M)F Φ; 0 = plain
    sigma: float = 1.0  # noise level in the data-consistency term Aᴴ(Ax-y)/σ²
    temb_dim: int = 16
    vanilla_projection: bool = False  # vanilla baseline with every state projected onto the data
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def schedule(n: int, kind: str, alpha: float = 1.0) -> torch.Tensor:
    """t_0 = 0 < … < t_N = 1 (index k ↔ time t_k)."""
    k = torch.arange(n + 1, dtype=torch.float64) / n
    if kind == "uniform":
        t = k
    elif kind == "power":
        t = k ** (1.0 + alpha)
    else:
        raise ValueError(f"unknown schedule {kind!r}")
    return t.float()


def time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of t ∈ [0, 1] (shape [B] → [B, dim])."""
    half = dim // 2
    freqs = torch.exp(torch.arange(half, dtype=t.dtype, device=t.device) * (-math.log(1000.0) / max(half - 1, 1)))
    ang = t.reshape(-1, 1) * 1000.0 * freqs.reshape(1, -1)
    return torch.cat((torch.sin(ang), torch.cos(ang)), dim=1)


class StackedConv(nn.Module):
    def __init__(self, k: int, cin: int, cout: int, ksize: int = 3, transpose: bool = False):
        super().__init__()
        self.transpose = transpose
        shape = (k, cin, cout, ksize, ksize) if transpose else (k, cout, cin, ksize, ksize)
        fan_in = cin * ksize * ksize
        self.weight = nn.Parameter(torch.randn(shape) * math.sqrt(2.0 / fan_in) * 0.8)
        self.bias = nn.Parameter(torch.zeros(k, cout))

    def forward(self, x: torch.Tensor, idx: torch.Tensor | int) -> torch.Tensor:
        w, b = self.weight[idx], self.bias[idx]
        if self.transpose:
            return F.conv_transpose2d(x, w, b, stride=2)
        return F.conv2d(x, w, b, padding=self.weight.shape[-1] // 2)


class StackedLinear(nn.Module):
    def __init__(self, k: int, cin: int, cout: int):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(k, cin, cout))
        self.bias = nn.Parameter(torch.zeros(k, cout))

    def forward(self, x: torch.Tensor, idx: torch.Tensor | int) -> torch.Tensor:
        return torch.matmul(x, self.weight[idx]) + self.bias[idx]


class Block(nn.Module):
    """conv-act-conv-act with optional FiLM (per-channel scale/shift from the time embedding)."""

    def __init__(self, k: int, cin: int, cout: int, temb: int):
        super().__init__()
        self.c1 = StackedConv(k, cin, cout)
        self.c2 = StackedConv(k, cout, cout)
        self.film = StackedLinear(k, temb, 2 * cout) if temb > 0 else None

    def forward(self, x: torch.Tensor, idx, emb: torch.Tensor | None) -> torch.Tensor:
        h = F.leaky_relu(self.c1(x, idx), 0.1)
        if self.film is not None and emb is not None:
            ss = self.film(emb, idx)
            c = h.shape[1]
            h = h * (1.0 + ss[:, :c, None, None]) + ss[:, c:, None, None]
        return F.leaky_relu(self.c2(h, idx), 0.1)


class StackedUNet(nn.Module):
    """Small U-Net Φ (avg-pool down, stride-2 transposed conv up), zero-padded inside to a multiple
    of 2^levels and cropped back so any H, W works."""

    def __init__(self, k: int, cin: int = 2, cout: int = 2, chans: int = 12, levels: int = 2, temb: int = 0):
        super().__init__()
        self.levels = levels
        self.channels_last = False  # training on CPU sets it (faster convolutions); export leaves it off
        ch = [chans * 2**i for i in range(levels + 1)]
        self.down = nn.ModuleList([Block(k, cin, ch[0], temb)] + [Block(k, ch[i], ch[i + 1], temb)
                                                                    for i in range(levels)])
        self.up_t = nn.ModuleList([StackedConv(k, ch[i + 1], ch[i], 2, transpose=True) for i in range(levels)])
        self.up = nn.ModuleList([Block(k, 2 * ch[i], ch[i], temb) for i in range(levels)])
        self.out = StackedConv(k, ch[0], cout, 1)
        with torch.no_grad():
            self.out.weight.mul_(0.1)

    def forward(self, x: torch.Tensor, idx, emb: torch.Tensor | None = None) -> torch.Tensor:
        h, w = x.shape[-2], x.shape[-1]
        m = 2**self.levels
        ph, pw = (m - h % m) % m, (m - w % m) % m
        x = F.pad(x, (0, pw, 0, ph))
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        skips = []
        z = self.down[0](x, idx, emb)
        for i in range(self.levels):
            skips.append(z)
            z = self.down[i + 1](F.avg_pool2d(z, 2), idx, emb)
        for i in reversed(range(self.levels)):
            z = self.up_t[i](z, idx)
            z = self.up[i](torch.cat((z, skips[i]), dim=1), idx, emb)
        z = self.out(z, idx)
        return z[..., :h, :w]


class Unrolled(nn.Module):
    """N cascades; cascade k (viewer step i = N-1-k) maps state at t_{k+1} to t_k.

    FLAT:    x_k = x_{k+1} - η_k [Aᴴ(A x_{k+1} - y)/σ² + P Φ(x_{k+1}, t_{k+1}, k)],  η_k = t_{k+1} - t_k,
             P = Fᴴ(1 - w·M)F (w = `projection`; w = 0 is plain FLAT, w = 1 keeps every state
             exactly data-consistent).
    vanilla: x_k = x_{k+1} - μ_k [λ_k Aᴴ(A x_{k+1} - y) + Φ_k(x_{k+1})] with learnable μ_k, λ_k, no time.
    """

    def __init__(self, cfg: ModelConfig, dft_mode: str = "fft"):
        super().__init__()
        self.cfg = cfg
        self.dft_mode = dft_mode
        n = cfg.steps
        self.flat = cfg.method == "flat"
        k = 1 if cfg.shared else n
        self.phi = StackedUNet(k, chans=cfg.chans, levels=cfg.levels, temb=cfg.temb_dim if self.flat else 0)
        t = schedule(n, cfg.schedule, cfg.alpha)
        # viewer order: t_view[i] = t_{N-i}, i = 0..N (1 → 0)
        self.register_buffer("t_view", torch.flip(t, dims=[0]).clone(), persistent=False)
        if not self.flat:
            self.log_mu = nn.Parameter(torch.full((n,), math.log(1.0 / n)))
            self.log_lam = nn.Parameter(torch.zeros(n))

    @property
    def steps(self) -> int:
        return self.t_view.shape[0] - 1

    def set_steps(self, n: int) -> None:
        """Shared-weight FLAT can run with another number of Euler steps (same schedule family)."""
        if not (self.cfg.shared and self.flat):
            raise ValueError("only shared-weight FLAT can change its number of steps")
        t = schedule(n, self.cfg.schedule, self.cfg.alpha)
        self.t_view = torch.flip(t, dims=[0]).clone().to(self.t_view.device)

    def update(self, x: torch.Tensor, kx: torch.Tensor, y: torch.Tensor, maps: torch.Tensor, mask: torch.Tensor,
               k_idx, t_now: torch.Tensor, eta: torch.Tensor, dft) -> tuple[torch.Tensor, torch.Tensor]:
        """One Euler step on the per-coil state, written in k-space (kx = F x carried along, so a step
        costs two DFTs per coil). Φ sees the combination Σ conj(S_c) x_c; its output z enters every
        coil as S_c z, so Fᴴ(M F x - y) + P S Φ = Fᴴ[(M kx - y) + (1 - w M) F S z].
        Shapes: x, kx, y, maps [B, C, 2, H, W]; mask [B, 1, 1, H, W]."""
        g = mask * kx - y
        comb = combine(x, maps)
        if self.flat:
            emb = time_embedding(t_now.reshape(1).expand(x.shape[0]), self.cfg.temb_dim)
            kp = dft.fft(expand(self.phi(comb, k_idx, emb), maps))
            w = self.cfg.projection
            upd = g / self.cfg.sigma**2 + (kp - w * mask * kp if w != 0.0 else kp)
            kx_next = kx - eta * upd
        else:
            kp = dft.fft(expand(self.phi(comb, k_idx, None), maps))
            mu = torch.exp(self.log_mu[k_idx])
            lam = torch.exp(self.log_lam[k_idx])
            kx_next = kx - mu * (lam * g + kp)
            if self.cfg.vanilla_projection:  # "vanilla + hard projection": measured samples restored
                kx_next = kx_next - mask * kx_next + y
        return dft.ifft(kx_next), kx_next

    def _forward_complex(self, y: torch.Tensor, maps: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The same iteration on complex tensors with torch.fft (training speed: no re/im stacking per
        coil op); equal to the channel form within float rounding (tests/test_model.py)."""
        from .fftc import to_channels, to_complex

        ax = (-2, -1)

        def fft(z: torch.Tensor) -> torch.Tensor:
            return torch.fft.fftshift(torch.fft.fft2(torch.fft.ifftshift(z, dim=ax), norm="ortho"), dim=ax)

        def ifft(z: torch.Tensor) -> torch.Tensor:
            return torch.fft.fftshift(torch.fft.ifft2(torch.fft.ifftshift(z, dim=ax), norm="ortho"), dim=ax)

        yc, sc, m = to_complex(y), to_complex(maps), mask[..., 0, :, :]
        sconj = sc.conj()
        kx, x = yc, ifft(yc)
        states = [x]
        n = self.steps
        w = self.cfg.projection
        for i in range(n):
            k_idx = 0 if self.cfg.shared else (n - 1 - i)
            t_now, eta = self.t_view[i], self.t_view[i] - self.t_view[i + 1]
            comb = to_channels((sconj * x).sum(dim=1))
            if self.flat:
                emb = time_embedding(t_now.reshape(1).expand(x.shape[0]), self.cfg.temb_dim)
                z = to_complex(self.phi(comb, k_idx, emb))
                kp = fft(sc * z.unsqueeze(1))
                upd = (m * kx - yc) / self.cfg.sigma**2 + (kp - w * m * kp if w != 0.0 else kp)
                kx = kx - eta * upd
            else:
                kp = fft(sc * to_complex(self.phi(comb, k_idx, None)).unsqueeze(1))
                kx = kx - torch.exp(self.log_mu[k_idx]) * (torch.exp(self.log_lam[k_idx]) * (m * kx - yc) + kp)
                if self.cfg.vanilla_projection:
                    kx = kx - m * kx + yc
            x = ifft(kx)
            states.append(x)
        return to_channels(torch.stack(states, dim=0))

    def forward(self, y: torch.Tensor, maps: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """All per-coil states [N+1, B, C, 2, H, W]; states[0] = Fᴴy (t = 1), states[N] final (t = 0)."""
        if self.dft_mode == "fft":
            return self._forward_complex(y, maps, mask)
        return self.trajectory(y, maps, mask)[0]

    def trajectory(self, y: torch.Tensor, maps: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-coil states and their k-spaces kx (x = Fᴴ kx), both [N+1, B, C, 2, H, W] (DFT-matrix path)."""
        dft = make_dft(self.dft_mode, y)
        kx = y  # F Fᴴ y = y
        x = dft.ifft(y)
        states, ks = [x], [kx]
        n = self.steps
        for i in range(n):
            k_idx = 0 if self.cfg.shared else (n - 1 - i)
            x, kx = self.update(x, kx, y, maps, mask, k_idx, self.t_view[i], self.t_view[i] - self.t_view[i + 1],
                                dft)
            states.append(x)
            ks.append(kx)
        return torch.stack(states, dim=0), torch.stack(ks, dim=0)


def dc_residual(k: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Worst coil's data-consistency residual ‖M k_c − y_c‖ / ‖y_c‖ of states given by their k-space
    ([..., C, 2, H, W] → [...]); coils without measured signal are skipped, −1 when none has any.
    In the graphs k is the state's own k-space (x = Fᴴ k), so this is app/recon/coils.ts's
    worstCoilResidual without the DFT round trip."""
    d = mask * k - y
    num = (d * d).sum(dim=(-3, -2, -1))
    den = (y * y).sum(dim=(-3, -2, -1)).expand_as(num)
    has = den > 0
    r = torch.where(has, torch.sqrt(num / torch.where(has, den, torch.ones_like(den))), -torch.ones_like(num))
    return r.amax(dim=-1)


def combine(x: torch.Tensor, maps: torch.Tensor) -> torch.Tensor:
    """Σ_c conj(S_c) x_c over dim -4 of [..., C, 2, H, W] → [..., 2, H, W]."""
    xr, xi = x[..., 0, :, :], x[..., 1, :, :]
    sr, si = maps[..., 0, :, :], maps[..., 1, :, :]
    return torch.stack(((sr * xr + si * xi).sum(dim=-3), (sr * xi - si * xr).sum(dim=-3)), dim=-3)


def expand(z: torch.Tensor, maps: torch.Tensor) -> torch.Tensor:
    """S_c z for every coil: [..., 2, H, W] × [..., C, 2, H, W] → [..., C, 2, H, W]."""
    zr, zi = z[..., 0, :, :].unsqueeze(-3), z[..., 1, :, :].unsqueeze(-3)
    sr, si = maps[..., 0, :, :], maps[..., 1, :, :]
    return torch.stack((sr * zr - si * zi, sr * zi + si * zr), dim=-3)


def rss(x: torch.Tensor) -> torch.Tensor:
    """Root-sum-of-squares over coils: [..., C, 2, H, W] → [..., H, W]."""
    return torch.sqrt((x * x).sum(dim=(-4, -3)) + 1e-12)


class StepGraph(nn.Module):
    """One Euler step for the ONNX step graph (coils on the leading axis, batch of one): weights and
    t gathered by the int64 `step` tensor. x, kspace, maps [C, 2, H, W]; mask [1, 1, H, W] → x_next
    [C, 2, H, W] and its worst-coil data-consistency residual dc [1]."""

    def __init__(self, net: Unrolled):
        super().__init__()
        self.net = net

    def forward(self, x, kspace, maps, mask, step):
        net = self.net
        n = net.steps
        x, kspace, maps, mask = x.unsqueeze(0), kspace.unsqueeze(0), maps.unsqueeze(0), mask.unsqueeze(0)
        dft = make_dft(net.dft_mode, x)
        i = step.reshape(()).long()
        k_idx = torch.zeros_like(i) if net.cfg.shared else (n - 1) - i
        t_now = torch.gather(net.t_view, 0, i.reshape(1))
        t_next = torch.gather(net.t_view, 0, (i + 1).reshape(1))
        eta = (t_now - t_next).reshape(1, 1, 1, 1, 1)
        x_next, k_next = net.update(x, dft.fft(x), kspace, maps, mask, k_idx, t_now, eta, dft)
        return x_next[0], dc_residual(k_next, kspace, mask).reshape(1)


class FullGraph(nn.Module):
    """The whole trajectory: kspace, maps [C, 2, H, W], mask [1, 1, H, W] → states [N+1, C, 2, H, W] and
    each state's worst-coil data-consistency residual dc [N+1]."""

    def __init__(self, net: Unrolled):
        super().__init__()
        self.net = net

    def forward(self, kspace, maps, mask):
        y, m = kspace.unsqueeze(0), mask.unsqueeze(0)
        states, ks = self.net.trajectory(y, maps.unsqueeze(0), m)
        return states[:, 0], dc_residual(ks, y, m)[:, 0]


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
