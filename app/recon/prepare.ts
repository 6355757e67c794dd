// Slice preparation: apply the mask to every coil, estimate the coil sensitivities from the
// fully sampled centre (coils.ts), normalise by scale = max RSS of the zero-filled coil images
// (the model contract in resources/models/README.md) and lay the inputs out as the graphs expect
// ([C,2,H,W] re/im planes, coils on the leading axis).

import { FlatError } from '../core/errors';
import type { Study } from '../core/types';
import { coilImages, displayImage, estimateMaps, maxRss } from './coils';

export interface PreparedSlice {
  sliceIndex: number;
  rows: number;
  cols: number;
  /** receive coils (1 for single-coil and image input) */
  coils: number;
  /** rows*cols, 1 = sampled (the acquired mask when the study has one) */
  mask: Uint8Array;
  /** true when the mask came from the file (real undersampled acquisition) */
  acquired: boolean;
  /** masked k-space per coil in original units, (coil, row, col) interleaved complex */
  measured: Float32Array;
  /** shown zero-filled image (RSS of Fᴴ(M·y_c), phase of the combination), original units, interleaved */
  zeroFilled: Float32Array;
  /** coil sensitivities, (coil, row, col) interleaved complex */
  maps: Float32Array;
  /** normalisation divisor; states are multiplied by it on the way out */
  scale: number;
  /** graph input `kspace` [C,2,H,W]: masked k-space / scale */
  kspaceInput: Float32Array;
  /** graph input `maps` [C,2,H,W] */
  mapsInput: Float32Array;
  /** the step graph's first `x` [C,2,H,W]: zero-filled coil images / scale */
  zeroFilledInput: Float32Array;
  /** graph input `mask` [1,1,H,W] */
  maskInput: Float32Array;
}

/**
 * Prepare slice `sliceIndex` of a study for the model. A study that carries an acquired mask is
 * reconstructed as acquired and `mask` is ignored; otherwise `mask` (rows*cols) is the
 * retrospective undersampling pattern.
 */
export function prepareSlice(study: Study, sliceIndex: number, mask?: Uint8Array): PreparedSlice {
  const { rows, cols, slices, data } = study.kspace;
  const coils = study.coils ?? 1;
  if (!Number.isInteger(sliceIndex) || sliceIndex < 0 || sliceIndex >= slices) {
    throw new FlatError('invalid-request', `Slice ${sliceIndex} does not exist; the study has ${slices} slice(s).`);
  }
  const n = rows * cols;
  const acquired = study.acquiredMask !== undefined;
  const m = study.acquiredMask ?? mask;
  if (!m) throw new FlatError('invalid-request', 'Fully sampled input needs an undersampling mask.');
  if (m.length !== n) {
    throw new FlatError('invalid-shape', `The mask has ${m.length} entries but the k-space slice has ${rows}x${cols}.`);
  }
  if (data.length !== slices * coils * n * 2) {
    throw new FlatError('invalid-shape', `The k-space holds ${data.length / 2} values, not ${slices} slice(s) × ${coils} coil(s) × ${rows}x${cols}.`);
  }
  const maskInput = new Float32Array(n);
  let sampled = 0;
  for (let i = 0; i < n; i++) {
    if (m[i]) {
      maskInput[i] = 1;
      sampled++;
    }
  }
  if (sampled === 0) throw new FlatError('invalid-data', 'The mask samples no k-space at all.');
  const offset = sliceIndex * coils * n * 2;
  const measured = new Float32Array(coils * 2 * n);
  for (let c = 0; c < coils; c++) {
    let energy = 0;
    for (let i = 0; i < n; i++) {
      const src = offset + c * 2 * n + 2 * i;
      const re = data[src]!;
      const im = data[src + 1]!;
      if (!Number.isFinite(re) || !Number.isFinite(im)) {
        throw new FlatError('invalid-data', `Slice ${sliceIndex} of ${study.source} contains NaN or infinite k-space values.`);
      }
      if (m[i]) {
        measured[c * 2 * n + 2 * i] = re;
        measured[c * 2 * n + 2 * i + 1] = im;
        energy += re * re + im * im;
      }
    }
    if (!(energy > 0) && coils > 1) {
      throw new FlatError('invalid-data', `Coil ${c + 1} of ${coils} in slice ${sliceIndex} of ${study.source} holds no measured signal; remove empty coils before reconstructing.`);
    }
  }
  const zfCoils = coilImages(measured, coils, rows, cols);
  const scale = maxRss(zfCoils, coils, n);
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new FlatError('invalid-data', `Slice ${sliceIndex} of ${study.source} has no signal under the mask.`);
  }
  const maps = estimateMaps(measured, m, coils, rows, cols);
  const inv = 1 / scale;
  return {
    sliceIndex,
    rows,
    cols,
    coils,
    mask: Uint8Array.from(m, (v) => (v ? 1 : 0)),
    acquired,
    measured,
    zeroFilled: displayImage(zfCoils, maps, coils, n),
    maps,
    scale,
    kspaceInput: coilsToPlanar(measured, coils, n, inv),
    mapsInput: coilsToPlanar(maps, coils, n),
    zeroFilledInput: coilsToPlanar(zfCoils, coils, n, inv),
    maskInput,
  };
}

/** (coil, row, col) interleaved → [C,2,H,W] planes, times `factor`. */
export function coilsToPlanar(interleaved: Float32Array, coils: number, n: number, factor = 1): Float32Array {
  const out = new Float32Array(coils * 2 * n);
  for (let c = 0; c < coils; c++) toPlanar(interleaved.subarray(c * 2 * n, (c + 1) * 2 * n), factor, out.subarray(c * 2 * n, (c + 1) * 2 * n));
  return out;
}

/** [C,2,H,W] planes → (coil, row, col) interleaved, times `factor`. */
export function planarToCoils(planar: Float32Array, coils: number, n: number, factor = 1, offset = 0, out: Float32Array = new Float32Array(coils * 2 * n)): Float32Array {
  for (let c = 0; c < coils; c++) fromPlanar(planar, n, factor, offset + c * 2 * n, out.subarray(c * 2 * n, (c + 1) * 2 * n));
  return out;
}

/** Interleaved complex → [2,H,W] planes, times `factor`. */
export function toPlanar(interleaved: Float32Array, factor = 1, out: Float32Array = new Float32Array(interleaved.length)): Float32Array {
  const n = interleaved.length / 2;
  for (let i = 0; i < n; i++) {
    out[i] = interleaved[2 * i]! * factor;
    out[n + i] = interleaved[2 * i + 1]! * factor;
  }
  return out;
}

/** [2,H,W] planes (from `offset`) → interleaved complex, times `factor`. */
export function fromPlanar(planar: Float32Array, n: number, factor = 1, offset = 0, out: Float32Array = new Float32Array(2 * n)): Float32Array {
  for (let i = 0; i < n; i++) {
    out[2 * i] = planar[offset + i]! * factor;
    out[2 * i + 1] = planar[offset + n + i]! * factor;
  }
  return out;
}
