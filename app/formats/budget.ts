// One memory budget per loadStudy call. Every reader declares the arrays it is about to build —
// the input bytes, inflated payloads, decoded values, the float image, the complex image and
// k-space, per-coil data, the reference — BEFORE allocating them; the sum may not exceed
// `limits.maxMemory`. A small file that declares a huge volume (a gzip or deflate bomb, a header
// claiming 512 slices of 1024²) is refused with 'too-large' instead of exhausting memory.
//
// The budget lives beside the ReaderLimits object of one load (resolveLimits makes a fresh one per
// call), so readers need no extra parameter: budgetOf(limits, source).take(...).
import { formatBytes } from '../core/text';
import { fail } from './common';
import type { ReaderLimits } from './limits';

export class MemoryBudget {
  private used = 0;
  private peakUsed = 0;

  constructor(
    /** The file named in the refusal. */
    readonly source: string,
    readonly limit: number,
  ) {}

  /** Bytes reserved so far (arrays this load holds or is about to build). */
  get reserved(): number {
    return this.used;
  }

  /** Most bytes reserved at once during this load. */
  get peak(): number {
    return this.peakUsed;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  /**
   * Reserve memory for the arrays named in `items` (label, bytes) before they are allocated.
   * Throws a FlatError ('too-large') naming the total and the largest item when over the limit.
   */
  take(...items: [what: string, bytes: number][]): void {
    let add = 0;
    let largest: [string, number] = ['', 0];
    for (const [what, bytes] of items) {
      if (!Number.isFinite(bytes) || bytes < 0) fail('invalid-shape', this.source, `the ${what} would have an invalid size.`);
      add += bytes;
      if (bytes > largest[1]) largest = [what, bytes];
    }
    if (this.used + add > this.limit)
      fail(
        'too-large',
        this.source,
        `reading it would need ${formatBytes(this.used + add)} of memory (the ${largest[0]} alone ${formatBytes(largest[1])}), over the ${formatBytes(this.limit)} limit.`,
      );
    this.used += add;
    this.peakUsed = Math.max(this.peakUsed, this.used);
  }

  /** Give back memory of arrays that are no longer referenced (temporaries). */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - Math.max(0, bytes));
  }
}

const budgets = new WeakMap<ReaderLimits, MemoryBudget>();

/** The budget of the load that owns `limits` (created on first use). */
export function budgetOf(limits: ReaderLimits, source: string): MemoryBudget {
  let b = budgets.get(limits);
  if (!b) {
    b = new MemoryBudget(source, limits.maxMemory);
    budgets.set(limits, b);
  }
  return b;
}

/**
 * What a Study built from images needs beyond the decoded image itself (studyFromImages): for a
 * real image the complex copy and the simulated k-space; for a complex image the k-space and the
 * magnitude reference. `pixels` = slices × rows × cols.
 */
export function imageStudyItems(pixels: number, complex: boolean): [string, number][] {
  return complex
    ? [
        ['simulated k-space', pixels * 8],
        ['reference image', pixels * 4],
      ]
    : [
        ['complex image', pixels * 8],
        ['simulated k-space', pixels * 8],
      ];
}
