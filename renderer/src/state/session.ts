// The reading session: which study and slice are open, the streamed FLAT trajectory, the shared
// view (window/level, zoom, pan, invert) that every viewport follows, and what the reader is doing.
// One module-level store; components read it and call the actions below.

import { reactive, shallowRef, markRaw } from 'vue';
import type { AppInfo, FlatApi, MenuCommand, ReconEvent, SliceImages, StudySummary } from '../../../app/contract/ipc';
import type { MaskSpec } from '../../../app/core/types';
import { maskSpecProblem } from '../../../app/masks/spec';
import { plainMessage, type Transport } from '../bridge';
import { autoWindow, loadUserPresets, saveUserPresets, type WindowLevel, type WindowPreset } from '../imaging/windowing';

/**
 * A step as it arrived, without the run id. `contribution` (|unsampled-k-space component of the
 * state|, display crop, image units) is optional here so that hosts that do not send it yet still work.
 */
export type StepEntry = Omit<Extract<ReconEvent, { type: 'step' }>, 'type' | 'runId' | 'contribution'> & { contribution?: Float32Array };

export type Tool = 'wwwc' | 'pan' | 'zoom' | 'length';
export type Layout = 'single' | 'compare';
export type RunStatus = 'idle' | 'starting' | 'running' | 'done' | 'error' | 'cancelled';

export interface MaskSettings {
  kind: MaskSpec['kind'];
  accelerationChoice: '4' | '8' | 'custom';
  customAcceleration: number;
  centerFraction: number;
  seed: number;
}

const CINE_INTERVAL_MS = 250;
const SLICE_DEBOUNCE_MS = 180;
/** Zero-filled images of neighbouring slices fetched ahead (getSlice is cheap: one inverse FFT). */
const PREFETCH_MAX = 6;

export const store = reactive({
  transport: 'node-host' as Transport,
  info: null as AppInfo | null,
  study: null as StudySummary | null,
  slice: 0,
  /** Bumped whenever images or steps change (the arrays themselves are not reactive). */
  version: 0,
  /** Identifies the loaded slice images (a new value per getSlice). */
  sliceKey: 0,
  busy: '' as string,
  error: '' as string,
  runId: '' as string,
  runStatus: 'idle' as RunStatus,
  runMs: 0,
  executionProvider: null as string | null,
  acceleration: null as number | null,
  nSteps: 0,
  tSchedule: [] as number[],
  received: -1,
  currentStep: 0,
  follow: true,
  playing: false,
  wl: null as WindowLevel | null,
  wlLocked: true,
  invert: false,
  /** null = fit to window. */
  scale: null as number | null,
  translation: { x: 0, y: 0 },
  /** Clockwise quarter turns and flips, shared by every pane (cornerstone applies flips first). */
  rotation: 0 as 0 | 90 | 180 | 270,
  hflip: false,
  vflip: false,
  tool: 'wwwc' as Tool,
  layout: 'single' as Layout,
  helpOpen: false,
  modelCardOpen: false,
  /** The DICOM export dialog (components/ExportDialog.vue; E, the Export button, File > Export DICOM…). */
  exportOpen: false,
  studyBrowserOpen: false,
  presets: [] as WindowPreset[],
  /** The mask of the images on screen (the form may since have changed without Apply). */
  appliedMask: null as MaskSpec | null,
  mask: {
    kind: 'random',
    accelerationChoice: '4',
    customAcceleration: 6,
    centerFraction: 0.08,
    seed: 0,
  } as MaskSettings,
});

/** Float data of the open slice and of the streamed steps (kept out of Vue's reactivity). */
export const sliceImages = shallowRef<SliceImages | null>(null);
let steps: (StepEntry | null)[] = [];

let api: FlatApi | null = null;
let pendingEvents: ReconEvent[] = [];
let awaitingRun = false;
let cineTimer: ReturnType<typeof setInterval> | null = null;
let sliceTimer: ReturnType<typeof setTimeout> | null = null;
let loadSeq = 0;
const sliceCache = new Map<string, SliceImages>();

function cacheKey(studyId: string, slice: number, mask: MaskSpec | undefined): string {
  return `${studyId}/${slice}/${mask ? JSON.stringify(mask) : 'as-acquired'}`;
}

/** getSlice, answered from the prefetched neighbours when the reader moved onto one. */
async function fetchSlice(a: FlatApi, studyId: string, slice: number, mask: MaskSpec | undefined): Promise<SliceImages> {
  const key = cacheKey(studyId, slice, mask);
  const hit = sliceCache.get(key);
  if (hit) return hit;
  return a.getSlice(studyId, slice, mask);
}

