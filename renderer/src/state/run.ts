// Run store: the FLAT run whose trajectory is on screen (run id, status, the streamed steps, the
// step shown, cine). Components read `runState` (readonly) and the steps through stepEntry /
// allSteps, and change them only through the actions below. Which run is on screen is decided by
// session.ts (a foreground run, or a finished one from the result cache).

import { markRaw, reactive, readonly } from 'vue';
import type { ReconEvent } from '../../../app/contract/ipc';

/**
 * A step as it arrived, without the run id. `contribution` (|unsampled-k-space component of the
 * state|, display crop, image units) is optional here so that hosts that do not send it yet still work.
 */
export type StepEntry = Omit<Extract<ReconEvent, { type: 'step' }>, 'type' | 'runId' | 'contribution'> & { contribution?: Float32Array };

export type RunStatus = 'idle' | 'starting' | 'running' | 'done' | 'error' | 'cancelled';

const CINE_INTERVAL_MS = 250;

function initial() {
  return {
    /** Bumped whenever images or steps change (the arrays themselves are not reactive). */
    version: 0,
    runId: '' as string,
    runStatus: 'idle' as RunStatus,
    runMs: 0,
    executionProvider: null as string | null,
    nSteps: 0,
    tSchedule: [] as number[],
    received: -1,
    currentStep: 0,
    follow: true,
    playing: false,
    /** The run on screen came from the result cache (no new run was started for it). */
    fromCache: false,
  };
}
type RunState = ReturnType<typeof initial>;

const state = reactive(initial());
export const runState: Readonly<RunState> = readonly(state) as Readonly<RunState>;

let steps: (StepEntry | null)[] = [];
let cineTimer: ReturnType<typeof setInterval> | null = null;

export function resetRunStore(): void {
  stopCine();
  steps = [];
  Object.assign(state, initial());
}

export function bump(): void {
  state.version++;
}

export function stepEntry(k: number): StepEntry | null {
  return steps[k] ?? null;
}

export function allSteps(): readonly (StepEntry | null)[] {
  return steps;
}

/** The model's step count and t schedule (from getInfo, before any run). */
export function setModel(nSteps: number, t: readonly number[], executionProvider: string | null): void {
  state.nSteps = nSteps;
  state.tSchedule = t.slice();
  state.executionProvider = executionProvider;
}

/** No steps on screen (a new slice or a new run). */
export function clearSteps(): void {
  steps = [];
  state.received = -1;
  state.currentStep = 0;
  state.follow = true;
  state.fromCache = false;
  bump();
}

export function setRunStatus(status: RunStatus): void {
  state.runStatus = status;
}

/** A foreground run is being asked for; its id comes with the reconstruct reply. */
export function beginRun(): void {
  stopCine();
  clearSteps();
  state.runStatus = 'starting';
  state.runId = '';
}

export function setRunId(runId: string): void {
  state.runId = runId;
  if (state.runStatus === 'starting') state.runStatus = 'running';
}

/** A step event as kept: a contribution of the wrong size is dropped rather than drawn misaligned. */
export function toStepEntry(ev: Extract<ReconEvent, { type: 'step' }>): StepEntry {
  // Older hosts do not send it.
  const contribution = (ev as { contribution?: unknown }).contribution;
  return markRaw({
    step: ev.step,
    t: ev.t,
    rows: ev.rows,
    cols: ev.cols,
    image: ev.image,
    metrics: ev.metrics,
    ...(contribution instanceof Float32Array && contribution.length === ev.image.length ? { contribution } : {}),
  });
}

/** Applies an event of the run on screen (the caller checked the run id). */
export function applyRunEvent(ev: ReconEvent): void {
  switch (ev.type) {
    case 'started':
      state.runStatus = 'running';
      state.nSteps = ev.steps;
      state.tSchedule = ev.t.slice();
      state.executionProvider = ev.executionProvider;
      steps = new Array<StepEntry | null>(ev.steps + 1).fill(null);
      bump();
      break;
    case 'step':
      steps[ev.step] = toStepEntry(ev);
      state.received = Math.max(state.received, ev.step);
      if (state.follow && !state.playing) state.currentStep = state.received;
      bump();
      break;
    case 'done':
      state.runStatus = 'done';
      state.runMs = ev.ms;
      break;
    case 'cancelled':
      state.runStatus = 'cancelled';
      break;
    case 'error':
      state.runStatus = 'error';
      break;
    case 'export-progress':
      break;
  }
}

/** A finished trajectory from the result cache, shown as the run on screen (final step first). */
export function showFinishedRun(run: { runId: string; steps: readonly StepEntry[]; nSteps: number; t: readonly number[]; ms: number; executionProvider: string }): void {
  stopCine();
  steps = run.steps.slice();
  state.runId = run.runId;
  state.nSteps = run.nSteps;
  state.tSchedule = run.t.slice();
  state.executionProvider = run.executionProvider;
  state.runMs = run.ms;
  state.received = run.steps.length - 1;
  state.currentStep = state.received;
  state.follow = true;
  state.fromCache = true;
  state.runStatus = 'done';
  bump();
}

// --- trajectory navigation -----------------------------------------------------------------

/** The reader picks a step; only received steps can be shown. */
export function setStep(k: number): void {
  const max = Math.max(0, state.received);
  const clamped = Math.min(Math.max(0, Math.round(k)), max);
  state.currentStep = clamped;
  // Away from the newest step the view stops following the stream; back on it, it follows again.
  state.follow = clamped === state.received;
}

export function stepBy(delta: number): void {
  setStep(state.currentStep + delta);
}

export function togglePlay(): void {
  if (state.playing) stopCine();
  else startCine();
}

export function startCine(): void {
  if (state.received < 1) return;
  stopCine();
  state.playing = true;
  cineTimer = setInterval(() => {
    const max = Math.max(0, state.received);
    state.currentStep = state.currentStep >= max ? 0 : state.currentStep + 1;
  }, CINE_INTERVAL_MS);
}

export function stopCine(): void {
  if (cineTimer) clearInterval(cineTimer);
  cineTimer = null;
  state.playing = false;
}
