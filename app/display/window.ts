// The one window rule of FLAT Viewer, used by the viewer (renderer/src/imaging/windowing.ts) and
// by every export (DICOM, PNG): percentiles of the finite values, and the automatic window from the
// 1st to the 99th percentile. Pure code: no Node, no DOM (the renderer imports it).

export interface WindowLevel {
  center: number;
  width: number;
}

/** The automatic window spans these percentiles of the image (viewer and exports alike). */
export const AUTO_WINDOW_PERCENTILES: readonly [number, number] = [1, 99];

/** Percentile (0…100) of the finite values, linear interpolation between order statistics (NumPy's default). */
export function percentiles(data: ArrayLike<number>, ps: readonly number[]): number[] {
  const finite = new Float32Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isFinite(v)) finite[n++] = v;
  }
  if (n === 0) return ps.map(() => 0);
  const sorted = finite.subarray(0, n).sort();
  return ps.map((p) => {
    const pos = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(n - 1, lo + 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  });
}

/**
 * Window spanning the lowPct…highPct percentiles (default 1–99 %); never zero width. `minWidth`
 * (e.g. 1 for integer units) bounds the width from below, keeping the centre.
 */
export function autoWindow(data: ArrayLike<number>, lowPct = AUTO_WINDOW_PERCENTILES[0], highPct = AUTO_WINDOW_PERCENTILES[1], minWidth = 0): WindowLevel {
  const [lo, hi] = percentiles(data, [lowPct, highPct]) as [number, number];
  let width = hi - lo;
  if (!(width > 0)) width = Math.max(Math.abs(hi), 1e-6);
  const center = lo + width / 2;
  return { center, width: Math.max(width, minWidth) };
}

/**
 * A window as DICOM stores it for integer pixel units: width ≥ 1 (PS3.3 C.11.2.1.2), centre
 * inside the stored range. Used by the DICOM export; the viewer shows the same numbers.
 */
export function integerWindow(win: WindowLevel, maxStored: number): WindowLevel {
  const width = Math.max(1, Number.isFinite(win.width) ? win.width : 1);
  const center = Math.min(maxStored, Math.max(0, Number.isFinite(win.center) ? win.center : maxStored / 2));
  return { center, width };
}
