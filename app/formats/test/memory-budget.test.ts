// One memory budget for every reader (budget.ts) and bounded inflation (inflate.ts).
//  - Bombs: a 1024×1024×512 uint8 .nii.gz (small on disk) and a deflated DICOM whose data set
//    inflates past the limit are refused before the big arrays exist (peak memory printed).
//  - Worst in-limit file per reader: a file sized to just fit the budget is loaded in a child
//    process and its peak resident memory printed. By default the budget is scaled down to
//    192 MiB so the test is quick; FLAT_MEMORY_FULL=1 runs the real 2 GiB budget (none may peak
//    above 3 GiB). Files are written in streaming fashion (the test itself stays small).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deflate, Gzip } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { READER_LIMITS } from '../limits';
import { MemoryBudget } from '../budget';
import { InflateLimitError, inflateBounded } from '../inflate';
import { HAVE_PYTHON, PYTHON, REPO_ROOT } from './helpers';

const FULL = process.env.FLAT_MEMORY_FULL === '1';
const BUDGET = FULL ? READER_LIMITS.maxMemory : 192 * 1024 * 1024;
const DIM = FULL ? 512 : 256;
const GiB = 1024 ** 3;
const dir = mkdtempSync(join(tmpdir(), 'flat-mem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Measured {
  outcome: string;
  baseline: number;
  peak: number;
  ms: number;
}

function measure(file: string, budget = BUDGET, content?: string): Measured {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'app/formats/test/fixtures/load-and-measure.ts'), file, String(budget), ...(content ? [content] : [])], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

function report(what: string, m: Measured): void {
  console.log(`[memory] ${what}: peak RSS ${mib(m.peak)} (baseline ${mib(m.baseline)}, +${mib(m.peak - m.baseline)}) in ${m.ms} ms — ${m.outcome.slice(0, 140)}`);
}

/** Writes `total` bytes produced chunk by chunk (never all in memory). */
function writeStream(path: string, parts: Iterable<Uint8Array>): void {
  const fd = openSync(path, 'w');
  try {
    for (const p of parts) writeSync(fd, p);
  } finally {
    closeSync(fd);
  }
}

function* compressZeros(codec: 'gzip' | 'deflate', header: Uint8Array, zeros: number): Generator<Uint8Array> {
  const out: Uint8Array[] = [];
  const c = codec === 'gzip' ? new Gzip({ level: 1 }, (d) => out.push(d)) : new Deflate({ level: 1 }, (d) => out.push(d));
  c.push(header);
  const chunk = new Uint8Array(4 << 20);
  for (let left = zeros; left > 0; left -= chunk.length) {
    c.push(left > chunk.length ? chunk : chunk.subarray(0, left), left <= chunk.length);
    yield* out.splice(0);
  }
  yield* out.splice(0);
}

function niftiHeader(nx: number, ny: number, nz: number, datatype: number, bitpix: number): Uint8Array {
  const b = Buffer.alloc(352);
  b.writeInt32LE(348, 0);
  b.writeInt16LE(3, 40);
  b.writeInt16LE(nx, 42);
  b.writeInt16LE(ny, 44);
  b.writeInt16LE(nz, 46);
  for (let i = 4; i < 8; i++) b.writeInt16LE(1, 40 + 2 * i);
  b.writeInt16LE(datatype, 70);
  b.writeInt16LE(bitpix, 72);
  for (let i = 0; i < 8; i++) b.writeFloatLE(1, 76 + 4 * i);
  b.writeFloatLE(352, 108);
  b.write('n+1\0', 344, 'latin1');
  return b;
}

