// The session with a scripted FlatApi (testing/fakeApi.ts): run bookkeeping (events that overtake
// the reconstruct() reply, events of superseded runs, errors as plain sentences, step/follow),
// menu commands, the view reset, and the slice scheduling of issue 9 (the slice on screen first,
// neighbours in the background one at a time into the result cache, cached slices shown without a
// run, background work cancelled when the reader moves). Every test starts from resetSession().
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReconEvent } from '../../../app/contract/ipc';
import { completeRun, fakeApi, N_STEPS, settle, started, stepEvent, testStudy, type FakeApi } from './testing/fakeApi';
import {
  handleMenuCommand,
  holdBackgroundRuns,
  init,
  loadSlice,
  onViewAction,
  openFiles,
  openSample,
  prefetchedSlices,
  releaseWhenJobEnds,
  resetSession,
  resetView,
  runAgain,
  setSlice,
  setStep,
  showError,
  sliceImages,
  stepEntry,
} from './session';
import { runState } from './run';
import { studyState } from './study';
import { flipH, flipV, rotateBy, viewState } from './viewport';
import { layoutState } from './layout';
import { neighbourState, resultCache } from './neighbours';
import { resetReadingStore } from './reading';

const MIDDLE = Math.floor(testStudy.slices / 2); // 2 of 0…4

beforeEach(() => {
  resetSession();
  resetReadingStore();
});

/** A host whose runs complete before the reconstruct() reply, with a stale event first. */
function eagerHost(): FakeApi {
  return fakeApi({
    onRun: (runId, req, emit) => {
      emit({ ...stepEvent('stale', 0), metrics: { dcResidual: 9 } }); // an older run's late event
      completeRun(runId, req.slice, emit);
    },
  });
}

/** A host that only answers; the test emits each run's events when it wants. */
function patientHost(): FakeApi {
  return fakeApi();
}

const shownFirstPixel = (): number | undefined => stepEntry(runState.currentStep)?.image[0];

describe('session runs', () => {
  it('keeps events that overtake the reconstruct reply and ignores other runs', async () => {
    await init({ api: eagerHost(), transport: 'node-host' });
    expect(studyState.study?.studyId).toBe('s1');
    expect(studyState.slice).toBe(MIDDLE);
    expect(runState.runStatus).toBe('done');
    expect(runState.received).toBe(N_STEPS);
    expect(runState.currentStep).toBe(N_STEPS); // followed the stream
    expect(runState.executionProvider).toBe('cpu');
    expect(stepEntry(0)?.metrics.dcResidual).toBe(0.1); // not the stale run's 9
    expect(stepEntry(N_STEPS)?.metrics.psnr).toBe(20 + N_STEPS);
    expect(stepEntry(N_STEPS)?.contribution?.[0]).toBe(N_STEPS); // the model contribution is kept
    // The first window comes from the reference of the middle slice (1–99 % of 21.00 … 21.15).
    expect(viewState.wl!.center).toBeCloseTo(21.075, 2);
  });

  it('a reader on an older step stops following; only received steps can be chosen', async () => {
    await init({ api: eagerHost(), transport: 'node-host' });
    setStep(1);
    expect(runState.currentStep).toBe(1);
    expect(runState.follow).toBe(false);
    setStep(99);
    expect(runState.currentStep).toBe(N_STEPS);
    expect(runState.follow).toBe(true);
  });

  it('a run error becomes one plain sentence and the next run replaces it', async () => {
    let fail = true;
    const api = fakeApi({
      onRun: (runId, req, emit) => {
        emit(started(runId, req.slice));
        emit(stepEvent(runId, 0, req.slice));
        if (fail) emit({ type: 'error', runId, error: { code: 'inference-failed', message: 'The inference process stopped unexpectedly.\n    at x (y.js:1:1)' } });
        else completeRun(runId, req.slice, emit);
      },
    });
    await init({ api, transport: 'node-host' });
    expect(runState.runStatus).toBe('error');
    expect(studyState.error).toBe('The inference process stopped unexpectedly.');
    expect(runState.received).toBe(0);
    expect(neighbourState.status).toBe('idle'); // no background work after a failed run
    fail = false;
    await runAgain();
    expect(runState.runStatus).toBe('done');
    expect(studyState.error).toBe('');
    expect(runState.received).toBe(N_STEPS);
  });

  it('opening something else clears a stale error at once, before the answer comes', async () => {
    let release!: () => void;
    const api = patientHost();
    await init({ api, transport: 'node-host' });
    api.openSample = () => new Promise((r) => (release = () => r(testStudy)));
    showError(new Error('bad.h5: the file is damaged.'));
    const p = openSample();
    expect(studyState.error).toBe('');
    release();
    await p;
  });

  it('a file the host refuses leaves the open study as it was, with the host sentence', async () => {
    await init({ api: eagerHost(), transport: 'node-host' });
    const id = studyState.study?.studyId;
    await openFiles([new File([new Uint8Array(8)], 'bad.h5')]);
    expect(studyState.error).toBe('bad.h5: the file is damaged.');
    expect(studyState.study?.studyId).toBe(id);
  });

  it('reset restores rotation and flips with the rest of the view', async () => {
    await init({ api: eagerHost(), transport: 'node-host' });
    rotateBy(90);
    flipH();
    flipV();
    expect([viewState.rotation, viewState.hflip, viewState.vflip]).toEqual([90, true, true]);
    resetView();
    expect([viewState.rotation, viewState.hflip, viewState.vflip]).toEqual([0, false, false]);
  });
});

