// Seeded mutations of real files and the runner shared by the fuzz tests: every case must end in a
// Study or a FlatError; counts per outcome are printed.
import { FlatError } from '../../core/errors';
import { loadStudy } from '../index';
import { discardedModules } from '../h5/wasm';
import { mulberry32 } from '../../masks/prng';

/** The fuzzers' seeded PRNG: the same one the masks use. */
export const rng = mulberry32;

export type Mutator = (b: Uint8Array, r: () => number) => Uint8Array;
export const int = (r: () => number, n: number) => Math.floor(r() * n);

const HUGE = [0, 1, 2, 3, 0x7f, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0xffffffff, 1025, 513, 65535, 1e6];

/** Generic mutations, with the header (first `head` bytes) hit more often than the body. */
export function generic(head: number): Mutator {
  return (src, r) => {
    const b = src.slice();
    const at = () => (r() < 0.6 ? int(r, Math.min(head, b.length)) : int(r, b.length));
    switch (int(r, 6)) {
      case 0: // truncation
        return b.subarray(0, int(r, b.length));
      case 1: // bit flips
        for (let k = 1 + int(r, 8); k > 0; k--) {
          const i = at();
          b[i] = b[i]! ^ (1 << int(r, 8));
        }
        return b;
      case 2: // random bytes
        for (let k = 1 + int(r, 16); k > 0; k--) b[at()] = int(r, 256);
        return b;
      case 3: {
        // a 16/32-bit field set to an extreme value (sizes, counts, offsets, type codes)
        const i = at() & ~1;
        const v = HUGE[int(r, HUGE.length)]!;
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (i + 4 <= b.length && r() < 0.5) dv.setUint32(i, v >>> 0, true);
        else if (i + 2 <= b.length) dv.setUint16(i, v & 0xffff, true);
        return b;
      }
      case 4: {
        // NaN / Inf / huge floats in the body
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        const vals = [NaN, Infinity, -Infinity, 3.4e38];
        for (let k = 1 + int(r, 4); k > 0; k--) {
          const i = (head + int(r, Math.max(1, b.length - head - 4))) & ~3;
          if (i + 4 <= b.length) dv.setFloat32(i, vals[int(r, vals.length)]!, true);
        }
        return b;
      }
      default: {
        // a block duplicated or zeroed
        const i = at();
        const len = 1 + int(r, 64);
        if (r() < 0.5) b.fill(0, i, i + len);
        else b.copyWithin(i, int(r, b.length), int(r, b.length));
        return b;
      }
    }
  };
}

/** Text-header formats: also rewrite the header's numbers and type codes. */
export function npyMutator(src: Uint8Array, r: () => number): Uint8Array {
  if (r() < 0.6) return generic(128)(src, r);
  const text = new TextDecoder('latin1').decode(src.subarray(0, 128));
  const types = ["'<f4'", "'<c8'", "'>c16'", "'|O'", "'<U8'", "'<f2'", "'<i8'", "'|b1'", "'<V8'", "'<c32'"];
  const shapes = ['(64, 64)', '(99999, 99999)', '(0, 64)', '(64,)', '(2, 2, 2, 2)', '(512, 1024, 1024)', '(-1, 64)', '(64, 64, 1)', '()'];
  const t = text
    .replace(/'descr': '[^']*'/, `'descr': ${types[int(r, types.length)]}`)
    .replace(/'shape': \([^)]*\)/, `'shape': ${shapes[int(r, shapes.length)]}`)
    .replace(/'fortran_order': \w+/, `'fortran_order': ${r() < 0.5 ? 'True' : 'Flase'}`);
  const head = Uint8Array.from(t.slice(0, 128).padEnd(128, ' '), (ch) => ch.charCodeAt(0) & 0xff); // latin1
  const out = src.slice();
  out.set(head.subarray(0, 128));
  return out;
}


export interface Tally {
  ok: number;
  typed: Record<string, number>;
  untyped: string[];
  slowestMs: number;
}

export async function run(name: string, cases: number, seed: number, once: (i: number, r: () => number) => Promise<unknown>): Promise<Tally> {
  const r = rng(seed);
  const tally: Tally = { ok: 0, typed: {}, untyped: [], slowestMs: 0 };
  for (let i = 0; i < cases; i++) {
    const t = performance.now();
    try {
      await once(i, r);
      tally.ok++;
    } catch (e) {
      if (e instanceof FlatError) tally.typed[e.code] = (tally.typed[e.code] ?? 0) + 1;
      else tally.untyped.push(`case ${i}: ${String(e).slice(0, 200)}`);
    }
    tally.slowestMs = Math.max(tally.slowestMs, performance.now() - t);
  }
  const typed = Object.values(tally.typed).reduce((a, b) => a + b, 0);
  console.log(`[fuzz] ${name}: ${cases} mutations → ${tally.ok} ok, ${typed} typed errors ${JSON.stringify(tally.typed)}, ${tally.untyped.length} other; slowest ${tally.slowestMs.toFixed(0)} ms`);
  return tally;
}

export function bytesCase(seedBytes: Uint8Array, fileName: string, mutate: Mutator) {
  return async (_i: number, r: () => number) => loadStudy({ name: fileName, bytes: mutate(seedBytes, r) });
}


/**
 * Fuzz one HDF5 fixture: every mutation ends in a Study or a FlatError, then the unmutated file still
 * loads (a WASM abort or a hang must not leave the HDF5 worker unusable). Returns that study.
 */
export async function fuzzHdf5Fixture(label: string, seedBytes: Uint8Array, n: number, seed: number, headerBytes: number) {
  const t = await run(label, n, seed, bytesCase(seedBytes, 'fuzz.h5', generic(headerBytes)));
  console.log(`[fuzz] HDF5 workers replaced after aborts or hangs so far: ${discardedModules()}`);
  return { untyped: t.untyped, study: await loadStudy({ name: 'good.h5', bytes: seedBytes }) };
}
