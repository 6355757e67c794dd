// The typed contract between the renderer and whatever hosts it: the Electron main process (via
// the preload's `window.flat`) or the Node host (HTTP + server-sent events on 127.0.0.1). Both
// transports implement exactly `FlatApi`; the renderer never knows which one it talks to.
// Types and pure validators only: this file is imported by main/ and (type-only) by renderer/.

import type { FormatId, MaskSpec } from '../core/types';
import type { FlatErrorCode } from '../core/errors';
import { parseMaskSpec } from '../masks/spec';

export { parseMaskSpec };

export const IPC_CHANNELS = {
  getInfo: 'flat:get-info',
  openSample: 'flat:open-sample',
  openDialog: 'flat:open-dialog',
  openFiles: 'flat:open-files',
  getSlice: 'flat:get-slice',
  reconstruct: 'flat:reconstruct',
  cancel: 'flat:cancel',
  reconEvent: 'flat:recon-event',
  menuCommand: 'flat:menu-command',
} as const;

/**
 * Menu commands from the Electron main process to the page. FlatApi has no push channel for them,
 * so the preload re-dispatches each one as a DOM CustomEvent named MENU_DOM_EVENT whose `detail`
 * is JSON.stringify(MenuCommand) (a string crosses context isolation intact).
 */
export const MENU_DOM_EVENT = 'flat-menu';

export type MenuCommand =
  | { type: 'open-dialog' } // the renderer calls flat.openDialog()
  | { type: 'open-sample' } // the renderer calls flat.openSample()
  | { type: 'study-opened'; study: StudySummary } // main opened a recent file
  | { type: 'view-action'; action: string } // a View-menu item: a renderer action id (renderer/src/reading/keys.ts), whatever key the reader bound it to
  | { type: 'error'; message: string };

export interface ModelSummary {
  name: string;
  sha256: string;
  shortHash: string;
  steps: number;
  /** N+1 values, viewer order: t[0] = 1 (zero-filled) … t[N] = 0 (final). */
  t: number[];
  /** The whole model card JSON, for the model card view. */
  card: Record<string, unknown>;
}

export interface AppInfo {
  version: string;
  host: 'electron' | 'node-host';
  model: ModelSummary | null;
  /** Why no model could be loaded (sha256 mismatch, missing file …), in one sentence. */
  modelError?: string;
  /** e.g. 'cpu', 'cuda'; null until the worker has started a session. */
  executionProvider: string | null;
  /**
   * false when the model's files do not match the sha256 pinned in this build (a user-chosen
   * model folder, a changed file): the UI shows "unverified model". Absent in older hosts.
   */
  modelVerified?: boolean;
  /** Why the model is unverified, one sentence. */
  modelTrustNote?: string;
}

export interface StudySummary {
  studyId: string;
  source: string;
  format: FormatId;
  content: 'kspace' | 'image';
  simulatedKspace: boolean;
  slices: number;
  /** k-space matrix. */
  rows: number;
  cols: number;
  /** Displayed image size (after the fastMRI centre crop when the study has one). */
  displayRows: number;
  displayCols: number;
  /** The file is already undersampled: it is reconstructed as acquired, mask controls disabled. */
  undersampled: boolean;
  hasReference: boolean;
  pixelSpacingMm?: [number, number];
  /** Row then column direction cosines in patient LPS (DICOM convention); absent = unknown. */
  imageOrientation?: [number, number, number, number, number, number];
  dicom?: {
    patientName?: string;
    patientId?: string;
    studyDescription?: string;
    seriesDescription?: string;
    seriesNumber?: number;
    windowCenter?: number;
    windowWidth?: number;
  };
  notes: string[];
}

/** Float pixel data of one slice, display crop, magnitude. */
export interface SliceImages {
  studyId: string;
  slice: number;
  rows: number;
  cols: number;
  zeroFilled: Float32Array;
  reference?: Float32Array;
  /** Sampled columns (1D masks) as 0/1, length = k-space cols; or null for 2D masks. */
  maskColumns: Uint8Array | null;
  acceleration: number | null;
}

export interface ReconRequest {
  studyId: string;
  slice: number;
  /** Retrospective undersampling; ignored (as acquired) when the study is undersampled. */
  mask?: MaskSpec;
}

