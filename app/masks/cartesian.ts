// 1D Cartesian undersampling masks over columns (phase encodes), after fastMRI's RandomMaskFunc
// and EquispacedMaskFunc: a fully sampled centre band of round(cols·centerFraction) columns plus
// outer columns chosen at random (so the expected total is cols/R) or on fastMRI's adjusted
// equispaced grid from a random offset (so the total is ≈ cols/R including the centre, and the
// label R× is true). Seeded with mulberry32 (prng.ts). training/flatrecon/masks.py is the same
// definition draw for draw; app/masks/test checks reference vectors written by it.

import { FlatError } from '../core/errors';
import type { MaskSpec } from '../core/types';
import { mulberry32 } from './prng';
import { maskSpecProblem } from './spec';

export { defaultCenterFraction } from './spec';

/** Throws the mask rule's sentence (spec.ts) as an invalid-request error. */
export function assertMaskSpec(spec: MaskSpec): void {
  const problem = maskSpecProblem(spec);
  if (problem) throw new FlatError('invalid-request', problem);
}

/** Column mask (length cols, 1 = sampled). */
export function makeColumnMask(spec: MaskSpec, cols: number): Uint8Array {
  assertMaskSpec(spec);
  if (!Number.isInteger(cols) || cols < 1) throw new FlatError('invalid-shape', `Cannot make a mask for ${cols} columns.`);
  const mask = new Uint8Array(cols);
  const numLow = Math.round(cols * spec.centerFraction);
  const pad = Math.floor((cols - numLow + 1) / 2);
  const rng = mulberry32(spec.seed);
  if (spec.kind === 'random') {
    // Probability for the outer columns so that the expected total is cols / acceleration.
    const outer = cols - numLow;
    const prob = outer > 0 ? Math.max(0, (cols / spec.acceleration - numLow) / outer) : 0;
    for (let c = 0; c < cols; c++) mask[c] = rng() < prob ? 1 : 0;
  } else {
    const acc = spec.acceleration;
    // fastMRI's spacing: the grid plus the centre band together sample cols/R columns.
    const spacing = numLow * acc < cols ? (acc * (numLow - cols)) / (numLow * acc - cols) : acc;
    const offset = Math.floor(rng() * Math.max(1, Math.round(spacing)));
    for (let k = 0; ; k++) {
      const c = Math.round(offset + k * spacing);
      if (c >= cols) break;
      mask[c] = 1;
    }
  }
  for (let c = pad; c < pad + numLow; c++) mask[c] = 1;
  return mask;
}

/** Broadcast a column mask to a rows×cols plane (row-major, 1 = sampled). */
export function columnMaskToPlane(columns: Uint8Array, rows: number): Uint8Array {
  const cols = columns.length;
  const plane = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) plane.set(columns, r * cols);
  return plane;
}

/** The rows×cols mask plane for a retrospective mask spec. */
export function makeMask(spec: MaskSpec, rows: number, cols: number): Uint8Array {
  return columnMaskToPlane(makeColumnMask(spec, cols), rows);
}

/** Fraction of sampled entries of a mask plane. */
export function samplingFraction(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] ? 1 : 0;
  return mask.length ? n / mask.length : 0;
}
