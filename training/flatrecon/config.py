"""Run configuration (JSON files under training/configs/ and copied into each run folder)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .model import ModelConfig


@dataclass
class TrainConfig:
    crop: int = 128
    batch: int = 4
    lr: float = 2e-3
    iterations: int = 2000  # horizon of the cosine learning-rate decay
    max_minutes: float = 0.0  # wall-clock budget (0 = none); the decay then follows max(step, time) progress
    lambda_v: float = 0.1  # FLAT velocity-alignment weight
    seed: int = 0
    threads: int = 1
    log_every: int = 10
    ckpt_every: int = 50
    epoch_steps: int = 500  # steps per sampler epoch
    accelerations: tuple[int, ...] = (4, 8)
    mask_kinds: tuple[str, ...] = ("random", "equispaced")
    phase_prob: float = 0.8
    colin_brain: bool = True  # also use ch2better (brain-extracted) slices
    slice_step: int = 2
    # crop curriculum: (progress from, crop, batch); empty = fixed `crop`/`batch`
    curriculum: tuple = ()
    shared_data: bool = True  # add the shared/data *train* files (sources.py) when present
    val_every: int = 0  # steps between validation PSNR lines in the log (0 = never)
    channels_last: bool = True
    init: str = ""  # weights (model.pt) to start from, relative to training/; "" = random init


@dataclass
class RunConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict:
        return {"model": asdict(self.model), "train": asdict(self.train)}

    @staticmethod
    def from_dict(d: dict) -> RunConfig:
        t = dict(d.get("train", {}))
        if "curriculum" in t:
            t["curriculum"] = tuple(tuple(x) for x in t["curriculum"])
        for key in ("accelerations", "mask_kinds"):
            if key in t:
                t[key] = tuple(t[key])
        return RunConfig(ModelConfig(**d.get("model", {})), TrainConfig(**t))

    @staticmethod
    def load(path: str | Path) -> RunConfig:
        return RunConfig.from_dict(json.loads(Path(path).read_text()))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")


def apply_overrides(cfg: RunConfig, overrides: list[str]) -> RunConfig:
    """`section.key=value` overrides (value parsed as JSON when possible)."""
    d = cfg.to_dict()
    for ov in overrides:
        key, _, raw = ov.partition("=")
        sec, _, name = key.partition(".")
        if sec not in d or name not in d[sec]:
            raise ValueError(f"unknown config key {key!r}")
        try:
            val = json.loads(raw)
        except json.JSONDecodeError:
            val = raw
        d[sec][name] = val
    return RunConfig.from_dict(d)
