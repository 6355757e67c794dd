"""eval CLI on a real image, the recon API/CLI with the shipped weights, and the CS baseline.
Real content from Colin27 (Debian mricron-data) with a smooth phase; nothing reads shared/."""

import json
import subprocess
import sys

import numpy as np
import pytest

from flatrecon.cli import main
from flatrecon.cs import fista_wavelet
from flatrecon.data import smooth_phase
from flatrecon.fftc import fft2c_np, ifft2c_np
from flatrecon.infer import prepare
from flatrecon.masks import eval_seed, make_mask
from flatrecon.metrics import psnr
from flatrecon.paths import MODELS_DIR


def _complex_slice(colin_slice: np.ndarray) -> np.ndarray:
    x = colin_slice.astype(np.complex64) * np.exp(1j * smooth_phase(colin_slice.shape, np.random.default_rng(4)))
    return (x / np.abs(x).max()).astype(np.complex64)


def test_cs_improves_on_zero_filled(colin_slice):
    img = np.ascontiguousarray(colin_slice[40:168, 30:158]).astype(np.complex64)
    mask = make_mask(img.shape, 4, "random", 0)
    ex = prepare(fft2c_np(img), mask)
    gt = np.abs(img) / ex["scale"]
    zf = psnr(gt, np.abs(ifft2c_np(ex["kspace"][0])))
    cs = psnr(gt, np.abs(fista_wavelet(ex["kspace"][0], mask, 0.002, 100)))
    assert cs > zf + 0.3


def test_eval_cli_json_layout_and_determinism(tmp_path, colin_slice):
    img = tmp_path / "colin_complex.npy"
    x = _complex_slice(colin_slice)
    np.save(img, x)
    out = tmp_path / "e.json"
    args = ["eval", "--images", str(img), "--accelerations", "8", "--masks-per-image", "1",
            "--methods", "zero_filled", "--threads", "1", "--json", str(out)]
    main(args)
    res = json.loads(out.read_text())["results"]
    assert len(res) == 1 and res[0]["image"] == img.name and res[0]["acceleration"] == 8
    mask = make_mask(x.shape, 8, "random", eval_seed(img.name, 0, 8, 0))
    ex = prepare(fft2c_np(x), mask)
    assert abs(res[0]["psnr"] - psnr(np.abs(x) / ex["scale"], np.abs(ifft2c_np(ex["kspace"][0])))) < 1e-6
    main(args)
    assert json.loads(out.read_text())["results"][0]["psnr"] == res[0]["psnr"]


def test_recon_api_and_cli_with_shipped_flat(tmp_path, colin_slice):
    if not (MODELS_DIR / "flat.pt").exists():
        pytest.skip("flat.pt not shipped yet")
    from flatrecon.infer import reconstruct

    x = _complex_slice(colin_slice)[40:168, 20:180] * 3.0
    mask = make_mask(x.shape, 4, "random", 1)
    k = (fft2c_np(x) * mask).astype(np.complex64)
    states = reconstruct(k, mask, "flat")
    assert states.shape[1:] == x.shape and states.dtype == np.complex64
    np.testing.assert_allclose(np.abs(states[0]), np.abs(ifft2c_np(k)), atol=1e-4 * np.abs(states[0]).max())
    scaled = reconstruct(2 * k, mask, "flat")  # normalisation makes the network scale-equivariant
    np.testing.assert_allclose(scaled, 2 * states, atol=1e-4 * np.abs(states).max())
    # the final state beats zero filling on a real slice (odd size 217×181)
    cmask = make_mask(colin_slice.shape, 4, "random", 2)
    cs = reconstruct((fft2c_np(colin_slice) * cmask).astype(np.complex64), cmask, "flat")
    assert psnr(colin_slice, np.abs(cs[-1])) > psnr(colin_slice, np.abs(cs[0])) + 1.0
    np.save(tmp_path / "k.npy", k)
    np.save(tmp_path / "m.npy", mask)
    run = subprocess.run([sys.executable, "-m", "flatrecon.cli", "recon", "--kspace", str(tmp_path / "k.npy"),
                          "--mask", str(tmp_path / "m.npy"), "--out", str(tmp_path / "s.npy")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    np.testing.assert_allclose(np.load(tmp_path / "s.npy"), states, atol=1e-5 * np.abs(states).max())
    bad = subprocess.run([sys.executable, "-m", "flatrecon.cli", "recon", "--kspace", str(tmp_path / "k.npy"),
                          "--mask", str(tmp_path / "m.npy"), "--out", str(tmp_path / "s.npy"), "--model", "nope"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no weights" in bad.stderr and "Traceback" not in bad.stderr
