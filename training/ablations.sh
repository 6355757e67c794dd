#!/usr/bin/env bash
# Short ablation runs (same architecture as the shipped model, 64² crops, 150 iterations each, run one
# after another at low priority), then one eval over all of them. Usage: bash training/ablations.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FL=.venv/bin/flatrecon
COMMON=(train.crop=64 train.iterations=150 train.max_minutes=0 train.ckpt_every=50 train.log_every=10)
run() {  # name config overrides...
  local name=$1 cfg=$2; shift 2
  [ -f "training/runs/abl_${name}/model.pt" ] && return 0
  nice -n 5 $FL train --config "training/configs/${cfg}.json" --run-dir "training/runs/abl_${name}" \
    --set "${COMMON[@]}" "$@" > "training/runs/abl_${name}.stdout.log" 2>&1
}
run proj_uniform flat
run plain_uniform flat model.projection=0.0
run proj_power flat model.schedule=power model.alpha=1.0
run proj_lv0 flat train.lambda_v=0.0
run proj_shared flat model.shared=true
run vanilla vanilla
run soft_proj flat model.projection=0.5
run proj_lv1 flat train.lambda_v=1.0
