// 1D complex FFT plans of any length, computed in float64 on split re/im arrays.
// Lengths whose prime factors are all small (256, 320, 368 = 16·23, 217 = 7·31 …) use a
// self-sorting mixed-radix Stockham transform; lengths with a large prime factor (181 …) use
// Bluestein's chirp-z algorithm on a power-of-two convolution, so every size costs O(n log n).
// Plans are cached by length: building one is the expensive part.

/** Unnormalised forward DFT (sign −1) in place; `inverse` flips the sign (still unnormalised). */
export interface FftPlan {
  readonly n: number;
  transform(re: Float64Array, im: Float64Array, inverse: boolean): void;
}

/** Largest prime factor handled by a direct butterfly; lengths with a bigger one use Bluestein. */
const MAX_DIRECT_PRIME = 61;

function factorise(n: number): number[] | undefined {
  const f: number[] = [];
  let m = n;
  while (m % 4 === 0) {
    f.push(4);
    m /= 4;
  }
  for (let p = 2; m > 1; p++) {
    if (p > MAX_DIRECT_PRIME) return undefined;
    while (m % p === 0) {
      f.push(p);
      m /= p;
    }
  }
  return f;
}

interface Stage {
  p: number;
  /** current sub-transform length */
  len: number;
  /** len / p */
  m: number;
  /** stride of the sub-sequences */
  s: number;
  /** twiddles ω_len^(j·k), j < m, k < p, stored [j*p + k] */
  twRe: Float64Array;
  twIm: Float64Array;
}

/**
 * Self-sorting mixed-radix Stockham FFT (decimation in frequency) with radix-2/3/4/5 butterflies
 * and a direct DFT butterfly for other small primes. Ping-pongs between the caller's arrays and
 * one pair of work arrays, so no bit-reversal pass is needed.
 */
class StockhamPlan implements FftPlan {
  private readonly stages: Stage[] = [];
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;
  /** ω_p^k for the generic butterfly, per radix */
  private readonly rootsRe = new Map<number, Float64Array>();
  private readonly rootsIm = new Map<number, Float64Array>();
  private readonly tmpRe: Float64Array;
  private readonly tmpIm: Float64Array;

