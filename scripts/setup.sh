#!/usr/bin/env bash
# Installs everything FLAT Viewer needs on a fresh Debian machine (idempotent):
# Debian packages, the npm dependencies from the lockfile, and the Python venv with `flatrecon`
# (extras dev and ray: `flatrecon batch` runs on Ray).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=(chromium dcmtk dicom3tools mricron-data orthanc python3-pydicom)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# No network beyond the registries: never let onnxruntime-node or electron download binaries.
export ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
if ! .venv/bin/python -c "import flatrecon, ray" 2>/dev/null || [ training/pyproject.toml -nt .venv/.flatrecon-installed ] \
   || [ training/constraints.txt -nt .venv/.flatrecon-installed ]; then
  echo "setup: pip install -e training[dev,ray] (torch is large: a few minutes the first time)"
  .venv/bin/pip install -q -c training/constraints.txt -e 'training[dev,ray]'
  touch .venv/.flatrecon-installed
fi
echo "setup: done"
