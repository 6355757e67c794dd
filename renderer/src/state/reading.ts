// Reading tools' state and actions: the pixel probe, length measurements, W/L presets by number and
// the key bindings. Shared by every pane (linked views); viewport.ts keeps the view itself and
// layout.ts the contribution pane and the dialogs. Components read `reading` (readonly) and call
// the actions below.

import { reactive, readonly } from 'vue';
import {
  bindingProblems,
  defaultBindings,
  loadBindings,
  saveBindings,
  type ActionId,
  type Bindings,
} from '../reading/keys';
import { measureLength, type Point } from '../reading/geometry';
import type { WindowPreset } from '../imaging/windowing';
import { autoWindowNow, dicomPreset, setWindow } from './session';
import { studyState } from './study';
import { viewState } from './viewport';

// The view steps moved to viewport.ts; the names stay importable from here.
export { flipH, flipV, rotateBy, zoomBy, zoomToFit } from './viewport';

export interface Measurement {
  id: number;
  /** Study and slice it was drawn on (measurements belong to one slice). */
  studyId: string;
  slice: number;
  a: Point;
  b: Point;
}

function initial() {
  return {
    /** Image point under the pointer (shared: every pane reads its own value there), or null. */
    probe: null as Point | null,
    measurements: [] as Measurement[],
    /** The line being drawn with the length tool. */
    draft: null as Measurement | null,
    bindings: defaultBindings() as Bindings,
    bindingNote: '' as string,
  };
}
type ReadingState = ReturnType<typeof initial>;

const state = reactive(initial());
export const reading: Readonly<ReadingState> = readonly(state) as Readonly<ReadingState>;

let nextId = 1;

export function resetReadingStore(): void {
  Object.assign(state, initial());
  nextId = 1;
}

function storage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  if (typeof localStorage !== 'undefined') return localStorage;
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

export function initReading(): void {
  const { bindings, problems } = loadBindings(storage());
  state.bindings = bindings;
  state.bindingNote = problems[0] ?? '';
}

/** Saves new bindings when they are valid; returns the problems otherwise. */
export function applyBindings(next: Bindings): string[] {
  const problems = bindingProblems(next);
  if (problems.length) return problems.map((p) => p.message);
  saveBindings(storage(), next);
  state.bindings = next;
  state.bindingNote = '';
  return [];
}

export function resetBindings(): void {
  applyBindings(defaultBindings());
}

export function keysOf(action: ActionId): string[] {
  return state.bindings[action] ?? [];
}

// --- W/L presets by number: 1 = auto, then the DICOM VOI (when the study has one), then the reader's

export function numberedPresets(): { label: string; preset: WindowPreset | 'auto' }[] {
  const list: { label: string; preset: WindowPreset | 'auto' }[] = [{ label: 'Auto (1–99 %)', preset: 'auto' }];
  const d = dicomPreset();
  if (d) list.push({ label: 'DICOM VOI', preset: d });
  for (const p of viewState.presets) list.push({ label: p.name, preset: p });
  return list.slice(0, 8);
}

export function applyNumberedPreset(n: number): void {
  const item = numberedPresets()[n - 1];
  if (!item) return;
  if (item.preset === 'auto') autoWindowNow();
  else setWindow(item.preset);
}

// --- probe and measurements --------------------------------------------------------------------

export function setProbe(p: Point | null): void {
  state.probe = p;
}

export function measurementsHere(): Measurement[] {
  const id = studyState.study?.studyId;
  return state.measurements.filter((m) => m.studyId === id && m.slice === studyState.slice);
}

export function startMeasure(p: Point): void {
  if (!studyState.study) return;
  state.draft = { id: nextId++, studyId: studyState.study.studyId, slice: studyState.slice, a: { ...p }, b: { ...p } };
}

export function moveMeasure(p: Point): void {
  if (state.draft) state.draft = { ...state.draft, b: { ...p } };
}

/** Ends the line being drawn; a click without a drag (under half a pixel) draws nothing. */
export function endMeasure(): void {
  const d = state.draft;
  state.draft = null;
  if (!d) return;
  if (Math.hypot(d.b.x - d.a.x, d.b.y - d.a.y) < 0.5) return;
  state.measurements = [...state.measurements, d];
}

export function cancelMeasure(): boolean {
  if (!state.draft) return false;
  state.draft = null;
  return true;
}

export function clearMeasurementsHere(): void {
  const id = studyState.study?.studyId;
  state.measurements = state.measurements.filter((m) => !(m.studyId === id && m.slice === studyState.slice));
}

export function measurementLabel(m: Measurement): string {
  return measureLength(m.a, m.b, studyState.study?.pixelSpacingMm).label;
}

// The primary pane tells the keyboard its current zoom (the fit scale when the view is "fit").
let scaleSource: () => number = () => viewState.scale ?? 1;
export function registerScaleSource(fn: () => number): void {
  scaleSource = fn;
}
export function shownScale(): number {
  return scaleSource();
}
