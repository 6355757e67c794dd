#!/usr/bin/env bash
# Runs every test suite of the repository and prints one closing line "N passed, N failed, N skipped".
# Order: static checks (fast, fail early), Python, TypeScript unit, browser end-to-end.
set -uo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip ELECTRON_SKIP_BINARY_DOWNLOAD=1
rep="$(mktemp -d)"
status=0

step() { echo; echo "=== $1"; }

step "lint + types (ruff, eslint with the layer boundaries, tsc, vue-tsc)"
.venv/bin/ruff check training || status=1
npx eslint . || status=1
npx tsc -p tsconfig.json --noEmit || status=1
npx vue-tsc -p renderer/tsconfig.json --noEmit || status=1

step "python (pytest)"
.venv/bin/python -m pytest training/tests -q -p no:cacheprovider --junitxml="$rep/pytest.xml"
rc=$?; [ $rc -ne 0 ] && status=1

step "unit (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile="$rep/unit.json" || status=1

step "end-to-end (Chromium)"
npm run build:renderer --silent || status=1
npx vitest run --config e2e/vitest.config.ts --reporter=default --reporter=json --outputFile="$rep/e2e.json" || status=1

# Tally: pytest junit + vitest json.
node - "$rep" <<'JS'
const fs = require('fs'); const path = require('path');
const dir = process.argv[2];
let passed = 0, failed = 0, skipped = 0;
const px = path.join(dir, 'pytest.xml');
if (fs.existsSync(px)) {
  const x = fs.readFileSync(px, 'utf8');
  const m = x.match(/<testsuite [^>]*>/);
  if (m) {
    const n = (k) => Number((m[0].match(new RegExp(`${k}="(\\d+)"`)) || [0, 0])[1]);
    const tests = n('tests'), f = n('failures') + n('errors'), s = n('skipped');
    passed += tests - f - s; failed += f; skipped += s;
  }
}
for (const f of ['unit.json', 'e2e.json']) {
  const p = path.join(dir, f);
  if (!fs.existsSync(p)) continue;
  const j = JSON.parse(fs.readFileSync(p, 'utf8'));
  passed += j.numPassedTests; failed += j.numFailedTests; skipped += j.numPendingTests + (j.numTodoTests || 0);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
JS
rm -rf "$rep"
exit $status
