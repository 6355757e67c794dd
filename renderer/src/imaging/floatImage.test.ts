import { describe, expect, it } from 'vitest';
import { absDiff, finiteRange, quantise, toCornerstoneImage } from './floatImage';

// A 64×48 magnitude-like image: smooth ramp plus a bright disc, values in [0, 3.2] (float units).
function phantom(rows = 48, cols = 64): Float32Array {
  const d = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const inDisc = (r - rows / 2) ** 2 + (c - cols / 2) ** 2 < 100;
      d[r * cols + c] = 0.01 * c + (inDisc ? 2.5 : 0) + 1e-4 * r;
    }
  return d;
}

describe('quantise', () => {
  it('round-trips float values through Uint16 within half a quantisation step', () => {
    const data = phantom();
    const { pixels, slope, intercept } = quantise(data);
    expect(pixels).toBeInstanceOf(Uint16Array);
    const { min, max } = finiteRange(data);
    expect(intercept).toBe(min);
    expect(slope).toBeCloseTo((max - min) / 65535, 12);
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(pixels[i]! * slope + intercept - data[i]!));
    expect(worst).toBeLessThanOrEqual(slope / 2 + 1e-7);
    expect(Math.max(...pixels)).toBe(65535);
    expect(Math.min(...pixels)).toBe(0);
  });

  it('handles a constant image and non-finite values without poisoning the range', () => {
    const flat = new Float32Array(16).fill(0.7);
    const q = quantise(flat);
    expect(q.slope).toBe(1);
    expect([...q.pixels].every((p) => p === 0)).toBe(true);
    const withNaN = Float32Array.from([0, 1, NaN, Infinity, 2]);
    const r = quantise(withNaN);
    expect(r.intercept).toBe(0);
    expect(r.pixels[4]).toBe(65535);
    expect(r.pixels[2]).toBe(0);
    expect(r.pixels[3]).toBe(0);
  });
});

describe('toCornerstoneImage', () => {
  it('builds a grayscale cornerstone image whose modality values are the float data', () => {
    const data = phantom();
    const img = toCornerstoneImage({ imageId: 'flat:t/1', rows: 48, cols: 64, data, spacing: [0.5, 0.7] }, { center: 1, width: 2 });
    expect(img.rows).toBe(48);
    expect(img.columns).toBe(64);
    expect(img.color).toBe(false);
    expect(img.getPixelData().length).toBe(48 * 64);
    expect(img.minPixelValue).toBe(0);
    expect(img.maxPixelValue).toBe(65535);
    expect(img.columnPixelSpacing).toBe(0.5);
    expect(img.rowPixelSpacing).toBe(0.7);
    const px = img.getPixelData();
    const i = 24 * 64 + 32; // disc centre
    expect(px[i]! * img.slope + img.intercept).toBeCloseTo(data[i]!, 4);
    expect(img.floatPixelData).toBe(data);
  });

  it('refuses data that does not match the stated size', () => {
    expect(() => toCornerstoneImage({ imageId: 'flat:x', rows: 4, cols: 4, data: new Float32Array(15) }, { center: 0, width: 1 })).toThrow(/15 values/);
  });
});

describe('absDiff', () => {
  it('is |a − b| per pixel and rejects mismatched sizes', () => {
    expect([...absDiff(Float32Array.from([1, -2, 3]), Float32Array.from([0.5, 1, 3]))]).toEqual([0.5, 3, 0]);
    expect(() => absDiff(new Float32Array(2), new Float32Array(3))).toThrow();
  });
});
