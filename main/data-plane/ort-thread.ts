// The ORT thread of the data-plane process. onnxruntime's session.run() can hold this thread's
// event loop for a whole step, so it lives here, away from the process's message port: the run
// supervisor answers cancel messages at once and this thread notices them through a shared flag
// between steps (ort-thread-launcher.ts).

import { parentPort } from 'node:worker_threads';
import { FlatError, toFlatError } from '../../app/core/errors';
import { createEngine, type Engine } from '../../app/recon';
import { requireShippedModel } from '../../app/trust/model-trust';
import type { FromThread, RunJob, ToThread } from './ort-protocol';
import { stepEvent } from './step-output';

const port = parentPort;
if (!port) throw new Error('ort-thread must run as a worker thread');

let engine: Engine | null = null;
let cancelFlag: Int32Array | null = null;
// Runs are serialised: a run waits for the previous one (cancelled ones stop at their next step).
let chain: Promise<void> = Promise.resolve();

function post(msg: FromThread, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

function isCancelled(seq: number): boolean {
  return cancelFlag !== null && Atomics.load(cancelFlag, 0) >= seq;
}

async function run(job: RunJob, seq: number): Promise<void> {
  const { runId } = job;
  if (isCancelled(seq)) return post({ type: 'event', event: { type: 'cancelled', runId } });
  if (!engine) {
    return post({ type: 'event', event: { type: 'error', runId, error: { code: 'model-mismatch', message: 'No model is loaded.' } } });
  }
  const e = engine;
  const t = e.card.t;
  post({
    type: 'event',
    event: {
      type: 'started',
      runId,
      studyId: job.studyId,
      slice: job.slice,
      steps: e.steps,
      t,
      executionProvider: e.executionProvider,
      acceleration: job.acceleration,
    },
  });
  const controller = new AbortController();
  try {
    const t0 = performance.now();
    await e.runSteps(
      job.prepared,
      (index, state, dc, contribution) => {
        if (isCancelled(seq)) {
          controller.abort();
          return;
        }
        const ev = stepEvent(runId, index, t[index] ?? 0, state, dc, contribution, job.prepared, job.display, job.reference, job.displayScale);
        post({ type: 'event', event: ev }, [ev.image.buffer as ArrayBuffer, ev.contribution.buffer as ArrayBuffer]);
        if (isCancelled(seq)) controller.abort();
      },
      controller.signal,
    );
    post({ type: 'event', event: { type: 'done', runId, ms: performance.now() - t0 } });
  } catch (err) {
    const fe = toFlatError(err, 'inference-failed');
    if (fe.code === 'cancelled' || isCancelled(seq)) post({ type: 'event', event: { type: 'cancelled', runId } });
    else post({ type: 'event', event: { type: 'error', runId, error: fe.toJSON() } });
  }
}

port.on('message', (msg: ToThread) => {
  if (msg.type === 'init') {
    cancelFlag = msg.cancelFlag;
    chain = chain.then(async () => {
      try {
        if (msg.init.requirePinned) requireShippedModel(msg.init.modelDir, msg.init.modelName);
        engine = await createEngine({ modelDir: msg.init.modelDir, name: msg.init.modelName, intraOpThreads: msg.init.threads });
        post({
          type: 'ready',
          executionProvider: engine.executionProvider,
          model: { name: engine.name, sha256: engine.sha256, steps: engine.steps, t: engine.card.t },
        });
      } catch (err) {
        const fe = err instanceof FlatError ? err : toFlatError(err, 'model-mismatch');
        post({ type: 'model-error', error: fe.toJSON() });
      }
    });
  } else if (msg.type === 'run') {
    chain = chain.then(() => run(msg.job, msg.seq));
  }
});
