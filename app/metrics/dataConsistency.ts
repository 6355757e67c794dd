// Data-consistency residual ‖M·F(x) − M·y‖ / ‖M·y‖ of a complex image against measured k-space.
// 0 means the image reproduces every sampled k-space value exactly (the zero-filled image does).

import { fft2cSlice } from '../fft';

/**
 * @param state interleaved complex image, rows×cols
 * @param y interleaved centred k-space (measured; only entries where mask is set are used)
 * @param mask rows×cols, 1 = sampled
 */
export function dcResidual(state: Float32Array, y: Float32Array, mask: Uint8Array | Float32Array, rows: number, cols: number): number {
  const n = rows * cols;
  if (state.length !== 2 * n || y.length !== 2 * n || mask.length !== n) {
    throw new RangeError(`dcResidual: sizes do not match ${rows}x${cols}`);
  }
  const k = fft2cSlice(state, rows, cols);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    const yr = y[2 * i]!;
    const yi = y[2 * i + 1]!;
    const dr = k[2 * i]! - yr;
    const di = k[2 * i + 1]! - yi;
    num += dr * dr + di * di;
    den += yr * yr + yi * yi;
  }
  return den > 0 ? Math.sqrt(num / den) : Number.NaN;
}
