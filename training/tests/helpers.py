"""Tiny model factory for fast tests."""

from flatrecon.model import ModelConfig, Unrolled


def tiny_model(method: str = "flat", **kw) -> Unrolled:
    cfg = ModelConfig(method=method, steps=kw.pop("steps", 3), chans=4, levels=kw.pop("levels", 2), **kw)
    return Unrolled(cfg).eval()