/** After a run: fetch the slices above and below, so stepping to them shows an image at once. */
function prefetchNeighbours(): void {
  if (!api || !store.study) return;
  const { studyId, slices } = store.study;
  const mask = maskSpec();
  for (const d of [1, -1]) {
    const s = store.slice + d;
    if (s < 0 || s >= slices) continue;
    const key = cacheKey(studyId, s, mask);
    if (sliceCache.has(key)) continue;
    api
      .getSlice(studyId, s, mask)
      .then((img) => {
        if (store.study?.studyId !== studyId) return;
        sliceCache.set(key, markRaw(img));
        while (sliceCache.size > PREFETCH_MAX) sliceCache.delete(sliceCache.keys().next().value as string);
      })
      .catch(() => undefined); // a prefetch failing is not the reader's problem; loadSlice will say it
  }
}

/** How many slices are waiting in the prefetch cache (tests). */
export function prefetchedSlices(): number {
  return sliceCache.size;
}

/** localStorage where there is one (a page); a throwaway map elsewhere (unit tests in Node). */
const memoryPresets = new Map<string, string>();
function presetStore(): Pick<Storage, 'getItem' | 'setItem'> {
  if (typeof localStorage !== 'undefined') return localStorage;
  return { getItem: (k) => memoryPresets.get(k) ?? null, setItem: (k, v) => void memoryPresets.set(k, v) };
}

function bump(): void {
  store.version++;
}

export function showError(e: unknown): void {
  store.error = plainMessage(e);
}

export function dismissError(): void {
  store.error = '';
}

export function stepEntry(k: number): StepEntry | null {
  return steps[k] ?? null;
}

export function allSteps(): readonly (StepEntry | null)[] {
  return steps;
}

export function maskSpec(): MaskSpec | undefined {
  if (!store.study || store.study.undersampled) return undefined;
  const m = store.mask;
  const acceleration = m.accelerationChoice === 'custom' ? m.customAcceleration : Number(m.accelerationChoice);
  return { kind: m.kind, acceleration, centerFraction: m.centerFraction, seed: m.seed };
}

/** Checks the mask form; a sentence for the reader when it is not usable. */
export function maskProblem(): string | null {
  const spec = maskSpec();
  if (!spec) return null;
  return maskSpecProblem(spec);
}

export async function init(connection: { api: FlatApi; transport: Transport }): Promise<void> {
  api = connection.api;
  store.transport = connection.transport;
  store.presets = loadUserPresets(presetStore(), unitsPeak());
  api.onReconEvent(onEvent);
  try {
    store.info = await api.getInfo();
    store.executionProvider = store.info.executionProvider;
    if (store.info.model) {
      store.nSteps = store.info.model.steps;
      store.tSchedule = store.info.model.t.slice();
    }
  } catch (e) {
    showError(e);
  }
  if (!store.study) await openSample();
}

async function openWith(label: string, open: (a: FlatApi) => Promise<StudySummary | null>): Promise<void> {
  if (!api) return;
  store.busy = label;
  store.error = ''; // an old problem is not news once the reader opens something else
  try {
    const summary = await open(api);
    if (summary) {
      store.error = '';
      await showStudy(summary);
    }
  } catch (e) {
    // The previous study stays open and usable.
    showError(e);
  } finally {
    store.busy = '';
  }
}

/** The connected FlatApi (null before init), for panels with calls of their own (the study browser). */
export function connectedApi(): FlatApi | null {
  return api;
}

/** Shows a study the host opened on its own (a series retrieved from a PACS). */
export function showOpenedStudy(summary: StudySummary): Promise<void> {
  return openWith('Opening the retrieved series…', () => Promise.resolve(summary));
}

export function openSample(): Promise<void> {
  return openWith('Opening the sample study…', (a) => a.openSample());
}

export function openDialog(): Promise<void> {
  return openWith('Opening…', (a) => a.openDialog());
}

export async function openFiles(files: File[]): Promise<void> {
  if (files.length === 0) return;
  const names = files.length === 1 ? files[0]!.name : `${files.length} files`;
  await openWith(`Reading ${names}…`, async (a) => {
    // the File itself: the bridge sends it without reading it into the page (see FlatApi.openFiles)
    return a.openFiles(files.map((f) => ({ name: f.name, bytes: f })));
  });
}

