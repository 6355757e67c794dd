// Reading tools' state and actions: the pixel probe, length measurements, rotate/flip/zoom steps,
// W/L presets by number, the model-contribution pane, the key bindings and the dialogs that go
// with them. Shared by every pane (linked views); the main session store keeps the view itself.

import { reactive } from 'vue';
import {
  bindingProblems,
  defaultBindings,
  loadBindings,
  saveBindings,
  type ActionId,
  type Bindings,
} from '../reading/keys';
import { measureLength, normaliseRotation, type Point } from '../reading/geometry';
import type { WindowPreset } from '../imaging/windowing';
import { autoWindowNow, dicomPreset, setWindow, store } from './session';

export interface Measurement {
  id: number;
  /** Study and slice it was drawn on (measurements belong to one slice). */
  studyId: string;
  slice: number;
  a: Point;
  b: Point;
}

export const reading = reactive({
  /** Image point under the pointer (shared: every pane reads its own value there), or null. */
  probe: null as Point | null,
  measurements: [] as Measurement[],
  /** The line being drawn with the length tool. */
  draft: null as Measurement | null,
  /** A pane with the model contribution beside the step (single layout) / in the grid (compare). */
  showContribution: false,
  bindings: defaultBindings() as Bindings,
  bindingNote: '' as string,
  settingsOpen: false,
});

let nextId = 1;

function storage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  if (typeof localStorage !== 'undefined') return localStorage;
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

export function initReading(): void {
  const { bindings, problems } = loadBindings(storage());
  reading.bindings = bindings;
  reading.bindingNote = problems[0] ?? '';
}

/** Saves new bindings when they are valid; returns the problems otherwise. */
export function applyBindings(next: Bindings): string[] {
  const problems = bindingProblems(next);
  if (problems.length) return problems.map((p) => p.message);
  saveBindings(storage(), next);
  reading.bindings = next;
  reading.bindingNote = '';
  return [];
}

export function resetBindings(): void {
  applyBindings(defaultBindings());
}

export function keysOf(action: ActionId): string[] {
  return reading.bindings[action] ?? [];
}

// --- view steps ------------------------------------------------------------------------------

export function rotateBy(deg: number): void {
  store.rotation = normaliseRotation(store.rotation + deg);
}

export function flipH(): void {
  store.hflip = !store.hflip;
}

export function flipV(): void {
  store.vflip = !store.vflip;
}

/** Multiplies the zoom; `currentScale` is the scale cornerstone shows now (the fit when null). */
export function zoomBy(factor: number, currentScale: number): void {
  store.scale = Math.min(40, Math.max(0.05, currentScale * factor));
}

export function zoomToFit(): void {
  store.scale = null;
  store.translation = { x: 0, y: 0 };
}

// --- W/L presets by number: 1 = auto, then the DICOM VOI (when the study has one), then the reader's

export function numberedPresets(): { label: string; preset: WindowPreset | 'auto' }[] {
  const list: { label: string; preset: WindowPreset | 'auto' }[] = [{ label: 'Auto (1–99 %)', preset: 'auto' }];
  const d = dicomPreset();
  if (d) list.push({ label: 'DICOM VOI', preset: d });
  for (const p of store.presets) list.push({ label: p.name, preset: p });
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
  reading.probe = p;
}

export function measurementsHere(): Measurement[] {
  const id = store.study?.studyId;
  return reading.measurements.filter((m) => m.studyId === id && m.slice === store.slice);
}

export function startMeasure(p: Point): void {
  if (!store.study) return;
  reading.draft = { id: nextId++, studyId: store.study.studyId, slice: store.slice, a: { ...p }, b: { ...p } };
}

export function moveMeasure(p: Point): void {
  if (reading.draft) reading.draft = { ...reading.draft, b: { ...p } };
}

/** Ends the line being drawn; a click without a drag (under half a pixel) draws nothing. */
export function endMeasure(): void {
  const d = reading.draft;
  reading.draft = null;
  if (!d) return;
  if (Math.hypot(d.b.x - d.a.x, d.b.y - d.a.y) < 0.5) return;
  reading.measurements = [...reading.measurements, d];
}

export function cancelMeasure(): boolean {
  if (!reading.draft) return false;
  reading.draft = null;
  return true;
}

export function clearMeasurementsHere(): void {
  const id = store.study?.studyId;
  reading.measurements = reading.measurements.filter((m) => !(m.studyId === id && m.slice === store.slice));
}

export function measurementLabel(m: Measurement): string {
  return measureLength(m.a, m.b, store.study?.pixelSpacingMm).label;
}

// The primary pane tells the keyboard its current zoom (the fit scale when the view is "fit").
let scaleSource: () => number = () => store.scale ?? 1;
export function registerScaleSource(fn: () => number): void {
  scaleSource = fn;
}
export function shownScale(): number {
  return scaleSource();
}
