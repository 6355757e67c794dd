"""Real multi-coil evaluation through the app's own CLI, side by side with BART.

Every fully sampled real multi-coil *eval* file of shared/data is written as a fastMRI multi-coil
HDF5 file (kspace (1, C, H, W) + reconstruction_rss), reconstructed by `npm run recon` (the app's
TypeScript pipeline and ONNX model) at acceleration 1 and at 4× with three random masks, and by
Debian's BART (`ecalib` ESPIRiT maps + `pics -l1`, λ chosen per case against the reference, i.e.
an oracle-tuned BART) on the very same masks (mulberry32, identical in Python and TypeScript).
PSNR against the RSS reference with the volume's maximum as data range (fastMRI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from .coils import normalisation_scale, rss
from .fftc import ifft2c_np
from .masks import center_fraction_for, column_mask
from .metrics import psnr
from .paths import REPO_ROOT, shared_data_dir

FILES = (
    ("brain_espirit_full_kspace_8coil_230x180.npy", "brain_espirit_full_rss_230x180.npy"),
    ("brain_chiew_kspace_16coil_96x96.npy", "brain_chiew_rss_96x96.npy"),
    ("brain_lustig_alias_kspace_8coil_320x168.npy", "brain_lustig_alias_rss_320x168.npy"),
)
LAMBDAS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02)


def write_fastmri_multicoil(path: Path, kspace: np.ndarray, ref: np.ndarray) -> None:
    import h5py

    with h5py.File(path, "w") as f:
        f.create_dataset("kspace", data=kspace[None].astype(np.complex64))
        f.create_dataset("reconstruction_rss", data=ref[None].astype(np.float32))
        f.attrs["acquisition"] = "real multi-coil raw k-space (shared/data eval file)"


def app_recon(h5: Path, out: Path, acc: int, seed: int) -> dict:
    cmd = ["npx", "tsx", "app/cli/recon.ts", "--input", str(h5), "--out", str(out), "--json",
           "--mask", "random", "--acceleration", str(acc), "--seed", str(seed),
           "--center-fraction", str(center_fraction_for(acc)), "--threads", "2"]
    t0 = time.time()
    res = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    wall = time.time() - t0
    rep = json.loads(res.stdout)
    s = rep["results"][0]
    return {"psnr_zero_filled": s["psnr"][0], "psnr_final": s["psnr"][-1], "ms": s["ms"], "wall_s": wall,
            "dc_residual_final": s["dcResidual"][-1],  # the graph's, on the state's own k-space
            "dc_residual_final_fft": s.get("finalResidual")}  # the final image re-measured by FFT


def _cfl_write(base: Path, a: np.ndarray) -> None:
    a = np.asarray(a, dtype=np.complex64)
    dims = list(a.shape) + [1] * (16 - a.ndim)
    base.with_suffix(".hdr").write_text("# Dimensions\n" + " ".join(str(d) for d in dims) + "\n")
    a.T.tofile(base.with_suffix(".cfl"))  # column-major


def _cfl_read(base: Path) -> np.ndarray:
    dims = [int(d) for d in base.with_suffix(".hdr").read_text().splitlines()[1].split()]
    n = int(np.prod(dims))
    a = np.fromfile(base.with_suffix(".cfl"), dtype=np.complex64, count=n)
    return a.reshape(dims[::-1]).T


def bart_recon(y: np.ndarray, ref: np.ndarray, work: Path) -> dict:
    """ecalib + pics -l1 for each λ; the best PSNR wins (oracle tuning). y: masked (C, H, W), normalised."""
    bart = shutil.which("bart")
    if bart is None:
        raise FileNotFoundError("bart is not installed (apt-get install bart).")
    env = dict(os.environ, OMP_NUM_THREADS="2")
    _cfl_write(work / "k", np.moveaxis(y, 0, -1)[:, :, None, :])  # (H, W, 1, C)
    t0 = time.time()
    subprocess.run([bart, "ecalib", "-m1", str(work / "k"), str(work / "s")], check=True, capture_output=True, env=env)
    t_ecalib = time.time() - t0
    best: dict = {}
    for lam in LAMBDAS:
        t1 = time.time()
        subprocess.run([bart, "pics", "-S", "-l1", "-r", str(lam), "-i", "100", str(work / "k"), str(work / "s"),
                        str(work / "x")], check=True, capture_output=True, env=env)
        t_pics = time.time() - t1
        img = np.abs(np.squeeze(_cfl_read(work / "x")))
        p = psnr(ref, img, float(ref.max()))
        if not best or p > best["psnr"]:
            best = {"psnr": p, "lambda": lam, "seconds": t_ecalib + t_pics}
    return best


def run(out_json: Path, seeds: tuple[int, ...] = (0, 1, 2), acc: int = 4) -> dict:
    d = shared_data_dir()
    results = []
    with tempfile.TemporaryDirectory(prefix="flat-realmc-") as tmp:
        tmpd = Path(tmp)
        for kname, rname in FILES:
            k = np.load(d / kname)
            ref_file = np.load(d / rname)
            ref = rss(ifft2c_np(k)).astype(np.float32)  # the RSS of these very k-space data
            h5 = tmpd / (Path(kname).stem + ".h5")
            write_fastmri_multicoil(h5, k, ref)
            full = app_recon(h5, tmpd / "out", 1, 0)
            row = {"file": kname, "coils": int(k.shape[0]), "shape": list(k.shape[1:]),
                   "rss_file_vs_computed_max_diff": float(np.abs(ref_file - ref).max()),
                   "acceleration_1_psnr": full["psnr_final"], "cases": []}
            for seed in seeds:
                app = app_recon(h5, tmpd / "out", acc, seed)
                mask = np.broadcast_to(column_mask("random", k.shape[2], acc, center_fraction_for(acc), seed)[None],
                                       k.shape[1:]).astype(np.float32)
                y = (k * mask).astype(np.complex64)
                scale = normalisation_scale(y)
                work = tmpd / f"bart_{Path(kname).stem}_{seed}"
                work.mkdir()
                b = bart_recon(y / scale, ref / scale, work)
                row["cases"].append({"seed": seed, "sampled_fraction": float(mask[0].mean()), "app": app, "bart": b})
            results.append(row)
            print(json.dumps(row), flush=True)
    gains = [c["app"]["psnr_final"] - c["app"]["psnr_zero_filled"] for r in results for c in r["cases"]]
    bart_gains = [c["bart"]["psnr"] - c["app"]["psnr_zero_filled"] for r in results for c in r["cases"]]
    summary = {
        "acceleration": acc, "masks": "random, centre fraction 0.08, seeds " + ",".join(map(str, seeds)),
        "mean_gain_flat_db": float(np.mean(gains)), "mean_gain_bart_db": float(np.mean(bart_gains)),
        "min_acceleration_1_psnr": float(min(r["acceleration_1_psnr"] for r in results)),
        "mean_flat_ms": float(np.mean([c["app"]["ms"] for r in results for c in r["cases"]])),
        "mean_bart_s": float(np.mean([c["bart"]["seconds"] for r in results for c in r["cases"]])),
    }
    out = {"summary": summary, "results": results,
           "command": "flatrecon eval-real-multicoil --json " + str(out_json)}
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    return out
