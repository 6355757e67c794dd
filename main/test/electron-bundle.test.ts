// The Electron-side code that can be checked without an Electron binary: the esbuild bundles
// (the data-plane bundle really runs under plain Node), the preload's API surface, and the window.flat
// object built over a fake ipcRenderer.

import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_CHANNELS, type ReconEvent } from '../../app/contract/ipc';
import { INVOKE_METHODS } from '../common/handlers';
import { DataPlane } from '../common/data-plane';
import { nodeWorkerLauncher } from '../common/worker-launcher-node';
import { buildElectron } from '../build-electron';
import { createFlatApi, type IpcLike } from '../electron/flat-api';
import { EventLog, HAVE_MODEL, HAVE_SAMPLE, isFinal, MODEL_SKIP_REASON, planeInit, REPO_ROOT } from './helpers';

// Inside the repository, so the bundles resolve node_modules as they do in dist/main.
const out = path.join(REPO_ROOT, 'dist', `test-main-${process.pid}`);
let files: string[] = [];

beforeAll(async () => {
  files = await buildElectron(out);
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('esbuild bundles (npm run build:electron)', () => {
  it('writes the main, data-plane, thread and preload bundles', () => {
    expect(files.map((f) => path.basename(f))).toEqual(['electron-main.js', 'data-plane-process.js', 'ort-thread.js', 'reader-thread.js', 'h5-thread.js', 'preload.cjs']);
  });

  it('keeps onnxruntime and the parsers out of the Electron main process; they are in the data plane threads', () => {
    const main = readFileSync(path.join(out, 'electron-main.js'), 'utf8');
    for (const pkg of ['onnxruntime-node', 'h5wasm', 'dicom-parser', 'dcmjs', 'fflate']) expect(main).not.toMatch(new RegExp(`from "${pkg}`));
    expect(readFileSync(path.join(out, 'ort-thread.js'), 'utf8')).toMatch(/from "onnxruntime-node"/);
    expect(readFileSync(path.join(out, 'reader-thread.js'), 'utf8')).toMatch(/from "dicom-parser"/);
  });

  it('the sandboxed preload requires nothing but electron and never exposes ipcRenderer', () => {
    const src = readFileSync(path.join(out, 'preload.cjs'), 'utf8');
    const required = [...src.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
    const exposed = [...src.matchAll(/exposeInMainWorld\(\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(exposed).toEqual(['flat']);
    // ipcRenderer is only the argument of createFlatApi, never the exposed value itself.
    expect(src).not.toMatch(/exposeInMainWorld\(\s*"[^"]+",\s*(?:[\w$]+\.)?ipcRenderer\s*\)/);
    expect(src).toMatch(/exposeInMainWorld\(\s*"flat",\s*createFlatApi\(/);
  });

  it.skipIf(!HAVE_MODEL || !HAVE_SAMPLE)(`the bundled data plane opens the sample and runs a reconstruction under plain Node${HAVE_MODEL ? '' : ` (skipped: ${MODEL_SKIP_REASON})`}`, async () => {
    // the bundled data-plane process with its bundled reader and ORT threads
    const m = new DataPlane({ launch: nodeWorkerLauncher(path.join(out, 'data-plane-process.js')), init: planeInit() });
    const log = new EventLog();
    m.onEvent(log.push);
    try {
      m.start();
      expect((await m.call('info', 120_000)).modelError).toBeUndefined();
      const id = (await m.openSample()).studyId;
      const { runId } = await m.reconstruct({ studyId: id, slice: 0, mask: { kind: 'equispaced', acceleration: 4, centerFraction: 0.08, seed: 0 } });
      expect((await log.waitFor(isFinal(runId))).type).toBe('done');
    } finally {
      await m.close();
    }
  }, 180_000);
});

describe('window.flat (preload API over a fake ipcRenderer)', () => {
  function fakeIpc(reply: (channel: string, args: unknown[]) => unknown) {
    const calls: { channel: string; args: unknown[] }[] = [];
    const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
    const ipc: IpcLike = {
      invoke: async (channel, ...args) => {
        calls.push({ channel, args });
        return reply(channel, args);
      },
      on: (channel, l) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
      removeListener: (channel, l) => listeners.get(channel)?.delete(l),
    };
    const emit = (channel: string, payload: unknown) => listeners.get(channel)?.forEach((l) => l({ sender: 'secret' }, payload));
    return { ipc, calls, emit, listeners };
  }

  it('exposes exactly the FlatApi methods, frozen', () => {
    const api = createFlatApi(fakeIpc(() => ({ ok: true, result: null })).ipc);
    expect(Object.keys(api).sort()).toEqual([...INVOKE_METHODS, 'onReconEvent'].sort());
    expect(Object.isFrozen(api)).toBe(true);
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
  });

  it('sends each call on its channel and unwraps results and errors', async () => {
    const f = fakeIpc((channel) =>
      channel === IPC_CHANNELS.getSlice ? { ok: false, error: { code: 'invalid-request', message: 'Invalid request: studyId is invalid.' } } : { ok: true, result: { runId: 'run-1' } },
    );
    const api = createFlatApi(f.ipc);
    await expect(api.reconstruct({ studyId: 's', slice: 0 })).resolves.toEqual({ runId: 'run-1' });
    await expect(api.getSlice('bad/', 0)).rejects.toMatchObject({ message: 'Invalid request: studyId is invalid.', code: 'invalid-request' });
    expect(f.calls.map((c) => c.channel)).toEqual([IPC_CHANNELS.reconstruct, IPC_CHANNELS.getSlice]);
    expect(f.calls[1]!.args).toEqual(['bad/', 0]);
  });

  it('delivers recon events without the IPC event object, and unsubscribes', () => {
    const f = fakeIpc(() => ({ ok: true, result: null }));
    const api = createFlatApi(f.ipc);
    const got: unknown[][] = [];
    const off = api.onReconEvent((...a: unknown[]) => got.push(a));
    const ev: ReconEvent = { type: 'done', runId: 'run-1', ms: 5 };
    f.emit(IPC_CHANNELS.reconEvent, ev);
    off();
    f.emit(IPC_CHANNELS.reconEvent, ev);
    expect(got).toEqual([[ev]]);
    expect(f.listeners.get(IPC_CHANNELS.reconEvent)?.size).toBe(0);
  });
});
