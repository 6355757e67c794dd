// Float images → cornerstone-core images. cornerstone renders integer pixel data through a modality
// LUT (stored * slope + intercept) but draws Float32 data black, so each float image is quantised to
// Uint16 with its own slope/intercept; window values then stay in the float (rescaled) units and a
// window locked across steps means the same thing for every step. The float data rides along for
// metrics and percentiles.

import type { Image } from 'cornerstone-core';
import { finiteRange, quantiseLinear } from '../../../app/display/quantise';

export interface FloatImageInput {
  imageId: string;
  rows: number;
  cols: number;
  data: Float32Array;
  /** Column and row spacing in mm (cornerstone's order: column = x). */
  spacing?: [number, number];
}

const LEVELS = 65535;

/** The one linear quantiser (app/display/quantise.ts, beside the exports' toStoredUnits). */
export { finiteRange };
export const quantise = quantiseLinear;

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
