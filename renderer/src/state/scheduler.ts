// The session's flows: connects the stores (study.ts, run.ts, viewport.ts, layout.ts) to the host —
// opening studies, menu commands, loading slices — and schedules the runs: the slice on screen
// first, its neighbours in the background (neighbours.ts), finished results from the result cache
// when the reader comes back. session.ts is the facade the rest of the renderer imports.

import type { FlatApi, MenuCommand, ReconEvent, ReconRequest, SliceImages, StudySummary } from '../../../app/contract/ipc';
import type { MaskSpec } from '../../../app/core/types';
import { parseMenuCommand } from '../../../app/contract/menu';
import { plainMessage, type Transport } from '../bridge';
import { markInput } from '../perf';
import { autoWindow, loadUserPresets, saveUserPresets, type WindowPreset } from '../imaging/windowing';
import {
  cachedSliceImages,
  dismissError,
  keepSliceImages,
  maskKey,
  maskProblem,
  maskSpec,
  resetStudyStore,
  setBusy,
  setInfo,
  setSliceIndex,
  setStudy,
  setTransport,
  showError,
  showSliceImages,
  sliceImages,
  studyState,
  setAcceleration,
} from './study';
import {
  allSteps,
  applyRunEvent,
  beginRun,
  clearSteps,
  resetRunStore,
  runState,
  setModel,
  setRunId,
  setRunStatus,
  showFinishedRun,
  stepEntry,
  stopCine,
  type StepEntry,
} from './run';
import { clearWindow, resetGeometry, resetViewExceptWindow, resetViewportStore, setPresets, setWindow, viewState } from './viewport';
import { resetLayoutStore, showDialog } from './layout';
import { cancelNeighbours, keepResult, neighbourEvent, resetNeighbours, resultCache, startNeighbours } from './neighbours';
import type { ResultKey } from './resultCache';


const SLICE_DEBOUNCE_MS = 180;

let api: FlatApi | null = null;
let offEvents: (() => void) | null = null;
/** reconstruct() calls awaiting their reply; events of unknown runs are kept meanwhile. */
let inFlight = 0;
let pendingEvents: ReconEvent[] = [];
let sliceTimer: ReturnType<typeof setTimeout> | null = null;
let loadSeq = 0;
/** What the foreground run reconstructs (its result goes into the cache under this key). */
let foreground: { key: ResultKey; images: SliceImages } | null = null;
let viewActionHandler: ((action: string) => boolean) | null = null;
/** Jobs that run reconstructions on the host themselves (an export, a PACS send). */
let holds = 0;
const JOB_POLL_MS = 500;

/** Every store back to its first-start state (tests: each starts from here). */
export function resetSession(): void {
  offEvents?.();
  offEvents = null;
  api = null;
  inFlight = 0;
  pendingEvents = [];
  if (sliceTimer) clearTimeout(sliceTimer);
  sliceTimer = null;
  loadSeq = 0;
  foreground = null;
  viewActionHandler = null;
  holds = 0;
  resetNeighbours();
  resetRunStore();
  resetStudyStore();
  resetViewportStore();
  resetLayoutStore();
}

/** localStorage where there is one (a page); a throwaway map elsewhere (unit tests in Node). */
const memoryPresets = new Map<string, string>();
function presetStore(): Pick<Storage, 'getItem' | 'setItem'> {
  if (typeof localStorage !== 'undefined') return localStorage;
  return { getItem: (k) => memoryPresets.get(k) ?? null, setItem: (k, v) => void memoryPresets.set(k, v) };
}

/** The open study's peak in display units: presets are saved as fractions of it. */
function unitsPeak(): number {
  return studyState.study?.units?.peak ?? 1;
}

export async function init(connection: { api: FlatApi; transport: Transport }): Promise<void> {
  offEvents?.();
  api = connection.api;
  setTransport(connection.transport);
  setPresets(loadUserPresets(presetStore(), unitsPeak()));
  offEvents = api.onReconEvent(onEvent);
  try {
    const info = await api.getInfo();
    setInfo(info);
    setModel(info.model?.steps ?? runState.nSteps, info.model?.t ?? runState.tSchedule, info.executionProvider);
  } catch (e) {
    showError(e);
  }
  if (!studyState.study) await openSample();
}

