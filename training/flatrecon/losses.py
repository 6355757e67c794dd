"""Training losses: final-image loss and FLAT's flow (velocity) alignment."""

from __future__ import annotations

import torch


def final_loss(states: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return (states[-1] - target).abs().mean()


def multicoil_losses(states: torch.Tensor, target: torch.Tensor, maps: torch.Tensor, t_view: torch.Tensor,
                     with_velocity: bool) -> dict[str, torch.Tensor]:
    """Per-coil states [N+1, B, C, 2, H, W] against target coil images [B, C, 2, H, W]: L1 on the
    combined complex image and on the displayed RSS magnitude; the velocity term on the combination."""
    from .model import combine, rss

    comb = combine(states, maps.unsqueeze(0))
    tcomb = combine(target, maps)
    out = {"final": final_loss(comb, tcomb) + (rss(states[-1]) - rss(target)).abs().mean()}
    if with_velocity:
        out["vel"] = velocity_loss(comb, tcomb, t_view)
    return out


def velocity_loss(states: torch.Tensor, target: torch.Tensor, t_view: torch.Tensor) -> torch.Tensor:
    """Mean over every cascade of |v_net - v_ideal| with x*_t = t·x_1 + (1-t)·x_0 and
    v_ideal = (x*_{t_k} - x_{k+1})/(t_k - t_{k+1}), v_net = (x_k - x_{k+1})/(t_k - t_{k+1}),
    i.e. |x_k - x*_{t_k}| / η_k (states[i] is at t_view[i], states[0] = x_1)."""
    x1 = states[0]
    total = states.new_zeros(())
    n = states.shape[0] - 1
    for i in range(n):
        t_next = t_view[i + 1]
        eta = t_view[i] - t_next
        ideal = t_next * x1 + (1.0 - t_next) * target
        total = total + (states[i + 1] - ideal).abs().mean() / eta
    return total / n
