"""Report figures: per-step PSNR curves from an eval JSON and example reconstructions."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .coils import display  # noqa: E402
from .cs import fista_wavelet  # noqa: E402
from .evaluate import collect_images, cs_defaults  # noqa: E402
from .fftc import fft2c_np, ifft2c_np  # noqa: E402
from .infer import _cached, prepare, resolve_model, run_normalised  # noqa: E402
from .masks import eval_seed, make_mask  # noqa: E402
from .metrics import psnr  # noqa: E402


def step_curves(eval_json: str, out: Path, title: str = "") -> Path:
    summ = json.loads(Path(eval_json).read_text())["summary"]
    accs = sorted({a for per in summ.values() for a in per}, key=int)
    fig, axes = plt.subplots(1, len(accs), figsize=(5 * len(accs), 3.6), squeeze=False)
    for ax, acc in zip(axes[0], accs, strict=True):
        for m, per in summ.items():
            s = per.get(acc)
            if not s:
                continue
            if "step_psnr_mean" in s:
                ax.plot(range(len(s["step_psnr_mean"])), s["step_psnr_mean"], marker="o", ms=3, label=m)
            elif m in ("zero_filled", "cs"):
                ax.axhline(s["psnr"], ls="--", lw=1, color="gray" if m == "zero_filled" else "k", label=m)
        ax.set_title(f"{acc}x {title}")
        ax.set_xlabel("step (0 = zero-filled, t=1 … N = final, t=0)")
        ax.set_ylabel("mean PSNR (dB)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _shown(model: str, ex: dict) -> np.ndarray:
    """Shown (coil-combined) normalised states of a model for a prepared example."""
    net = _cached(str(resolve_model(model)), "fft")
    return display(run_normalised(net, ex["kspace"], ex["maps"], ex["mask"]), ex["maps"])


def examples(image: str, index: int, out: Path, models: list[str], accs: tuple[int, ...] = (4, 8)) -> Path:
    ev = [e for e in collect_images([image]) if e.index == index][0]
    csd = cs_defaults()
    rows = []
    for acc in accs:
        mask = make_mask(ev.image.shape, acc, "random", eval_seed(ev.name, index, acc, 0))
        ex = prepare(fft2c_np(ev.image), mask)
        gt = np.abs(ev.image) / ex["scale"]
        k0 = ex["kspace"][0]
        recs = {"zero-filled": np.abs(ifft2c_np(k0)),
                "CS": np.abs(fista_wavelet(k0, mask, float(csd["lambda"]), int(csd["iters"])))}
        for m in models:
            recs[m] = np.abs(_shown(m, ex)[-1])
        rows.append((acc, gt, recs))
    ncol = 1 + len(rows[0][2])
    fig, axes = plt.subplots(2 * len(rows), ncol, figsize=(2.3 * ncol, 4.6 * len(rows)))
    for r, (acc, gt, recs) in enumerate(rows):
        axes[2 * r, 0].imshow(gt, cmap="gray", vmin=0, vmax=gt.max())
        axes[2 * r, 0].set_title(f"target ({acc}x)", fontsize=8)
        axes[2 * r + 1, 0].axis("off")
        for c, (name, rec) in enumerate(recs.items(), start=1):
            axes[2 * r, c].imshow(rec, cmap="gray", vmin=0, vmax=gt.max())
            axes[2 * r, c].set_title(f"{name} {psnr(gt, rec):.2f} dB", fontsize=8)
            axes[2 * r + 1, c].imshow(np.abs(rec - gt), cmap="magma", vmin=0, vmax=0.2 * gt.max())
            axes[2 * r + 1, c].set_title("|error| (0-20 %)", fontsize=7)
        for ax in axes[2 * r : 2 * r + 2].ravel():
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def trajectory(image: str, index: int, out: Path, model: str = "flat", acc: int = 8) -> Path:
    ev = [e for e in collect_images([image]) if e.index == index][0]
    mask = make_mask(ev.image.shape, acc, "random", eval_seed(ev.name, index, acc, 0))
    ex = prepare(fft2c_np(ev.image), mask)
    net = _cached(str(resolve_model(model)), "fft")
    states = np.abs(_shown(model, ex))
    gt = np.abs(ev.image) / ex["scale"]
    picks = np.linspace(0, len(states) - 1, 7).round().astype(int)
    fig, axes = plt.subplots(1, len(picks), figsize=(2.2 * len(picks), 2.6))
    for ax, i in zip(axes, picks, strict=True):
        ax.imshow(states[i], cmap="gray", vmin=0, vmax=gt.max())
        ax.set_title(f"step {i}, t={float(net.t_view[i]):.2f}\n{psnr(gt, states[i]):.2f} dB", fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
