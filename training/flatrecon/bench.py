"""`flatrecon bench`: inference time per N-step slice (PyTorch CPU, CUDA if present, onnxruntime CPU
when the exported graph exists), training throughput, parameters and FLOPs."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from .config import RunConfig
from .infer import resolve_model
from .losses import multicoil_losses
from .model import Unrolled, count_params
from .paths import MODELS_DIR, TRAINING_DIR
from .train import load_model


def _inputs(size: int, device: torch.device, coils: int = 1, batch: int = 1
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(k [B, C, 2, s, s], maps, mask [B, 1, 1, s, s]): timings do not depend on the content."""
    g = torch.Generator().manual_seed(0)
    m = (torch.rand(batch, 1, 1, 1, size, generator=g) < 0.3).float().expand(batch, 1, 1, size, size).contiguous()
    k = torch.randn(batch, coils, 2, size, size, generator=g) * m
    s = torch.randn(batch, coils, 2, size, size, generator=g) / (2 * coils) ** 0.5
    return k.to(device), s.to(device), m.to(device)


def _median_time(fn, repeats: int, sync=None) -> float:
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        if sync:
            sync()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def flops(net: Unrolled, size: int) -> int:
    k, s, m = _inputs(size, torch.device("cpu"))
    with FlopCounterMode(display=False) as fc, torch.no_grad():
        net(k, s, m)
    return int(fc.get_total_flops())


def bench(model: str = "flat", sizes: tuple[int, ...] = (256, 320), repeats: int = 5, threads: int = 2,
          train_crop: int = 128, train_batch: int = 6, train_iters: int = 3) -> dict:
    torch.set_num_threads(threads)
    path = resolve_model(model)
    out: dict = {"model": model, "weights": str(path), "threads": threads, "cpu": platform.processor() or
                 platform.machine(), "cpu_count": os.cpu_count(), "torch": torch.__version__, "rows": []}
    for mode in ("fft", "matmul"):
        net = load_model(path, dft_mode=mode).requires_grad_(False)
        out["parameters"] = count_params(net)
        out["steps"] = net.steps
        for s, c in [(s, 1) for s in sizes] + [(256, 8)]:
            k, mp, m = _inputs(s, torch.device("cpu"), c)
            with torch.no_grad():
                t = _median_time(lambda: net(k, mp, m), repeats)
            out["rows"].append({"backend": f"pytorch-cpu ({mode} DFT)", "size": s, "coils": c, "seconds_per_slice": t})
            if mode == "matmul" and c == 1:
                out.setdefault("gflops_per_slice", {})[str(s)] = flops(net, s) / 1e9
    onnx_path = MODELS_DIR / f"{Path(model).stem}.onnx"
    if onnx_path.exists():
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        for s, c in [(s, 1) for s in sizes] + [(256, 8)]:
            k, mp, m = _inputs(s, torch.device("cpu"), c)
            feeds = {"kspace": k[0].numpy(), "maps": mp[0].numpy(), "mask": m[0].numpy()}
            t = _median_time(lambda: sess.run(None, feeds), repeats)
            out["rows"].append({"backend": "onnxruntime-cpu", "size": s, "coils": c, "seconds_per_slice": t})
    if torch.cuda.is_available():
        dev = torch.device("cuda")
        net = load_model(path).to(dev).requires_grad_(False)
        for s in sizes:
            k, mp, m = _inputs(s, dev)
            with torch.no_grad():
                t = _median_time(lambda: net(k, mp, m), repeats, torch.cuda.synchronize)
            out["rows"].append({"backend": "pytorch-cuda", "size": s, "coils": 1, "seconds_per_slice": t})
    # training throughput on crops, as the trainer runs now (fft DFT, both threads, channels_last, flow
    # loss), on the first round's architecture and setting (12 steps, single-coil 128² crops) so it
    # compares with that round's logged rate (training/runs/{flat,vanilla}: two runs, one thread each)
    first = TRAINING_DIR / "runs" / "flat" / "config.json"
    if first.exists():
        net = Unrolled(RunConfig.from_dict(json.loads(first.read_text())).model).train().requires_grad_(True)
        out["train_model"] = "first-round architecture (training/runs/flat/config.json), random weights"
    else:
        net = load_model(path).train().requires_grad_(True)
        out["train_model"] = str(path)
    out["train_steps"] = net.steps
    before = []
    for run in ("flat", "vanilla"):
        summary = TRAINING_DIR / "runs" / run / "train_summary.json"
        if summary.exists():
            m = json.loads(summary.read_text())
            before.append(m["samples_seen"] / m["train_seconds"])
    if before:
        out["first_round_slices_per_s_per_run"] = before
    net.phi.channels_last = True
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    k, mp, m = _inputs(train_crop, torch.device("cpu"), 1, train_batch)
    tgt = torch.randn_like(k)

    def one() -> None:
        st = net(k, mp, m)
        parts = multicoil_losses(st, tgt, mp, net.t_view, net.flat)
        loss = parts["final"] + (0.1 * parts["vel"] if "vel" in parts else 0.0)
        opt.zero_grad()
        loss.backward()
        opt.step()

    t = _median_time(one, train_iters)
    out["train_slices_per_s"] = train_batch / t
    out["train_crop"] = train_crop
    return out


def print_bench(b: dict) -> None:
    print(f"model {b['model']}: {b['parameters']} parameters, {b['steps']} steps, threads={b['threads']}")
    for s, g in b.get("gflops_per_slice", {}).items():
        print(f"  FLOPs per slice {s}x{s}: {g:.2f} GFLOP (conv + DFT matmuls)")
    print(f"  {'backend':<28}{'size':>6}{'s/slice':>10}")
    for r in b["rows"]:
        print(f"  {r['backend']:<28}{r['size']:>6}{r['seconds_per_slice']:10.3f}")
    print(f"  training throughput ({b['train_crop']}² crops, {b.get('train_model', '')}): "
          f"{b['train_slices_per_s']:.2f} slices/s")
    if b.get("first_round_slices_per_s_per_run"):
        print(f"  first round, per run (from its logs): {b['first_round_slices_per_s_per_run']}")


def bench_cli(model: str, sizes: list[int], repeats: int, threads: int, as_json: bool) -> None:
    b = bench(model, tuple(sizes), repeats, threads)
    if as_json:
        print(json.dumps(b, indent=1))
    else:
        print_bench(b)

