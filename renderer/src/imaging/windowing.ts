// Window/level in the viewer: the automatic window and percentiles come from the one shared rule
// (app/display/window.ts, also used by every export); the DICOM VOI; and reader-saved presets.
// Values are in the study's display units (app/display/units.ts: the DICOM source's own units,
// else the fixed scale with the volume maximum at 4000) — the units exported DICOM stores.
// Presets are saved RELATIVE to the study's peak (fractions of its volume maximum), so a preset
// made on one study means the same on another; in the store they are shown in absolute units.

import { autoWindow, percentiles, type WindowLevel } from '../../../app/display/window';
import { fromRelativeWindow, toRelativeWindow } from '../../../app/display/units';

export { autoWindow, percentiles, type WindowLevel };

export interface WindowPreset extends WindowLevel {
  name: string;
  source: 'auto' | 'dicom' | 'user';
}

/** Short number for overlays: 4 significant digits, no exponent for ordinary magnitudes. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

/** v2: center/width as fractions of the study's peak (v1 stored absolute, study-specific numbers and is ignored). */
const STORAGE_KEY = 'flat.windowPresets.v2';

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The saved presets, in the display units of a study whose peak is `peak`. */
export function loadUserPresets(store: KeyValueStore, peak = 1): WindowPreset[] {
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
      .map((p) => ({ name: p.name.slice(0, 40), ...fromRelativeWindow(p, peak), source: 'user' as const }));
  } catch {
    return [];
  }
}

/** Save the user presets (given in the display units of a study whose peak is `peak`) as fractions of it. */
export function saveUserPresets(store: KeyValueStore, presets: WindowPreset[], peak = 1): void {
  const plain = presets.filter((p) => p.source === 'user').map((p) => ({ name: p.name, ...toRelativeWindow(p, peak) }));
  try {
    store.setItem(STORAGE_KEY, JSON.stringify(plain));
  } catch {
    // Storage full or disabled: presets simply do not persist.
  }
}
