// Multi-coil handling, the TypeScript twin of training/flatrecon/coils.py (reference vectors in
// app/recon/test/fixtures check they agree). The forward model is SENSE-style, A = M·F·S: the
// state holds one image per coil, the network sees Σ_c conj(S_c)·x_c and its output z enters
// every coil as S_c·z. Sensitivities come from the fully sampled k-space centre (ACS): Hann-
// windowed low-resolution coil images divided by their root-sum-of-squares. One coil keeps only
// the low-resolution phase of l + ε (|S| = 1). The shown image is the RSS of the coil images with the
// phase of the combination — exactly the RSS reference when nothing is undersampled.
//
// Layout: coil data are (coil, row, col) interleaved complex, C·rows·cols·2 floats.

import { fft2cSlice } from '../fft';
import { dcResidual } from '../metrics/dataConsistency';

/** Calibration lines per axis at most (ESPIRiT's default is 24). */
export const ACS_MAX = 32;
/** ε of the map normalisation, relative to the maximum low-resolution RSS. */
export const MAPS_EPS = 1e-3;

/**
 * The largest fully sampled rectangle centred on (rows>>1, cols>>1), grown one line at a time
 * (columns first, then rows) while shorter than ACS_MAX lines (so at most ACS_MAX + 1, odd):
 * [r0, r1, c0, c1), half-open.
 */
export function acsBox(mask: Uint8Array | Float32Array, rows: number, cols: number): [number, number, number, number] {
  const rc = rows >> 1;
  const cc = cols >> 1;
  if (!mask[rc * cols + cc]) return [rc, rc + 1, cc, cc + 1];
  let r0 = rc, r1 = rc + 1, c0 = cc, c1 = cc + 1;
  const colSampled = (c: number): boolean => {
    for (let r = r0; r < r1; r++) if (!mask[r * cols + c]) return false;
    return true;
  };
  const rowSampled = (r: number): boolean => {
    for (let c = c0; c < c1; c++) if (!mask[r * cols + c]) return false;
    return true;
  };
  for (let grown = true; grown; ) {
    grown = false;
    if (c1 - c0 < ACS_MAX && c0 > 0 && c1 < cols && colSampled(c0 - 1) && colSampled(c1)) {
      c0--;
      c1++;
      grown = true;
    }
    if (r1 - r0 < ACS_MAX && r0 > 0 && r1 < rows && rowSampled(r0 - 1) && rowSampled(r1)) {
      r0--;
      r1++;
      grown = true;
    }
  }
  return [r0, r1, c0, c1];
}

/** Hann window of n points, non-zero at both ends. */
function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (n + 1));
  return w;
}

/** Sensitivities (C·rows·cols interleaved complex) from masked centred k-space and its mask. */
export function estimateMaps(kspace: Float32Array, mask: Uint8Array | Float32Array, coils: number, rows: number, cols: number): Float32Array {
  const n = rows * cols;
  const [r0, r1, c0, c1] = acsBox(mask, rows, cols);
  const wr = hann(r1 - r0);
  const wc = hann(c1 - c0);
  const low = new Float32Array(coils * 2 * n);
  const windowed = new Float32Array(2 * n);
  for (let c = 0; c < coils; c++) {
    windowed.fill(0);
    const base = c * 2 * n;
    for (let r = r0; r < r1; r++)
      for (let q = c0; q < c1; q++) {
        const i = r * cols + q;
        const w = wr[r - r0]! * wc[q - c0]!;
        windowed[2 * i] = kspace[base + 2 * i]! * w;
        windowed[2 * i + 1] = kspace[base + 2 * i + 1]! * w;
      }
    fft2cSlice(windowed, rows, cols, true, low, 0, base);
  }
  const maps = new Float32Array(coils * 2 * n);
  if (coils === 1) {
    // phase of l + ε: faint background pixels go smoothly to phase 0 instead of following float32
    // rounding noise (Python computes l in float64)
    let peakAbs = 0;
    for (let i = 0; i < n; i++) peakAbs = Math.max(peakAbs, Math.hypot(low[2 * i]!, low[2 * i + 1]!));
    const shift = MAPS_EPS * peakAbs;
    for (let i = 0; i < n; i++) {
      const re = low[2 * i]! + shift;
      const im = low[2 * i + 1]!;
      const mag = Math.hypot(re, im);
      maps[2 * i] = mag > 0 ? re / mag : 1;
      maps[2 * i + 1] = mag > 0 ? im / mag : 0;
    }
    return maps;
  }
  const rss2 = coilSumSquares(low, coils, n);
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, rss2[i]!);
  const eps = peak > 0 ? MAPS_EPS * Math.sqrt(peak) : 1;
  for (let i = 0; i < n; i++) {
    const inv = 1 / Math.sqrt(rss2[i]! + eps * eps);
    for (let c = 0; c < coils; c++) {
      const o = c * 2 * n + 2 * i;
      maps[o] = low[o]! * inv;
      maps[o + 1] = low[o + 1]! * inv;
    }
  }
  return maps;
}

