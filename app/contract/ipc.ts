// The typed contract between the renderer and whatever hosts it: the Electron main process (via
// the preload's `window.flat`) or the Node host (HTTP with binary frames and an event stream on 127.0.0.1, app/contract/wire.ts). Both
// transports implement exactly `FlatApi`; the renderer never knows which one it talks to.
// Types and pure validators only: this file is imported by main/ and (type-only) by renderer/.

import type { FormatId, MaskSpec } from '../core/types';
import type { FlatErrorCode } from '../core/errors';
import { parseMaskSpec } from '../masks/spec';

export { parseMaskSpec };
import type { DisplayUnits } from '../display/units';
import type { ReaderCard } from './model-card';

export type { ReaderCard, ReaderEvaluation, ReaderMetrics } from './model-card';

export type { DisplayUnits } from '../display/units';

export const IPC_CHANNELS = {
  getInfo: 'flat:get-info',
  openSample: 'flat:open-sample',
  openDialog: 'flat:open-dialog',
  openFiles: 'flat:open-files',
  getSlice: 'flat:get-slice',
  reconstruct: 'flat:reconstruct',
  cancel: 'flat:cancel',
  exportDicom: 'flat:export-dicom',
  pacsInfo: 'flat:pacs-info',
  pacsFindStudies: 'flat:pacs-find-studies',
  pacsFindSeries: 'flat:pacs-find-series',
  pacsRetrieve: 'flat:pacs-retrieve',
  pacsSend: 'flat:pacs-send',
  pacsJob: 'flat:pacs-job',
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
  | { type: 'export-dialog' } // File > Export DICOM…: the renderer opens its export dialog
  | { type: 'model-card' } // Help > Model Card: the renderer opens its model card view
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
  /** The card's reader-facing parts, validated by the host (app/contract/model-card.ts). */
  reader?: ReaderCard;
  /** sha256 of the model's files as they are on disk, beside what the card and this build's pins say. */
  files?: ModelFileHash[];
}

export interface ModelFileHash {
  role: 'full graph' | 'step graph' | 'model card';
  /** File name inside the model folder. */
  file: string;
  /** sha256 of the file as read now; absent when it cannot be read. */
  sha256?: string;
  /** What the model card says (graphs only: the card cannot pin itself). */
  cardSha256?: string;
  /** What this build pinned (`npm run pin-models`); absent when it pins nothing for this file. */
  pinnedSha256?: string;
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
  /**
   * Where DICOM exports go. 'dialog': the host asks with its own save dialog (Electron);
   * 'folder': the renderer names a new folder inside `exportArea` (Node host). Absent: no export.
   */
  exportTarget?: 'dialog' | 'folder';
  /** The Node host's export area (a folder on the host), shown to the reader. */
  exportArea?: string;
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
  /**
   * The units pixels are shown, windowed and exported in (app/display/units.ts): the DICOM
   * source's own, else a fixed scale with the volume maximum at 4000. Absent in older hosts.
   */
  units?: DisplayUnits;
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
  /** Progress of a DICOM export (runId = the request's exportId); its end is the exportDicom reply. */
  | { type: 'export-progress'; runId: string; phase: 'reconstructing' | 'writing'; done: number; total: number }
  | { type: 'cancelled'; runId: string }
  | { type: 'error'; runId: string; error: SerializedError };

/** A DICOM export of the reconstruction: a step (or the final image) of one slice or of every slice. */
export interface ExportRequest {
  /** Chosen by the renderer ([A-Za-z0-9_-]{1,64}); progress events carry it as runId. */
  exportId: string;
  studyId: string;
  /** 'slice': only `slice`; 'series': every slice of the study (each is reconstructed). */
  scope: 'slice' | 'series';
  slice: number;
  /** 0 = zero-filled … N = final; 'final' = the model's last step. */
  step: number | 'final';
  /** The same retrospective mask as the viewer's run (ignored for undersampled studies). */
  mask?: MaskSpec;
  /** The window to store, in display units (the reader's); else the automatic 1–99 % window. */
  window?: { center: number; width: number };
  /** Node host: a NEW folder name (no path) inside AppInfo.exportArea. Ignored where the host asks with a dialog. */
  folderName?: string;
  /** Body Part Examined, when the reader knows it (e.g. BRAIN, KNEE); decides whether Laterality is needed. */
  bodyPart?: string;
  laterality?: 'R' | 'L';
}

export interface ExportResult {
  /** The series folder, as the host names it (a full path in Electron, relative to the export area in the Node host). */
  folder: string;
  files: number;
  seriesDescription: string;
}

// --- PACS (study browser) ------------------------------------------------------------------

/** A PACS node from the settings file (the renderer names nodes; it never gives hosts or ports). */
export interface PacsNodeInfo {
  name: string;
  aeTitle: string;
  host: string;
  port: number;
  tls: boolean;
}

export interface PacsInfo {
  /** false when no settings file is configured (or it is invalid: `note` says why). */
  configured: boolean;
  localAeTitle: string;
  nodes: PacsNodeInfo[];
  note?: string;
}

export interface PacsStudyQuery {
  /** a node name from PacsInfo.nodes */
  node: string;
  patientId?: string;
  /** DICOM wildcards allowed: DOE* */
  patientName?: string;
  /** YYYYMMDD or YYYYMMDD-YYYYMMDD (either end open) */
  studyDate?: string;
  accessionNumber?: string;
  /** default MR; 'any' = no modality filter */
  modality?: string;
}

export interface PacsStudy {
  studyInstanceUid: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  studyDescription: string;
  accessionNumber: string;
  modalities: string[];
  seriesCount?: number;
  instanceCount?: number;
}

export interface PacsSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  seriesNumber?: number;
  seriesDescription: string;
  instanceCount?: number;
}

