// Reader limits. Every reader checks declared sizes against these BEFORE allocating, so a header
// that claims a 10^12-element array fails fast with 'too-large' instead of exhausting memory.

export interface ReaderLimits {
  /** Largest rows or columns of one 2D image / k-space plane. */
  maxDim: number;
  /** Most slices in one study. */
  maxSlices: number;
  /** Most receive coils in a multi-coil file. */
  maxCoils: number;
  /** Largest input file or decoded array, bytes. */
  maxBytes: number;
  /** Most files in one DICOM folder / file list. */
  maxFiles: number;
  /**
   * Most memory one load may hold in the arrays it builds (input bytes, inflated payloads, decoded
   * values, images, k-space, per-coil data, reference): see budget.ts.
   */
  maxMemory: number;
}

export const READER_LIMITS: Readonly<ReaderLimits> = Object.freeze({
  maxDim: 1024,
  maxSlices: 512,
  maxCoils: 64,
  maxBytes: 1024 * 1024 * 1024,
  maxFiles: 4096,
  maxMemory: 2 * 1024 * 1024 * 1024,
});

export function resolveLimits(overrides?: Partial<ReaderLimits>): ReaderLimits {
  return { ...READER_LIMITS, ...(overrides ?? {}) };
}