function coilSumSquares(x: Float32Array, coils: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let c = 0; c < coils; c++) {
    const base = c * 2 * n;
    for (let i = 0; i < n; i++) {
      const re = x[base + 2 * i]!;
      const im = x[base + 2 * i + 1]!;
      out[i] = out[i]! + re * re + im * im;
    }
  }
  return out;
}

/**
 * The shown image of per-coil images: RSS magnitude with the phase of Σ conj(S_c)·x_c
 * (interleaved complex, rows·cols), times `factor`.
 */
export function displayImage(coilImages: Float32Array, maps: Float32Array, coils: number, n: number, factor = 1, out: Float32Array = new Float32Array(2 * n)): Float32Array {
  for (let i = 0; i < n; i++) {
    let ss = 0;
    let cr = 0;
    let ci = 0;
    for (let c = 0; c < coils; c++) {
      const o = c * 2 * n + 2 * i;
      const xr = coilImages[o]!;
      const xi = coilImages[o + 1]!;
      const sr = maps[o]!;
      const si = maps[o + 1]!;
      ss += xr * xr + xi * xi;
      cr += sr * xr + si * xi;
      ci += sr * xi - si * xr;
    }
    const mag = Math.sqrt(cr * cr + ci * ci);
    const r = Math.sqrt(ss) * factor;
    out[2 * i] = mag > 0 ? (r * cr) / mag : r;
    out[2 * i + 1] = mag > 0 ? (r * ci) / mag : 0;
  }
  return out;
}

/** Inverse FFT of every coil (C·rows·cols interleaved). */
export function coilImages(kspace: Float32Array, coils: number, rows: number, cols: number): Float32Array {
  const n2 = rows * cols * 2;
  const out = new Float32Array(coils * n2);
  for (let c = 0; c < coils; c++) fft2cSlice(kspace, rows, cols, true, out, c * n2, c * n2);
  return out;
}

/** Maximum over pixels of the RSS of per-coil images (the model contract's normalisation). */
export function maxRss(images: Float32Array, coils: number, n: number): number {
  const ss = coilSumSquares(images, coils, n);
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, ss[i]!);
  return Math.sqrt(peak);
}

/** RSS magnitude of per-coil images (rows·cols). */
export function rssImage(images: Float32Array, coils: number, n: number): Float32Array {
  const ss = coilSumSquares(images, coils, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(ss[i]!);
  return out;
}

/**
 * Worst coil's data-consistency residual ‖M·F x_c − y_c‖ / ‖y_c‖ (coils without measured signal
 * are skipped). 0 means every sampled value of every coil is reproduced exactly.
 */
export function worstCoilResidual(images: Float32Array, measured: Float32Array, mask: Uint8Array | Float32Array, coils: number, rows: number, cols: number): number {
  const n2 = rows * cols * 2;
  let worst = Number.NaN;
  for (let c = 0; c < coils; c++) {
    const r = dcResidual(images.subarray(c * n2, (c + 1) * n2), measured.subarray(c * n2, (c + 1) * n2), mask, rows, cols);
    if (!Number.isNaN(r)) worst = Number.isNaN(worst) ? r : Math.max(worst, r);
  }
  return worst;
}

/**
 * The model's contribution to a state: |Σ_c conj(S_c)·(x_c − x0_c)|·factor per pixel, where x0 is the
 * zero-filled state. Both are planar [C,2,H,W] (graph layout). x_c − x0_c = Fᴴ((1 − M)·F x_c) +
 * Fᴴ(M·F x_c − y_c): the unsampled-k-space part of the state plus a term whose norm is the state's
 * data-consistency residual, so the map is exact to within that residual (float precision for a
 * hard-projected model). It shows where the image differs from what the measured samples alone
 * give; it cannot tell a true structure from an invented one.
 */
export function contributionMap(statePlanar: Float32Array, zeroFilledPlanar: Float32Array, mapsPlanar: Float32Array, coils: number, n: number, factor = 1, offset = 0, out: Float32Array = new Float32Array(n)): Float32Array {
  out.fill(0);
  const im = new Float32Array(n);
  for (let c = 0; c < coils; c++) {
    const b = c * 2 * n;
    for (let i = 0; i < n; i++) {
      const dr = statePlanar[offset + b + i]! - zeroFilledPlanar[b + i]!;
      const di = statePlanar[offset + b + n + i]! - zeroFilledPlanar[b + n + i]!;
      const sr = mapsPlanar[b + i]!;
      const si = mapsPlanar[b + n + i]!;
      out[i] = out[i]! + sr * dr + si * di;
      im[i] = im[i]! + sr * di - si * dr;
    }
  }
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(out[i]! * out[i]! + im[i]! * im[i]!) * factor;
  return out;
}
