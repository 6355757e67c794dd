// Float images → cornerstone-core images. cornerstone renders integer pixel data through a modality
// LUT (stored * slope + intercept) but draws Float32 data black, so each float image is quantised to
// Uint16 with its own slope/intercept; window values then stay in the float (rescaled) units and a
// window locked across steps means the same thing for every step. The float data rides along for
// metrics and percentiles.

import type { Image } from 'cornerstone-core';

export interface FloatImageInput {
  imageId: string;
  rows: number;
  cols: number;
  data: Float32Array;
  /** Column and row spacing in mm (cornerstone's order: column = x). */
  spacing?: [number, number];
}

const LEVELS = 65535;

/** Finite min and max (NaN/Inf skipped; 0..0 when nothing is finite). */
export function finiteRange(data: Float32Array): { min: number; max: number } {
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

/** Quantise to Uint16 so that stored * slope + intercept ≈ value (error ≤ slope / 2). */
export function quantise(data: Float32Array): { pixels: Uint16Array; slope: number; intercept: number } {
  const { min, max } = finiteRange(data);
  const slope = max > min ? (max - min) / LEVELS : 1;
  const pixels = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // Non-finite values show as the minimum rather than poisoning the LUT.
    const q = Number.isFinite(v) ? Math.round((v - min) / slope) : 0;
    pixels[i] = q < 0 ? 0 : q > LEVELS ? LEVELS : q;
  }
  return { pixels, slope, intercept: min };
}

export function toCornerstoneImage(input: FloatImageInput, window: { center: number; width: number }): Image {
  if (input.data.length !== input.rows * input.cols)
    throw new Error(`image ${input.imageId} has ${input.data.length} values for ${input.rows}×${input.cols}`);
  const { pixels, slope, intercept } = quantise(input.data);
  let minStored = LEVELS;
  let maxStored = 0;
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i]!;
    if (p < minStored) minStored = p;
    if (p > maxStored) maxStored = p;
  }
  if (pixels.length === 0) minStored = 0;
  const [colSpacing, rowSpacing] = input.spacing ?? [1, 1];
  return {
    imageId: input.imageId,
    minPixelValue: minStored,
    maxPixelValue: maxStored,
    slope,
    intercept,
    windowCenter: window.center,
    windowWidth: Math.max(window.width, slope),
    getPixelData: () => pixels,
    rows: input.rows,
    columns: input.cols,
    height: input.rows,
    width: input.cols,
    color: false,
    columnPixelSpacing: colSpacing,
    rowPixelSpacing: rowSpacing,
    invert: false,
    sizeInBytes: pixels.byteLength,
    floatPixelData: input.data,
  };
}

/** |a − b| per pixel (the error map). */
export function absDiff(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new Error('images differ in size');
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.abs(a[i]! - b[i]!);
  return out;
}
