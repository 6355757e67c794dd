// Messages between the inference manager (main process / Node host) and the inference worker
// process, and between that process and its ORT thread. Everything here is structured-clone data:
// typed arrays travel by copy (child_process 'advanced' serialization, Electron's MessagePort).

import type { ReconEvent, SerializedError } from '../../app/contract/ipc';
import type { PreparedSlice, RealImage } from '../../app/recon';

/** One reconstruction as the worker needs it: everything is computed in the main process. */
export interface RunJob {
  runId: string;
  studyId: string;
  slice: number;
  acceleration: number | null;
  prepared: PreparedSlice;
  /** Magnitude reference (display crop) for PSNR/SSIM/NMSE, when the study has one. */
  reference?: RealImage;
  /** Displayed image size (fastMRI centre crop, or the full matrix). */
  display: { rows: number; cols: number };
  /** Streamed images are multiplied by this (the study's display units, app/display/units.ts); metrics are not. */
  displayScale?: number;
}

export interface WorkerInit {
  modelDir: string;
  modelName: string;
  /** onnxruntime intra-op threads. */
  threads: number;
  /** Refuse a model that does not match the sha256 pinned in this build (the installed app). */
  requirePinned?: boolean;
}

export interface WorkerModelInfo {
  name: string;
  sha256: string;
  steps: number;
  t: number[];
}

export type ToWorker = { type: 'init'; init: WorkerInit } | { type: 'run'; job: RunJob } | { type: 'cancel'; runId: string };

export type FromWorker =
  | { type: 'ready'; executionProvider: string; model: WorkerModelInfo }
  | { type: 'model-error'; error: SerializedError }
  | { type: 'event'; event: ReconEvent };

/** Process → ORT thread. `cancelFlag` holds the highest cancelled run sequence number. */
export type ToThread =
  | { type: 'init'; init: WorkerInit; cancelFlag: Int32Array }
  | { type: 'run'; job: RunJob; seq: number };

export type FromThread = FromWorker;
