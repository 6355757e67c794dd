"""Training loop: single process or torchrun/DDP (gloo on CPU, nccl on GPU), rank-0 logging and
checkpoints, exact resume (data is a pure function of (seed, epoch, index))."""

from __future__ import annotations

import json
import math
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from .config import RunConfig, TrainConfig
from .data import COIL_COUNTS, AcquisitionDataset, _pick, colin_slices, validation_examples
from .losses import multicoil_losses
from .model import Unrolled, count_params, rss
from .sources import load_sources, validation_sources


def _dist_info() -> tuple[int, int]:
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def lr_at(base: float, progress: float) -> float:
    progress = min(max(progress, 0.0), 1.0)
    warm = min(1.0, progress * 20.0 + 0.05)
    return base * warm * (0.05 + 0.95 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def save_checkpoint(path: Path, net: Unrolled, opt: torch.optim.Optimizer, step: int, elapsed: float,
                    cfg: RunConfig, seen: int = 0) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"model": net.state_dict(), "opt": opt.state_dict(), "step": step, "elapsed": elapsed,
                "seen": seen, "config": cfg.to_dict()}, tmp)
    os.replace(tmp, path)


def save_weights(path: Path, net: Unrolled, cfg: RunConfig, meta: dict) -> None:
    torch.save({"model": net.state_dict(), "config": cfg.to_dict(), "meta": meta}, path)


def load_model(path: str | Path, dft_mode: str = "fft") -> Unrolled:
    ck = torch.load(str(path), map_location="cpu", weights_only=False)
    cfg = RunConfig.from_dict(ck["config"])
    net = Unrolled(cfg.model, dft_mode=dft_mode)
    net.load_state_dict(ck["model"])
    net.eval()
    return net


def compute_loss(net: Unrolled, batch: dict[str, torch.Tensor], lambda_v: float,
                 module: torch.nn.Module | None = None) -> tuple[torch.Tensor, dict[str, float]]:
    states = (module or net)(batch["kspace"], batch["maps"], batch["mask"])
    parts = multicoil_losses(states, batch["target"], batch["maps"], net.t_view, net.flat and lambda_v > 0)
    loss = parts["final"] + (lambda_v * parts["vel"] if "vel" in parts else 0.0)
    return loss, {k: float(v) for k, v in parts.items()}


def crop_and_batch(tc: TrainConfig, progress: float) -> tuple[int, int]:
    crop, batch = tc.crop, tc.batch
    for start, c, b in tc.curriculum:
        if progress >= start:
            crop, batch = int(c), int(b)
    return crop, batch


@torch.no_grad()
def validate(net: Unrolled, examples: list[dict[str, torch.Tensor]]) -> tuple[float, float]:
    """Mean PSNR (RSS, data range = the reference's max) of the final and the zero-filled image."""
    from .metrics import psnr

    net.eval()
    fin, zf = [], []
    for ex in examples:
        b = {k: v.unsqueeze(0) for k, v in ex.items()}
        states = net(b["kspace"], b["maps"], b["mask"])
        ref = rss(b["target"])[0].numpy()
        fin.append(psnr(ref, rss(states[-1])[0].numpy()))
        zf.append(psnr(ref, rss(states[0])[0].numpy()))
    net.train()
    return float(np.mean(fin)), float(np.mean(zf))


