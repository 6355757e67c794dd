#!/usr/bin/env bash
# Evaluate the ablation runs on the validation stack (not on eval files: this is model selection).
set -euo pipefail
cd "$(dirname "$0")/.."
FL=.venv/bin/flatrecon
R=training/report
mkdir -p $R
$FL make-val --out /tmp/flat_val.npy
M=(); N=()
for d in training/runs/abl_*/; do
  n=$(basename "$d"); [ -f "$d/model.pt" ] && M+=("$n=$d/model.pt") && N+=("$n")
done
methods=$(IFS=,; echo "zero_filled,${N[*]}")
$FL eval --images /tmp/flat_val.npy --accelerations 4 8 --masks-per-image 1 --methods "$methods" \
  --model "${M[@]}" --json $R/ablations_val.json
if [ -f training/runs/abl_proj_shared/model.pt ]; then
  for s in 6 24; do
    $FL eval --images /tmp/flat_val.npy --accelerations 4 8 --masks-per-image 1 --methods abl_proj_shared \
      --model abl_proj_shared=training/runs/abl_proj_shared/model.pt --steps $s --json $R/ablations_val_shared_steps$s.json
  done
fi
$FL figures --eval-json $R/ablations_val.json --curves-name ablations_step_psnr.png --title "(ablations, validation)"
# noisy k-space: exact vs soft projection vs plain FLAT (targets stay clean)
$FL eval --images /tmp/flat_val.npy --accelerations 4 --masks-per-image 1 --noise 0.02 \
  --methods "$methods" --model "${M[@]}" --json $R/ablations_val_noise0.02.json