/** Menu commands from the Electron main process (File > Open…, Open Sample, Recent files). */
export function handleMenuCommand(detail: unknown): void {
  let cmd: MenuCommand;
  try {
    cmd = JSON.parse(String(detail)) as MenuCommand;
  } catch {
    return; // not ours
  }
  if (cmd.type === 'open-dialog') void openDialog();
  else if (cmd.type === 'open-sample') void openSample();
  else if (cmd.type === 'study-opened') void openWith('Opening…', () => Promise.resolve(cmd.study));
  else if (cmd.type === 'error') showError(new Error(cmd.message));
  else if (cmd.type === 'export-dialog') store.exportOpen = true;
  else if (cmd.type === 'model-card') store.modelCardOpen = true;
}

/** The connected API (the export dialog calls exportDicom on it). */
export function flatApi(): FlatApi | null {
  return api;
}

/** The open study's peak in display units: presets are saved as fractions of it. */
function unitsPeak(): number {
  return store.study?.units?.peak ?? 1;
}

async function showStudy(summary: StudySummary): Promise<void> {
  stopCine();
  sliceCache.clear();
  store.study = summary;
  store.presets = loadUserPresets(presetStore(), unitsPeak()); // relative presets, in this study's units
  store.wl = null; // the first image of the new study decides the window
  store.scale = null;
  store.translation = { x: 0, y: 0 };
  store.rotation = 0;
  store.hflip = false;
  store.vflip = false;
  store.slice = Math.floor(summary.slices / 2);
  await loadSlice();
}

/** Loads the zero-filled image (shown at once) and starts the FLAT run for the current slice. */
export async function loadSlice(): Promise<void> {
  if (!api || !store.study) return;
  const seq = ++loadSeq;
  const { studyId } = store.study;
  const slice = store.slice;
  if (maskProblem()) {
    store.error = maskProblem()!;
    return;
  }
  let images: SliceImages;
  try {
    images = await fetchSlice(api, studyId, slice, maskSpec());
  } catch (e) {
    if (seq === loadSeq) showError(e);
    return;
  }
  if (seq !== loadSeq) return;
  sliceImages.value = markRaw(images);
  store.sliceKey++;
  store.acceleration = images.acceleration;
  store.appliedMask = maskSpec() ?? null;
  steps = [];
  store.received = -1;
  store.currentStep = 0;
  store.follow = true;
  if (!store.wl) initialWindow(images);
  bump();
  await startRun();
}

function initialWindow(images: SliceImages): void {
  const d = store.study?.dicom;
  if (d?.windowCenter !== undefined && d.windowWidth !== undefined && d.windowWidth > 0) {
    store.wl = { center: d.windowCenter, width: d.windowWidth };
  } else {
    store.wl = autoWindow(images.reference ?? images.zeroFilled);
  }
}

/** (Re)starts the FLAT run for the open slice; a newer run cancels the older one on the host. */
export async function startRun(): Promise<void> {
  if (!api || !store.study || !sliceImages.value) return;
  if (!store.info?.model) {
    store.runStatus = 'idle';
    if (store.info?.modelError) store.error = store.info.modelError;
    return;
  }
  stopCine();
  store.error = ''; // a new run is the reader moving on from the last problem
  steps = [];
  store.received = -1;
  store.currentStep = 0;
  store.follow = true;
  store.runStatus = 'starting';
  store.runId = '';
  bump();
  awaitingRun = true;
  pendingEvents = [];
  try {
    const { runId } = await api.reconstruct({ studyId: store.study.studyId, slice: store.slice, mask: maskSpec() });
    store.runId = runId;
    if (store.runStatus === 'starting') store.runStatus = 'running';
  } catch (e) {
    store.runStatus = 'error';
    showError(e);
  } finally {
    awaitingRun = false;
    const early = pendingEvents;
    pendingEvents = [];
    for (const ev of early) onEvent(ev);
  }
}

export async function cancelRun(): Promise<void> {
  if (!api || !store.runId || (store.runStatus !== 'running' && store.runStatus !== 'starting')) return;
  try {
    await api.cancel(store.runId);
  } catch (e) {
    showError(e);
  }
}