  constructor(
    readonly n: number,
    factors: number[],
  ) {
    let len = n;
    let s = 1;
    for (const p of factors) {
      const m = len / p;
      const twRe = new Float64Array(m * p);
      const twIm = new Float64Array(m * p);
      for (let j = 0; j < m; j++) {
        for (let k = 0; k < p; k++) {
          // reduce j·k mod len before the trig call to keep the angle accurate
          const a = (-2 * Math.PI * ((j * k) % len)) / len;
          twRe[j * p + k] = Math.cos(a);
          twIm[j * p + k] = Math.sin(a);
        }
      }
      this.stages.push({ p, len, m, s, twRe, twIm });
      if (p > 4 && !this.rootsRe.has(p)) {
        const rr = new Float64Array(p);
        const ri = new Float64Array(p);
        for (let k = 0; k < p; k++) {
          rr[k] = Math.cos((-2 * Math.PI * k) / p);
          ri[k] = Math.sin((-2 * Math.PI * k) / p);
        }
        this.rootsRe.set(p, rr);
        this.rootsIm.set(p, ri);
      }
      len = m;
      s *= p;
    }
    this.wRe = new Float64Array(n);
    this.wIm = new Float64Array(n);
    const maxP = Math.max(...factors);
    this.tmpRe = new Float64Array(maxP);
    this.tmpIm = new Float64Array(maxP);
  }

  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    // Inverse via conj(FFT(conj(x))).
    const n = this.n;
    if (inverse) for (let i = 0; i < n; i++) im[i] = -im[i]!;
    let xr = re;
    let xi = im;
    let yr = this.wRe;
    let yi = this.wIm;
    for (const st of this.stages) {
      this.stage(st, xr, xi, yr, yi);
      const tr = xr;
      const ti = xi;
      xr = yr;
      xi = yi;
      yr = tr;
      yi = ti;
    }
    if (xr !== re) {
      re.set(xr.subarray(0, n));
      im.set(xi.subarray(0, n));
    }
    if (inverse) for (let i = 0; i < n; i++) im[i] = -im[i]!;
  }

  private stage(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { p, m, s, twRe, twIm } = st;
    const sm = s * m;
    if (p === 4) {
      for (let j = 0; j < m; j++) {
        const w1r = twRe[j * 4 + 1]!, w1i = twIm[j * 4 + 1]!;
        const w2r = twRe[j * 4 + 2]!, w2i = twIm[j * 4 + 2]!;
        const w3r = twRe[j * 4 + 3]!, w3i = twIm[j * 4 + 3]!;
        const in0 = s * j;
        const out0 = s * 4 * j;
        for (let q = 0; q < s; q++) {
          const i0 = in0 + q;
          const ar = xr[i0]!, ai = xi[i0]!;
          const br = xr[i0 + sm]!, bi = xi[i0 + sm]!;
          const cr = xr[i0 + 2 * sm]!, ci = xi[i0 + 2 * sm]!;
          const dr = xr[i0 + 3 * sm]!, di = xi[i0 + 3 * sm]!;
          const t0r = ar + cr, t0i = ai + ci;
          const t1r = ar - cr, t1i = ai - ci;
          const t2r = br + dr, t2i = bi + di;
          // −i·(b − d)
          const t3r = bi - di, t3i = dr - br;
          const o = out0 + q;
          yr[o] = t0r + t2r;
          yi[o] = t0i + t2i;
          const u1r = t1r + t3r, u1i = t1i + t3i;
          yr[o + s] = u1r * w1r - u1i * w1i;
          yi[o + s] = u1r * w1i + u1i * w1r;
          const u2r = t0r - t2r, u2i = t0i - t2i;
          yr[o + 2 * s] = u2r * w2r - u2i * w2i;
          yi[o + 2 * s] = u2r * w2i + u2i * w2r;
          const u3r = t1r - t3r, u3i = t1i - t3i;
          yr[o + 3 * s] = u3r * w3r - u3i * w3i;
          yi[o + 3 * s] = u3r * w3i + u3i * w3r;
        }
      }
    } else if (p === 2) {
      for (let j = 0; j < m; j++) {
        const wr = twRe[j * 2 + 1]!, wi = twIm[j * 2 + 1]!;
        const in0 = s * j;
        const out0 = s * 2 * j;
        for (let q = 0; q < s; q++) {
          const i0 = in0 + q;
          const ar = xr[i0]!, ai = xi[i0]!;
          const br = xr[i0 + sm]!, bi = xi[i0 + sm]!;
          const o = out0 + q;
          yr[o] = ar + br;
          yi[o] = ai + bi;
          const dr = ar - br, di = ai - bi;
          yr[o + s] = dr * wr - di * wi;
          yi[o + s] = dr * wi + di * wr;
        }
      }
    } else if (p === 3) {
      const c = -0.5;
      const sn = -Math.sqrt(3) / 2; // sin(−2π/3)
      for (let j = 0; j < m; j++) {
        const w1r = twRe[j * 3 + 1]!, w1i = twIm[j * 3 + 1]!;
        const w2r = twRe[j * 3 + 2]!, w2i = twIm[j * 3 + 2]!;
        const in0 = s * j;
        const out0 = s * 3 * j;
        for (let q = 0; q < s; q++) {
          const i0 = in0 + q;
          const ar = xr[i0]!, ai = xi[i0]!;
          const br = xr[i0 + sm]!, bi = xi[i0 + sm]!;
          const cr = xr[i0 + 2 * sm]!, ci = xi[i0 + 2 * sm]!;
          const sr = br + cr, si = bi + ci;
          const dr = br - cr, di = bi - ci;
          const mr = ar + c * sr, mi = ai + c * si;
          // ± i·sn·(b − c)
          const er = -sn * di, ei = sn * dr;
          const o = out0 + q;
          yr[o] = ar + sr;
          yi[o] = ai + si;
          const u1r = mr + er, u1i = mi + ei;
          yr[o + s] = u1r * w1r - u1i * w1i;
          yi[o + s] = u1r * w1i + u1i * w1r;
          const u2r = mr - er, u2i = mi - ei;
          yr[o + 2 * s] = u2r * w2r - u2i * w2i;
          yi[o + 2 * s] = u2r * w2i + u2i * w2r;
        }
      }
    } else {
      // Odd prime p (5, 7, 11, … ≤ MAX_DIRECT_PRIME): direct DFT using the x_r ± x_(p−r) symmetry,
      // which halves the multiplications of a plain p-point DFT.
      const cosT = this.rootsRe.get(p)!;
      const sinT = this.rootsIm.get(p)!; // sin(−2πk/p)
      const h = (p - 1) >> 1;
      const ar = this.tmpRe;
      const ai = this.tmpIm;
      // ar/ai[1..h] hold a_r = x_r + x_(p−r); ar/ai[h+1..2h] hold b_r = x_r − x_(p−r)
      for (let j = 0; j < m; j++) {
        const in0 = s * j;
        const out0 = s * p * j;
        const tw = j * p;
        for (let q = 0; q < s; q++) {
          const i0 = in0 + q;
          const x0r = xr[i0]!;
          const x0i = xi[i0]!;
          let y0r = x0r;
          let y0i = x0i;
          for (let r = 1; r <= h; r++) {
            const ur = xr[i0 + r * sm]!, ui = xi[i0 + r * sm]!;
            const vr = xr[i0 + (p - r) * sm]!, vi = xi[i0 + (p - r) * sm]!;
            ar[r] = ur + vr;
            ai[r] = ui + vi;
            ar[h + r] = ur - vr;
            ai[h + r] = ui - vi;
            y0r += ur + vr;
            y0i += ui + vi;
          }
          const o = out0 + q;
          yr[o] = y0r;
          yi[o] = y0i;
          for (let k = 1; k <= h; k++) {
            let cr = x0r, ci = x0i, sr = 0, si = 0;
            let idx = 0;
            for (let r = 1; r <= h; r++) {
              idx += k;
              if (idx >= p) idx -= p;
              const c = cosT[idx]!, sn = sinT[idx]!;
              cr += ar[r]! * c;
              ci += ai[r]! * c;
              sr += ar[h + r]! * sn;
              si += ai[h + r]! * sn;
            }
            // y_k = C + i·S, y_(p−k) = C − i·S, with S = Σ b_r sin(−2πrk/p)
            const ykr = cr - si, yki = ci + sr;
            const ypr = cr + si, ypi = ci - sr;
            const w1r = twRe[tw + k]!, w1i = twIm[tw + k]!;
            const w2r = twRe[tw + p - k]!, w2i = twIm[tw + p - k]!;
            yr[o + k * s] = ykr * w1r - yki * w1i;
            yi[o + k * s] = ykr * w1i + yki * w1r;
            yr[o + (p - k) * s] = ypr * w2r - ypi * w2i;
            yi[o + (p - k) * s] = ypr * w2i + ypi * w2r;
          }
        }
      }
    }
  }
}

