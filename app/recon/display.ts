// Turning complex states into what is shown and scored: magnitude, the fastMRI centre crop, and
// 16-bit display buffers with a window shared across the trajectory.

/** |z| of an interleaved complex array. */
export function magnitude(complex: Float32Array, out = new Float32Array(complex.length / 2)): Float32Array {
  // sqrt(re² + im²) rather than Math.hypot: several times faster, and float32 data cannot overflow it
  for (let i = 0; i < out.length; i++) {
    const re = complex[2 * i]!;
    const im = complex[2 * i + 1]!;
    out[i] = Math.sqrt(re * re + im * im);
  }
  return out;
}

/**
 * fastMRI center_crop: the central cropRows×cropCols of a rows×cols real image (offsets
 * floor((size − crop)/2)). A crop larger than the image is clamped to the image size.
 */
export function centreCrop(img: Float32Array, rows: number, cols: number, cropRows: number, cropCols: number): {
  data: Float32Array;
  rows: number;
  cols: number;
} {
  const cr = Math.min(rows, cropRows);
  const cc = Math.min(cols, cropCols);
  if (cr === rows && cc === cols) return { data: img, rows, cols };
  const r0 = Math.floor((rows - cr) / 2);
  const c0 = Math.floor((cols - cc) / 2);
  const data = new Float32Array(cr * cc);
  for (let r = 0; r < cr; r++) data.set(img.subarray((r0 + r) * cols + c0, (r0 + r) * cols + c0 + cc), r * cc);
  return { data, rows: cr, cols: cc };
}

/** The q-quantile (0…1) of the values, by sorting a copy (fine for one image). */
export function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  if (sorted.length === 0) return 0;
  const pos = Math.min(sorted.length - 1, Math.max(0, q * (sorted.length - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