def train(cfg: RunConfig, run_dir: Path, resume: bool = False, command: str | None = None,
          slices: list | None = None, stop_at: int | None = None) -> Path:
    """Train `cfg` into `run_dir`; `stop_at` ends this invocation early (as a pre-emption would),
    leaving a checkpoint to resume from."""
    rank, world = _dist_info()
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available()
                          else "cpu")
    tc = cfg.train
    torch.set_num_threads(max(1, tc.threads))
    torch.manual_seed(tc.seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    ckpt_dir = run_dir / "checkpoints"
    ckpt_dir.mkdir(exist_ok=True)
    log_f = open(run_dir / "train.log", "a") if rank == 0 else None

    def log(msg: str) -> None:
        if rank == 0:
            print(msg, flush=True)
            assert log_f is not None
            log_f.write(msg + "\n")
            log_f.flush()

    if rank == 0:
        cfg.save(run_dir / "config.json")
        cmd = command or " ".join(shlex.quote(a) for a in sys.argv)
        with open(run_dir / "command.txt", "a") as f:
            f.write(cmd + "\n")

    net = Unrolled(cfg.model).to(device)
    net.phi.channels_last = tc.channels_last
    opt = torch.optim.Adam(net.parameters(), lr=tc.lr)
    step, elapsed_before, seen_total = 0, 0.0, 0
    last = ckpt_dir / "last.pt"
    if resume and last.exists():
        ck = torch.load(str(last), map_location=device, weights_only=False)
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed_before, seen_total = int(ck["step"]), float(ck["elapsed"]), int(ck.get("seen", 0))
        log(f"resumed from {last} at step {step}")
    elif tc.init:
        # fine-tune: weights only; optimiser, step and learning-rate schedule start fresh
        init_path = Path(tc.init) if Path(tc.init).is_absolute() else Path(__file__).resolve().parent.parent / tc.init
        net.load_state_dict(torch.load(str(init_path), map_location=device, weights_only=False)["model"])
        log(f"initialised from {tc.init}")
    module: torch.nn.Module = DDP(net) if world > 1 else net

    slices = slices if slices is not None else colin_slices(tc.slice_step, brain=tc.colin_brain)
    src = load_sources(slices, use_shared=tc.shared_data)
    ds = AcquisitionDataset(src, tc.seed)
    val = []
    if tc.val_every > 0 and rank == 0:
        from .data import validation_stack

        colin_val = [v for v in validation_stack(192)[:4]]
        val = validation_examples(validation_sources() if tc.shared_data else [], colin_val)
    log(f"run {run_dir.name}: method={cfg.model.method} params={count_params(net)} world={world} "
        f"threads={torch.get_num_threads()} sources: {len(src.magnitude)} magnitude, {len(src.complex_images)} "
        f"complex, {len(src.multicoil)} multi-coil from {', '.join(src.files)}; val={len(val)}")

    t0 = time.time()
    seen_since, t_since = 0, time.time()
    budget_s = tc.max_minutes * 60.0
    while step < tc.iterations:
        if stop_at is not None and step >= stop_at:
            log(f"stopped at step {step} (stop_at)")
            break
        elapsed = elapsed_before + time.time() - t0
        if budget_s > 0 and elapsed >= budget_s:
            log(f"time budget reached at step {step}")
            break
        progress = step / tc.iterations
        if budget_s > 0:
            progress = max(progress, elapsed / budget_s)
        crop, bsz = crop_and_batch(tc, progress)
        epoch, within = divmod(step, tc.epoch_steps)
        ds.set_epoch(epoch)
        step_rng = np.random.default_rng((tc.seed, 7, step))
        ncoils = int(_pick(step_rng, COIL_COUNTS))
        base = (within * world + rank) * bsz
        items = [ds.get(base + j, crop, ncoils) for j in range(bsz)]
        batch = {k: torch.stack([it[k] for it in items]).to(device) for k in items[0]}
        for g in opt.param_groups:
            g["lr"] = lr_at(tc.lr, progress)
        net.train()
        loss, parts = compute_loss(net, batch, tc.lambda_v, module)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        step += 1
        seen_since += bsz * world
        seen_total += bsz * world
        if step % tc.log_every == 0 or step == tc.iterations:
            now = time.time()
            rate = seen_since / max(now - t_since, 1e-9)
            seen_since, t_since = 0, now
            el = elapsed_before + now - t0
            remaining = (tc.iterations - step) * bsz * world / max(rate, 1e-9)
            if budget_s > 0:
                remaining = min(remaining, max(0.0, budget_s - el))
            pstr = " ".join(f"{k}={v:.4f}" for k, v in parts.items())
            log(f"step {step}/{tc.iterations} loss={float(loss):.4f} {pstr} lr={opt.param_groups[0]['lr']:.2e} "
                f"slices/s={rate:.2f} crop={crop} coils={ncoils} elapsed={el / 60:.1f}m eta={remaining / 60:.1f}m")
        if val and step % tc.val_every == 0:
            vf, vz = validate(net, val)
            log(f"val step {step}: psnr={vf:.2f} zero_filled={vz:.2f} gain={vf - vz:+.2f} dB")
        if rank == 0 and step % tc.ckpt_every == 0:
            save_checkpoint(last, net, opt, step, elapsed_before + time.time() - t0, cfg, seen_total)
    elapsed = elapsed_before + time.time() - t0
    out = run_dir / "model.pt"
    if rank == 0:
        save_checkpoint(last, net, opt, step, elapsed, cfg, seen_total)
        meta = {"steps": step, "samples_seen": seen_total, "train_seconds": round(elapsed, 1),
                "threads": tc.threads, "world": world}
        save_weights(out, net, cfg, meta)
        (run_dir / "train_summary.json").write_text(json.dumps(meta, indent=2) + "\n")
        log(f"done: {json.dumps(meta)}")
        assert log_f is not None
        log_f.close()
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return out
