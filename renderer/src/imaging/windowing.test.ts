import { describe, expect, it } from 'vitest';
import { autoWindow, formatValue, loadUserPresets, percentiles, saveUserPresets } from './windowing';

class MemoryStore {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

describe('percentiles', () => {
  it('interpolates between order statistics like NumPy (linear)', () => {
    // 0, 1, …, 100 shuffled: the p-th percentile is p.
    const v = Float32Array.from({ length: 101 }, (_, i) => (i * 37) % 101);
    expect(percentiles(v, [0, 1, 50, 99, 100])).toEqual([0, 1, 50, 99, 100]);
    // [0, 10]: 25th percentile = 2.5
    expect(percentiles(Float32Array.from([10, 0]), [25])[0]).toBeCloseTo(2.5, 6);
  });

  it('ignores NaN and Inf', () => {
    expect(percentiles(Float32Array.from([NaN, 1, Infinity, 3]), [0, 100])).toEqual([1, 3]);
  });
});

describe('autoWindow', () => {
  it('spans the 1st to 99th percentile', () => {
    const v = Float32Array.from({ length: 1001 }, (_, i) => i / 1000); // 0 … 1
    const w = autoWindow(v);
    expect(w.width).toBeCloseTo(0.98, 5);
    expect(w.center).toBeCloseTo(0.5, 5);
  });

  it('never returns a zero width', () => {
    expect(autoWindow(new Float32Array(10).fill(2)).width).toBeGreaterThan(0);
    expect(autoWindow(new Float32Array(10)).width).toBeGreaterThan(0);
  });
});

describe('user presets', () => {
  it('round-trip through storage and drop malformed entries', () => {
    const store = new MemoryStore();
    saveUserPresets(store, [
      { name: 'Brain', center: 0.4, width: 0.8, source: 'user' },
      { name: 'Auto', center: 1, width: 1, source: 'auto' },
    ]);
    expect(loadUserPresets(store)).toEqual([{ name: 'Brain', center: 0.4, width: 0.8, source: 'user' }]);
    store.setItem('flat.windowPresets.v2', JSON.stringify([{ name: 'bad', center: 1, width: -1 }, { name: 3 }, { name: 'ok', center: 0, width: 2 }]));
    expect(loadUserPresets(store).map((p) => p.name)).toEqual(['ok']);
    store.setItem('flat.windowPresets.v2', '{not json');
    expect(loadUserPresets(store)).toEqual([]);
  });

  it('are saved relative to the study peak, so they fit another study', () => {
    const store = new MemoryStore();
    // saved on a DICOM study in its own units (peak 1448): 724/362 is half / a quarter of the peak
    saveUserPresets(store, [{ name: 'Brain T1', center: 362, width: 724, source: 'user' }], 1448);
    expect(JSON.parse(store.getItem('flat.windowPresets.v2')!)).toEqual([{ name: 'Brain T1', center: 0.25, width: 0.5 }]);
    // offered on a fixed-scale study (peak 4000): the same fractions
    expect(loadUserPresets(store, 4000)).toEqual([{ name: 'Brain T1', center: 1000, width: 2000, source: 'user' }]);
  });
});

describe('formatValue', () => {
  it('keeps 4 significant digits and switches to exponent for tiny values', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(1234.5)).toBe('1235');
    expect(formatValue(0.0000123)).toBe('1.230e-5');
    expect(formatValue(NaN)).toBe('—');
  });
});
