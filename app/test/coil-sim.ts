// Simulated receive coils for tests and the bench (never used by the app): smooth Gaussian
// profiles of coils on a ring around the field of view, each with its own phase ramp.

/** (coil, row, col) interleaved complex profiles. */
export function coilProfiles(rows: number, cols: number, coils: number): Float32Array {
  const out = new Float32Array(coils * rows * cols * 2);
  for (let c = 0; c < coils; c++) {
    const a = (2 * Math.PI * c) / coils + 0.3;
    const py = 1.3 * Math.sin(a);
    const px = 1.3 * Math.cos(a);
    for (let r = 0; r < rows; r++)
      for (let q = 0; q < cols; q++) {
        const y = (2 * r) / (rows - 1) - 1;
        const x = (2 * q) / (cols - 1) - 1;
        const mag = Math.exp(-((y - py) ** 2 + (x - px) ** 2) / (2 * 0.9 ** 2));
        const ph = 0.7 * c + 0.8 * x - 0.5 * y;
        const o = ((c * rows + r) * cols + q) * 2;
        out[o] = mag * Math.cos(ph);
        out[o + 1] = mag * Math.sin(ph);
      }
  }
  return out;
}

/** Multiply one complex image (rows·cols interleaved) by every profile: coil images. */
export function applyProfiles(image: Float32Array, profiles: Float32Array, coils: number, n: number): Float32Array {
  const out = new Float32Array(coils * 2 * n);
  for (let c = 0; c < coils; c++)
    for (let i = 0; i < n; i++) {
      const o = c * 2 * n + 2 * i;
      const xr = image[2 * i]!;
      const xi = image[2 * i + 1]!;
      out[o] = profiles[o]! * xr - profiles[o + 1]! * xi;
      out[o + 1] = profiles[o]! * xi + profiles[o + 1]! * xr;
    }
  return out;
}
