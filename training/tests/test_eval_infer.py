"""eval CLI on a held-out real image, the recon API/CLI, and the CS baseline."""

import json
import subprocess
import sys

import numpy as np
import pytest

from flatrecon.cli import main
from flatrecon.cs import fista_wavelet
from flatrecon.data import simulate
from flatrecon.fftc import ifft2c_np
from flatrecon.masks import eval_seed, make_mask
from flatrecon.metrics import psnr
from flatrecon.paths import MODELS_DIR


def test_cs_improves_on_zero_filled(colin_slice):
    img = np.ascontiguousarray(colin_slice[40:168, 30:158]).astype(np.complex64)
    ex = simulate(img, make_mask(img.shape, 4, "random", np.random.default_rng(0)))
    gt = np.abs(img) / ex.scale
    zf = psnr(gt, np.abs(ifft2c_np(ex.kspace)))
    cs = psnr(gt, np.abs(fista_wavelet(ex.kspace, ex.mask, 0.002, 100)))
    assert cs > zf + 0.3


def test_eval_cli_json_layout_and_determinism(tmp_path, shared_data):
    img = shared_data / "brain_axial_complex_180x230.npy"
    out = tmp_path / "e.json"
    args = ["eval", "--images", str(img), "--accelerations", "8", "--masks-per-image", "1",
            "--methods", "zero_filled", "--threads", "1", "--json", str(out)]
    main(args)
    res = json.loads(out.read_text())["results"]
    assert len(res) == 1 and res[0]["image"] == img.name and res[0]["acceleration"] == 8
    x = np.load(img)
    x = x / np.abs(x).max()
    mask = make_mask(x.shape, 8, "random", np.random.default_rng(eval_seed(img.name, 0, 8, 0)))
    ex = simulate(x, mask)
    assert abs(res[0]["psnr"] - psnr(np.abs(x) / ex.scale, np.abs(ifft2c_np(ex.kspace)))) < 1e-9
    main(args)
    assert json.loads(out.read_text())["results"][0]["psnr"] == res[0]["psnr"]


def test_recon_api_and_cli_with_shipped_flat(tmp_path, shared_data, colin_slice):
    if not (MODELS_DIR / "flat.pt").exists():
        pytest.skip("flat.pt not shipped yet")
    from flatrecon.infer import reconstruct

    x = np.load(shared_data / "brain_sagittal_complex_256x256.npy")[64:192, 48:208] * 3.0
    mask = make_mask(x.shape, 4, "random", np.random.default_rng(1))
    from flatrecon.fftc import fft2c_np

    k = (fft2c_np(x) * mask).astype(np.complex64)
    states = reconstruct(k, mask, "flat")
    assert states.shape[1:] == x.shape and states.dtype == np.complex64
    np.testing.assert_allclose(states[0], ifft2c_np(k), atol=1e-4 * np.abs(states[0]).max())
    scaled = reconstruct(2 * k, mask, "flat")  # normalisation makes the network scale-equivariant
    np.testing.assert_allclose(scaled, 2 * states, atol=1e-4 * np.abs(states).max())
    # on a training-like input (a Colin27 slice, odd size 217×181) the final state beats zero filling
    # (on the held-out complex sagittal image it does not always: see REPORT.md)
    cmask = make_mask(colin_slice.shape, 4, "random", np.random.default_rng(2))
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
