"""Choose the CS regularisation weight on Colin27 training slices (never on eval images)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .cs import fista_wavelet
from .data import colin_slices, simulate
from .masks import make_mask
from .metrics import psnr


def tune(out: str, lambdas: list[float], n_images: int, iters: int = 100) -> dict:
    sl = colin_slices(step=2, brain=False)
    rng = np.random.default_rng(123)
    picks = [sl[i] for i in rng.choice(len(sl), n_images, replace=False)]
    scores: dict[float, list[float]] = {lam: [] for lam in lambdas}
    for img in picks:
        for acc in (4, 8):
            ex = simulate(img.astype(np.complex64), make_mask(img.shape, acc, "random", int(rng.integers(0, 2**32))))
            gt = np.abs(img) / ex.scale
            for lam in lambdas:
                scores[lam].append(psnr(gt, np.abs(fista_wavelet(ex.kspace, ex.mask, lam, iters))))
    means = {lam: float(np.mean(v)) for lam, v in scores.items()}
    best = max(means, key=lambda k: means[k])
    res = {"lambda": best, "iters": iters, "wavelet": "db4 (4 levels, periodization)",
           "tuned_on": f"{n_images} Colin27 ch2 slices, 4x and 8x random masks",
           "mean_psnr_by_lambda": {str(k): v for k, v in means.items()}}
    Path(out).write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res, indent=2))
    return res
