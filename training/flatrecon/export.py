"""ONNX export of the full-trajectory and per-step graphs plus the model card
(contract: resources/models/README.md)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import subprocess
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch

from .config import RunConfig
from .model import FullGraph, StepGraph, Unrolled, count_params
from .paths import MODELS_DIR, REPO_ROOT
from .train import load_model, save_weights

OPSET = 17

# Op types with CUDA execution-provider kernels in onnxruntime (and DirectML ones); the graphs may use
# nothing else. `DFT` is deliberately absent.
CUDA_OPS = frozenset({
    "Add", "AveragePool", "Cast", "Concat", "Constant", "ConstantOfShape", "Conv", "ConvTranspose", "Cos",
    "Div", "Equal", "Exp", "Expand", "Flatten", "Gather", "GatherElements", "Gemm", "Identity", "LeakyRelu",
    "MatMul", "Mod",
    "Mul", "Neg", "Pad", "Range", "Reshape", "Shape", "Sin", "Slice", "Sqrt", "Reciprocal", "Squeeze", "Sub",
    "Transpose", "Unsqueeze", "Where", "Tile", "Floor", "Less", "Greater", "Max", "Min", "Abs", "Relu",
    "Sign", "Not", "And", "Or", "ReduceMax", "ReduceMean", "ReduceSum", "Split", "Pow", "Erf", "Sigmoid",
    "Tanh", "Softmax",
})


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def op_types(path: Path) -> list[str]:
    m = onnx.load(str(path))
    ops: set[str] = set()

    def walk(g: onnx.GraphProto) -> None:
        for n in g.node:
            ops.add(n.op_type)
            for a in n.attribute:
                if a.g is not None and a.type == onnx.AttributeProto.GRAPH:
                    walk(a.g)

    walk(m.graph)
    return sorted(ops)


def _example_inputs(h: int = 72, w: int = 90, c: int = 3) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    k = torch.randn(c, 2, h, w, generator=g)
    s = torch.randn(c, 2, h, w, generator=g) * 0.5
    m = (torch.rand(1, 1, 1, w, generator=g) < 0.4).float().expand(1, 1, h, w).contiguous()
    return k * m, s, m


def export_graphs(net: Unrolled, out_full: Path, out_step: Path) -> None:
    """Export with dynamic batch, H, W (the DFT matrices are built in-graph from the input shape)."""
    net = Unrolled(net.cfg, dft_mode="matmul").eval().requires_grad_(False) if net.dft_mode != "matmul" \
        else net
    k, s, m = _example_inputs()
    dyn = {0: "C", 2: "H", 3: "W"}
    dm = {2: "H", 3: "W"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(FullGraph(net), (k, s, m), str(out_full), input_names=["kspace", "maps", "mask"],
                          output_names=["states", "dc"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={"kspace": dyn, "maps": dyn, "mask": dm, "states": {1: "C", 3: "H", 4: "W"}})
        x = torch.randn(k.shape[0], 2, k.shape[2], k.shape[3])
        step = torch.tensor([0], dtype=torch.int64)
        torch.onnx.export(StepGraph(net), (x, k, s, m, step), str(out_step),
                          input_names=["x", "kspace", "maps", "mask", "step"], output_names=["x_next", "dc"],
                          opset_version=OPSET, dynamo=False,
                          dynamic_axes={"x": dyn, "kspace": dyn, "maps": dyn, "mask": dm, "x_next": dyn})
    for p in (out_full, out_step):
        onnx.checker.check_model(onnx.load(str(p)))


def _as_matmul(net: Unrolled) -> Unrolled:
    m = Unrolled(net.cfg, dft_mode="matmul")
    m.load_state_dict(net.state_dict())
    return m.eval().requires_grad_(False)


def git_commit() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "training"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + (" + uncommitted changes in training/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def training_files(cfg: dict) -> list[dict]:
    from .sources import TRAIN_FILES

    shared = bool(cfg.get("train", {}).get("shared_data", False))
    return [{"file": f, "licence": lic} for f, lic in TRAIN_FILES.items() if shared or f.startswith("ch2")]


def training_data_text(cfg: dict) -> str:
    if cfg.get("train", {}).get("shared_data", False):
        return ("Colin27 T1 slices and real cardiac magnitude images with measured phase maps transplanted "
                "(or a smooth synthetic phase), complex T2 brain and cardiac/thorax-abdomen GRE images with "
                "their measured phase, and real 4-coil MPRAGE raw k-space; simulated receive coils (1-12, "
                "smooth Gaussian profiles with coil phase), thermal noise, 1D random/equispaced and 2D "
                "variable-density masks at 2-10x; crop curriculum 96 -> 128 -> 192 px")
    return ("Colin27 T1 (mricron-data) slices, random crops; k-space simulated from magnitude with a smooth "
            "random phase; 1D random and equispaced masks")


def _init_chain(cfg: dict) -> list[dict]:
    """The runs a fine-tuned model started from (train.init), each with its command and meta, newest
    first: the card then accounts for every step of training."""
    chain: list[dict] = []
    init = cfg.get("train", {}).get("init", "")
    while init and len(chain) < 8:
        path = Path(init) if Path(init).is_absolute() else REPO_ROOT / "training" / init
        if not path.exists():
            chain.append({"weights": init, "missing": True})
            break
        ck = torch.load(str(path), map_location="cpu", weights_only=False)
        cmd = path.parent / "command.txt"
        chain.append({"weights": init, "meta": ck.get("meta", {}),
                      "command": cmd.read_text().strip() if cmd.exists() else "",
                      "config": ck.get("config", {})})
        init = ck.get("config", {}).get("train", {}).get("init", "")
    return chain


def _acc_list(values) -> str:
    v = [f"{int(a)}" for a in sorted(values, key=int)]
    return ", ".join(v[:-1]) + " and " + v[-1] if len(v) > 1 else (v[0] if v else "")


def reader_guidance(card: dict) -> dict:
    """`intended_use` and `limitations` for the viewer's model card, derived from what the card already
    records (training data and config, meta, architecture, metrics) so they cannot drift from it.
    `refresh_guidance` applies the same rule to a card already written."""
    from .data import ACCELERATIONS, MASK_KINDS

    training = card.get("training", {})
    cfg = training.get("config", {})
    shared = bool(cfg.get("train", {}).get("shared_data", False))
    arch = card.get("architecture", {})
    by_method = card.get("metrics", {}).get("by_method", {})
    mine = by_method.get(card.get("name", ""), {})
    settings = card.get("metrics", {}).get("settings", {})
    lim: list[str] = []
    if shared:
        lim.append("Trained on brain, cardiac and thorax/abdomen images (see training.data and training.files) and "
                   "one real multi-coil brain k-space slice; most receive coils were simulated. Other anatomy, "
                   "contrasts and acquisitions were not in the training data and are untested.")
        kinds = {"random": "1D random", "equispaced": "1D equispaced", "vd2d": "2D variable-density"}
        common = sorted(sorted(ACCELERATIONS, key=lambda a: -ACCELERATIONS[a])[:2])
        lim.append(f"Training masks: {', '.join(kinds.get(k, k) for k in MASK_KINDS)} at R = "
                   f"{_acc_list(ACCELERATIONS)} ({' and '.join(f'{a}×' for a in common)} most often).")
    else:
        lim.append("Trained on Colin27 T1 brain slices only, with k-space simulated from magnitude images; "
                   "other anatomy, real phase and real multi-coil data are untested.")
        accs = cfg.get("train", {}).get("accelerations", [])
        kinds_used = ", ".join(cfg.get("train", {}).get("mask_kinds", []))
        if accs:
            lim.append(f"Training masks: {kinds_used} at R = {_acc_list(accs)}.")
    if mine:
        lim.append(f"Scored at R = {_acc_list(int(a) for a in mine)} only, on k-space simulated from "
                   f"{len(settings.get('images', []))} held-out images ({settings.get('masks_per_image', '?')} "
                   "masks each), not on raw scanner data; other accelerations are untested.")
        dev = {a: v["path_deviation_mean"][-1] for a, v in mine.items() if v.get("path_deviation_mean")}
        if dev and card.get("method", "").startswith("flat"):
            devs = ", ".join(f"{dev[a]:.2f} at {a}×" for a in sorted(dev, key=int))
            lim.append("The steps are not the straight path between the zero-filled and the final image (mean "
                       f"relative deviation at the last step {devs}): each step improves the image, but an "
                       "intermediate step is not an interpolation.")
    lim.append("2D Cartesian k-space only: non-Cartesian and 3D acquisitions are refused by the app.")
    if arch.get("projection") == 1.0:
        lim.append("Every state keeps the measured k-space exactly (projection w = 1): noise, spikes or "
                   "motion-corrupted lines in the measured data pass into the image unchanged.")
    lim.append("The network can add structure that is not in the patient: the model contribution map shows "
               "where the image came from the network, not whether what it shows is real.")
    seconds = float(training.get("meta", {}).get("train_seconds", 0.0))
    seconds += sum(float(i.get("meta", {}).get("train_seconds", 0.0)) for i in training.get("initialised_from", []))
    threads = training.get("meta", {}).get("threads")
    if seconds and arch.get("parameters"):
        lim.append(f"A small network ({arch['parameters'] / 1e6:.2f} M parameters) trained for "
                   f"{seconds / 60:.0f} minutes in all" + (f" on {threads} CPU threads." if threads else "."))
    return {
        "intended_use": {
            "use": "Research and teaching: seeing how this reconstruction fills in undersampled MRI k-space, "
                   "step by step, beside the zero-filled image and, where there is one, the reference.",
            "not_for": "Diagnosis, screening, treatment or any other clinical decision. This is not a medical "
                       "device and was not clinically validated.",
            "licence": training.get("licence", ""),
        },
        "limitations": lim,
    }


def refresh_guidance(card_path: Path) -> dict:
    """Rewrite intended_use / limitations of a card already exported (same rule as export_model)."""
    card = json.loads(card_path.read_text())
    card.update(reader_guidance(card))
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    return card


def export_model(weights: Path, name: str, out_dir: Path = MODELS_DIR, metrics: dict | None = None,
                 command: str = "", extra: dict | None = None) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    ck = torch.load(str(weights), map_location="cpu", weights_only=False)
    net = _as_matmul(load_model(weights))
    full, step = out_dir / f"{name}.onnx", out_dir / f"{name}_step.onnx"
    export_graphs(net, full, step)
    pt = out_dir / f"{name}.pt"
    if weights.resolve() != pt.resolve():  # weights only (no optimiser state), small enough for git
        save_weights(pt, load_model(weights), RunConfig.from_dict(ck["config"]), ck.get("meta", {}))
    n = net.steps
    cfg = ck["config"]
    card = {
        "name": name,
        "method": net.cfg.method if not (net.flat and net.cfg.projection > 0)
        else f"flat (null-space projected velocity, w={net.cfg.projection})",
        "files": {"full": {"path": full.name, "sha256": sha256(full)},
                  "step": {"path": step.name, "sha256": sha256(step)},
                  "pytorch": {"path": pt.name, "sha256": sha256(pt)}},
        "inputs": {
            "full": [{"name": "kspace", "type": "float32", "shape": ["C", 2, "H", "W"]},
                     {"name": "maps", "type": "float32", "shape": ["C", 2, "H", "W"]},
                     {"name": "mask", "type": "float32", "shape": [1, 1, "H", "W"]}],
            "step": [{"name": "x", "type": "float32", "shape": ["C", 2, "H", "W"]},
                     {"name": "kspace", "type": "float32", "shape": ["C", 2, "H", "W"]},
                     {"name": "maps", "type": "float32", "shape": ["C", 2, "H", "W"]},
                     {"name": "mask", "type": "float32", "shape": [1, 1, "H", "W"]},
                     {"name": "step", "type": "int64", "shape": [1], "range": [0, n - 1]}],
        },
        "outputs": {"full": [{"name": "states", "type": "float32", "shape": [n + 1, "C", 2, "H", "W"]},
                             {"name": "dc", "type": "float32", "shape": [n + 1]}],
                    "step": [{"name": "x_next", "type": "float32", "shape": ["C", 2, "H", "W"]},
                             {"name": "dc", "type": "float32", "shape": [1]}]},
        "dc": "worst coil's ‖M·k − y‖/‖y‖ of each state from its own k-space k (x = Fᴴk), −1 when no coil "
              "has measured signal; the app re-measures the final image by FFT",
        "coils": "C receive coils on the leading axis (1 for single-coil); maps = ACS sensitivities "
                 "(training/flatrecon/coils.py, app/recon/coils.ts); states are per-coil images, shown as "
                 "their RSS with the phase of the sensitivity-weighted combination",
        "normalisation": "divide the masked centred k-space by scale = max over pixels of the RSS of the "
                         "zero-filled coil images; multiply every state by scale",
        "kspace_convention": "centred orthonormal: F(x) = fftshift(fft2(ifftshift(x), norm='ortho')); "
                             "1D Cartesian masks select columns",
        "min_size": 64,
        "steps": n,
        "t": [round(float(v), 6) for v in net.t_view.tolist()],
        "architecture": {"phi": "U-Net", "chans": net.cfg.chans, "levels": net.cfg.levels,
                         "time_conditioning": "sinusoidal t-embedding -> FiLM per block" if net.flat else "none",
                         "weights": "shared" if net.cfg.shared else "per-cascade (unshared)",
                         "schedule": net.cfg.schedule, "alpha": net.cfg.alpha,
                         "projection": net.cfg.projection if net.flat else None,
                         "parameters": count_params(net), "config": cfg},
        "training": {
            "data": training_data_text(cfg),
            "files": training_files(cfg),
            "licence": "research, non-profit use only: the shared real-data files carry research/non-profit "
                       "licences (see files); Colin27 via Debian mricron-data is BSD-3 with the Colin27 notice",
            "meta": ck.get("meta", {}),
            "command": (extra or {}).get("train_command", ""),
            "initialised_from": _init_chain(cfg),
            "config": cfg,
            "commit": git_commit(),
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        },
        "export_command": command,
        "metrics": metrics or {},
        "opTypes": {"full": op_types(full), "step": op_types(step)},
        "opset": OPSET,
    }
    if extra:
        card["notes"] = {k: v for k, v in extra.items() if k != "train_command"}
    card.update(reader_guidance(card))
    (out_dir / f"{name}.json").write_text(json.dumps(card, indent=2) + "\n")
    return card


def run_onnx_all(path: Path, feeds: dict[str, np.ndarray], threads: int = 1) -> dict[str, np.ndarray]:
    """Every output of a graph by name (CPU provider)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feeds), strict=True))


def run_onnx(path: Path, feeds: dict[str, np.ndarray], threads: int = 1) -> np.ndarray:
    """The first output (states / x_next)."""
    return next(iter(run_onnx_all(path, feeds, threads).values()))