/** The connected FlatApi (null before init), for panels with calls of their own (the study browser). */
export function connectedApi(): FlatApi | null {
  return api;
}

/** The connected API (the export dialog calls exportDicom on it). */
export function flatApi(): FlatApi | null {
  return api;
}

// --- opening -----------------------------------------------------------------------------------

async function openWith(label: string, open: (a: FlatApi) => Promise<StudySummary | null>): Promise<void> {
  if (!api) return;
  setBusy(label);
  dismissError(); // an old problem is not news once the reader opens something else
  try {
    const summary = await open(api);
    if (summary) {
      dismissError();
      await showStudy(summary);
    }
  } catch (e) {
    // The previous study stays open and usable.
    showError(e);
  } finally {
    setBusy('');
  }
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

/** Who runs View-menu actions (App.vue registers the keyboard's action table). */
export function onViewAction(handler: ((action: string) => boolean) | null): void {
  viewActionHandler = handler;
}

/**
 * Menu commands from the Electron main process (File > Open…, Open Sample, Recent files, View).
 * The payload is checked first (app/contract/menu.ts); a malformed one is ignored and said in one sentence.
 */
export function handleMenuCommand(detail: unknown): void {
  const cmd: MenuCommand | string = parseMenuCommand(detail);
  if (typeof cmd === 'string') {
    showError(`A menu command was ignored because ${cmd}.`);
    return;
  }
  switch (cmd.type) {
    case 'open-dialog':
      void openDialog();
      break;
    case 'open-sample':
      void openSample();
      break;
    case 'study-opened':
      void openWith('Opening…', () => Promise.resolve(cmd.study));
      break;
    case 'error':
      showError(new Error(cmd.message));
      break;
    case 'export-dialog':
      showDialog('export');
      break;
    case 'model-card':
      showDialog('modelCard');
      break;
    case 'view-action':
      if (!viewActionHandler?.(cmd.action)) showError(`A menu command was ignored because "${cmd.action}" is not a view action.`);
      break;
  }
}

async function showStudy(summary: StudySummary): Promise<void> {
  stopCine();
  cancelNeighbours();
  resultCache.clear(); // every open gets a new study id: the old results cannot be asked for again
  setStudy(summary, Math.floor(summary.slices / 2));
  beginRun(); // the previous study's trajectory and its "done" never show beside the new study
  setPresets(loadUserPresets(presetStore(), unitsPeak())); // relative presets, in this study's units
  clearWindow(); // the first image of the new study decides the window
  resetGeometry();
  await loadSlice();
}

// --- slices and the result cache ---------------------------------------------------------------

function modelKey(): string {
  return studyState.info?.model?.sha256 ?? '';
}

function resultKey(slice: number, mask: MaskSpec | undefined): ResultKey | null {
  const study = studyState.study;
  return study ? { studyId: study.studyId, slice, mask: maskKey(mask), model: modelKey() } : null;
}

/** Shows a finished result from the cache when there is one for (study, slice, mask, model). */
function showCachedResult(slice: number): boolean {
  const mask = maskSpec();
  const key = resultKey(slice, mask);
  const hit = key && studyState.info?.model ? resultCache.get(key) : undefined;
  if (!key || !hit) return false;
  ++loadSeq; // a slice load still on its way is no longer wanted
  const left = runState.runId;
  if (left && (runState.runStatus === 'running' || runState.runStatus === 'starting')) api?.cancel(left).catch(() => undefined);
  foreground = null;
  showSliceImages(hit.images, mask);
  showFinishedRun(hit);
  if (!viewState.wl) initialWindow(hit.images);
  scheduleNeighbours();
  return true;
}

async function fetchSlice(a: FlatApi, studyId: string, slice: number, mask: MaskSpec | undefined): Promise<SliceImages> {
  return cachedSliceImages(studyId, slice, mask) ?? a.getSlice(studyId, slice, mask);
}

/** Shows the open slice: a cached result at once, else the zero-filled image and a new run. */
export async function loadSlice(): Promise<void> {
  if (!api || !studyState.study) return;
  cancelNeighbours();
  const seq = ++loadSeq;
  const { studyId } = studyState.study;
  const slice = studyState.slice;
  const problem = maskProblem();
  if (problem) {
    showError(problem);
    return;
  }
  if (showCachedResult(slice)) return;
  const mask = maskSpec();
  let images: SliceImages;
  try {
    images = await fetchSlice(api, studyId, slice, mask);
  } catch (e) {
    if (seq === loadSeq) showError(e);
    return;
  }
  if (seq !== loadSeq) return;
  keepSliceImages(studyId, slice, mask, images);
  showSliceImages(images, mask);
  clearSteps();
  if (!viewState.wl) initialWindow(images);
  await startRun();
}

/** "Apply and reconstruct": the mask form's mask, reconstructed afresh (its cached results go). */
export function applyMask(): Promise<void> {
  const study = studyState.study;
  if (study) resultCache.invalidate(study.studyId, maskKey(maskSpec()));
  return loadSlice();
}

function initialWindow(images: SliceImages): void {
  const d = studyState.study?.dicom;
  if (d?.windowCenter !== undefined && d.windowWidth !== undefined && d.windowWidth > 0) {
    setWindow({ center: d.windowCenter, width: d.windowWidth });
  } else {
    setWindow(autoWindow(images.reference ?? images.zeroFilled));
  }
}

export function setSlice(i: number): void {
  if (!setSliceIndex(i)) return;
  markInput('slice');
  cancelNeighbours(); // the reader moved: background work for the old position stops now
  if (sliceTimer) clearTimeout(sliceTimer);
  sliceTimer = null;
  // A finished result is shown at once; otherwise scrolling quickly only reconstructs where the reader stops.
  if (showCachedResult(studyState.slice)) return;
  sliceTimer = setTimeout(() => {
    sliceTimer = null;
    void loadSlice();
  }, SLICE_DEBOUNCE_MS);
}

export function sliceBy(delta: number): void {
  setSlice(studyState.slice + delta);
}

// --- runs ----------------------------------------------------------------------------------------

/** reconstruct(), keeping events that overtake the reply until the caller has claimed its run id. */
async function requestRun(a: FlatApi, req: ReconRequest, claim: (runId: string) => void): Promise<string> {
  inFlight++;
  try {
    const { runId } = await a.reconstruct(req);
    claim(runId);
    return runId;
  } finally {
    inFlight--;
    const early = pendingEvents;
    pendingEvents = [];
    for (const ev of early) onEvent(ev);
  }
}

/** (Re)starts the FLAT run for the slice on screen; it goes before any background work. */
export async function startRun(): Promise<void> {
  const a = api;
  const study = studyState.study;
  const images = sliceImages.value;
  if (!a || !study || !images) return;
  if (!studyState.info?.model) {
    setRunStatus('idle');
    if (studyState.info?.modelError) showError(studyState.info.modelError);
    return;
  }
  cancelNeighbours();
  dismissError(); // a new run is the reader moving on from the last problem
  beginRun();
  const mask = maskSpec();
  const key = resultKey(images.slice, mask);
  foreground = key ? { key, images } : null;
  try {
    await requestRun(a, { studyId: study.studyId, slice: images.slice, mask }, setRunId);
  } catch (e) {
    setRunStatus('error');
    showError(e);
  }
}

/** "Run again": a fresh run of this slice; cached results of this study and mask are dropped. */
export function runAgain(): Promise<void> {
  const study = studyState.study;
  if (study) resultCache.invalidate(study.studyId, maskKey(maskSpec()));
  return startRun();
}

export async function cancelRun(): Promise<void> {
  if (!api || !runState.runId || (runState.runStatus !== 'running' && runState.runStatus !== 'starting')) return;
  try {
    await api.cancel(runState.runId);
  } catch (e) {
    showError(e);
  }
}

/** After the run on screen is done: reconstruct the neighbours that are not cached yet. */
function scheduleNeighbours(): void {
  if (holds > 0) return; // a reconstruct now would interrupt the host's export or send
  const a = api;
  const study = studyState.study;
  if (!a || !study || !studyState.info?.model) return;
  const mask = maskSpec();
  const { studyId } = study;
  startNeighbours({
    api: a,
    studyId,
    slice: studyState.slice,
    slices: study.slices,
    mask,
    maskKey: maskKey(mask),
    model: modelKey(),
    reconstruct: (req, claim) => requestRun(a, req, claim),
    cachedImages: (s) => cachedSliceImages(studyId, s, mask),
    keepImages: (s, si) => keepSliceImages(studyId, s, mask, si),
  });
}

/** After something else had the host (an export): the neighbours of a finished slice again. */
export function resumeNeighbours(): void {
  if (runState.runStatus === 'done') scheduleNeighbours();
}

/**
 * Another job is about to run reconstructions on the host (an export, a PACS send): the host runs
 * one at a time and a newer request cancels the older, so background runs stop and wait until the
 * returned release is called (the neighbours then resume).
 */
export function holdBackgroundRuns(): () => void {
  holds++;
  cancelNeighbours();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds = Math.max(0, holds - 1);
    if (holds === 0) resumeNeighbours();
  };
}

