"""`flatrecon eval`: zero-filled, CS and unrolled models on held-out images with simulated k-space.

Every (image, slice index, acceleration, seed) gets its own deterministic mask; magnitude images are
used with zero phase (as the viewer does for DICOM/NIfTI), complex ones with their own phase.
Metrics (fastMRI conventions) are computed on magnitudes of the normalised images.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .coils import display
from .cs import fista_wavelet
from .data import load_images
from .fftc import fft2c_np, ifft2c_np
from .infer import _cached, prepare, resolve_model, run_normalised
from .masks import eval_seed, make_mask
from .metrics import nmse, psnr, ssim
from .train import load_model

BUILTIN = ("zero_filled", "cs")
CS_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "cs.json"


@dataclass
class EvalImage:
    name: str
    index: int
    image: np.ndarray  # complex64 (H, W)


def collect_images(paths: list[str], slices: list[int] | None = None) -> list[EvalImage]:
    out: list[EvalImage] = []
    for spec in paths:
        p, _, sel = spec.partition("::")  # "volume::0,5,10" picks slices of one input
        vol = load_images(p)
        pick = [int(v) for v in sel.split(",") if v] if sel else slices
        idx = range(vol.shape[0]) if pick is None else [i for i in pick if i < vol.shape[0]]
        for i in idx:
            img = vol[i]
            peak = float(np.abs(img).max())
            if peak <= 0:
                continue
            out.append(EvalImage(Path(p).name, int(i), (img / peak).astype(np.complex64)))
    return out


def cs_defaults() -> dict:
    if CS_CONFIG.exists():
        return json.loads(CS_CONFIG.read_text())
    return {"lambda": 0.005, "iters": 100}


def metrics_for(gt: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {"psnr": psnr(gt, pred), "ssim": ssim(gt, pred), "nmse": nmse(gt, pred)}


def evaluate(images: list[EvalImage], accelerations: list[int], masks_per_image: int, methods: list[str],
             model_paths: dict[str, str] | None = None, mask_kind: str = "random", cs_lambda: float | None = None,
             cs_iters: int | None = None, steps: int | None = None, noise: float = 0.0, log=print) -> dict:
    """`noise` adds complex white Gaussian noise of that standard deviation (in normalised units, where
    the zero-filled image of the clean data peaks at 1) to the sampled k-space; the target stays clean."""
    model_paths = model_paths or {}
    nets = {}
    for m in methods:
        if m not in BUILTIN:
            base = m.removesuffix("+proj")  # "vanilla+proj": the vanilla model with every state projected
            path = str(resolve_model(model_paths.get(base, base)))
            net = _cached(path, "fft")
            if (steps is not None and net.cfg.shared and net.flat) or m.endswith("+proj"):
                net = load_model(path)  # a private copy: the changes below are in place
                if m.endswith("+proj"):
                    net.cfg.vanilla_projection = True
                else:
                    net.set_steps(steps)
            nets[m] = net
    csd = cs_defaults()
    lam = cs_lambda if cs_lambda is not None else float(csd["lambda"])
    iters = cs_iters if cs_iters is not None else int(csd["iters"])
    results = []
    timings: dict[str, list[float]] = defaultdict(list)
    for ev in images:
        gt = np.abs(ev.image)
        for acc in accelerations:
            for seed in range(masks_per_image):
                mseed = eval_seed(ev.name, ev.index, acc, seed)
                mask = make_mask(ev.image.shape, acc, mask_kind, mseed)
                ex = prepare(fft2c_np(ev.image.astype(np.complex64)), mask)
                if noise > 0:
                    rng = np.random.default_rng(mseed)
                    nz = rng.normal(size=(2, *mask.shape)).astype(np.float32) * (noise / np.sqrt(2.0))
                    ex["kspace"] = (ex["kspace"] + mask * (nz[0] + 1j * nz[1])).astype(np.complex64)
                gt_n = gt / ex["scale"]
                for m in methods:
                    t0 = time.time()
                    step_psnr = None
                    if m == "zero_filled":
                        pred = np.abs(ifft2c_np(ex["kspace"][0]))
                    elif m == "cs":
                        pred = np.abs(fista_wavelet(ex["kspace"][0], mask, lam, iters))
                    else:
                        coil_states = run_normalised(nets[m], ex["kspace"], ex["maps"], mask)
                        states = np.abs(display(coil_states, ex["maps"]))
                        pred = states[-1]
                        step_psnr = [psnr(gt_n, s) for s in states]
                        straight = straightness(coil_states[:, 0], ev.image / ex["scale"], nets[m].t_view.numpy())
                    timings[m].append(time.time() - t0)
                    r = {"image": ev.name, "index": ev.index, "acceleration": acc, "seed": seed, "method": m,
                         **metrics_for(gt_n, pred)}
                    if step_psnr is not None:
                        r["step_psnr"] = step_psnr
                        r.update(straight)
                    results.append(r)
        log(f"{ev.name}[{ev.index}] done")
    return {"results": results, "summary": summarise(results),
            "settings": {"mask_kind": mask_kind, "masks_per_image": masks_per_image, "cs_lambda": lam,
                         "cs_iters": iters, "steps_override": steps, "kspace_noise_std": noise,
                         "images": sorted({f"{e.name}[{e.index}]" for e in images}),
                         "seconds_per_recon": {k: float(np.median(v)) for k, v in timings.items()}}}


def straightness(states: np.ndarray, target: np.ndarray, t_view: np.ndarray) -> dict:
    """How closely the single-coil states follow FLAT's straight path x*_t = t·x_1 + (1 - t)·x_0
    (x_1 the zero-filled start, x_0 the target): per step ‖x_k - x*_{t_k}‖ / ‖x_1 - x_0‖, and the
    PSNR of the state nearest t = 0.5 against x*_{0.5} (magnitudes, data range = target max)."""
    x1, x0 = states[0], target
    span = float(np.linalg.norm(x1 - x0)) or 1.0
    dev = [float(np.linalg.norm(x - (t * x1 + (1 - t) * x0)) / span) for x, t in zip(states, t_view, strict=True)]
    mid = int(np.argmin(np.abs(t_view - 0.5)))
    ideal = t_view[mid] * x1 + (1 - t_view[mid]) * x0
    return {"path_deviation": dev, "t_mid": float(t_view[mid]),
            "psnr_mid_vs_straight": psnr(np.abs(ideal), np.abs(states[mid]), float(np.abs(x0).max()))}


def summarise(results: list[dict]) -> dict:
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in results:
        groups[(r["method"], r["acceleration"])].append(r)
    zf = {acc: np.mean([r["psnr"] for r in rs]) for (m, acc), rs in groups.items() if m == "zero_filled"}
    out: dict = {}
    for (m, acc), rs in sorted(groups.items()):
        s = {k: float(np.mean([r[k] for r in rs])) for k in ("psnr", "ssim", "nmse")}
        s["psnr_std"] = float(np.std([r["psnr"] for r in rs]))
        s["n"] = len(rs)
        if acc in zf:
            s["psnr_gain_vs_zero_filled"] = float(s["psnr"] - zf[acc])
        if "step_psnr" in rs[0]:
            curves = np.array([r["step_psnr"] for r in rs])
            mean_curve = curves.mean(axis=0)
            s["step_psnr_mean"] = mean_curve.tolist()
            s["max_step_drop_mean_curve"] = float(max(0.0, -np.diff(mean_curve).min()))
            s["max_step_drop_any_example"] = float(max(0.0, -np.diff(curves, axis=1).min()))
            drops = -np.diff(curves, axis=1)
            s["fraction_transitions_dropping_over_0.05dB"] = float((drops > 0.05).mean())
        if "path_deviation" in rs[0]:
            dev = np.array([r["path_deviation"] for r in rs])
            s["path_deviation_mean"] = dev.mean(axis=0).tolist()
            s["psnr_mid_vs_straight"] = float(np.mean([r["psnr_mid_vs_straight"] for r in rs]))
        out.setdefault(m, {})[str(acc)] = s
    return out


def merge(paths: list[str], json_out: str) -> dict:
    """Combine eval JSONs (e.g. baselines and models run separately) and recompute the summary."""
    results: list[dict] = []
    settings: dict = {}
    for p in paths:
        d = json.loads(Path(p).read_text())
        results += d["results"]
        for k, v in d.get("settings", {}).items():
            if isinstance(v, dict) and isinstance(settings.get(k), dict):
                settings[k].update(v)
            else:
                settings.setdefault(k, v)
    out = {"results": results, "summary": summarise(results), "settings": settings, "merged_from": paths}
    Path(json_out).write_text(json.dumps(out, indent=1) + "\n")
    print_table(out["summary"])
    return out


def print_table(summary: dict, log=print) -> None:
    log(f"{'method':<16}{'acc':>4}{'PSNR':>9}{'SSIM':>8}{'NMSE':>9}{'ΔZF':>7}{'maxdrop':>9}")
    for m, per in summary.items():
        for acc, s in per.items():
            drop = s.get("max_step_drop_mean_curve")
            log(f"{m:<16}{acc:>4}{s['psnr']:9.2f}{s['ssim']:8.4f}{s['nmse']:9.4f}"
                f"{s.get('psnr_gain_vs_zero_filled', 0.0):7.2f}{'' if drop is None else f'{drop:9.3f}'}")


def run_eval_cli(images: list[str], accelerations: list[int], masks_per_image: int, methods: list[str],
                 json_out: str | None, model_args: list[str] | None, slices: list[int] | None, mask_kind: str,
                 threads: int, cs_lambda: float | None, cs_iters: int | None, steps: int | None,
                 noise: float = 0.0) -> dict:
    torch.set_num_threads(max(1, threads))
    model_paths = dict(a.split("=", 1) for a in (model_args or []))
    evs = collect_images(images, slices)
    out = evaluate(evs, accelerations, masks_per_image, methods, model_paths, mask_kind, cs_lambda, cs_iters,
                   steps, noise)
    print_table(out["summary"])
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(out, indent=1) + "\n")
    return out