describe('menu commands', () => {
  it('acts on valid commands and reports a malformed one in one sentence', async () => {
    const api = eagerHost();
    await init({ api, transport: 'electron' });
    handleMenuCommand(JSON.stringify({ type: 'export-dialog' }));
    expect(layoutState.exportOpen).toBe(true);
    // Help ▸ Model Card opens the page's own model card view
    expect(layoutState.modelCardOpen).toBe(false);
    handleMenuCommand(JSON.stringify({ type: 'model-card' }));
    expect(layoutState.modelCardOpen).toBe(true);
    handleMenuCommand('{"type":"study-opened","study":{"studyId":"../../etc"}}');
    expect(studyState.error).toBe('A menu command was ignored because study.studyId is invalid.');
    handleMenuCommand('not json at all');
    expect(studyState.error).toBe('A menu command was ignored because it is not JSON.');
    handleMenuCommand(JSON.stringify({ type: 'error', message: 'The recent file is gone.' }));
    expect(studyState.error).toBe('The recent file is gone.');
  });

  it('hands View-menu actions to the registered handler and says when there is no such action', async () => {
    await init({ api: eagerHost(), transport: 'electron' });
    const ran: string[] = [];
    onViewAction((a) => (a === 'invert' ? (ran.push(a), true) : false));
    handleMenuCommand(JSON.stringify({ type: 'view-action', action: 'invert' }));
    expect(ran).toEqual(['invert']);
    handleMenuCommand(JSON.stringify({ type: 'view-action', action: 'launch-missiles' }));
    expect(studyState.error).toBe('A menu command was ignored because "launch-missiles" is not a view action.');
  });
});

