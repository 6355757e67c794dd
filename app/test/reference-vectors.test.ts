// One definition of every mask, coil rule and metric: the app must reproduce, value for value, the
// reference vectors written by training/flatrecon/reference_vectors.py (`flatrecon reference-vectors`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeColumnMask } from '../masks';
import { nmse, psnr, ssim } from '../metrics';
import { coilImages, displayImage, estimateMaps, maxRss } from '../recon/coils';

interface Vectors {
  masks: { kind: 'random' | 'equispaced'; cols: number; acceleration: number; centerFraction: number; seed: number; mask: number[] }[];
  coils: { rows: number; cols: number; coils: number; mask: number[]; kspace: number[]; maps: number[]; scale: number; zeroFilledShown: number[] }[];
  metrics: { rows: number; cols: number; ref: number[]; img: number[]; dataRange: number | null; psnr: number; ssim: number; nmse: number }[];
}

const vectors = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'reference_vectors.json'), 'utf8')) as Vectors;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('reference vectors from flatrecon', () => {
  it('masks: the same seed gives the same columns as Python (mulberry32, fastMRI rules)', () => {
    expect(vectors.masks.length).toBeGreaterThanOrEqual(10);
    for (const v of vectors.masks) {
      const m = makeColumnMask({ kind: v.kind, acceleration: v.acceleration, centerFraction: v.centerFraction, seed: v.seed }, v.cols);
      expect(Array.from(m), `${v.kind} ${v.cols} R${v.acceleration} seed ${v.seed}`).toEqual(v.mask);
    }
  });

  it('masks: an R× mask samples about 1/R of the columns (random in expectation, equispaced exactly)', () => {
    for (const acc of [4, 8]) {
      for (const kind of ['random', 'equispaced'] as const) {
        let total = 0;
        const draws = kind === 'random' ? 200 : 1;
        for (let seed = 0; seed < draws; seed++) {
          const m = makeColumnMask({ kind, acceleration: acc, centerFraction: 0.32 / acc, seed }, 368);
          total += m.reduce((a, b) => a + b, 0);
        }
        const fraction = total / draws / 368;
        expect(Math.abs(fraction - 1 / acc), `${kind} R${acc}: ${fraction}`).toBeLessThan(kind === 'random' ? 0.005 : 0.01);
      }
    }
  });

  it('coils: ACS sensitivities, normalisation and the shown zero-filled image match Python', () => {
    for (const v of vectors.coils) {
      const n = v.rows * v.cols;
      const k = Float32Array.from(v.kspace);
      const mask = Uint8Array.from(v.mask);
      const maps = estimateMaps(k, mask, v.coils, v.rows, v.cols);
      // float32 FFT here, float64 there: the ratio l_c / RSS(l) amplifies rounding where l is faint
      expect(maxAbsDiff(maps, v.maps)).toBeLessThan(2e-4);
      const zf = coilImages(k, v.coils, v.rows, v.cols);
      expect(Math.abs(maxRss(zf, v.coils, n) - v.scale) / v.scale).toBeLessThan(1e-5);
      const shown = displayImage(zf, maps, v.coils, n);
      expect(maxAbsDiff(shown, v.zeroFilledShown) / v.scale).toBeLessThan(2e-5);
    }
  });

  it('metrics: PSNR, SSIM and NMSE (fastMRI conventions, optional volume data range) match Python', () => {
    for (const v of vectors.metrics) {
      const ref = Float32Array.from(v.ref);
      const img = Float32Array.from(v.img);
      const p = v.dataRange === null ? psnr(ref, img) : psnr(ref, img, v.dataRange);
      const s = v.dataRange === null ? ssim(ref, img, v.rows, v.cols) : ssim(ref, img, v.rows, v.cols, v.dataRange);
      expect(p).toBeCloseTo(v.psnr, 4);
      expect(s).toBeCloseTo(v.ssim, 5);
      expect(nmse(ref, img)).toBeCloseTo(v.nmse, 6);
    }
  });
});