function npyHeader(descr: string, shape: number[]): Uint8Array {
  let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  h += ' '.repeat((64 - ((10 + h.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre.writeUInt16LE(h.length, 8);
  return Buffer.concat([pre, Buffer.from(h, 'latin1')]);
}

function* zeros(n: number): Generator<Uint8Array> {
  const chunk = new Uint8Array(4 << 20);
  for (let left = n; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
}

/** Explicit VR little-endian element. */
function el(group: number, element: number, vr: string, value: Uint8Array): Uint8Array {
  const long = ['OB', 'OW', 'SQ', 'UT', 'UN'].includes(vr);
  const v = value.length % 2 ? Buffer.concat([value, Buffer.from([vr === 'UI' || vr === 'OB' ? 0 : 0x20])]) : Buffer.from(value);
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(element, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(v.length, 8);
  else h.writeUInt16LE(v.length, 6);
  return Buffer.concat([h, v]);
}
const txt = (s: string) => Buffer.from(s, 'latin1');
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

function dicomMeta(ts: string): Uint8Array {
  const body = Buffer.concat([
    el(2, 1, 'OB', Buffer.from([0, 1])),
    el(2, 2, 'UI', txt('1.2.840.10008.5.1.4.1.1.4')),
    el(2, 3, 'UI', txt('2.25.1')),
    el(2, 0x10, 'UI', txt(ts)),
  ]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  const pre = Buffer.alloc(132);
  pre.write('DICM', 128, 'latin1');
  return Buffer.concat([pre, el(2, 0, 'UL', len), body]);
}

function dicomSlice(rows: number, cols: number, i: number): Uint8Array {
  const ds = Buffer.concat([
    el(0x0008, 0x0016, 'UI', txt('1.2.840.10008.5.1.4.1.1.4')),
    el(0x0008, 0x0018, 'UI', txt(`2.25.${i + 1}`)),
    el(0x0008, 0x0060, 'CS', txt('MR')),
    el(0x0020, 0x000e, 'UI', txt('2.25.99')),
    el(0x0020, 0x0013, 'IS', txt(String(i + 1))),
    el(0x0028, 0x0002, 'US', u16(1)),
    el(0x0028, 0x0004, 'CS', txt('MONOCHROME2')),
    el(0x0028, 0x0010, 'US', u16(rows)),
    el(0x0028, 0x0011, 'US', u16(cols)),
    el(0x0028, 0x0100, 'US', u16(16)),
    el(0x0028, 0x0101, 'US', u16(16)),
    el(0x0028, 0x0102, 'US', u16(15)),
    el(0x0028, 0x0103, 'US', u16(0)),
  ]);
  const px = Buffer.alloc(rows * cols * 2);
  px.writeUInt16LE(i + 1, 0); // not all zero
  return Buffer.concat([dicomMeta('1.2.840.10008.1.2.1'), ds, el(0x7fe0, 0x0010, 'OW', px)]);
}

/** Most slices of rows×cols that fit the budget at `perPixel` bytes, with a 1 % margin for headers. */
function slicesFor(perPixel: number, rows = DIM, cols = DIM, max = 512): number {
  return Math.min(max, Math.floor((0.99 * BUDGET) / (perPixel * rows * cols)));
}

describe('bounded inflation', () => {
  it('stops inflating past the bound instead of producing everything', () => {
    const parts = [...compressZeros('deflate', new Uint8Array(0), 64 << 20)];
    const bomb = Buffer.concat(parts);
    expect(() => inflateBounded('deflate-raw', bomb, 8 << 20)).toThrow(InflateLimitError);
    expect(inflateBounded('deflate-raw', bomb, 64 << 20).length).toBe(64 << 20);
  });

  it('a budget refuses before allocating and names the total', () => {
    const b = new MemoryBudget('x.nii', GiB);
    b.take(['file contents', 512 << 20]);
    expect(() => b.take(['image', 600 << 20])).toThrow(/^x\.nii: reading it would need 1\.09 GiB of memory \(the image alone 600 MiB\), over the 1 GiB limit\.$/);
  });
});

describe('bombs are refused before the big arrays exist', () => {
  it('1024×1024×512 uint8 .nii.gz (10.8 GB peak before): too-large, small peak', () => {
    const f = join(dir, 'bomb.nii.gz');
    writeStream(f, compressZeros('gzip', niftiHeader(1024, 1024, 512, 2, 8), 1024 * 1024 * 512));
    const m = measure(f, READER_LIMITS.maxMemory);
    report('NIfTI 1024×1024×512 uint8 .nii.gz bomb', m);
    expect(m.outcome).toMatch(/^too-large: bomb\.nii\.gz: reading it would need .* over the 2 GiB limit\.$/);
    expect(m.peak).toBeLessThan(512 * 2 ** 20);
  }, 300_000);

  it('a deflated DICOM whose data set inflates past the limit (4.7 GB before): too-large, bounded', () => {
    const f = join(dir, 'bomb.dcm');
    const inflated = FULL ? 1.5 * GiB : 300 << 20;
    writeStream(f, (function* () {
      yield dicomMeta('1.2.840.10008.1.2.1.99');
      yield* compressZeros('deflate', new Uint8Array(0), inflated);
    })());
    const m = measure(f, FULL ? READER_LIMITS.maxMemory : 128 << 20);
    report(`deflated DICOM inflating to ${mib(inflated)}`, m);
    expect(m.outcome).toMatch(/^too-large: bomb\.dcm: its deflated data set inflates to more than/);
    expect(m.peak).toBeLessThan(FULL ? 1.5 * GiB : 512 * 2 ** 20);
  }, 300_000);
});

describe(`worst in-limit file per reader (budget ${mib(BUDGET)}; FLAT_MEMORY_FULL=1 for the real 2 GiB)`, () => {
  const limit = FULL ? 3 * GiB : BUDGET + (512 << 20);
  const check = (what: string, m: Measured) => {
    report(what, m);
    expect(m.outcome).toMatch(/^loaded /);
    expect(m.peak).toBeLessThan(limit);
  };

  it('NIfTI .nii.gz uint8', () => {
    const n = slicesFor(25);
    const f = join(dir, 'worst.nii.gz');
    writeStream(f, compressZeros('gzip', niftiHeader(DIM, DIM, n, 2, 8), DIM * DIM * n));
    check(`NIfTI .nii.gz uint8 ${DIM}×${DIM}×${n}`, measure(f));
  }, 600_000);

  it('NumPy float32 image', () => {
    const n = slicesFor(24);
    const f = join(dir, 'worst.npy');
    writeStream(f, (function* () {
      yield npyHeader('<f4', [n, DIM, DIM]);
      yield* zeros(n * DIM * DIM * 4 - 4);
      yield new Uint8Array(new Float32Array([1]).buffer);
    })());
    check(`NumPy float32 ${n}×${DIM}×${DIM}`, measure(f, BUDGET, 'image'));
  }, 600_000);

  it('BART cfl complex64 k-space', () => {
    const n = slicesFor(24);
    const base = join(dir, 'worst');
    writeStream(`${base}.hdr`, [txt(`# Dimensions\n${DIM} ${DIM} ${n} 1\n`)]);
    writeStream(`${base}.cfl`, (function* () {
      yield new Uint8Array(new Float32Array([1, 0]).buffer);
      yield* zeros(n * DIM * DIM * 8 - 8);
    })());
    check(`BART cfl ${DIM}×${DIM}×${n} complex64`, measure(`${base}.cfl`));
  }, 600_000);

  it('DICOM series, 16-bit', () => {
    // the DICOM reader also keeps its decoded stack under maxBytes at 16 bytes per pixel
    const n = Math.min(slicesFor(22 + 2048 / (DIM * DIM)), Math.floor(READER_LIMITS.maxBytes / (16 * DIM * DIM)));
    const d = join(dir, 'series');
    execFileSync('mkdir', ['-p', d]);
    for (let i = 0; i < n; i++) writeStream(join(d, `${String(i).padStart(4, '0')}.dcm`), [dicomSlice(DIM, DIM, i)]);
    check(`DICOM ${n} × ${DIM}×${DIM} uint16`, measure(d));
  }, 600_000);

  it.skipIf(!HAVE_PYTHON)('fastMRI HDF5 single-coil complex64', () => {
    const n = Math.min(slicesFor(16), Math.floor((0.99 * READER_LIMITS.maxBytes) / (DIM * DIM * 8)));
    const f = join(dir, 'worst_single.h5');
    execFileSync(PYTHON, ['-c', 'import sys, h5py, numpy as np\nn, d = int(sys.argv[2]), int(sys.argv[3])\nwith h5py.File(sys.argv[1], "w") as f:\n    k = f.create_dataset("kspace", (n, d, d), np.complex64)\n    s = np.zeros((d, d), np.complex64); s[0, 0] = 1\n    for i in range(n): k[i] = s', f, String(n), String(DIM)]);
    check(`fastMRI single-coil ${n}×${DIM}×${DIM}`, measure(f));
  }, 600_000);

  it.skipIf(!HAVE_PYTHON)('fastMRI HDF5 multi-coil complex64 (4 coils)', () => {
    const n = slicesFor(8 + 2 * 8 * 4);
    const f = join(dir, 'worst_multi.h5');
    execFileSync(PYTHON, ['-c', 'import sys, h5py, numpy as np\nn, d = int(sys.argv[2]), int(sys.argv[3])\nwith h5py.File(sys.argv[1], "w") as f:\n    k = f.create_dataset("kspace", (n, 4, d, d), np.complex64)\n    s = np.zeros((4, d, d), np.complex64); s[:, 0, 0] = 1\n    for i in range(n): k[i] = s', f, String(n), String(DIM)]);
    check(`fastMRI 4-coil ${n}×4×${DIM}×${DIM}`, measure(f));
  }, 600_000);
});
