// Quantisation of float images, one home for the viewer and the exports:
// - quantiseLinear: float → Uint16 with one slope/intercept (the viewer's cornerstone images; the
//   values stay in the image's units, error ≤ slope / 2);
// - toStoredUnits: float values already in display units (app/display/units.ts) → the integers a
//   DICOM export stores (rounded, clipped to 0…maxStored; no rescale needed).
// Pure code: no Node, no DOM.

/** Finite min and max (NaN/Inf skipped; 0..0 when nothing is finite). */
export function finiteRange(data: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { min: 0, max: 0 };
  return { min, max };
}

const LEVELS = 65535;

/** Quantise to Uint16 so that stored * slope + intercept ≈ value (error ≤ slope / 2). Non-finite → the minimum. */
export function quantiseLinear(data: ArrayLike<number>): { pixels: Uint16Array; slope: number; intercept: number } {
  const { min, max } = finiteRange(data);
  const slope = max > min ? (max - min) / LEVELS : 1;
  const pixels = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const q = Number.isFinite(v) ? Math.round((v - min) / slope) : 0;
    pixels[i] = q < 0 ? 0 : q > LEVELS ? LEVELS : q;
  }
  return { pixels, slope, intercept: min };
}

/**
 * Values in display units → stored integers: round half up, clip to 0…maxStored. Returns the
 * pixels and how many values were clipped above maxStored (NaN/Inf are refused by the caller).
 */
export function toStoredUnits(data: ArrayLike<number>, maxStored: number, out = new Uint16Array(data.length)): { pixels: Uint16Array; clipped: number } {
  let clipped = 0;
  for (let i = 0; i < data.length; i++) {
    const q = Math.round(data[i]!);
    if (q > maxStored) clipped++;
    out[i] = q < 0 ? 0 : q > maxStored ? maxStored : q;
  }
  return { pixels: out, clipped };
}
