// Fixed scales and reader-facing numbers, pure: the error map and the model-contribution map as a
// percentage of one per-slice normaliser (same scale at every step and in every run), the gain
// over zero-filled, the data-consistency status, and the sampling mask's summary.

/** Both maps are shown on 0 … this many percent (brighter = larger; above it saturates). */
export const MAP_SCALE_PERCENT = 10;

/** A data-consistency residual below this (relative to ‖y‖) is float round-off: "exact". */
export const DC_EXACT_BELOW = 1e-5;

/** The finite maximum of an image (0 when there is none). */
export function finiteMax(data: Float32Array): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m;
}

/**
 * The per-slice normaliser of both maps: the reference's maximum when there is a reference, else
 * the zero-filled image's. It depends on the slice only, never on the step or the run, so 5 % means
 * the same at step 1 and step 8 and after "Run again".
 */
export function sliceNormaliser(reference: Float32Array | undefined, zeroFilled: Float32Array): number {
  const m = reference ? finiteMax(reference) : finiteMax(zeroFilled);
  return m > 0 ? m : 1;
}

/** 100 · |a − b| / norm per pixel (the error map in percent of the reference maximum). */
export function errorPercent(step: Float32Array, reference: Float32Array, norm: number): Float32Array {
  if (step.length !== reference.length) throw new Error('images differ in size');
  const k = 100 / (norm > 0 ? norm : 1);
  const out = new Float32Array(step.length);
  for (let i = 0; i < step.length; i++) out[i] = Math.abs(step[i]! - reference[i]!) * k;
  return out;
}

/** 100 · |c| / norm per pixel (the model contribution in percent of the slice maximum). */
export function percentOf(map: Float32Array, norm: number): Float32Array {
  const k = 100 / (norm > 0 ? norm : 1);
  const out = new Float32Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = Math.abs(map[i]!) * k;
  return out;
}

/** The fixed window of both maps: 0 … MAP_SCALE_PERCENT. */
export function mapWindow(): { center: number; width: number } {
  return { center: MAP_SCALE_PERCENT / 2, width: MAP_SCALE_PERCENT };
}

/** Share of pixels at or above the top of the scale (said under the colour bar when > 0). */
export function saturatedFraction(percentMap: Float32Array, top = MAP_SCALE_PERCENT): number {
  if (percentMap.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < percentMap.length; i++) if (percentMap[i]! >= top) n++;
  return n / percentMap.length;
}

/** PSNR gain of step k over the zero-filled start (step 0), in dB; undefined without both. */
export function gainOverZeroFilled(psnrK: number | undefined, psnr0: number | undefined): number | undefined {
  if (psnrK === undefined || psnr0 === undefined || !Number.isFinite(psnrK) || !Number.isFinite(psnr0)) return undefined;
  return psnrK - psnr0;
}

export function formatGain(g: number | undefined): string {
  if (g === undefined) return '—';
  const r = Math.round(g * 10) / 10;
  return `${r > 0 ? '+' : r < 0 ? '−' : '±'}${Math.abs(r).toFixed(1)} dB`;
}

/** The reader's reading of the data-consistency residual. */
export function dcStatus(residual: number | undefined): { exact: boolean; text: string } {
  if (residual === undefined || !Number.isFinite(residual)) return { exact: false, text: '—' };
  if (residual < DC_EXACT_BELOW) return { exact: true, text: 'exact' };
  return { exact: false, text: `off by ${formatPercent(residual * 100)} of the measured data` };
}

function formatPercent(p: number): string {
  return `${p >= 1 ? p.toFixed(1) : p.toPrecision(2)} %`;
}

export interface MaskSummary {
  /** Sampled columns / all columns. */
  fraction: number;
  acceleration: number;
  /** Width of the fully sampled centre block, as a fraction of the columns. */
  centreFraction: number;
  sampled: number;
  cols: number;
}

/**
 * Summary of a 1D column mask: sampling fraction, R, and the contiguous sampled block around the
 * k-space centre (column ⌊cols/2⌋, the fftshift centre).
 */
export function summariseColumns(columns: Uint8Array): MaskSummary | null {
  const cols = columns.length;
  if (cols === 0) return null;
  let sampled = 0;
  for (let i = 0; i < cols; i++) if (columns[i]) sampled++;
  const c = Math.floor(cols / 2);
  let centre = 0;
  if (columns[c]) {
    let lo = c;
    let hi = c;
    while (lo - 1 >= 0 && columns[lo - 1]) lo--;
    while (hi + 1 < cols && columns[hi + 1]) hi++;
    centre = hi - lo + 1;
  }
  const fraction = sampled / cols;
  return { fraction, acceleration: fraction > 0 ? 1 / fraction : Infinity, centreFraction: centre / cols, sampled, cols };
}

/**
 * One overlay line for the mask, e.g. "random · R = 4 · 64/256 lines · centre 8 % · seed 0": the
 * requested R, centre fraction and seed, with the lines actually sampled.
 */
export function maskLine(
  spec: { kind: string; acceleration: number; centerFraction: number; seed: number } | null,
  summary: MaskSummary | null,
  asAcquired: boolean,
): string {
  const r = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : '∞');
  const lines = summary ? ` · ${summary.sampled}/${summary.cols} lines` : '';
  if (asAcquired) {
    return summary
      ? `acquired mask · R = ${r(summary.acceleration)}${lines} · centre ${r(summary.centreFraction * 100)} %`
      : 'acquired mask (2D pattern)';
  }
  if (!spec) return '';
  return `${spec.kind} · R = ${r(spec.acceleration)}${lines} · centre ${r(spec.centerFraction * 100)} % · seed ${spec.seed}`;
}

/**
 * The maps' colour scale ("heat"): black → red → yellow → white, linear between these knots. The
 * viewport's colormap and the colour bar's CSS gradient are both made from it.
 */
export const HEAT_KNOTS: readonly [number, [number, number, number]][] = [
  [0, [0, 0, 0]],
  [0.375, [255, 0, 0]],
  [0.75, [255, 255, 0]],
  [1, [255, 255, 255]],
];

/** The heat colour at t ∈ [0, 1] (clamped). */
export function heatColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  for (let i = 1; i < HEAT_KNOTS.length; i++) {
    const [x1, c1] = HEAT_KNOTS[i]!;
    const [x0, c0] = HEAT_KNOTS[i - 1]!;
    if (x <= x1) {
      const f = (x - x0) / (x1 - x0);
      return [0, 1, 2].map((k) => Math.round(c0[k]! + (c1[k]! - c0[k]!) * f)) as [number, number, number];
    }
  }
  return [255, 255, 255];
}

/** 256 RGBA entries for cornerstone's colormap. */
export function heatTable(n = 256): number[][] {
  return Array.from({ length: n }, (_, i) => [...heatColour(i / (n - 1)), 255]);
}

/** WCAG 2 relative luminance of #rrggbb. */
export function luminance(hex: string): number {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const lin = (h: string) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(m[1]!) + 0.7152 * lin(m[2]!) + 0.0722 * lin(m[3]!);
}

/** WCAG 2 contrast ratio of two #rrggbb colours (1 … 21). */
export function contrastRatio(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
