// The session's run bookkeeping with a scripted FlatApi: events that overtake the reconstruct()
// reply, events of superseded runs, errors as plain sentences, and the step/follow logic.
import { describe, expect, it } from 'vitest';
import type { AppInfo, FlatApi, ReconEvent, SliceImages, StudySummary } from '../../../app/contract/ipc';
import { init, loadSlice, setStep, stepEntry, store } from './session';

const N = 3;
const T = [1, 2 / 3, 1 / 3, 0];
const ROWS = 4;
const COLS = 4;

const info: AppInfo = {
  version: '0.0.0',
  host: 'node-host',
  model: { name: 'm', sha256: 'a'.repeat(64), shortHash: 'aaaaaaaa', steps: N, t: T, card: {} },
  executionProvider: null,
};

const study: StudySummary = {
  studyId: 's1',
  source: 'x.h5',
  format: 'fastmri-h5',
  content: 'kspace',
  simulatedKspace: false,
  slices: 3,
  rows: ROWS,
  cols: COLS,
  displayRows: ROWS,
  displayCols: COLS,
  undersampled: false,
  hasReference: true,
  notes: [],
};

function image(v: number): Float32Array {
  return new Float32Array(ROWS * COLS).map((_, i) => v + i / 100);
}

/** A FlatApi whose reconstruct() emits its events before the reply, like a fast host can. */
function scriptedApi(script: (runId: string, emit: (e: ReconEvent) => void) => void): FlatApi & { runs: string[] } {
  const listeners = new Set<(e: ReconEvent) => void>();
  const emit = (e: ReconEvent) => listeners.forEach((l) => l(e));
  const runs: string[] = [];
  return {
    runs,
    getInfo: async () => info,
    openSample: async () => study,
    openDialog: async () => null,
    openFiles: async () => {
      throw new Error('bad.h5: the file is damaged.');
    },
    getSlice: async (studyId, slice): Promise<SliceImages> => ({
      studyId,
      slice,
      rows: ROWS,
      cols: COLS,
      zeroFilled: image(0),
      reference: image(1),
      maskColumns: Uint8Array.from([1, 0, 1, 1]),
      acceleration: 4,
    }),
    reconstruct: async (req) => {
      const runId = `r${runs.length + 1}`;
      runs.push(runId);
      // An older run's late event arrives too; it must be ignored.
      emit({ type: 'step', runId: 'stale', step: 0, t: 1, rows: ROWS, cols: COLS, image: image(9), contribution: image(0), metrics: { dcResidual: 9 } });
      script(runId, emit);
      void req;
      return { runId };
    },
    cancel: async () => undefined,
    exportDicom: async () => null,
    pacsInfo: async () => ({ configured: false, localAeTitle: '', nodes: [] }),
    pacsFindStudies: async () => [],
    pacsFindSeries: async () => [],
    pacsRetrieve: async () => {
      throw new Error('no PACS here');
    },
    pacsSend: async () => {
      throw new Error('no PACS here');
    },
    pacsJob: async () => {
      throw new Error('no PACS here');
    },
    onReconEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

const started = (runId: string): ReconEvent => ({ type: 'started', runId, studyId: 's1', slice: 1, steps: N, t: T, executionProvider: 'cpu', acceleration: 4 });
const step = (runId: string, k: number): ReconEvent => ({
  type: 'step',
  runId,
  step: k,
  t: T[k]!,
  rows: ROWS,
  cols: COLS,
  image: image(k),
  contribution: image(0),
  metrics: { psnr: 20 + k, dcResidual: 0.1 / (k + 1) },
});

describe('session runs', () => {
  it('keeps events that overtake the reconstruct reply and ignores other runs', async () => {
    const api = scriptedApi((runId, emit) => {
      emit(started(runId));
      for (let k = 0; k <= N; k++) emit(step(runId, k));
      emit({ type: 'done', runId, ms: 12 });
    });
    await init({ api, transport: 'node-host' });
    expect(store.study?.studyId).toBe('s1');
    expect(store.slice).toBe(1); // middle slice
    expect(store.runStatus).toBe('done');
    expect(store.received).toBe(N);
    expect(store.currentStep).toBe(N); // followed the stream
    expect(store.executionProvider).toBe('cpu');
    expect(stepEntry(0)?.metrics.dcResidual).toBe(0.1); // not the stale run's 9
    expect(stepEntry(N)?.metrics.psnr).toBe(20 + N);
    // The first window comes from the reference (1–99 % of 1.00 … 1.15).
    expect(store.wl!.center).toBeCloseTo(1.075, 2);
  });

  it('a reader on an older step stops following; only received steps can be chosen', async () => {
    setStep(1);
    expect(store.currentStep).toBe(1);
    expect(store.follow).toBe(false);
    setStep(99);
    expect(store.currentStep).toBe(N);
    expect(store.follow).toBe(true);
  });

  it('a run error becomes one plain sentence and the next run replaces it', async () => {
    let fail = true;
    const api = scriptedApi((runId, emit) => {
      emit(started(runId));
      emit(step(runId, 0));
      if (fail) {
        emit({ type: 'error', runId, error: { code: 'inference-failed', message: 'The inference process stopped unexpectedly.\n    at x (y.js:1:1)' } });
      } else {
        for (let k = 1; k <= N; k++) emit(step(runId, k));
        emit({ type: 'done', runId, ms: 5 });
      }
    });
    await init({ api, transport: 'node-host' }); // a study is already open: init does not reopen it
    await loadSlice();
    expect(store.runStatus).toBe('error');
    expect(store.error).toBe('The inference process stopped unexpectedly.');
    expect(store.received).toBe(0);
    fail = false;
    await loadSlice();
    expect(store.runStatus).toBe('done');
    expect(store.error).toBe('');
    expect(store.received).toBe(N);
  });
});

describe('reading additions', () => {
  it('keeps the model contribution of a step when the host sends it, and prefetches the neighbouring slices', async () => {
    const { prefetchedSlices, resetView, openSample } = await import('./session');
    const calls: number[] = [];
    const api = scriptedApi((runId, emit) => {
      emit(started(runId));
      for (let k = 0; k <= N; k++) {
        const ev = step(runId, k) as Extract<ReconEvent, { type: 'step' }> & { contribution?: Float32Array };
        ev.contribution = new Float32Array(ROWS * COLS).fill(k);
        emit(ev);
      }
      emit({ type: 'done', runId, ms: 5 });
    });
    const getSlice = api.getSlice;
    api.getSlice = (studyId, slice, mask) => {
      calls.push(slice);
      return getSlice(studyId, slice, mask);
    };
    await init({ api, transport: 'node-host' });
    await openSample();
    expect(stepEntry(N)?.contribution?.[0]).toBe(N);
    await new Promise((r) => setTimeout(r, 0));
    expect(prefetchedSlices()).toBe(2); // slices 0 and 2 around the middle one
    const before = calls.length;
    store.slice = 2;
    await loadSlice();
    expect(calls.slice(before)).not.toContain(2); // slice 2 came from the prefetch (slice 1 is fetched ahead now)
    // Reset restores rotation and flips with the rest of the view.
    store.rotation = 90;
    store.hflip = true;
    store.vflip = true;
    resetView();
    expect([store.rotation, store.hflip, store.vflip]).toEqual([0, false, false]);
  });

  it('opening something else clears a stale error at once, before the answer comes', async () => {
    const { openSample } = await import('./session');
    let release!: () => void;
    const api = scriptedApi(() => undefined);
    api.openSample = () => new Promise((r) => (release = () => r(study)));
    await init({ api, transport: 'node-host' });
    store.error = 'bad.h5: the file is damaged.';
    const p = openSample();
    expect(store.error).toBe('');
    release();
    await p;
  });

  it('menu commands: Help ▸ Model Card and File ▸ Export open the page\'s own views; foreign events are ignored', async () => {
    const { handleMenuCommand } = await import('./session');
    store.modelCardOpen = false;
    store.exportOpen = false;
    handleMenuCommand('not json');
    handleMenuCommand(JSON.stringify({ type: 'something-else' }));
    expect([store.modelCardOpen, store.exportOpen]).toEqual([false, false]);
    handleMenuCommand(JSON.stringify({ type: 'model-card' }));
    expect(store.modelCardOpen).toBe(true);
    handleMenuCommand(JSON.stringify({ type: 'export-dialog' }));
    expect(store.exportOpen).toBe(true);
  });
});