export interface StepMetrics {
  psnr?: number;
  ssim?: number;
  nmse?: number;
  /** ‖M(F x_k) − y‖ / ‖y‖, always present. */
  dcResidual: number;
}

export interface SerializedError {
  code: FlatErrorCode;
  message: string;
  file?: string;
}

export type ReconEvent =
  | {
      type: 'started';
      runId: string;
      studyId: string;
      slice: number;
      steps: number;
      t: number[];
      executionProvider: string;
      acceleration: number | null;
    }
  | {
      type: 'step';
      runId: string;
      /** 0 = zero-filled (t = 1) … N = final (t = 0). */
      step: number;
      t: number;
      rows: number;
      cols: number;
      /** Magnitude, display crop, de-normalised. */
      image: Float32Array;
      /**
       * The model's contribution: magnitude of the state's part that did not come from the measured
       * samples (|Σ conj(S)·(x − x₀)|, app/recon/coils.ts), display crop, same units as `image`.
       */
      contribution: Float32Array;
      metrics: StepMetrics;
    }
  | { type: 'done'; runId: string; ms: number }
  | { type: 'cancelled'; runId: string }
  | { type: 'error'; runId: string; error: SerializedError };

/** What `window.flat` exposes. Promises reject with an Error whose message is plain language. */
export interface FlatApi {
  getInfo(): Promise<AppInfo>;
  openSample(): Promise<StudySummary>;
  /** Native dialog in Electron; resolves null where there is none (the browser uses openFiles). */
  openDialog(): Promise<StudySummary | null>;
  /** Drag-and-drop or <input type=file>: several files make one DICOM series. */
  openFiles(files: { name: string; bytes: ArrayBuffer }[]): Promise<StudySummary>;
  getSlice(studyId: string, slice: number, mask?: MaskSpec): Promise<SliceImages>;
  /** Starts a run; a newer run cancels an older one. Steps arrive through onReconEvent. */
  reconstruct(request: ReconRequest): Promise<{ runId: string }>;
  cancel(runId: string): Promise<void>;
  /** Returns an unsubscribe function. */
  onReconEvent(listener: (event: ReconEvent) => void): () => void;
}

// --- validators (used by every host before touching a payload) ---------------------------

const MAX_FILES = 2048;
const MAX_TOTAL_BYTES = 2 * 1024 ** 3;

function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v);
}

export function validateReconRequest(v: unknown): ReconRequest | string {
  if (typeof v !== 'object' || v === null) return 'request must be an object';
  const r = v as Record<string, unknown>;
  if (!isId(r.studyId)) return 'studyId is invalid';
  if (!isInt(r.slice, 0, 100_000)) return 'slice must be a non-negative integer';
  if (r.mask === undefined) return { studyId: r.studyId, slice: r.slice };
  const mask = parseMaskSpec(r.mask);
  if (typeof mask === 'string') return mask;
  return { studyId: r.studyId, slice: r.slice, mask };
}

export function validateRunId(v: unknown): string | null {
  return isId(v) ? v : null;
}

export function validateStudySlice(studyId: unknown, slice: unknown): { studyId: string; slice: number } | string {
  if (!isId(studyId)) return 'studyId is invalid';
  if (!isInt(slice, 0, 100_000)) return 'slice must be a non-negative integer';
  return { studyId, slice };
}

export function validateOpenFiles(v: unknown): { name: string; bytes: ArrayBuffer }[] | string {
  if (!Array.isArray(v) || v.length === 0) return 'files must be a non-empty array';
  if (v.length > MAX_FILES) return `at most ${MAX_FILES} files can be opened at once`;
  let total = 0;
  const out: { name: string; bytes: ArrayBuffer }[] = [];
  for (const f of v) {
    if (typeof f !== 'object' || f === null) return 'each file must be an object';
    const { name, bytes } = f as { name?: unknown; bytes?: unknown };
    if (typeof name !== 'string' || name.length === 0 || name.length > 255 || /[/\\\0]/.test(name) || name === '.' || name === '..')
      return 'each file needs a plain file name';
    if (!(bytes instanceof ArrayBuffer)) return `${name}: bytes must be an ArrayBuffer`;
    total += bytes.byteLength;
    if (total > MAX_TOTAL_BYTES) return 'the files are larger than 2 GiB together';
    out.push({ name, bytes });
  }
  return out;
}
