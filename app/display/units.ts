// "Real units": the one scale in which FLAT Viewer shows, windows and exports a study's pixels.
// - DICOM input: the source's own (rescaled, modality) units — a reconstruction of a DICOM
//   series is stored and windowed in the numbers the scanner wrote (scale 1), as long as they are
//   integers of useful range (volume maximum 100…65535);
// - everything else (fastMRI, MRD, NIfTI, BART, NumPy: arbitrary or normalised float units): a
//   fixed 12-bit scale, value × 4000 / volume maximum, stored 0…4095 (values over 4095, a
//   reconstruction overshooting the reference by more than 2.4 %, are clipped and counted).
// The volume maximum is the reference's over the whole volume (fastMRI's data range), else the
// zero-filled image's. Presets are saved relative to the study's peak (`units.peak`), so "Brain
// 0.45/0.9" means the same on every study.
// Pure code: no Node, no DOM (the renderer imports it).

import type { WindowLevel } from './window';

export const FIXED_SCALE_PEAK = 4000;
export const FIXED_SCALE_MAX = 4095;

export interface DisplayUnits {
  kind: 'source' | 'fixed';
  /** display value = file value × scale */
  scale: number;
  /** The volume maximum in display units (4000 for the fixed scale). */
  peak: number;
  /** Largest stored integer: 4095 (12 bits) for the fixed scale, 65535 for source units. */
  maxStored: number;
  bitsStored: 12 | 16;
  /** For the UI and the exported ImageComments. */
  label: string;
}

/** The display units of a study from its format and volume maximum (in file units). */
export function displayUnits(format: string, volumeMax: number | undefined): DisplayUnits {
  const vmax = volumeMax !== undefined && Number.isFinite(volumeMax) && volumeMax > 0 ? volumeMax : undefined;
  if (format === 'dicom' && vmax !== undefined && vmax >= 100 && vmax <= 65535) {
    return { kind: 'source', scale: 1, peak: vmax, maxStored: 65535, bitsStored: 16, label: 'source DICOM units' };
  }
  const scale = vmax !== undefined ? FIXED_SCALE_PEAK / vmax : 1;
  return {
    kind: 'fixed',
    scale,
    peak: FIXED_SCALE_PEAK,
    maxStored: FIXED_SCALE_MAX,
    bitsStored: 12,
    label: `fixed scale: volume maximum = ${FIXED_SCALE_PEAK}, stored 0–${FIXED_SCALE_MAX}`,
  };
}

/** Multiply in place (or into `out`) by the units' scale. */
export function toDisplayUnits(data: Float32Array, scale: number, out = data): Float32Array {
  if (scale === 1 && out === data) return data;
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * scale;
  return out;
}

/** A window as fractions of the study's peak (how presets are saved). */
export function toRelativeWindow(win: WindowLevel, peak: number): WindowLevel {
  const p = peak > 0 ? peak : 1;
  return { center: win.center / p, width: win.width / p };
}

/** A relative window (fractions of the peak) in the study's display units. */
export function fromRelativeWindow(rel: WindowLevel, peak: number): WindowLevel {
  const p = peak > 0 ? peak : 1;
  return { center: rel.center * p, width: rel.width * p };
}
