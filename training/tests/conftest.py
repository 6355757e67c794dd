"""Shared fixtures: real Colin27 slices (Debian mricron-data). Tests never read ../shared."""

from __future__ import annotations

from functools import lru_cache

import nibabel as nib
import numpy as np
import pytest

from flatrecon.paths import COLIN_HEAD


@lru_cache(maxsize=1)
def _colin() -> np.ndarray:
    vol = np.asarray(nib.load(str(COLIN_HEAD)).dataobj, dtype=np.float32)
    return vol / float(np.percentile(vol, 99.9))


@pytest.fixture(scope="session")
def colin_slice() -> np.ndarray:
    """Axial Colin27 slice through the ventricles, (217, 181) float32 in ~[0, 1]."""
    return np.ascontiguousarray(np.rot90(_colin()[:, :, 90])).clip(0, 1)


@pytest.fixture(scope="session")
def colin_slices() -> list[np.ndarray]:
    v = _colin()
    return [np.ascontiguousarray(np.rot90(v[:, :, i])).clip(0, 1) for i in range(60, 121, 10)]
