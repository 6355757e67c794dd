// Centred orthonormal 2D FFT: F(x) = fftshift(fft2(ifftshift(x), norm="ortho")) and its adjoint
// Fᴴ(y) = fftshift(ifft2(ifftshift(y), norm="ortho")), NumPy's shift conventions (they differ for
// odd sizes). Data is interleaved re/im float32; the arithmetic runs in float64. The shifts are
// folded into the gather/scatter index maps instead of being separate passes.

import type { ComplexStack } from '../core/types';
import { getPlan } from './plan';

export { getPlan } from './plan';
export type { FftPlan } from './plan';

interface Scratch {
  re: Float64Array;
  im: Float64Array;
  lineRe: Float64Array;
  lineIm: Float64Array;
}

let scratch: Scratch | undefined;

function getScratch(pixels: number, line: number): Scratch {
  if (!scratch || scratch.re.length < pixels || scratch.lineRe.length < line) {
    const p = Math.max(pixels, scratch?.re.length ?? 0);
    const l = Math.max(line, scratch?.lineRe.length ?? 0);
    scratch = {
      re: new Float64Array(p),
      im: new Float64Array(p),
      lineRe: new Float64Array(l),
      lineIm: new Float64Array(l),
    };
  }
  return scratch;
}

function checkSlice(input: Float32Array, rows: number, cols: number, offset: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`invalid FFT shape ${rows}x${cols}`);
  }
  if (offset < 0 || input.length < offset + rows * cols * 2) {
    throw new RangeError(`FFT input holds ${input.length} floats, needs ${offset + rows * cols * 2}`);
  }
}

/**
 * Centred orthonormal 2D (inverse) FFT of one interleaved complex slice.
 * Reads `rows*cols*2` floats of `input` from `inOffset`, writes the same count into `out` at
 * `outOffset` (a new array when `out` is omitted). `out` may alias `input`.
 */
export function fft2cSlice(
  input: Float32Array,
  rows: number,
  cols: number,
  inverse = false,
  out?: Float32Array,
  inOffset = 0,
  outOffset = 0,
): Float32Array {
  checkSlice(input, rows, cols, inOffset);
  const result = out ?? new Float32Array(rows * cols * 2);
  if (out) checkSlice(out, rows, cols, outOffset);
  const s = getScratch(rows * cols, Math.max(rows, cols));
  const { re, im, lineRe, lineIm } = s;
  const hr = rows >> 1;
  const hc = cols >> 1;
  const rowPlan = getPlan(cols);
  const colPlan = getPlan(rows);

  // Rows: gather with ifftshift in both axes, transform along columns.
  for (let r = 0; r < rows; r++) {
    const srcRow = (r + hr) % rows;
    const base = inOffset + srcRow * cols * 2;
    for (let c = 0; c < cols; c++) {
      const sc = (c + hc) % cols;
      lineRe[c] = input[base + 2 * sc]!;
      lineIm[c] = input[base + 2 * sc + 1]!;
    }
    rowPlan.transform(lineRe, lineIm, inverse);
    const dst = r * cols;
    for (let c = 0; c < cols; c++) {
      re[dst + c] = lineRe[c]!;
      im[dst + c] = lineIm[c]!;
    }
  }

  // Columns: transform along rows, scatter with fftshift in both axes and the 1/√(HW) scale.
  const norm = 1 / Math.sqrt(rows * cols);
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) {
      lineRe[r] = re[r * cols + c]!;
      lineIm[r] = im[r * cols + c]!;
    }
    colPlan.transform(lineRe, lineIm, inverse);
    const oc = (c + hc) % cols;
    for (let r = 0; r < rows; r++) {
      const o = outOffset + (((r + hr) % rows) * cols + oc) * 2;
      result[o] = lineRe[r]! * norm;
      result[o + 1] = lineIm[r]! * norm;
    }
  }
  return result;
}

/** Centred orthonormal inverse 2D FFT (the adjoint) of one interleaved complex slice. */
export function ifft2cSlice(input: Float32Array, rows: number, cols: number, out?: Float32Array): Float32Array {
  return fft2cSlice(input, rows, cols, true, out);
}

function stackTransform(x: ComplexStack, inverse: boolean): ComplexStack {
  const n = x.rows * x.cols * 2;
  if (x.data.length !== x.slices * n) {
    throw new RangeError(`ComplexStack data holds ${x.data.length} floats, expected ${x.slices * n}`);
  }
  const data = new Float32Array(x.data.length);
  for (let s = 0; s < x.slices; s++) fft2cSlice(x.data, x.rows, x.cols, inverse, data, s * n, s * n);
  return { kind: 'complex', slices: x.slices, rows: x.rows, cols: x.cols, data };
}

/** F(x) per slice: image → centred k-space. */
export function fft2c(x: ComplexStack): ComplexStack {
  return stackTransform(x, false);
}

/** Fᴴ(y) per slice: centred k-space → image. */
export function ifft2c(y: ComplexStack): ComplexStack {
  return stackTransform(y, true);
}