function onEvent(ev: ReconEvent): void {
  if (ev.runId !== store.runId) {
    // Events can overtake the reconstruct() reply; keep them until we know our run id.
    if (awaitingRun) pendingEvents.push(ev);
    return;
  }
  switch (ev.type) {
    case 'started':
      store.runStatus = 'running';
      store.nSteps = ev.steps;
      store.tSchedule = ev.t.slice();
      store.executionProvider = ev.executionProvider;
      store.acceleration = ev.acceleration;
      steps = new Array<StepEntry | null>(ev.steps + 1).fill(null);
      bump();
      break;
    case 'step': {
      // Older hosts do not send it; a wrong-sized one is dropped rather than drawn misaligned.
      const contribution = (ev as { contribution?: unknown }).contribution;
      steps[ev.step] = markRaw({
        step: ev.step,
        t: ev.t,
        rows: ev.rows,
        cols: ev.cols,
        image: ev.image,
        metrics: ev.metrics,
        ...(contribution instanceof Float32Array && contribution.length === ev.image.length ? { contribution } : {}),
      });
      store.received = Math.max(store.received, ev.step);
      if (store.follow && !store.playing) store.currentStep = store.received;
      bump();
      break;
    }
    case 'done':
      store.runStatus = 'done';
      store.runMs = ev.ms;
      prefetchNeighbours();
      break;
    case 'cancelled':
      store.runStatus = 'cancelled';
      break;
    case 'error':
      store.runStatus = 'error';
      store.error = plainMessage(ev.error.message);
      break;
  }
}

// --- trajectory navigation -----------------------------------------------------------------

/** The reader picks a step; only received steps can be shown. */
export function setStep(k: number): void {
  const max = Math.max(0, store.received);
  const clamped = Math.min(Math.max(0, Math.round(k)), max);
  store.currentStep = clamped;
  // Away from the newest step the view stops following the stream; back on it, it follows again.
  store.follow = clamped === store.received;
}

export function stepBy(delta: number): void {
  setStep(store.currentStep + delta);
}

export function togglePlay(): void {
  if (store.playing) stopCine();
  else startCine();
}

export function startCine(): void {
  if (store.received < 1) return;
  stopCine();
  store.playing = true;
  cineTimer = setInterval(() => {
    const max = Math.max(0, store.received);
    store.currentStep = store.currentStep >= max ? 0 : store.currentStep + 1;
  }, CINE_INTERVAL_MS);
}

export function stopCine(): void {
  if (cineTimer) clearInterval(cineTimer);
  cineTimer = null;
  store.playing = false;
}

// --- slices --------------------------------------------------------------------------------

export function setSlice(i: number): void {
  if (!store.study) return;
  const clamped = Math.min(Math.max(0, i), store.study.slices - 1);
  if (clamped === store.slice) return;
  store.slice = clamped;
  // Scrolling through slices quickly only reconstructs where the reader stops.
  if (sliceTimer) clearTimeout(sliceTimer);
  sliceTimer = setTimeout(() => {
    sliceTimer = null;
    void loadSlice();
  }, SLICE_DEBOUNCE_MS);
}

export function sliceBy(delta: number): void {
  setSlice(store.slice + delta);
}

// --- window / level ------------------------------------------------------------------------

/** The image currently shown in the main pane (step k, or the zero-filled image before any step). */
export function currentImage(): Float32Array | null {
  return steps[store.currentStep]?.image ?? (store.currentStep === 0 ? (sliceImages.value?.zeroFilled ?? null) : null);
}

export function setWindow(wl: WindowLevel): void {
  if (!(wl.width > 0) || !Number.isFinite(wl.center)) return;
  store.wl = { center: wl.center, width: wl.width };
}

export function autoWindowNow(): void {
  const img = currentImage();
  if (img) setWindow(autoWindow(img));
}

export function dicomPreset(): WindowPreset | null {
  const d = store.study?.dicom;
  if (d?.windowCenter === undefined || d.windowWidth === undefined || !(d.windowWidth > 0)) return null;
  return { name: 'DICOM VOI', center: d.windowCenter, width: d.windowWidth, source: 'dicom' };
}

export function saveCurrentAsPreset(name: string): void {
  if (!store.wl) return;
  const clean = name.trim().slice(0, 40) || `Preset ${store.presets.length + 1}`;
  store.presets = [...store.presets.filter((p) => p.name !== clean), { name: clean, ...store.wl, source: 'user' }];
  saveUserPresets(presetStore(), store.presets, unitsPeak());
}

export function deletePreset(name: string): void {
  store.presets = store.presets.filter((p) => p.name !== name);
  saveUserPresets(presetStore(), store.presets, unitsPeak());
}

/** Called when the shown step changes: an unlocked window follows each step's own range. */
export function onStepShown(): void {
  if (!store.wlLocked) autoWindowNow();
}

// --- view ----------------------------------------------------------------------------------

export function resetView(): void {
  store.scale = null;
  store.translation = { x: 0, y: 0 };
  store.invert = false;
  store.rotation = 0;
  store.hflip = false;
  store.vflip = false;
  if (sliceImages.value) {
    const d = dicomPreset();
    store.wl = d ? { center: d.center, width: d.width } : autoWindow(sliceImages.value.reference ?? sliceImages.value.zeroFilled);
  }
}
