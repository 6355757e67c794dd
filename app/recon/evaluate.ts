// Per-state numbers of a trajectory: PSNR/SSIM/NMSE against a magnitude reference (on the
// reference's centre crop, fastMRI style) and the data-consistency residual against the measured
// k-space.

import type { ComplexStack, Study } from '../core/types';
import { fft2cSlice } from '../fft';
import { dcResidual, nmse, psnr, ssim } from '../metrics';
import { centreCrop, magnitude } from './display';
import type { PreparedSlice } from './prepare';

export interface RealImage {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface TrajectoryMetrics {
  /** present only when a reference exists; one value per state 0…N */
  psnr?: number[];
  ssim?: number[];
  nmse?: number[];
  dcResidual: number[];
}

/**
 * The magnitude reference for a slice: Study.reference, or for image input the image itself
 * (|Fᴴ(y)| of the fully sampled simulated k-space). Undefined for raw k-space without one.
 */
export function referenceSlice(study: Study, sliceIndex: number): RealImage | undefined {
  if (study.reference) {
    const { rows, cols, slices, data } = study.reference;
    if (sliceIndex >= slices) return undefined;
    return { rows, cols, data: data.subarray(sliceIndex * rows * cols, (sliceIndex + 1) * rows * cols) };
  }
  if (study.content === 'image' && !study.acquiredMask) {
    const { rows, cols, data } = study.kspace;
    const k = data.subarray(sliceIndex * rows * cols * 2, (sliceIndex + 1) * rows * cols * 2);
    return { rows, cols, data: magnitude(fft2cSlice(k, rows, cols, true)) };
  }
  return undefined;
}

/** State s of a stack as an interleaved complex view. */
export function stateOf(states: ComplexStack, s: number): Float32Array {
  const n = states.rows * states.cols * 2;
  return states.data.subarray(s * n, (s + 1) * n);
}

/** Magnitude of state s, centre-cropped to rows×cols. */
export function croppedMagnitude(states: ComplexStack, s: number, rows: number, cols: number): RealImage {
  return centreCrop(magnitude(stateOf(states, s)), states.rows, states.cols, rows, cols);
}

export function trajectoryMetrics(states: ComplexStack, prepared: PreparedSlice, reference?: RealImage): TrajectoryMetrics {
  const result: TrajectoryMetrics = { dcResidual: [] };
  const usable = reference && reference.rows <= states.rows && reference.cols <= states.cols;
  if (usable) {
    result.psnr = [];
    result.ssim = [];
    result.nmse = [];
  }
  for (let s = 0; s < states.slices; s++) {
    const x = stateOf(states, s);
    result.dcResidual.push(dcResidual(x, prepared.measured, prepared.mask, states.rows, states.cols));
    if (usable) {
      const img = croppedMagnitude(states, s, reference.rows, reference.cols);
      result.psnr!.push(psnr(reference.data, img.data));
      result.ssim!.push(ssim(reference.data, img.data, reference.rows, reference.cols));
      result.nmse!.push(nmse(reference.data, img.data));
    }
  }
  return result;
}
