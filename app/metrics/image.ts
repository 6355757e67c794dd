// Image metrics with fastMRI conventions (fastmri/evaluate.py): the reference's maximum is the data
// range. SSIM is scikit-image's structural_similarity with its defaults as fastMRI calls it: 7×7
// uniform window, K1 = 0.01, K2 = 0.03, sample covariance (N/(N−1)), averaged over the pixels whose
// window lies fully inside the image (skimage crops (7−1)/2 pixels from each border).

function checkPair(ref: Float32Array, img: Float32Array): void {
  if (ref.length !== img.length) throw new RangeError(`metric inputs differ in size: ${ref.length} vs ${img.length}`);
  if (ref.length === 0) throw new RangeError('metric inputs are empty');
}

function maxOf(a: Float32Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/** Mean squared error. */
export function mse(ref: Float32Array, img: Float32Array): number {
  checkPair(ref, img);
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ref[i]! - img[i]!;
    s += d * d;
  }
  return s / ref.length;
}

/** Normalised MSE ‖ref − img‖² / ‖ref‖². */
export function nmse(ref: Float32Array, img: Float32Array): number {
  checkPair(ref, img);
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ref[i]! - img[i]!;
    num += d * d;
    den += ref[i]! * ref[i]!;
  }
  return num / den;
}

/** PSNR in dB with data range = max(ref) (or the given one). */
export function psnr(ref: Float32Array, img: Float32Array, dataRange = maxOf(ref)): number {
  return 10 * Math.log10((dataRange * dataRange) / mse(ref, img));
}

/** Mean SSIM of two rows×cols images, data range = max(ref) unless given. */
export function ssim(ref: Float32Array, img: Float32Array, rows: number, cols: number, dataRange = maxOf(ref)): number {
  checkPair(ref, img);
  if (ref.length !== rows * cols) throw new RangeError(`SSIM shape ${rows}x${cols} does not match ${ref.length} pixels`);
  const win = 7;
  const pad = (win - 1) / 2;
  if (rows < win || cols < win) throw new RangeError(`SSIM needs images of at least ${win}x${win}`);
  const np = win * win;
  const covNorm = np / (np - 1);
  const c1 = (0.01 * dataRange) ** 2;
  const c2 = (0.03 * dataRange) ** 2;

  // Summed-area tables (float64) of x, y, x², y², xy with a zero first row and column.
  const w = cols + 1;
  const size = (rows + 1) * w;
  const sx = new Float64Array(size);
  const sy = new Float64Array(size);
  const sxx = new Float64Array(size);
  const syy = new Float64Array(size);
  const sxy = new Float64Array(size);
  for (let r = 0; r < rows; r++) {
    let ax = 0, ay = 0, axx = 0, ayy = 0, axy = 0;
    for (let c = 0; c < cols; c++) {
      const x = ref[r * cols + c]!;
      const y = img[r * cols + c]!;
      ax += x;
      ay += y;
      axx += x * x;
      ayy += y * y;
      axy += x * y;
      const o = (r + 1) * w + c + 1;
      const u = r * w + c + 1;
      sx[o] = sx[u]! + ax;
      sy[o] = sy[u]! + ay;
      sxx[o] = sxx[u]! + axx;
      syy[o] = syy[u]! + ayy;
      sxy[o] = sxy[u]! + axy;
    }
  }
  const box = (t: Float64Array, r0: number, c0: number): number =>
    t[(r0 + win) * w + c0 + win]! - t[r0 * w + c0 + win]! - t[(r0 + win) * w + c0]! + t[r0 * w + c0]!;

  let total = 0;
  let count = 0;
  for (let r = pad; r < rows - pad; r++) {
    for (let c = pad; c < cols - pad; c++) {
      const r0 = r - pad;
      const c0 = c - pad;
      const ux = box(sx, r0, c0) / np;
      const uy = box(sy, r0, c0) / np;
      const uxx = box(sxx, r0, c0) / np;
      const uyy = box(syy, r0, c0) / np;
      const uxy = box(sxy, r0, c0) / np;
      const vx = covNorm * (uxx - ux * ux);
      const vy = covNorm * (uyy - uy * uy);
      const vxy = covNorm * (uxy - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}
