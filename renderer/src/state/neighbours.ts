// Finished reconstructions kept for a quick return, and the background runs that fill the cache
// with the slices around the one on screen (±1, ±2, one run at a time). The host runs one
// reconstruction at a time and a newer request cancels the older one, so the foreground always
// wins: session.ts cancels this queue before it asks for a run of the slice on screen, and starts
// it again once that run is done. Background runs never touch what is shown; their progress is
// `neighbourState` (readonly), shown quietly by the slice slider.

import { markRaw, reactive, readonly } from 'vue';
import type { FlatApi, ReconEvent, ReconRequest, SliceImages } from '../../../app/contract/ipc';
import type { MaskSpec } from '../../../app/core/types';
import { ResultCache, type ResultKey } from './resultCache';
import { toStepEntry, type StepEntry } from './run';

/** A finished trajectory with the slice images it belongs to. */
export interface CachedResult {
  images: SliceImages;
  runId: string;
  steps: readonly StepEntry[];
  nSteps: number;
  t: readonly number[];
  ms: number;
  executionProvider: string;
}

export type NeighbourStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** The order neighbours are reconstructed in: nearest first, the next slice before the previous. */
export const NEIGHBOUR_OFFSETS = [1, -1, 2, -2] as const;

function initial() {
  return {
    status: 'idle' as NeighbourStatus,
    /** The slice whose neighbours these are (-1: none). */
    around: -1,
    total: 0,
    ready: 0,
    /** The neighbour being reconstructed now (-1: none). */
    working: -1,
    /** The host's id of that run once it has replied ('' before, and when none runs). */
    runId: '',
  };
}
type NeighbourState = ReturnType<typeof initial>;

const state = reactive(initial());
export const neighbourState: Readonly<NeighbourState> = readonly(state) as Readonly<NeighbourState>;

export const resultCache = new ResultCache<CachedResult>();

/** Bytes of a result: every float array it holds. */
export function resultBytes(r: CachedResult): number {
  let n = r.images.zeroFilled.byteLength + (r.images.reference?.byteLength ?? 0) + (r.images.maskColumns?.byteLength ?? 0);
  for (const s of r.steps) n += s.image.byteLength + (s.contribution?.byteLength ?? 0);
  return n;
}

export function keepResult(key: ResultKey, r: CachedResult): void {
  resultCache.set(key, markRaw(r), resultBytes(r));
}

export interface NeighbourJob {
  api: FlatApi;
  studyId: string;
  slice: number;
  slices: number;
  mask: MaskSpec | undefined;
  maskKey: string;
  model: string;
  /**
   * Asks the host for a run; `claim` gets the run id before the events that overtook the reply
   * are handed on (session.ts keeps them until then).
   */
  reconstruct: (req: ReconRequest, claim: (runId: string) => void) => Promise<string>;
  /** Slice images already fetched, else undefined. */
  cachedImages: (slice: number) => SliceImages | undefined;
  keepImages: (slice: number, si: SliceImages) => void;
}

interface Collecting {
  runId: string;
  steps: (StepEntry | null)[];
  started: Extract<ReconEvent, { type: 'started' }> | null;
  finish: (outcome: 'done' | 'cancelled' | 'error', ms?: number) => void;
}

let generation = 0;
let current: Collecting | null = null;
let cancelApi: FlatApi | null = null;

export function resetNeighbours(): void {
  generation++;
  current = null;
  cancelApi = null;
  resultCache.clear();
  Object.assign(state, initial());
}

/** True when the event belongs to the background run (it is then handled here). */
export function neighbourEvent(ev: ReconEvent): boolean {
  const c = current;
  if (!c || ev.runId !== c.runId) return false;
  switch (ev.type) {
    case 'started':
      c.started = ev;
      c.steps = new Array<StepEntry | null>(ev.steps + 1).fill(null);
      break;
    case 'step':
      c.steps[ev.step] = toStepEntry(ev);
      break;
    case 'done':
      c.finish('done', ev.ms);
      break;
    case 'cancelled':
      c.finish('cancelled');
      break;
    case 'error':
      c.finish('error');
      break;
    case 'export-progress':
      break;
  }
  return true;
}

/** Stops the background work at once (the reader moved, or a foreground run is about to start). */
export function cancelNeighbours(): void {
  generation++;
  const c = current;
  current = null;
  if (state.status === 'running') state.status = 'cancelled';
  state.working = -1;
  state.runId = '';
  if (c) {
    if (c.runId && cancelApi) cancelApi.cancel(c.runId).catch(() => undefined); // the host may have finished it already
    c.finish('cancelled');
  }
}

/** Reconstructs the uncached neighbours of `job.slice`, one after the other, into the cache. */
export function startNeighbours(job: NeighbourJob): void {
  cancelNeighbours();
  const gen = generation;
  cancelApi = job.api;
  const key = (slice: number): ResultKey => ({ studyId: job.studyId, slice, mask: job.maskKey, model: job.model });
  const around = NEIGHBOUR_OFFSETS.map((d) => job.slice + d).filter((s) => s >= 0 && s < job.slices);
  const todo = around.filter((s) => !resultCache.has(key(s)));
  Object.assign(state, { status: todo.length ? 'running' : 'done', around: job.slice, total: around.length, ready: around.length - todo.length, working: -1, runId: '' });
  if (todo.length) void work(job, gen, todo, key);
}

async function work(job: NeighbourJob, gen: number, todo: number[], key: (slice: number) => ResultKey): Promise<void> {
  const alive = (): boolean => gen === generation;
  for (const slice of todo) {
    if (!alive()) return;
    state.working = slice;
    try {
      let images = job.cachedImages(slice);
      if (!images) {
        images = await job.api.getSlice(job.studyId, slice, job.mask);
        if (!alive()) return;
        job.keepImages(slice, images);
      }
      let finish!: Collecting['finish'];
      const outcome = new Promise<{ outcome: 'done' | 'cancelled' | 'error'; ms: number }>((resolve) => {
        finish = (o, ms = 0) => resolve({ outcome: o, ms });
      });
      const c: Collecting = { runId: '', steps: [], started: null, finish };
      current = c;
      const runId = await job.reconstruct({ studyId: job.studyId, slice, ...(job.mask ? { mask: job.mask } : {}) }, (id) => {
        if (alive() && current === c) {
          c.runId = id;
          state.runId = id;
        }
      });
      if (!alive() || current !== c) {
        job.api.cancel(runId).catch(() => undefined); // the reader moved while the request was on its way
        return;
      }
      const end = await outcome;
      if (!alive()) return;
      current = null;
      state.runId = '';
      const steps = c.steps.filter((s): s is StepEntry => s !== null);
      if (end.outcome !== 'done' || !c.started || steps.length !== c.steps.length) {
        // Another client's run (an export, a PACS send) took the host: stop quietly.
        state.status = end.outcome === 'error' ? 'error' : 'cancelled';
        state.working = -1;
        return;
      }
      keepResult(key(slice), { images, runId, steps, nSteps: c.started.steps, t: c.started.t, ms: end.ms, executionProvider: c.started.executionProvider });
      state.ready++;
    } catch {
      if (!alive()) return;
      current = null;
      state.runId = '';
      state.status = 'error';
      state.working = -1;
      return;
    }
  }
  if (alive()) {
    state.status = 'done';
    state.working = -1;
  }
}
