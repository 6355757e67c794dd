"""Training runs on real Colin27 slices, logs progress and resumes exactly from a checkpoint."""

import json
import os
import subprocess
import sys
from pathlib import Path

import torch

from flatrecon.config import RunConfig, apply_overrides
from flatrecon.model import ModelConfig
from flatrecon.train import load_model, train


def _cfg(iters: int) -> RunConfig:
    cfg = RunConfig(ModelConfig(method="flat", steps=3, chans=4, levels=1))
    return apply_overrides(cfg, [f"train.iterations={iters}", "train.crop=64", "train.batch=2",
                                 "train.log_every=1", "train.ckpt_every=2", "train.epoch_steps=3",
                                 "train.shared_data=false", "train.val_every=2"])


def test_resume_reproduces_uninterrupted_run(tmp_path, colin_slices):
    full = train(_cfg(4), tmp_path / "full", command="test", slices=colin_slices)
    half = train(_cfg(4), tmp_path / "resumed", command="test", slices=colin_slices, stop_at=2)
    assert half.exists()
    resumed = train(_cfg(4), tmp_path / "resumed", resume=True, command="test", slices=colin_slices)
    a, b = load_model(full).state_dict(), load_model(resumed).state_dict()
    for k in a:
        torch.testing.assert_close(a[k], b[k], atol=1e-6, rtol=1e-5)
    log = (tmp_path / "resumed" / "train.log").read_text()
    assert "resumed from" in log and "slices/s=" in log and "eta=" in log and "val step 2: psnr=" in log
    meta = json.loads((tmp_path / "resumed" / "train_summary.json").read_text())
    assert meta["steps"] == 4 and meta["samples_seen"] == 8
    cfg = RunConfig.load(tmp_path / "resumed" / "config.json")
    assert cfg.model.chans == 4


def test_ddp_two_gloo_processes(tmp_path):
    cfg_path = tmp_path / "tiny.json"
    cfg = apply_overrides(_cfg(2), ["train.colin_brain=false", "train.slice_step=12"])
    cfg.save(cfg_path)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port=29533",
         "-m", "flatrecon.cli", "train", "--config", str(cfg_path), "--run-dir", str(tmp_path / "ddp")],
        capture_output=True, text=True, env=env, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    log = (tmp_path / "ddp" / "train.log").read_text()
    assert "world=2" in log
    meta = json.loads((tmp_path / "ddp" / "train_summary.json").read_text())
    assert meta["world"] == 2 and meta["samples_seen"] == 2 * 2 * 2
    assert Path(tmp_path / "ddp" / "model.pt").exists()
    # rank-0 only logging: each step is logged once
    assert log.count("step 1/2") == 1