/** Releases a hold when a host job ends (polled here, so closing the panel that started it does not matter). */
export function releaseWhenJobEnds(jobId: string, release: () => void): void {
  const a = api;
  if (!a) return release();
  const tick = (): void => {
    a.pacsJob(jobId)
      .then((j) => (j.state === 'running' ? void setTimeout(tick, JOB_POLL_MS) : release()))
      .catch(release);
  };
  tick();
}

/** Keeps the finished foreground run in the result cache. */
function cacheForeground(ms: number): void {
  const f = foreground;
  foreground = null;
  if (!f) return;
  const steps = allSteps();
  if (steps.length === 0 || steps.some((s) => s === null)) return;
  keepResult(f.key, { images: f.images, runId: runState.runId, steps: steps as StepEntry[], nSteps: runState.nSteps, t: runState.tSchedule, ms, executionProvider: runState.executionProvider ?? '' });
}

function onEvent(ev: ReconEvent): void {
  if (ev.type === 'export-progress') return; // export.ts follows those
  if (runState.runId && ev.runId === runState.runId && !runState.fromCache) {
    applyRunEvent(ev);
    if (ev.type === 'started') setAcceleration(ev.acceleration);
    else if (ev.type === 'error') showError(plainMessage(ev.error.message));
    else if (ev.type === 'done') {
      cacheForeground(ev.ms);
      // not when the reader has already moved on (a slice load is waiting for the debounce)
      if (sliceImages.value?.slice === studyState.slice) scheduleNeighbours();
    }
    return;
  }
  if (neighbourEvent(ev)) return;
  // Events can overtake the reconstruct() reply; keep them until we know whose run it is.
  if (inFlight > 0) pendingEvents.push(ev);
}

