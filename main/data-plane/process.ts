// Entry of the data-plane process: everything that touches study data runs here, never in the
// Electron main process or the Node host. The same module runs under Electron's
// utilityProcess.fork (messages on process.parentPort) and Node's child_process.fork
// (process.send). Its main thread answers calls and owns the run supervisor; parsing runs in the
// reader thread (reader.ts), onnxruntime in the ORT thread (ort-thread.ts), so neither a parser
// nor a long inference step delays a cancel.

import { toFlatError } from '../../app/core/errors';
import type { ReconEvent } from '../../app/contract/ipc';
import type { DataPlaneInit, FromPlane, ToPlane } from '../common/data-plane-protocol';
import { fail, ok } from '../common/result';
import { createCalls, type PlaneHandlers } from './calls';
import { ExportService } from './export-service';
import { ortThreadLauncher } from './ort-thread-launcher';
import { PacsService } from './pacs-service';
import { lowerOwnPriority } from './priority';
import { StudyReader } from './reader';
import { RunSupervisor } from './run-supervisor';
import { StudyService } from './study-service';

interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const electronPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;

function send(msg: FromPlane): void {
  try {
    if (electronPort) electronPort.postMessage(msg);
    else process.send?.(msg);
  } catch {
    // The parent is gone; the disconnect handler ends this process.
  }
}

function onParentMessage(listener: (msg: ToPlane) => void): void {
  if (electronPort) electronPort.on('message', (e) => listener(e.data as ToPlane));
  else process.on('message', (m) => listener(m as ToPlane));
}

if (!electronPort) {
  if (!process.send) {
    process.stderr.write('The data-plane process must be started by FLAT Viewer (main/common/data-plane.ts).\n');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(0));
}

// Before any worker thread starts, so that they inherit it (priority.ts).
lowerOwnPriority();

let calls: PlaneHandlers | null = null;

function start(init: DataPlaneInit): PlaneHandlers {
  const emit = (event: ReconEvent) => send({ type: 'event', event });
  const reader = new StudyReader({ ...(init.readerTimeoutMs ? { timeoutMs: init.readerTimeoutMs } : {}) });
  reader.warm();
  const studies = new StudyService({ sampleDir: init.sampleDir, read: (input) => reader.read(input), maxOpen: 8 });
  const runs = new RunSupervisor({
    launch: ortThreadLauncher(),
    init: { modelDir: init.modelDir, modelName: init.modelName, threads: init.threads, ...(init.requirePinned ? { requirePinned: true } : {}) },
  });
  runs.onEvent(emit);
  runs.start();
  const exports = new ExportService({
    studies,
    inference: runs,
    modelDir: init.modelDir,
    modelName: init.modelName,
    target: init.exportTarget,
    ...(init.exportArea ? { exportArea: init.exportArea } : {}),
    emit,
  });
  const pacs = new PacsService({ ...init.pacs, studies, inference: runs });
  return createCalls({ studies, runs, exports, pacs, modelDir: init.modelDir, modelName: init.modelName });
}

async function answer(id: number, method: keyof PlaneHandlers, args: unknown[]): Promise<void> {
  try {
    if (!calls) throw new Error('The data plane has not been initialised.');
    const fn = calls[method] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof fn !== 'function') return send({ type: 'reply', id, reply: fail('invalid-request', `Unknown data-plane call "${String(method).slice(0, 40)}".`) });
    send({ type: 'reply', id, reply: ok(await fn(...args)) });
  } catch (e) {
    send({ type: 'reply', id, reply: { ok: false, error: toFlatError(e, 'io').toJSON() } });
  }
}

onParentMessage((msg) => {
  switch (msg?.type) {
    case 'init':
      if (!calls) calls = start(msg.init);
      send({ type: 'started' });
      break;
    case 'call':
      void answer(msg.id, msg.method, Array.isArray(msg.args) ? msg.args : []);
      break;
    default:
      break;
  }
});
