import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FlatError } from '../../core/errors';
import { defaultCenterFraction, loadMaskFile, makeColumnMask, makeMask, maskFileToPlane, mulberry32, parseMaskNpy } from '../index';
import { realData, runPython, tempDir } from '../../test/helpers';

function centreBand(cols: number, cf: number): [number, number] {
  const n = Math.round(cols * cf);
  const pad = Math.floor((cols - n + 1) / 2);
  return [pad, pad + n];
}

describe('mulberry32', () => {
  it('is deterministic per seed and roughly uniform', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 20000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe('random mask (fastMRI RandomMaskFunc style)', () => {
  it.each([
    [368, 4, 0.08],
    [256, 8, 0.04],
    [230, 4, 0.08],
  ])('cols %i, %i×: centre fully sampled, expected fraction 1/acc', (cols, acc, cf) => {
    const [lo, hi] = centreBand(cols, cf);
    let total = 0;
    const seeds = 300;
    for (let seed = 0; seed < seeds; seed++) {
      const m = makeColumnMask({ kind: 'random', acceleration: acc, centerFraction: cf, seed }, cols);
      for (let c = lo; c < hi; c++) expect(m[c]).toBe(1);
      total += m.reduce((s, v) => s + v, 0);
    }
    const mean = total / seeds / cols;
    expect(Math.abs(mean - 1 / acc)).toBeLessThan(0.01);
  });

  it('same seed → same mask, other seed → other mask; the plane repeats the columns', () => {
    const spec = { kind: 'random' as const, acceleration: 4, centerFraction: 0.08, seed: 3 };
    const a = makeColumnMask(spec, 320);
    expect(makeColumnMask(spec, 320)).toEqual(a);
    expect(makeColumnMask({ ...spec, seed: 4 }, 320)).not.toEqual(a);
    const plane = makeMask(spec, 5, 320);
    for (let r = 0; r < 5; r++) expect(plane.subarray(r * 320, (r + 1) * 320)).toEqual(a);
  });
});

describe('equispaced mask', () => {
  it("samples fastMRI's adjusted grid (so the total, centre included, is cols/R) plus the centre", () => {
    for (let seed = 0; seed < 20; seed++) {
      const m = makeColumnMask({ kind: 'equispaced', acceleration: 4, centerFraction: 0.08, seed }, 256);
      const [lo, hi] = centreBand(256, 0.08);
      const outer = [...m].map((v, c) => (v && (c < lo || c >= hi) ? c : -1)).filter((c) => c >= 0);
      const numLow = hi - lo;
      const spacing = (4 * (numLow - 256)) / (numLow * 4 - 256);
      expect(outer[0]!).toBeLessThan(Math.round(spacing));
      // consecutive grid columns are round(offset + k·spacing): gaps of floor or ceil of the spacing
      for (let i = 1; i < outer.length; i++) {
        const gap = outer[i]! - outer[i - 1]!;
        if (outer[i - 1]! < lo - 1 && outer[i]! < lo) expect([Math.floor(spacing), Math.ceil(spacing)]).toContain(gap);
      }
      expect(Math.abs(m.reduce((a, v) => a + v, 0) - 256 / 4)).toBeLessThanOrEqual(2);
    }
  });
});

describe('mask spec validation', () => {
  it.each([
    { kind: 'spiral', acceleration: 4, centerFraction: 0.08, seed: 0 },
    { kind: 'random', acceleration: 0.5, centerFraction: 0.08, seed: 0 },
    { kind: 'random', acceleration: 4, centerFraction: 0.5, seed: 0 },
    { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: -1 },
    { kind: 'random', acceleration: Number.NaN, centerFraction: 0.08, seed: 0 },
  ])('rejects %o with a FlatError', (spec) => {
    expect(() => makeColumnMask(spec as never, 256)).toThrow(FlatError);
  });

  it('default centre fractions follow fastMRI', () => {
    expect(defaultCenterFraction(4)).toBeCloseTo(0.08);
    expect(defaultCenterFraction(8)).toBeCloseTo(0.04);
  });
});

describe('mask files', () => {
  it('reads a 2D Poisson-disc mask (bool, NumPy) and 1D/2D masks of several dtypes and layouts', () => {
    const dir = tempDir('flat-mask-');
    const out = runPython(
      String.raw`
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(1)
col = rng.random(230) < 0.3
np.save(f"{d}/col_bool.npy", col)
np.save(f"{d}/col_f32_fastmri.npy", col.astype(np.float32).reshape(1, 1, 230, 1))
plane = rng.random((180, 230)) < 0.2
np.save(f"{d}/plane_u8.npy", plane.astype(np.uint8))
np.save(f"{d}/plane_f64_fortran.npy", np.asfortranarray(plane.astype(np.float64)))
np.save(f"{d}/plane_i64.npy", plane.astype(np.int64))
print(int(col.sum()), int(plane.sum()), int(np.load(sys.argv[2]).sum()))
`,
      [dir, realData('poisson_mask_180x230.npy')],
    );
    const [colSum, planeSum, poissonSum] = out.trim().split(/\s+/).map(Number) as [number, number, number];
    const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

    const poisson = loadMaskFile(realData('poisson_mask_180x230.npy'));
    expect([poisson.rows, poisson.cols]).toEqual([180, 230]);
    expect(sum(maskFileToPlane(poisson, 180, 230))).toBe(poissonSum);

    for (const f of ['col_bool', 'col_f32_fastmri']) {
      const m = loadMaskFile(path.join(dir, `${f}.npy`));
      expect(m.rows).toBeUndefined();
      expect(sum(maskFileToPlane(m, 180, 230))).toBe(colSum * 180);
    }
    const ref = maskFileToPlane(loadMaskFile(path.join(dir, 'plane_u8.npy')), 180, 230);
    expect(sum(ref)).toBe(planeSum);
    expect(maskFileToPlane(loadMaskFile(path.join(dir, 'plane_f64_fortran.npy')), 180, 230)).toEqual(ref);
    expect(maskFileToPlane(loadMaskFile(path.join(dir, 'plane_i64.npy')), 180, 230)).toEqual(ref);
  });

  it('refuses mismatched sizes, truncated files, non-npy files and missing files', () => {
    const dir = tempDir('flat-mask-bad-');
    const real = readFileSync(realData('poisson_mask_180x230.npy'));
    const m = parseMaskNpy(real, 'poisson.npy');
    expect(() => maskFileToPlane(m, 256, 256)).toThrow(/180x230/);
    const truncated = path.join(dir, 'trunc.npy');
    writeFileSync(truncated, real.subarray(0, real.length - 100));
    expect(() => loadMaskFile(truncated)).toThrow(expect.objectContaining({ code: 'corrupt-file' }));
    const text = path.join(dir, 'mask.npy');
    writeFileSync(text, 'not a numpy file at all');
    expect(() => loadMaskFile(text)).toThrow(expect.objectContaining({ code: 'unsupported-format' }));
    expect(() => loadMaskFile(path.join(dir, 'missing.npy'))).toThrow(expect.objectContaining({ code: 'io' }));
  });
});
