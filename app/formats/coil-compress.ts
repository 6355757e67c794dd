// Multi-coil k-space → one virtual coil per slice: project the coils onto the first singular
// vector of the (coils × samples) k-space matrix, found as the top eigenvector of the coil
// covariance by power iteration. Keeps the most signal energy any single combination can.
import type { ComplexStack } from '../core/types';

/** data: (slices, coils, rows, cols) interleaved complex. */
export function compressCoils(data: Float32Array, slices: number, coils: number, rows: number, cols: number): ComplexStack {
  const plane = rows * cols;
  const out = new Float32Array(slices * plane * 2);
  const covRe = new Float64Array(coils * coils);
  const covIm = new Float64Array(coils * coils);
  for (let s = 0; s < slices; s++) {
    const base = s * coils * plane * 2;
    covRe.fill(0);
    covIm.fill(0);
    // C[a][b] = Σ k_a conj(k_b)
    for (let a = 0; a < coils; a++)
      for (let b = a; b < coils; b++) {
        let re = 0;
        let im = 0;
        const oa = base + a * plane * 2;
        const ob = base + b * plane * 2;
        for (let p = 0; p < plane; p++) {
          const ar = data[oa + 2 * p]!;
          const ai = data[oa + 2 * p + 1]!;
          const br = data[ob + 2 * p]!;
          const bi = data[ob + 2 * p + 1]!;
          re += ar * br + ai * bi;
          im += ai * br - ar * bi;
        }
        covRe[a * coils + b] = re;
        covIm[a * coils + b] = im;
        covRe[b * coils + a] = re;
        covIm[b * coils + a] = -im;
      }
    const [vr, vi] = topEigenvector(covRe, covIm, coils);
    // virtual coil = Σ_c conj(v_c) k_c
    const o = s * plane * 2;
    for (let c = 0; c < coils; c++) {
      const oc = base + c * plane * 2;
      const wr = vr[c]!;
      const wi = -vi[c]!;
      for (let p = 0; p < plane; p++) {
        const kr = data[oc + 2 * p]!;
        const ki = data[oc + 2 * p + 1]!;
        out[o + 2 * p] = out[o + 2 * p]! + wr * kr - wi * ki;
        out[o + 2 * p + 1] = out[o + 2 * p + 1]! + wr * ki + wi * kr;
      }
    }
  }
  return { slices, rows, cols, data: out };
}

function topEigenvector(re: Float64Array, im: Float64Array, n: number): [Float64Array, Float64Array] {
  let vr = new Float64Array(n).fill(1 / Math.sqrt(n));
  let vi = new Float64Array(n);
  for (let it = 0; it < 100; it++) {
    const nr = new Float64Array(n);
    const ni = new Float64Array(n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        const cr = re[a * n + b]!;
        const ci = im[a * n + b]!;
        nr[a] = nr[a]! + cr * vr[b]! - ci * vi[b]!;
        ni[a] = ni[a]! + cr * vi[b]! + ci * vr[b]!;
      }
    let norm = 0;
    for (let a = 0; a < n; a++) norm += nr[a]! ** 2 + ni[a]! ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) break;
    let delta = 0;
    for (let a = 0; a < n; a++) {
      nr[a] = nr[a]! / norm;
      ni[a] = ni[a]! / norm;
      delta += Math.abs(nr[a]! - vr[a]!) + Math.abs(ni[a]! - vi[a]!);
    }
    vr = nr;
    vi = ni;
    if (delta < 1e-10) break;
  }
  // fix the global phase so the largest component is real and positive (stable across slices)
  let best = 0;
  for (let a = 1; a < n; a++) if (vr[a]! ** 2 + vi[a]! ** 2 > vr[best]! ** 2 + vi[best]! ** 2) best = a;
  const mag = Math.hypot(vr[best]!, vi[best]!);
  if (mag > 0) {
    const pr = vr[best]! / mag;
    const pi = -vi[best]! / mag;
    for (let a = 0; a < n; a++) {
      const r = vr[a]! * pr - vi[a]! * pi;
      const i = vr[a]! * pi + vi[a]! * pr;
      vr[a] = r;
      vi[a] = i;
    }
  }
  return [vr, vi];
}
