// Window/level: automatic windows from percentiles, the DICOM VOI, and reader-saved presets.
// Values are in the image's float (rescaled) units.

export interface WindowLevel {
  center: number;
  width: number;
}

export interface WindowPreset extends WindowLevel {
  name: string;
  source: 'auto' | 'dicom' | 'user';
}

/** Percentile (0…100) of the finite values, linear interpolation between order statistics. */
export function percentiles(data: Float32Array, ps: number[]): number[] {
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

/** Window spanning the 1st…99th percentile; never zero width. */
export function autoWindow(data: Float32Array, lowPct = 1, highPct = 99): WindowLevel {
  const [lo, hi] = percentiles(data, [lowPct, highPct]) as [number, number];
  let width = hi - lo;
  if (!(width > 0)) width = Math.max(Math.abs(hi), 1e-6);
  return { center: lo + width / 2, width };
}

/** Short number for overlays: 4 significant digits, no exponent for ordinary magnitudes. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

const STORAGE_KEY = 'flat.windowPresets.v1';

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function loadUserPresets(store: KeyValueStore): WindowPreset[] {
  try {
    const raw = store.getItem(STORAGE_KEY);
    if (!raw) return [];
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter(
        (p): p is { name: string; center: number; width: number } =>
          typeof p === 'object' &&
          p !== null &&
          typeof (p as { name?: unknown }).name === 'string' &&
          Number.isFinite((p as { center?: unknown }).center) &&
          Number.isFinite((p as { width?: unknown }).width) &&
          (p as { width: number }).width > 0,
      )
      .slice(0, 20)
      .map((p) => ({ name: p.name.slice(0, 40), center: p.center, width: p.width, source: 'user' as const }));
  } catch {
    return [];
  }
}

export function saveUserPresets(store: KeyValueStore, presets: WindowPreset[]): void {
  const plain = presets
    .filter((p) => p.source === 'user')
    .map((p) => ({ name: p.name, center: p.center, width: p.width }));
  try {
    store.setItem(STORAGE_KEY, JSON.stringify(plain));
  } catch {
    // Storage full or disabled: presets simply do not persist.
  }
}
