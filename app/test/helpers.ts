// Shared helpers for the core's tests: where the repo and the shared data live, a tiny .npy
// reader/writer, and a way to run the training venv's Python for reference values.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DATA_DIR = path.resolve(REPO_ROOT, '../shared/data');
export const PYTHON = path.join(REPO_ROOT, '.venv/bin/python');
export const MODELS_DIR = path.join(REPO_ROOT, 'resources/models');
export const SAMPLE = path.join(REPO_ROOT, 'resources/sample/colin27_fastmri_singlecoil.h5');

export function dataFile(name: string): string {
  return path.join(DATA_DIR, name);
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
