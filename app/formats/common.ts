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
  return { kind: 'real', slices: stack.slices, rows: stack.rows, cols: stack.cols, data: out };
}

export function realToComplex(stack: RealStack): ComplexStack {
  const out = new Float32Array(stack.data.length * 2);
  for (let i = 0; i < stack.data.length; i++) out[2 * i] = stack.data[i]!;
  return { kind: 'complex', slices: stack.slices, rows: stack.rows, cols: stack.cols, data: out };
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
 * The acquired sampling pattern of undersampled k-space of any shape (1D columns, 2D Poisson or
 * variable-density points): a location is acquired when any slice or coil holds a non-zero value
 * there. Returns the rows*cols mask when there are empty columns between sampled ones, or when
 * more than 1 % of the locations inside the sampled bounding box are empty and the energy sits at
 * the centre as k-space's does (an image's zero background is not a sampling pattern); else
 * undefined (fully sampled, or zeros only at the edges, which are padding).
 * Data layout (slice, coil, row, col).
 */
export function acquiredMaskOf(k: ComplexStack, coils = 1): Uint8Array | undefined {
  const { slices, rows, cols, data } = k;
  const n = rows * cols;
  const sampled = new Uint8Array(n);
  for (let p = 0; p < slices * coils; p++) {
    const base = p * n * 2;
    for (let i = 0; i < n; i++) if (data[base + 2 * i] !== 0 || data[base + 2 * i + 1] !== 0) sampled[i] = 1;
  }
  let r0 = rows, r1 = -1, c0 = cols, c1 = -1;
  const colHit = new Uint8Array(cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      if (sampled[r * cols + c]) {
        r0 = Math.min(r0, r);
        r1 = Math.max(r1, r);
        c0 = Math.min(c0, c);
        c1 = Math.max(c1, c);
        colHit[c] = 1;
      }
  if (r1 < 0) return undefined;
  const gapCols = emptyColumnsBetween(colHit, c0, c1);
  let empty = 0;
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) empty += 1 - sampled[r * cols + c]!;
  const box = (r1 - r0 + 1) * (c1 - c0 + 1);
  if (gapCols === 0 && (empty <= 0.01 * box || centralEnergyFraction({ kind: 'complex', slices: slices * coils, rows, cols, data }) <= 0.3)) return undefined;
  return sampled;
}

function emptyColumnsBetween(colHit: Uint8Array, c0: number, c1: number): number {
  let gaps = 0;
  for (let c = c0; c <= c1; c++) gaps += 1 - colHit[c]!;
  return gaps;
}

/**
 * True when whole columns are empty between sampled ones in every slice: the signature of
 * 1D-undersampled Cartesian k-space (images have no such gaps; their zero background is not one).
 */
export function hasEmptyColumnGaps(k: ComplexStack): boolean {
  const { slices, rows, cols, data } = k;
  const colHit = new Uint8Array(cols);
  for (let s = 0; s < slices; s++)
    for (let r = 0; r < rows; r++) {
      const base = (s * rows + r) * cols * 2;
      for (let c = 0; c < cols; c++) if (data[base + 2 * c] !== 0 || data[base + 2 * c + 1] !== 0) colHit[c] = 1;
    }
  const first = colHit.indexOf(1);
  return first >= 0 && emptyColumnsBetween(colHit, first, colHit.lastIndexOf(1)) > 0;
}

/** Fraction of the energy in the central 1/8 × 1/8 block (centred k-space: most of it). */
export function centralEnergyFraction(k: ComplexStack): number {
  const { slices, rows, cols, data } = k;
  const r0 = Math.floor((rows * 7) / 16);
  const r1 = Math.ceil((rows * 9) / 16);
  const c0 = Math.floor((cols * 7) / 16);
  const c1 = Math.ceil((cols * 9) / 16);
  let inside = 0;
  let total = 0;
  for (let s = 0; s < slices; s++)
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const i = ((s * rows + r) * cols + c) * 2;
        const e = data[i]! * data[i]! + data[i + 1]! * data[i + 1]!;
        total += e;
        if (r >= r0 && r < r1 && c >= c0 && c < c1) inside += e;
      }
  return total > 0 ? inside / total : 0;
}

/** Multi-coil k-space whose coil holds no signal in any slice is refused (an empty channel is a broken acquisition). */
export function checkCoils(study: Study): Study {
  const coils = study.coils ?? 1;
  if (coils <= 1) return study;
  const { slices, rows, cols, data } = study.kspace;
  const n2 = rows * cols * 2;
  for (let c = 0; c < coils; c++) {
    let any = false;
    for (let s = 0; s < slices && !any; s++) {
      const base = (s * coils + c) * n2;
      for (let i = 0; i < n2; i++)
        if (data[base + i] !== 0) {
          any = true;
          break;
        }
    }
    if (!any) fail('invalid-data', study.source, `coil ${c + 1} of ${coils} holds no signal in any slice; remove empty coils before reconstructing.`);
  }
  return study;
}
