// Fixed map scales, gain over zero-filled, data-consistency wording, mask summary, contrast.
import { describe, expect, it } from 'vitest';
import {
  DC_EXACT_BELOW,
  MAP_SCALE_PERCENT,
  contrastRatio,
  dcStatus,
  errorPercent,
  formatGain,
  gainOverZeroFilled,
  mapWindow,
  maskLine,
  percentOf,
  saturatedFraction,
  sliceNormaliser,
  summariseColumns,
} from './scales';

describe('error and contribution maps on a fixed scale', () => {
  const ref = Float32Array.from([0, 50, 100, 200]);
  it('the normaliser is the reference maximum (else the zero-filled maximum), never the step', () => {
    expect(sliceNormaliser(ref, Float32Array.from([1, 2, 999]))).toBe(200);
    expect(sliceNormaliser(undefined, Float32Array.from([1, 2, 40]))).toBe(40);
    expect(sliceNormaliser(undefined, new Float32Array(4))).toBe(1);
  });
  it('a given absolute error reads the same percentage at every step', () => {
    const norm = sliceNormaliser(ref, ref);
    const early = errorPercent(Float32Array.from([10, 50, 100, 180]), ref, norm);
    const late = errorPercent(Float32Array.from([10, 52, 100, 200]), ref, norm);
    expect(early[0]).toBeCloseTo(5);
    expect(late[0]).toBeCloseTo(5); // the same 10-unit error is 5 % at both steps
    expect(early[3]).toBeCloseTo(10);
    expect(late[1]).toBeCloseTo(1);
    expect(mapWindow()).toEqual({ center: MAP_SCALE_PERCENT / 2, width: MAP_SCALE_PERCENT });
    expect(saturatedFraction(early)).toBeCloseTo(0.25);
  });
  it('contribution percent uses the magnitude', () => {
    expect(Array.from(percentOf(Float32Array.from([-2, 4]), 40))).toEqual([5, 10]);
  });
});

describe('metrics for readers', () => {
  it('gain over zero-filled is the PSNR difference to step 0', () => {
    expect(gainOverZeroFilled(32.5, 24)).toBeCloseTo(8.5);
    expect(gainOverZeroFilled(undefined, 24)).toBeUndefined();
    expect(formatGain(8.46)).toBe('+8.5 dB');
    expect(formatGain(-0.04)).toBe('±0.0 dB');
    expect(formatGain(-1.26)).toBe('−1.3 dB');
    expect(formatGain(undefined)).toBe('—');
  });
  it('a residual at float precision is "exact", a real one says how far off', () => {
    expect(dcStatus(3e-6)).toEqual({ exact: true, text: 'exact' });
    expect(dcStatus(1e-8).exact).toBe(true);
    expect(dcStatus(DC_EXACT_BELOW * 2).exact).toBe(false);
    expect(dcStatus(0.02).text).toBe('off by 2.0 % of the measured data');
    expect(dcStatus(undefined).text).toBe('—');
  });
});

describe('sampling mask summary', () => {
  it('finds R and the centre block of a column mask', () => {
    const cols = new Uint8Array(16);
    for (const c of [0, 4, 7, 8, 9, 12]) cols[c] = 1;
    const s = summariseColumns(cols)!;
    expect(s.sampled).toBe(6);
    expect(s.acceleration).toBeCloseTo(16 / 6);
    expect(s.centreFraction).toBeCloseTo(3 / 16);
    expect(maskLine({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 3 }, s, false)).toBe(
      'random · R = 4 · 6/16 lines · centre 8 % · seed 3',
    );
    expect(maskLine(null, s, true)).toMatch(/^acquired mask · R = 2.67 · 6\/16 lines · centre 18.8 %$/);
    expect(maskLine(null, null, true)).toBe('acquired mask (2D pattern)');
    expect(summariseColumns(new Uint8Array(0))).toBeNull();
  });
});

describe('contrast of the palette (WCAG AA: 4.5 for text)', () => {
  // Text colours on the backgrounds they are used on (styles.css, components).
  const pairs: [string, string][] = [
    ['#d9dadc', '#111213'], // body text
    ['#d9dadc', '#26282b'], // buttons, inputs
    ['#a3a6aa', '#1b1c1e'], // labels in the side panel
    ['#9a9da1', '#1b1c1e'], // muted text
    ['#9a9da1', '#1e1f21'], // muted text in dialogs
    ['#e2b866', '#1b1c1e'], // research badge
    ['#8fb8de', '#1b1c1e'], // links, tags
    ['#f3d6d5', '#4a2322'], // error banner
    ['#ffffff', '#7a1f1f'], // unverified model
    ['#d6d6d6', '#000000'], // viewport overlays
    ['#8fb8de', '#000000'], // pane titles
    ['#c9b27c', '#000000'], // simulated-k-space label
    ['#e07b78', '#1b1c1e'], // warnings
  ];
  it.each(pairs)('%s on %s ≥ 4.5', (fg, bg) => {
    expect(contrastRatio(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });
  it('is 21 for black on white', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21);
  });
});

describe('heat colour scale', () => {
  it('runs black → red → yellow → white through its knots, 256 entries', async () => {
    const { heatColour, heatTable } = await import('./scales');
    expect(heatColour(0)).toEqual([0, 0, 0]);
    expect(heatColour(0.375)).toEqual([255, 0, 0]);
    expect(heatColour(0.75)).toEqual([255, 255, 0]);
    expect(heatColour(1)).toEqual([255, 255, 255]);
    expect(heatColour(2)).toEqual([255, 255, 255]);
    expect(heatColour(0.1875)).toEqual([128, 0, 0]);
    const t = heatTable();
    expect(t.length).toBe(256);
    expect(t[255]).toEqual([255, 255, 255, 255]);
  });
});
