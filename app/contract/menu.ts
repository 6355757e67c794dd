// Validation of the menu commands the Electron main process sends to the page (MenuCommand in
// ipc.ts). The preload forwards them as JSON strings in a DOM event that any script on the page
// could also dispatch, so the renderer checks the shape before acting on one. Pure: no DOM, no Node.

import type { FormatId } from '../core/types';
import type { MenuCommand, StudySummary } from './ipc';

/** Every FormatId once (a new format fails to compile here until it is listed). */
const FORMATS: Record<FormatId, true> = { 'fastmri-h5': true, 'ismrmrd-h5': true, dicom: true, nifti: true, cfl: true, npy: true };
const MAX_MESSAGE = 2000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown, lo: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= 100_000;
}

function isFiniteNumberArray(v: unknown, n: number): v is number[] {
  return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** The parts of a StudySummary the viewer relies on; a problem in a few words, or null. */
export function studySummaryProblem(v: unknown): string | null {
  if (!isObject(v)) return 'study must be an object';
  if (typeof v.studyId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(v.studyId)) return 'study.studyId is invalid';
  if (typeof v.source !== 'string' || v.source.length > 4096) return 'study.source must be text';
  if (typeof v.format !== 'string' || !Object.hasOwn(FORMATS, v.format)) return 'study.format is not a known format';
  if (v.content !== 'kspace' && v.content !== 'image') return 'study.content must be kspace or image';
  for (const k of ['simulatedKspace', 'undersampled', 'hasReference'] as const) if (typeof v[k] !== 'boolean') return `study.${k} must be true or false`;
  for (const k of ['slices', 'rows', 'cols', 'displayRows', 'displayCols'] as const) if (!isCount(v[k], 1)) return `study.${k} must be a positive integer`;
  if (!Array.isArray(v.notes) || !v.notes.every((n) => typeof n === 'string')) return 'study.notes must be a list of texts';
  if (v.pixelSpacingMm !== undefined && !(isFiniteNumberArray(v.pixelSpacingMm, 2) && v.pixelSpacingMm.every((x) => x > 0))) return 'study.pixelSpacingMm must be two positive numbers';
  if (v.imageOrientation !== undefined && !isFiniteNumberArray(v.imageOrientation, 6)) return 'study.imageOrientation must be six numbers';
  if (v.dicom !== undefined && !isObject(v.dicom)) return 'study.dicom must be an object';
  if (v.units !== undefined && !(isObject(v.units) && typeof v.units.peak === 'number' && v.units.peak > 0)) return 'study.units must have a positive peak';
  return null;
}

/**
 * Parses one menu command (the JSON string of the DOM event's detail, or the object itself).
 * Returns the command, or what is wrong with it in a few words.
 */
export function parseMenuCommand(detail: unknown): MenuCommand | string {
  let v: unknown = detail;
  if (typeof detail === 'string') {
    try {
      v = JSON.parse(detail);
    } catch {
      return 'it is not JSON';
    }
  }
  if (!isObject(v)) return 'it is not an object';
  switch (v.type) {
    case 'open-dialog':
    case 'open-sample':
    case 'export-dialog':
    case 'model-card':
      return { type: v.type };
    case 'study-opened': {
      const problem = studySummaryProblem(v.study);
      return problem ?? { type: 'study-opened', study: v.study as StudySummary };
    }
    case 'view-action':
      if (typeof v.action !== 'string' || !/^[a-z0-9-]{1,40}$/.test(v.action)) return 'view-action needs an action id';
      return { type: 'view-action', action: v.action };
    case 'error':
      if (typeof v.message !== 'string' || v.message.length === 0 || v.message.length > MAX_MESSAGE) return `error needs a message of 1 to ${MAX_MESSAGE} characters`;
      return { type: 'error', message: v.message };
    default:
      return typeof v.type === 'string' ? `"${v.type.slice(0, 40)}" is not a menu command` : 'it has no command type';
  }
}
