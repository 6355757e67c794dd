// Geometry of the displayed image, pure: orientation markers from the image orientation (DICOM
// convention, LPS patient axes) under the viewer's rotation and flips, the fit scale that keeps the
// overlay bands free, the scale bar and length measurements in mm (or px when the spacing is
// unknown). Image coordinates: x = column, y = row, pixel centres at integer + 0.5 like cornerstone.
//
// cornerstone draws image point p at  centre + R(θ)·S·F·(p − c)  (+ pan), with F the flips
// applied first, R a clockwise rotation on screen (y down) and S the zoom (diagonal, positive). So
// a screen direction s shows the image direction F·R⁻¹·s, which is what the markers name.

export type Vec3 = [number, number, number];
/** Row direction (along a row, increasing column) then column direction (increasing row), LPS. */
export type Orientation = [number, number, number, number, number, number];
export type Rotation = 0 | 90 | 180 | 270;

export interface ViewTransform {
  rotation: Rotation;
  hflip: boolean;
  vflip: boolean;
}

export interface Markers {
  top: string;
  bottom: string;
  left: string;
  right: string;
}

/** Normalises any angle to 0/90/180/270. */
export function normaliseRotation(deg: number): Rotation {
  const r = (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
  return r as Rotation;
}

/**
 * Patient-direction letters of a direction in LPS (DICOM): +x = L, +y = P, +z = H (head); the
 * components that matter (≥ 0.25 of the length here, largest first, at most 3) make the label,
 * e.g. "L", "LA" for an oblique, as DICOM viewers write it.
 */
export function directionLabel(v: Vec3): string {
  const n = Math.hypot(v[0], v[1], v[2]);
  if (!(n > 0)) return '';
  const parts: { w: number; c: string }[] = [
    { w: Math.abs(v[0]) / n, c: v[0] > 0 ? 'L' : 'R' },
    { w: Math.abs(v[1]) / n, c: v[1] > 0 ? 'P' : 'A' },
    { w: Math.abs(v[2]) / n, c: v[2] > 0 ? 'H' : 'F' },
  ];
  return parts
    .filter((p) => p.w >= 0.25)
    .sort((a, b) => b.w - a.w)
    .map((p) => p.c)
    .join('');
}

/** Image direction (dx along columns, dy along rows) shown in screen direction (sx, sy). */
export function imageDirectionOnScreen(sx: number, sy: number, view: ViewTransform): [number, number] {
  // R⁻¹ for a clockwise-on-screen rotation θ: rotate by −θ.
  const t = (-view.rotation * Math.PI) / 180;
  const c = Math.round(Math.cos(t));
  const s = Math.round(Math.sin(t));
  let dx = c * sx - s * sy;
  let dy = s * sx + c * sy;
  // cornerstone applies hflip then vflip (both its own inverse, and they commute).
  if (view.hflip) dx = -dx;
  if (view.vflip) dy = -dy;
  return [dx, dy];
}

export function isValidOrientation(o: unknown): o is Orientation {
  if (!Array.isArray(o) || o.length !== 6 || !o.every((v) => typeof v === 'number' && Number.isFinite(v))) return false;
  const r = Math.hypot(o[0], o[1], o[2]);
  const c = Math.hypot(o[3], o[4], o[5]);
  const dot = (o[0] * o[3] + o[1] * o[4] + o[2] * o[5]) / (r * c);
  return r > 0.5 && r < 1.5 && c > 0.5 && c < 1.5 && Math.abs(dot) < 0.1;
}

/** The four edge markers, or null when the orientation is unknown or not usable. */
export function orientationMarkers(orientation: Orientation | undefined | null, view: ViewTransform): Markers | null {
  if (!orientation || !isValidOrientation(orientation)) return null;
  const row: Vec3 = [orientation[0], orientation[1], orientation[2]];
  const col: Vec3 = [orientation[3], orientation[4], orientation[5]];
  const at = (sx: number, sy: number): string => {
    const [dx, dy] = imageDirectionOnScreen(sx, sy, view);
    return directionLabel([dx * row[0] + dy * col[0], dx * row[1] + dy * col[1], dx * row[2] + dy * col[2]]);
  };
  return { top: at(0, -1), bottom: at(0, 1), left: at(-1, 0), right: at(1, 0) };
}

/** Physical size factors cornerstone uses: the finer spacing is 1, the coarser one stretches. */
export function pixelAspect(spacing: [number, number] | undefined): { sx: number; sy: number } {
  if (!spacing) return { sx: 1, sy: 1 };
  const [row, col] = spacing; // mm between rows, between columns
  if (!(row > 0 && col > 0)) return { sx: 1, sy: 1 };
  if (row < col) return { sx: col / row, sy: 1 };
  if (col < row) return { sx: 1, sy: row / col };
  return { sx: 1, sy: 1 };
}

/**
 * The zoom that fits the image in the pane with `band` px kept free at the top and the bottom for
 * the overlays (the corners hold text; the image should not sit under it), when the pane is tall
 * enough for that; `spacing` = [row, column] mm.
 */
export function fitScale(
  paneW: number,
  paneH: number,
  image: { rows: number; cols: number },
  rotation: Rotation,
  spacing?: [number, number],
  band = 0,
): number {
  const { sx, sy } = pixelAspect(spacing);
  let w = image.cols * sx;
  let h = image.rows * sy;
  if (rotation === 90 || rotation === 270) [w, h] = [h, w];
  if (!(w > 0 && h > 0 && paneW > 0 && paneH > 0)) return 1;
  const usableH = paneH - 2 * band > paneH * 0.5 ? paneH - 2 * band : paneH;
  return Math.min(paneW / w, usableH / h);
}

/** mm per screen pixel at zoom `scale` (null spacing: image pixels per screen pixel). */
export function unitsPerScreenPixel(scale: number, spacing: [number, number] | undefined): { perPx: number; unit: 'mm' | 'px' } {
  if (spacing && spacing[0] > 0 && spacing[1] > 0) return { perPx: Math.min(spacing[0], spacing[1]) / scale, unit: 'mm' };
  return { perPx: 1 / scale, unit: 'px' };
}

/** The longest "nice" length (1, 2, 5 × 10ⁿ) that fits in maxPx screen pixels. */
export function scaleBar(
  scale: number,
  spacing: [number, number] | undefined,
  maxPx: number,
): { lengthPx: number; value: number; unit: 'mm' | 'cm' | 'px'; label: string } | null {
  if (!(scale > 0) || !(maxPx > 4)) return null;
  const { perPx, unit } = unitsPerScreenPixel(scale, spacing);
  const maxValue = maxPx * perPx;
  const exp = Math.floor(Math.log10(maxValue));
  let value = 0;
  for (const m of [5, 2, 1]) {
    const v = m * 10 ** exp;
    if (v <= maxValue) {
      value = v;
      break;
    }
  }
  if (!(value > 0)) return null;
  const lengthPx = value / perPx;
  const clean = Number(value.toPrecision(3));
  if (unit === 'mm' && clean >= 10) return { lengthPx, value: clean, unit: 'cm', label: `${Number((clean / 10).toPrecision(3))} cm` };
  return { lengthPx, value: clean, unit, label: `${clean} ${unit}` };
}

export interface Point {
  x: number;
  y: number;
}

/** Length of a line in image coordinates: mm with the pixel spacing ([row, col] mm), px without. */
export function measureLength(a: Point, b: Point, spacing: [number, number] | undefined): { value: number; unit: 'mm' | 'px'; label: string } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  if (spacing && spacing[0] > 0 && spacing[1] > 0) {
    const value = Math.hypot(dx * spacing[1], dy * spacing[0]);
    return { value, unit: 'mm', label: `${value.toFixed(1)} mm` };
  }
  const value = Math.hypot(dx, dy);
  return { value, unit: 'px', label: `${value.toFixed(1)} px (spacing unknown)` };
}

/** The pixel under an image point (x = column, y = row), or null outside the image. */
export function pixelAt(p: Point, rows: number, cols: number): { row: number; col: number } | null {
  const col = Math.floor(p.x);
  const row = Math.floor(p.y);
  if (!(col >= 0 && col < cols && row >= 0 && row < rows)) return null;
  return { row, col };
}
