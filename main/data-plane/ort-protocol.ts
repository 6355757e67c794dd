// Messages between the run supervisor (the data-plane process's main thread) and its ORT thread.
// Structured-clone data: typed arrays are transferred where the sender gives them up.

import type { ReconEvent, SerializedError } from '../../app/contract/ipc';
import type { RealImage } from '../../app/recon/evaluate';
import type { PreparedSlice } from '../../app/recon/prepare';

/** One reconstruction as the ORT thread needs it: prepared by the study service. */
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

/** Supervisor → inference worker (the ORT thread, through its launcher). */
export type ToWorker = { type: 'init'; init: WorkerInit } | { type: 'run'; job: RunJob } | { type: 'cancel'; runId: string };

export type FromWorker =
  | { type: 'ready'; executionProvider: string; model: WorkerModelInfo }
  | { type: 'model-error'; error: SerializedError }
  | { type: 'event'; event: ReconEvent };

/** Launcher → ORT thread. `cancelFlag` holds the highest cancelled run sequence number. */
export type ToThread =
  | { type: 'init'; init: WorkerInit; cancelFlag: Int32Array }
  | { type: 'run'; job: RunJob; seq: number };

export type FromThread = FromWorker;
