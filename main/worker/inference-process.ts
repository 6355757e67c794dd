// Entry of the inference worker process. The same module runs under Electron's
// utilityProcess.fork (messages on process.parentPort) and Node's child_process.fork (process.send).
// It owns one ORT thread (inference-thread), answers cancel messages immediately, drops whatever
// a cancelled run still produces, and replaces the thread if it dies.

import { createRequire } from 'node:module';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReconEvent } from '../../app/contract/ipc';
import type { FromThread, FromWorker, ToThread, ToWorker, WorkerInit } from '../common/worker-protocol';

interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

// --- the port to the parent ---------------------------------------------------------------

const electronPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;

function send(msg: FromWorker): void {
  try {
    if (electronPort) electronPort.postMessage(msg);
    else process.send?.(msg);
  } catch {
    // The parent is gone; the disconnect handler ends this process.
  }
}

function onParentMessage(listener: (msg: ToWorker) => void): void {
  if (electronPort) electronPort.on('message', (e) => listener(e.data as ToWorker));
  else process.on('message', (m) => listener(m as ToWorker));
}

if (!electronPort) {
  if (!process.send) {
    process.stderr.write('inference-process must be started by the FLAT Viewer inference manager.\n');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(0));
}

// --- the ORT thread -----------------------------------------------------------------------

function startThread(): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    // Development (tsx / vitest): worker threads do not inherit tsx's loader hooks on Node 20,
    // so the thread registers tsx itself before importing the TypeScript module.
    const req = createRequire(self);
    const tsxApi = pathToFileURL(path.join(path.dirname(req.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
    const target = new URL('./inference-thread.ts', self).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(threadBundlePath(fileURLToPath(new URL('./inference-thread.js', self))));
}

/**
 * In a packaged app the bundle sits in app.asar; the thread file and onnxruntime-node are
 * unpacked beside it (electron-builder.yml asarUnpack), so start the thread from there.
 */
export function threadBundlePath(file: string): string {
  const packed = `app.asar${path.sep}`;
  if (!file.includes(packed)) return file;
  const unpacked = file.replace(packed, `app.asar.unpacked${path.sep}`);
  return existsSync(unpacked) ? unpacked : file;
}

const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
let thread: Worker | null = null;
let init: WorkerInit | null = null;
let seq = 0;
let current: { runId: string; seq: number } | null = null;
/** Runs this process already answered as cancelled: their late events are dropped. */
const finished = new Set<string>();

function finish(runId: string): void {
  finished.add(runId);
  if (finished.size > 256) finished.delete(finished.values().next().value!);
  if (current?.runId === runId) current = null;
}

function emit(event: ReconEvent): void {
  send({ type: 'event', event });
}

function cancelCurrent(): void {
  if (!current) return;
  Atomics.store(cancelFlag, 0, current.seq);
  const { runId } = current;
  finish(runId);
  emit({ type: 'cancelled', runId });
}

function attachThread(): void {
  const t = startThread();
  thread = t;
  t.on('message', (msg: FromThread) => {
    if (msg.type !== 'event') return send(msg);
    const ev = msg.event;
    if (finished.has(ev.runId)) return;
    if (ev.type === 'done' || ev.type === 'error' || ev.type === 'cancelled') finish(ev.runId);
    send(msg);
  });
  const onDeath = (why: string) => {
    if (thread !== t) return;
    thread = null;
    if (current) {
      const { runId } = current;
      finish(runId);
      emit({ type: 'error', runId, error: { code: 'inference-failed', message: `The inference thread stopped (${why}); please try again.` } });
    }
    // A fresh thread re-verifies and reloads the model.
    if (init) {
      attachThread();
      post({ type: 'init', init, cancelFlag });
    }
  };
  t.on('error', (e) => onDeath(e instanceof Error ? e.message.split('\n')[0]! : 'error'));
  t.on('exit', (code) => onDeath(`exit code ${code}`));
}

function post(msg: ToThread): void {
  thread?.postMessage(msg);
}

onParentMessage((msg) => {
  switch (msg?.type) {
    case 'init':
      init = msg.init;
      if (!thread) attachThread();
      post({ type: 'init', init, cancelFlag });
      break;
    case 'run':
      // A newer run cancels the older one.
      cancelCurrent();
      current = { runId: msg.job.runId, seq: ++seq };
      post({ type: 'run', job: msg.job, seq });
      break;
    case 'cancel':
      if (current?.runId === msg.runId) cancelCurrent();
      break;
    default:
      break;
  }
});