describe('slices: visible first, neighbours in the background, cached results', () => {
  it('after the visible slice, reconstructs ±1, ±2 one at a time into the cache without changing what is shown', async () => {
    const outstanding: string[] = [];
    const seen: { runId: string; shown: number | undefined; slice: number }[] = [];
    const api = fakeApi({
      onRun: (runId, req, emit) => {
        // the host runs one at a time: nothing else may be outstanding when a run is asked for
        expect(outstanding).toEqual([]);
        outstanding.push(runId);
        queueMicrotask(() => {
          completeRun(runId, req.slice, (e: ReconEvent) => {
            emit(e);
            seen.push({ runId, shown: shownFirstPixel(), slice: studyState.slice });
          });
          outstanding.splice(outstanding.indexOf(runId), 1);
        });
      },
    });
    await init({ api, transport: 'node-host' });
    await expect.poll(() => neighbourState.status).toBe('done');
    expect(api.runs.map((r) => r.slice)).toEqual([MIDDLE, MIDDLE + 1, MIDDLE - 1, MIDDLE + 2, MIDDLE - 2]);
    expect([neighbourState.ready, neighbourState.total]).toEqual([4, 4]);
    // While the neighbours ran, the slice on screen and its final image (10·2 + N) never changed.
    const background = seen.filter((s) => s.runId !== 'r1');
    expect(background.length).toBeGreaterThan(0);
    expect(background.every((s) => s.slice === MIDDLE && s.shown === 10 * MIDDLE + N_STEPS)).toBe(true);
    expect(resultCache.size).toBe(5); // the visible slice and its four neighbours
    expect(prefetchedSlices()).toBeGreaterThanOrEqual(4);
  });

  it('moving to a cached neighbour shows its final image at once, with no new run', async () => {
    const api = eagerHost();
    await init({ api, transport: 'node-host' });
    await expect.poll(() => neighbourState.status).toBe('done');
    const runsBefore = api.runs.length;
    const fetchedBefore = api.slicesFetched.length;
    setSlice(MIDDLE + 1);
    // synchronous: no debounce, no request
    expect(studyState.slice).toBe(MIDDLE + 1);
    expect(sliceImages.value?.slice).toBe(MIDDLE + 1);
    expect(runState.runStatus).toBe('done');
    expect(runState.fromCache).toBe(true);
    expect(runState.currentStep).toBe(N_STEPS);
    expect(shownFirstPixel()).toBe(10 * (MIDDLE + 1) + N_STEPS);
    await settle(250);
    // its neighbours (2, 4 and 1 of 0…4; 5 does not exist) are cached as well: nothing to run
    expect(api.runs.length).toBe(runsBefore);
    expect(api.slicesFetched.length).toBe(fetchedBefore);
    expect([neighbourState.status, neighbourState.ready, neighbourState.total]).toEqual(['done', 3, 3]);
  });

  it('moving during background work cancels it; its late events change nothing', async () => {
    const api = patientHost();
    await init({ api, transport: 'node-host' });
    completeRun('r1', MIDDLE, api.emit); // the visible slice finishes …
    await expect.poll(() => api.runs.length).toBe(2); // … and the first neighbour is asked for
    expect(api.runs[1]!.slice).toBe(MIDDLE + 1);
    expect(neighbourState.status).toBe('running');
    api.emit(started('r2', MIDDLE + 1));
    api.emit(stepEvent('r2', 0, MIDDLE + 1));
    setSlice(0); // the reader moves to a slice that is not cached
    expect(api.cancels).toContain('r2');
    expect(neighbourState.status).toBe('cancelled');
    // the cancelled run's remaining events: not cached, not shown
    for (let k = 1; k <= N_STEPS; k++) api.emit(stepEvent('r2', k, MIDDLE + 1));
    api.emit({ type: 'done', runId: 'r2', ms: 1 });
    expect(resultCache.has({ studyId: 's1', slice: MIDDLE + 1, mask: JSON.stringify(['random', 4, 0.08, 0]), model: 'a'.repeat(64) })).toBe(false);
    // after the debounce, slice 0 runs in the foreground
    await expect.poll(() => api.runs.length).toBe(3);
    expect(api.runs[2]!.slice).toBe(0);
    expect(runState.runId).toBe('r3');
    expect(runState.fromCache).toBe(false);
  });

  it('moving while a neighbour request is on its way cancels that run as soon as the host names it', async () => {
    const api = patientHost();
    await init({ api, transport: 'node-host' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const reconstruct = api.reconstruct;
    api.reconstruct = async (req) => {
      const reply = await reconstruct(req);
      if (req.slice === MIDDLE + 1) await gate; // the first neighbour's reply is slow
      return reply;
    };
    completeRun('r1', MIDDLE, api.emit);
    await expect.poll(() => api.runs.length).toBe(2);
    expect(neighbourState.runId).toBe('');
    setSlice(0);
    expect(api.cancels).toEqual([]); // no run id to cancel yet
    release();
    await expect.poll(() => api.cancels).toEqual(['r2']);
    completeRun('r2', MIDDLE + 1, api.emit); // whatever the host still sends for it is not kept
    expect(resultCache.size).toBe(1); // the middle slice only
  });

  it('a run that ends after the reader moved on starts no background work for the old slice', async () => {
    const api = patientHost();
    await init({ api, transport: 'node-host' });
    setSlice(0); // not cached: waits for the debounce
    completeRun('r1', MIDDLE, api.emit); // the old slice's run ends meanwhile (and is cached)
    await settle(0);
    expect(api.runs.map((r) => r.slice)).toEqual([MIDDLE]);
    await expect.poll(() => api.runs.map((r) => r.slice)).toEqual([MIDDLE, 0]); // then slice 0, in the foreground
    expect(runState.runId).toBe('r2');
  });

  it('a PACS send holds background runs until its host job ends', async () => {
    const api = patientHost();
    await init({ api, transport: 'node-host' });
    const states = ['running', 'running', 'done'] as const;
    let polls = 0;
    api.pacsJob = async (jobId) => ({ jobId, kind: 'send', node: 'pacs', state: states[Math.min(polls++, 2)]!, phase: 'reconstructing', done: 0, failed: 0 });
    const release = holdBackgroundRuns();
    releaseWhenJobEnds('job-1', release);
    completeRun('r1', MIDDLE, api.emit); // the visible slice finishes while the send runs
    await settle(50);
    expect(api.runs.map((r) => r.slice)).toEqual([MIDDLE]); // no neighbour run would interrupt the send
    expect(neighbourState.status).toBe('idle');
    await expect.poll(() => api.runs.length, { timeout: 5_000 }).toBe(2); // the job ended: the neighbours resume
    expect(polls).toBe(3);
    expect(api.runs[1]!.slice).toBe(MIDDLE + 1);
  });

  it('a foreground request wins over background work', async () => {
    const api = patientHost();
    await init({ api, transport: 'node-host' });
    completeRun('r1', MIDDLE, api.emit);
    await expect.poll(() => api.runs.length).toBe(2);
    await runAgain(); // the reader asks again for the slice on screen
    expect(api.cancels).toContain('r2');
    expect(api.runs[2]!.slice).toBe(MIDDLE);
    expect(runState.runId).toBe('r3');
    expect(runState.runStatus).toBe('running');
    completeRun('r2', MIDDLE + 1, api.emit); // the background run's events do not reach the screen
    expect(runState.received).toBe(-1);
    expect(runState.runStatus).toBe('running');
  });

  it('"Run again" drops the cached results of this study and mask', async () => {
    const api = eagerHost();
    await init({ api, transport: 'node-host' });
    await expect.poll(() => neighbourState.status).toBe('done');
    await runAgain();
    await expect.poll(() => neighbourState.status).toBe('done');
    const runs = api.runs.map((r) => r.slice);
    // every neighbour was reconstructed again after the second run of the middle slice
    expect(runs.slice(5)).toEqual([MIDDLE, MIDDLE + 1, MIDDLE - 1, MIDDLE + 2, MIDDLE - 2]);
  });

  it('a slice load still on its way does not override a cached slice shown meanwhile', async () => {
    const api = eagerHost();
    await init({ api, transport: 'node-host' });
    await expect.poll(() => neighbourState.status).toBe('done');
    const p = loadSlice(); // reloads the middle slice (cached: shown at once)
    setSlice(MIDDLE - 1);
    await p;
    expect(sliceImages.value?.slice).toBe(MIDDLE - 1);
    expect(shownFirstPixel()).toBe(10 * (MIDDLE - 1) + N_STEPS);
  });
});