// --- window / level ------------------------------------------------------------------------

/** The image currently shown in the main pane (step k, or the zero-filled image before any step). */
export function currentImage(): Float32Array | null {
  return stepEntry(runState.currentStep)?.image ?? (runState.currentStep === 0 ? (sliceImages.value?.zeroFilled ?? null) : null);
}

export function autoWindowNow(): void {
  const img = currentImage();
  if (img) setWindow(autoWindow(img));
}

export function dicomPreset(): WindowPreset | null {
  const d = studyState.study?.dicom;
  if (d?.windowCenter === undefined || d.windowWidth === undefined || !(d.windowWidth > 0)) return null;
  return { name: 'DICOM VOI', center: d.windowCenter, width: d.windowWidth, source: 'dicom' };
}

export function saveCurrentAsPreset(name: string): void {
  const wl = viewState.wl;
  if (!wl) return;
  const clean = name.trim().slice(0, 40) || `Preset ${viewState.presets.length + 1}`;
  const next = [...viewState.presets.filter((p) => p.name !== clean), { name: clean, center: wl.center, width: wl.width, source: 'user' as const }];
  setPresets(next);
  saveUserPresets(presetStore(), next, unitsPeak());
}

export function deletePreset(name: string): void {
  const next = viewState.presets.filter((p) => p.name !== name);
  setPresets(next);
  saveUserPresets(presetStore(), next, unitsPeak());
}

/** Called when the shown step changes: an unlocked window follows each step's own range. */
export function onStepShown(): void {
  if (!viewState.wlLocked) autoWindowNow();
}

// --- view ----------------------------------------------------------------------------------

export function resetView(): void {
  resetViewExceptWindow();
  const si = sliceImages.value;
  if (si) {
    const d = dicomPreset();
    setWindow(d ? { center: d.center, width: d.width } : autoWindow(si.reference ?? si.zeroFilled));
  }
}