class BluesteinPlan implements FftPlan {
  private readonly m: number;
  private readonly inner: FftPlan;
  /** chirp w_k = exp(−iπk²/n) */
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  /** FFT of the conjugate chirp, zero-padded and wrapped to length m */
  private readonly br: Float64Array;
  private readonly bi: Float64Array;
  private readonly ar: Float64Array;
  private readonly ai: Float64Array;

  constructor(readonly n: number) {
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.inner = getPlan(m);
    this.wr = new Float64Array(n);
    this.wi = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n keeps the angle small, so the chirp stays accurate for large k.
      const k2 = (k * k) % (2 * n);
      const a = (-Math.PI * k2) / n;
      this.wr[k] = Math.cos(a);
      this.wi[k] = Math.sin(a);
    }
    this.br = new Float64Array(m);
    this.bi = new Float64Array(m);
    this.br[0] = this.wr[0]!;
    this.bi[0] = -this.wi[0]!;
    for (let k = 1; k < n; k++) {
      this.br[k] = this.br[m - k] = this.wr[k]!;
      this.bi[k] = this.bi[m - k] = -this.wi[k]!;
    }
    this.inner.transform(this.br, this.bi, false);
    this.ar = new Float64Array(m);
    this.ai = new Float64Array(m);
  }

  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    // The inverse is conj(FFT(conj(x))): conjugate on the way in and out.
    const n = this.n;
    const m = this.m;
    const { wr, wi, ar, ai, br, bi } = this;
    const s = inverse ? -1 : 1;
    for (let k = 0; k < n; k++) {
      const xr = re[k]!;
      const xi = s * im[k]!;
      ar[k] = xr * wr[k]! - xi * wi[k]!;
      ai[k] = xr * wi[k]! + xi * wr[k]!;
    }
    ar.fill(0, n);
    ai.fill(0, n);
    this.inner.transform(ar, ai, false);
    for (let k = 0; k < m; k++) {
      const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
      const i = ar[k]! * bi[k]! + ai[k]! * br[k]!;
      ar[k] = r;
      ai[k] = i;
    }
    this.inner.transform(ar, ai, true);
    const inv = 1 / m;
    for (let k = 0; k < n; k++) {
      const cr = ar[k]! * inv;
      const ci = ai[k]! * inv;
      re[k] = cr * wr[k]! - ci * wi[k]!;
      im[k] = s * (cr * wi[k]! + ci * wr[k]!);
    }
  }
}

class TrivialPlan implements FftPlan {
  readonly n = 1;
  transform(): void {}
}

const planCache = new Map<number, FftPlan>();

/** The cached plan for length n (n ≥ 1, integer). */
export function getPlan(n: number): FftPlan {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
  let p = planCache.get(n);
  if (!p) {
    if (n === 1) p = new TrivialPlan();
    else {
      const factors = factorise(n);
      p = factors ? new StockhamPlan(n, factors) : new BluesteinPlan(n);
    }
    planCache.set(n, p);
  }
  return p;
}
