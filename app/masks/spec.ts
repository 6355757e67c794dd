// The one rule for a mask specification (kind, acceleration, centre fraction, seed), pure so that every
// caller uses it: the mask generator (cartesian.ts), the IPC/HTTP request validation
// (contract/ipc.ts) and the renderer's mask form. Problems come back as one plain sentence.

import type { MaskSpec } from '../core/types';

export const MASK_KINDS = ['random', 'equispaced'] as const;

/** Bounds of a mask specification. The seed is a uint32 (mulberry32's state). */
export const MASK_LIMITS = { accelerationMin: 1, accelerationMax: 64, seedMax: 0xffffffff } as const;

/** Default centre fraction used by fastMRI for a given acceleration (0.08 at 4×, 0.04 at 8×). */
export function defaultCenterFraction(acceleration: number): number {
  return Math.min(1, 0.32 / acceleration);
}

/** Why `v` is not a usable mask specification, or null when it is. */
export function maskSpecProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return 'The mask must be given as kind, acceleration, centre fraction and seed.';
  const m = v as Record<string, unknown>;
  if (m.kind !== 'random' && m.kind !== 'equispaced') return `Unknown mask kind "${String(m.kind)}"; use random or equispaced.`;
  const { accelerationMin: lo, accelerationMax: hi, seedMax } = MASK_LIMITS;
  if (typeof m.acceleration !== 'number' || !(m.acceleration >= lo && m.acceleration <= hi)) {
    return `Acceleration must be a number from ${lo} to ${hi}, got ${String(m.acceleration)}.`;
  }
  if (typeof m.centerFraction !== 'number' || !(m.centerFraction > 0 && m.centerFraction <= 1)) {
    return `Centre fraction must be above 0 and at most 1, got ${String(m.centerFraction)}.`;
  }
  if (m.centerFraction * m.acceleration > 1 + 1e-9) {
    return `Centre fraction ${m.centerFraction} alone samples more than 1/${m.acceleration} of the columns.`;
  }
  if (typeof m.seed !== 'number' || !Number.isInteger(m.seed) || m.seed < 0 || m.seed > seedMax) {
    return `Seed must be a whole number from 0 to ${seedMax}, got ${String(m.seed)}.`;
  }
  return null;
}

/** `v` as a MaskSpec (only the four fields), or the sentence saying why not. */
export function parseMaskSpec(v: unknown): MaskSpec | string {
  const problem = maskSpecProblem(v);
  if (problem) return problem;
  const m = v as MaskSpec;
  return { kind: m.kind, acceleration: m.acceleration, centerFraction: m.centerFraction, seed: m.seed };
}
