// Helpers shared by the readers: typed failures naming the file, limit checks, finite checks,
// and Study construction for image input (simulated k-space).
import { basename } from 'node:path';
import { FlatError, type FlatErrorCode } from '../core/errors';
import type { ComplexStack, FormatId, RealStack, Study } from '../core/types';
import { fft2c } from '../fft';
import type { ReaderLimits } from './limits';

export interface LoadOptions {
  /** What the array holds, for formats that cannot say (npy, cfl). See the format table. */
  content?: 'kspace' | 'image';
  /** DICOM: load this SeriesInstanceUID instead of the largest series. */
  seriesInstanceUid?: string;
  /** Tighten or relax READER_LIMITS (tests, CLI flags). */
  limits?: Partial<ReaderLimits>;
}

/** Name shown in messages: the file's base name, never a stack trace. */
export function label(source: string): string {
  return basename(source) || source;
}

export function fail(code: FlatErrorCode, file: string, sentence: string): never {
  throw new FlatError(code, `${label(file)}: ${sentence}`, file);
}

/** Check a declared 2D/3D geometry before anything is allocated. */
export function checkGeometry(
  file: string,
  limits: ReaderLimits,
  slices: number,
  rows: number,
  cols: number,
  bytesPerElement: number,
): void {
  for (const [what, n] of [
    ['slice count', slices],
    ['row count', rows],
    ['column count', cols],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 1) fail('invalid-shape', file, `the ${what} (${n}) is not a positive integer.`);
  }
  if (rows > limits.maxDim || cols > limits.maxDim)
    fail('too-large', file, `the image size ${rows}×${cols} exceeds the limit of ${limits.maxDim} per axis.`);
  if (slices > limits.maxSlices) fail('too-large', file, `${slices} slices exceed the limit of ${limits.maxSlices}.`);
  const bytes = slices * rows * cols * bytesPerElement;
  if (bytes > limits.maxBytes)
    fail('too-large', file, `the data would need ${(bytes / 2 ** 20).toFixed(0)} MiB, over the ${(limits.maxBytes / 2 ** 20).toFixed(0)} MiB limit.`);
  if (rows < 2 || cols < 2) fail('invalid-shape', file, `an image of ${rows}×${cols} pixels is too small to reconstruct.`);
}

/** NaN or Inf anywhere is refused ('invalid-data'): silently zeroing would change the data. */
export function checkFinite(file: string, data: Float32Array | Float64Array, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) fail('invalid-data', file, `the ${what} contains NaN or infinite values.`);
  }
}

export function magnitude(stack: ComplexStack): RealStack {
  const n = stack.slices * stack.rows * stack.cols;
  const out = new Float32Array(n);
  const d = stack.data;
  for (let i = 0; i < n; i++) out[i] = Math.hypot(d[2 * i]!, d[2 * i + 1]!);
  return { slices: stack.slices, rows: stack.rows, cols: stack.cols, data: out };
}

export function realToComplex(stack: RealStack): ComplexStack {
  const out = new Float32Array(stack.data.length * 2);
  for (let i = 0; i < stack.data.length; i++) out[2 * i] = stack.data[i]!;
  return { slices: stack.slices, rows: stack.rows, cols: stack.cols, data: out };
}

/**
 * Study from images: the k-space is simulated with the centred orthonormal FFT, and the magnitude
 * becomes the reference. Real input stays real (zero phase); complex input keeps its phase.
 */
export function studyFromImages(
  format: FormatId,
  source: string,
  images: RealStack | ComplexStack,
  complex: boolean,
  extra: Partial<Study> = {},
): Study {
  const cimg = complex ? (images as ComplexStack) : realToComplex(images as RealStack);
  const reference = complex ? magnitude(cimg) : (images as RealStack);
  return {
    format,
    source,
    content: 'image',
    kspace: fft2c(cimg),
    simulatedKspace: true,
    reference,
    notes: [
      'k-space simulated from the images (centred orthonormal 2D FFT); not a scanner acquisition.',
      ...(extra.notes ?? []),
    ],
    ...withoutNotes(extra),
  };
}

function withoutNotes(extra: Partial<Study>): Partial<Study> {
  const { notes: _n, ...rest } = extra;
  return rest;
}

/**
 * Undersampled Cartesian k-space leaves whole phase-encode columns at exactly zero. Returns the
 * rows*cols column mask when there are empty columns BETWEEN sampled ones in every slice (zero
 * columns only at the edges are padding, not undersampling), else undefined.
 */
export function maskFromZeroColumns(k: ComplexStack): Uint8Array | undefined {
  const { slices, rows, cols, data } = k;
  const sampled = new Uint8Array(cols);
  for (let s = 0; s < slices; s++)
    for (let r = 0; r < rows; r++) {
      const base = ((s * rows + r) * cols) * 2;
      for (let c = 0; c < cols; c++) if (data[base + 2 * c] !== 0 || data[base + 2 * c + 1] !== 0) sampled[c] = 1;
    }
  const first = sampled.indexOf(1);
  const last = sampled.lastIndexOf(1);
  if (first < 0) return undefined;
  let gaps = 0;
  for (let c = first; c <= last; c++) gaps += 1 - sampled[c]!;
  if (gaps === 0) return undefined;
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) mask.set(sampled, r * cols);
  return mask;
}
