// Slice preparation: apply the mask, normalise by scale = max |Fᴴ(M·y)| (the model contract in
// resources/models/README.md) and lay the inputs out as the graphs expect ([2,H,W] re/im planes).

import { ifft2cSlice } from '../fft';
import { FlatError } from '../core/errors';
import type { Study } from '../core/types';

export interface PreparedSlice {
  sliceIndex: number;
  rows: number;
  cols: number;
  /** rows*cols, 1 = sampled (the acquired mask when the study has one) */
  mask: Uint8Array;
  /** true when the mask came from the file (real undersampled acquisition) */
  acquired: boolean;
  /** masked k-space in original units, interleaved complex (for data-consistency checks) */
  measured: Float32Array;
  /** zero-filled image Fᴴ(M·y) in original units, interleaved complex */
  zeroFilled: Float32Array;
  /** normalisation divisor; states are multiplied by it on the way out */
  scale: number;
  /** graph input `kspace` [1,2,H,W]: masked k-space / scale, re plane then im plane */
  kspaceInput: Float32Array;
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
  const offset = sliceIndex * n * 2;
  const measured = new Float32Array(2 * n);
  const maskInput = new Float32Array(n);
  let sampled = 0;
  for (let i = 0; i < n; i++) {
    const re = data[offset + 2 * i]!;
    const im = data[offset + 2 * i + 1]!;
    if (!Number.isFinite(re) || !Number.isFinite(im)) {
      throw new FlatError('invalid-data', `Slice ${sliceIndex} of ${study.source} contains NaN or infinite k-space values.`);
    }
    if (m[i]) {
      measured[2 * i] = re;
      measured[2 * i + 1] = im;
      maskInput[i] = 1;
      sampled++;
    }
  }
  if (sampled === 0) throw new FlatError('invalid-data', 'The mask samples no k-space at all.');
  const zeroFilled = ifft2cSlice(measured, rows, cols);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const re = zeroFilled[2 * i]!;
    const im = zeroFilled[2 * i + 1]!;
    const a2 = re * re + im * im;
    if (a2 > scale) scale = a2;
  }
  scale = Math.sqrt(scale);
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new FlatError('invalid-data', `Slice ${sliceIndex} of ${study.source} has no signal under the mask.`);
  }
  const kspaceInput = new Float32Array(2 * n);
  const inv = 1 / scale;
  for (let i = 0; i < n; i++) {
    kspaceInput[i] = measured[2 * i]! * inv;
    kspaceInput[n + i] = measured[2 * i + 1]! * inv;
  }
  return {
    sliceIndex,
    rows,
    cols,
    mask: Uint8Array.from(m, (v) => (v ? 1 : 0)),
    acquired,
    measured,
    zeroFilled,
    scale,
    kspaceInput,
    maskInput,
  };
}

/** Interleaved complex → [2,H,W] planes, times `factor`. */
export function toPlanar(interleaved: Float32Array, factor = 1, out = new Float32Array(interleaved.length)): Float32Array {
  const n = interleaved.length / 2;
  for (let i = 0; i < n; i++) {
    out[i] = interleaved[2 * i]! * factor;
    out[n + i] = interleaved[2 * i + 1]! * factor;
  }
  return out;
}

/** [2,H,W] planes (from `offset`) → interleaved complex, times `factor`. */
export function fromPlanar(planar: Float32Array, n: number, factor = 1, offset = 0, out = new Float32Array(2 * n)): Float32Array {
  for (let i = 0; i < n; i++) {
    out[2 * i] = planar[offset + i]! * factor;
    out[2 * i + 1] = planar[offset + n + i]! * factor;
  }
  return out;
}
