// Per-state numbers of a trajectory: PSNR/SSIM/NMSE against a magnitude reference (on the
// reference's centre crop) with fastMRI's conventions — the data range is the maximum of the
// reference over the whole volume, not of the slice — and the data-consistency residual (worst
// coil) that the engine measured against the k-space.

import type { ComplexStack, Study } from '../core/types';
import { fft2cSlice } from '../fft';
import { nmse, psnr, ssim } from '../metrics';
import { coilImages, rssImage } from './coils';
import { centreCrop, magnitude } from './display';

export interface RealImage {
  data: Float32Array;
  rows: number;
  cols: number;
  /** PSNR/SSIM data range: the reference volume's maximum (fastMRI); the slice's own when absent */
  dataRange?: number;
}

export interface TrajectoryMetrics {
  /** present only when a reference exists; one value per state 0…N */
  psnr?: number[];
  ssim?: number[];
  nmse?: number[];
  dcResidual: number[];
}

/**
 * The magnitude reference for a slice, with the volume's maximum as its data range:
 * Study.reference; for image input the image itself; for fully sampled raw k-space (reconstructed
 * retrospectively) the RSS of its coil images, centre-cropped to the study's display crop.
 * Undefined for already undersampled k-space without a reference.
 */
export function referenceSlice(study: Study, sliceIndex: number): RealImage | undefined {
  const img = referenceOnly(study, sliceIndex);
  return img ? { ...img, dataRange: volumeMax(study) } : undefined;
}

function referenceOnly(study: Study, sliceIndex: number): RealImage | undefined {
  if (study.reference) {
    const { rows, cols, slices, data } = study.reference;
    if (sliceIndex >= slices) return undefined;
    return { rows, cols, data: data.subarray(sliceIndex * rows * cols, (sliceIndex + 1) * rows * cols) };
  }
  if (study.acquiredMask) return undefined;
  const { rows, cols, data, slices } = study.kspace;
  if (sliceIndex >= slices) return undefined;
  const coils = study.coils ?? 1;
  const n = rows * cols;
  const k = data.subarray(sliceIndex * coils * n * 2, (sliceIndex + 1) * coils * n * 2);
  if (study.content === 'image' && coils === 1) return { rows, cols, data: magnitude(fft2cSlice(k, rows, cols, true)) };
  const full = rssImage(coilImages(k, coils, rows, cols), coils, n);
  const crop = study.crop && study.crop.rows <= rows && study.crop.cols <= cols ? study.crop : { rows, cols };
  return centreCrop(full, rows, cols, crop.rows, crop.cols);
}

const volumeMaxCache = new WeakMap<Study, number>();

/** Maximum of the reference over every slice of the study (fastMRI's PSNR/SSIM data range). */
export function volumeMax(study: Study): number | undefined {
  const cached = volumeMaxCache.get(study);
  if (cached !== undefined) return cached;
  let peak = -Infinity;
  for (let s = 0; s < study.kspace.slices; s++) {
    const r = referenceOnly(study, s);
    if (!r) return undefined;
    for (let i = 0; i < r.data.length; i++) if (r.data[i]! > peak) peak = r.data[i]!;
  }
  if (!(peak > 0)) return undefined;
  volumeMaxCache.set(study, peak);
  return peak;
}

/** PSNR, SSIM and NMSE of one shown magnitude (already cropped to the reference). */
export function imageMetrics(reference: RealImage, img: Float32Array): { psnr: number; ssim: number; nmse: number } {
  const range = reference.dataRange;
  return {
    psnr: range === undefined ? psnr(reference.data, img) : psnr(reference.data, img, range),
    ssim: range === undefined ? ssim(reference.data, img, reference.rows, reference.cols) : ssim(reference.data, img, reference.rows, reference.cols, range),
    nmse: nmse(reference.data, img),
  };
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

/** Metrics of every state; `dcResidual` is the engine's per-state worst-coil residual. */
export function trajectoryMetrics(states: ComplexStack, dcResidual: number[], reference?: RealImage): TrajectoryMetrics {
  const result: TrajectoryMetrics = { dcResidual: [...dcResidual] };
  const usable = reference && reference.rows <= states.rows && reference.cols <= states.cols;
  if (!usable) return result;
  result.psnr = [];
  result.ssim = [];
  result.nmse = [];
  for (let s = 0; s < states.slices; s++) {
    const img = croppedMagnitude(states, s, reference.rows, reference.cols);
    const m = imageMetrics(reference, img.data);
    result.psnr.push(m.psnr);
    result.ssim.push(m.ssim);
    result.nmse.push(m.nmse);
  }
  return result;
}
