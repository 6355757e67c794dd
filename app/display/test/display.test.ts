import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../core/version';
import { REPO_ROOT } from '../../test/helpers';
import {
  FIXED_SCALE_MAX,
  FIXED_SCALE_PEAK,
  autoWindow,
  displayUnits,
  fromRelativeWindow,
  integerWindow,
  percentiles,
  quantiseLinear,
  toDisplayUnits,
  toRelativeWindow,
  toStoredUnits,
} from '../index';

describe('the window rule (viewer and exports)', () => {
  it('auto window spans the 1st–99th percentile, with a lower bound on the width', () => {
    const v = Float32Array.from({ length: 1001 }, (_, i) => i); // 0 … 1000
    const w = autoWindow(v);
    expect(w.width).toBeCloseTo(980, 6);
    expect(w.center).toBeCloseTo(500, 6);
    expect(autoWindow(new Float32Array(10).fill(0.2), undefined, undefined, 1).width).toBe(1);
    expect(percentiles(Float32Array.from([NaN, 1, Infinity, 3]), [0, 100])).toEqual([1, 3]);
  });

  it('integer windows have width ≥ 1 and a centre inside the stored range', () => {
    expect(integerWindow({ center: 0.3474, width: 0.6947 }, 4095)).toEqual({ center: 0.3474, width: 1 });
    expect(integerWindow({ center: 9000, width: 20 }, 4095)).toEqual({ center: 4095, width: 20 });
  });
});

describe('display units', () => {
  it('DICOM keeps its own units; everything else gets the fixed 0–4095 scale', () => {
    expect(displayUnits('dicom', 1234)).toMatchObject({ kind: 'source', scale: 1, peak: 1234, maxStored: 65535, bitsStored: 16 });
    const f = displayUnits('fastmri-h5', 2.5e-4);
    expect(f).toMatchObject({ kind: 'fixed', peak: FIXED_SCALE_PEAK, maxStored: FIXED_SCALE_MAX, bitsStored: 12 });
    expect(2.5e-4 * f.scale).toBeCloseTo(FIXED_SCALE_PEAK, 6);
    // DICOM with float-like values (e.g. a rescale to 0…1) cannot be stored as integers: fixed scale
    expect(displayUnits('dicom', 0.9).kind).toBe('fixed');
  });

  it('relative presets mean the same fraction of the peak on every study', () => {
    const rel = toRelativeWindow({ center: 362, width: 724 }, 1448);
    expect(rel).toEqual({ center: 0.25, width: 0.5 });
    expect(fromRelativeWindow(rel, FIXED_SCALE_PEAK)).toEqual({ center: 1000, width: 2000 });
  });

  it('stored units are rounded and clipped; the linear quantiser round-trips within slope/2', () => {
    const d = Float32Array.from([-3, 0.4, 0.5, 4094.6, 5000]);
    const { pixels, clipped } = toStoredUnits(d, FIXED_SCALE_MAX);
    expect(Array.from(pixels)).toEqual([0, 0, 1, 4095, 4095]);
    expect(clipped).toBe(1);
    const v = Float32Array.from({ length: 500 }, (_, i) => Math.sin(i) * 3 + 0.001 * i);
    const q = quantiseLinear(v);
    let worst = 0;
    for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(q.pixels[i]! * q.slope + q.intercept - v[i]!));
    expect(worst).toBeLessThanOrEqual(q.slope / 2 + 1e-9);
    expect(Array.from(toDisplayUnits(Float32Array.from([1, 2]), 2))).toEqual([2, 4]);
  });

  it('APP_VERSION matches package.json', () => {
    expect(APP_VERSION).toBe(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });
});