/** C-GET one MR series into the local cache, then open it like any DICOM series. */
export interface PacsRetrieveRequest {
  node: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

/** Reconstruct every slice of an open study with FLAT, export the derived series, C-STORE it. */
export interface PacsSendRequest {
  node: string;
  studyId: string;
  /** as for reconstruct (ignored for already-undersampled studies) */
  mask?: MaskSpec;
}

export interface PacsInstanceStatus {
  /** file name of the instance in the exported series */
  file: string;
  sopInstanceUid?: string;
  ok: boolean;
  /** final DIMSE status, when the PACS answered */
  status?: number;
  /** why it was not stored, or a warning (one sentence) */
  reason?: string;
  attempts: number;
}

export interface PacsJob {
  jobId: string;
  kind: 'retrieve' | 'send';
  /** the node's name */
  node: string;
  state: 'running' | 'done' | 'error';
  phase: 'checking' | 'retrieving' | 'opening' | 'reconstructing' | 'exporting' | 'sending' | 'finished';
  /** items finished in this phase (instances received/stored, slices reconstructed) */
  done: number;
  total?: number;
  failed: number;
  /** the outcome in one sentence (an error, or what was done) */
  message?: string;
  /** retrieve: the retrieved series, opened */
  study?: StudySummary;
  /** send: one entry per exported instance */
  instances?: PacsInstanceStatus[];
  /** send: the folder holding the exported series (kept, so a failed send can be repeated) */
  seriesDir?: string;
}

/** What `window.flat` exposes. Promises reject with an Error whose message is plain language. */
export interface FlatApi {
  getInfo(): Promise<AppInfo>;
  openSample(): Promise<StudySummary>;
  /** Native dialog in Electron; resolves null where there is none (the browser uses openFiles). */
  openDialog(): Promise<StudySummary | null>;
  /** Drag-and-drop or <input type=file>: several files make one DICOM series. */
  /**
   * A File (Blob) is sent as it is: the Node host bridge streams it to the host without copying it
   * into the page's memory; the Electron preload reads it into an ArrayBuffer for IPC.
   */
  openFiles(files: { name: string; bytes: ArrayBuffer | Blob }[]): Promise<StudySummary>;
  getSlice(studyId: string, slice: number, mask?: MaskSpec): Promise<SliceImages>;
  /** Starts a run; a newer run cancels an older one. Steps arrive through onReconEvent. */
  reconstruct(request: ReconRequest): Promise<{ runId: string }>;
  cancel(runId: string): Promise<void>;
  /**
   * Export as a new derived DICOM series (progress: 'export-progress' events). Resolves null when
   * the reader cancelled the host's folder dialog. The folder must be new or empty and never an input.
   */
  exportDicom(request: ExportRequest): Promise<ExportResult | null>;
  /** Returns an unsubscribe function. */
  onReconEvent(listener: (event: ReconEvent) => void): () => void;
  /** The configured PACS nodes. */
  pacsInfo(): Promise<PacsInfo>;
  /** Study-level C-FIND on a configured node. */
  pacsFindStudies(query: PacsStudyQuery): Promise<PacsStudy[]>;
  /** Series-level C-FIND within one study. */
  pacsFindSeries(node: string, studyInstanceUid: string): Promise<PacsSeries[]>;
  /** Starts a retrieval job (C-GET into the cache, then opened); follow it with pacsJob. */
  pacsRetrieve(request: PacsRetrieveRequest): Promise<{ jobId: string }>;
  /** Starts a send job (reconstruct, export, C-STORE); follow it with pacsJob. */
  pacsSend(request: PacsSendRequest): Promise<{ jobId: string }>;
  pacsJob(jobId: string): Promise<PacsJob>;
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

/** A file's own name (no folder, no NUL, not . or ..), at most 255 characters. */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 255 && !/[/\\\0]/.test(name) && name !== '.' && name !== '..';
}

export function validateOpenFiles(v: unknown): { name: string; bytes: ArrayBuffer }[] | string {
  if (!Array.isArray(v) || v.length === 0) return 'files must be a non-empty array';
  if (v.length > MAX_FILES) return `at most ${MAX_FILES} files can be opened at once`;
  let total = 0;
  const out: { name: string; bytes: ArrayBuffer }[] = [];
  for (const f of v) {
    if (typeof f !== 'object' || f === null) return 'each file must be an object';
    const { name, bytes } = f as { name?: unknown; bytes?: unknown };
    if (!isPlainFileName(name)) return 'each file needs a plain file name';
    if (!(bytes instanceof ArrayBuffer)) return `${name}: bytes must be an ArrayBuffer`;
    total += bytes.byteLength;
    if (total > MAX_TOTAL_BYTES) return 'the files are larger than 2 GiB together';
    out.push({ name, bytes });
  }
  return out;
}

/** The Node host's openFiles: files already uploaded (POST /api/upload), named by upload id. */
export function validateUploadRefs(v: unknown): { name: string; uploadId: string }[] | string {
  if (!Array.isArray(v) || v.length === 0) return 'files must be a non-empty array';
  if (v.length > MAX_FILES) return `at most ${MAX_FILES} files can be opened at once`;
  const out: { name: string; uploadId: string }[] = [];
  for (const f of v) {
    if (typeof f !== 'object' || f === null) return 'each file must be an object';
    const { name, uploadId } = f as { name?: unknown; uploadId?: unknown };
    if (!isPlainFileName(name)) return 'each file needs a plain file name';
    if (typeof uploadId !== 'string' || !/^up-[0-9a-f]{24}$/.test(uploadId)) return `${name}: uploadId is invalid`;
    out.push({ name, uploadId });
  }
  return out;
}

export const EXPORT_BODY_PARTS = ['BRAIN', 'HEAD', 'KNEE', 'SHOULDER', 'HIP', 'ANKLE', 'WRIST', 'SPINE', 'HEART', 'CHEST', 'ABDOMEN', 'PELVIS', 'PROSTATE', 'BREAST'] as const;

/** A new folder's name: letters, digits, space, dot, dash, underscore; not starting with a dot. */
export function validateFolderName(v: unknown): string | null {
  if (typeof v !== 'string' || v.length < 1 || v.length > 100) return null;
  if (!/^[A-Za-z0-9 _.-]+$/.test(v) || v.startsWith('.') || v.trim() !== v) return null;
  return v;
}

export function validateExportRequest(v: unknown): ExportRequest | string {
  if (typeof v !== 'object' || v === null) return 'request must be an object';
  const r = v as Record<string, unknown>;
  if (!isId(r.exportId)) return 'exportId is invalid';
  if (!isId(r.studyId)) return 'studyId is invalid';
  if (r.scope !== 'slice' && r.scope !== 'series') return 'scope must be slice or series';
  if (!isInt(r.slice, 0, 100_000)) return 'slice must be a non-negative integer';
  if (r.step !== 'final' && !isInt(r.step, 0, 1000)) return 'step must be final or a step number';
  const out: ExportRequest = { exportId: r.exportId, studyId: r.studyId, scope: r.scope, slice: r.slice, step: r.step };
  if (r.mask !== undefined) {
    const mask = parseMaskSpec(r.mask);
    if (typeof mask === 'string') return mask;
    out.mask = mask;
  }
  if (r.window !== undefined) {
    const w = r.window as { center?: unknown; width?: unknown } | null;
    if (typeof w !== 'object' || w === null || typeof w.center !== 'number' || !Number.isFinite(w.center) || typeof w.width !== 'number' || !(w.width > 0) || !Number.isFinite(w.width))
      return 'window must have a finite center and a positive width';
    out.window = { center: w.center, width: w.width };
  }
  if (r.folderName !== undefined) {
    const name = validateFolderName(r.folderName);
    if (name === null) return 'folderName must be a plain folder name (letters, digits, space, . _ -; no path)';
    out.folderName = name;
  }
  if (r.bodyPart !== undefined) {
    if (typeof r.bodyPart !== 'string' || !(EXPORT_BODY_PARTS as readonly string[]).includes(r.bodyPart)) return `bodyPart must be one of ${EXPORT_BODY_PARTS.join(', ')}`;
    out.bodyPart = r.bodyPart;
  }
  if (r.laterality !== undefined) {
    if (r.laterality !== 'R' && r.laterality !== 'L') return 'laterality must be R or L';
    out.laterality = r.laterality;
  }
  return out;
}
// --- PACS validators (shape only; app/pacs checks dates, UIDs and texts again) ---------------

const NODE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const UID = /^[0-9]+(\.[0-9]+)*$/;

function optionalText(v: unknown, what: string, max: number): string | undefined | { error: string } {
  if (v === undefined || v === null || v === '') return undefined;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (typeof v !== 'string' || v.length > max || /[\\\x00-\x1f]/.test(v)) return { error: `${what} must be text of up to ${max} characters without backslash` };
  return v.trim() === '' ? undefined : v.trim();
}

export function validateNodeName(v: unknown): string | null {
  return typeof v === 'string' && NODE_NAME.test(v) ? v : null;
}

export function validateUid(v: unknown): string | null {
  return typeof v === 'string' && v.length <= 64 && UID.test(v) ? v : null;
}

export function validatePacsStudyQuery(v: unknown): PacsStudyQuery | string {
  if (typeof v !== 'object' || v === null) return 'query must be an object';
  const q = v as Record<string, unknown>;
  for (const k of Object.keys(q)) {
    if (!['node', 'patientId', 'patientName', 'studyDate', 'accessionNumber', 'modality'].includes(k)) return `unknown query field "${k.slice(0, 40)}"`;
  }
  const node = validateNodeName(q.node);
  if (!node) return 'node must be the name of a configured PACS node';
  const out: PacsStudyQuery = { node };
  for (const [k, max] of [['patientId', 64], ['patientName', 64], ['accessionNumber', 16], ['studyDate', 17], ['modality', 16]] as const) {
    const t = optionalText(q[k], k, max);
    if (typeof t === 'object') return t.error;
    if (t !== undefined) out[k] = t;
  }
  if (out.studyDate !== undefined && !/^(\d{8}|\d{8}-|-\d{8}|\d{8}-\d{8})$/.test(out.studyDate)) return 'studyDate must be YYYYMMDD or a range YYYYMMDD-YYYYMMDD';
  if (out.modality !== undefined && !/^(any|[A-Z0-9_]{1,16})$/.test(out.modality)) return 'modality must be a DICOM modality code such as MR, or any';
  return out;
}

export function validatePacsRetrieve(v: unknown): PacsRetrieveRequest | string {
  if (typeof v !== 'object' || v === null) return 'request must be an object';
  const r = v as Record<string, unknown>;
  const node = validateNodeName(r.node);
  if (!node) return 'node must be the name of a configured PACS node';
  const study = validateUid(r.studyInstanceUid);
  if (!study) return 'studyInstanceUid must be a UID (digits and dots)';
  const series = validateUid(r.seriesInstanceUid);
  if (!series) return 'seriesInstanceUid must be a UID (digits and dots)';
  return { node, studyInstanceUid: study, seriesInstanceUid: series };
}

export function validatePacsSend(v: unknown): PacsSendRequest | string {
  if (typeof v !== 'object' || v === null) return 'request must be an object';
  const r = v as Record<string, unknown>;
  const node = validateNodeName(r.node);
  if (!node) return 'node must be the name of a configured PACS node';
  if (!isId(r.studyId)) return 'studyId is invalid';
  if (r.mask === undefined || r.mask === null) return { node, studyId: r.studyId };
  const mask = parseMaskSpec(r.mask);
  if (typeof mask === 'string') return mask;
  return { node, studyId: r.studyId, mask };
}
