// Messages between the Electron main process / Node host (which route, validate and guard) and the
// data-plane process (which opens, parses, prepares, reconstructs, exports and talks DICOM
// networking: main/data-plane/). Requests are already validated by main/common/handlers.ts;
// structured-clone data only (typed arrays travel by copy over the process channel).

import type {
  ExportRequest,
  ExportResult,
  ModelSummary,
  PacsInfo,
  PacsJob,
  PacsRetrieveRequest,
  PacsSendRequest,
  PacsSeries,
  PacsStudy,
  PacsStudyQuery,
  ReconEvent,
  ReconRequest,
  SliceImages,
  StudySummary,
} from '../../app/contract/ipc';
import type { MaskSpec } from '../../app/core/types';
import type { Result } from './result';

export interface DataPlaneInit {
  /** The bundled sample's folder. */
  sampleDir: string;
  modelDir: string;
  modelName: string;
  /** onnxruntime intra-op threads. */
  threads: number;
  /** Refuse a model that does not match the sha256 pinned in this build (the installed app). */
  requirePinned?: boolean;
  /** 'dialog': Electron asks for the folder and passes its path; 'folder': a new folder named by the page inside exportArea. */
  exportTarget: 'dialog' | 'folder';
  exportArea?: string;
  pacs?: { settingsFile?: string; cacheDir?: string; exportDir?: string };
  /** Longest one input may take to parse before its reader thread is abandoned (ms). */
  readerTimeoutMs?: number;
}

/** What the data plane knows for AppInfo (the host adds version, host kind and export target). */
export interface PlaneInfo {
  model: ModelSummary | null;
  modelError?: string;
  executionProvider: string | null;
  modelVerified?: boolean;
  modelTrustNote?: string;
}

export interface OpenOptions {
  /** Shown source name (staged uploads keep the name they were uploaded with). */
  name?: string;
  /** Paths an export must never write into (default: the opened paths; none for staged uploads). */
  inputPaths?: string[];
  /** Re-open under this id (after the data plane restarted). */
  studyId?: string;
}

/** Every call the data plane answers, by name: arguments → result. */
export interface DataPlaneCalls {
  info(waitMs: number): PlaneInfo;
  openSample(options: OpenOptions): StudySummary;
  openPaths(paths: string[], options: OpenOptions): StudySummary;
  closeStudy(studyId: string): void;
  getSlice(studyId: string, slice: number, mask: MaskSpec | null): SliceImages;
  reconstruct(request: ReconRequest): { runId: string };
  cancel(runId: string): void;
  /** `folder`: the folder Electron's save dialog chose (null in the Node host: req.folderName in the export area). */
  exportDicom(request: ExportRequest, folder: string | null): ExportResult | null;
  pacsInfo(): PacsInfo;
  pacsFindStudies(query: PacsStudyQuery): PacsStudy[];
  pacsFindSeries(node: string, studyInstanceUid: string): PacsSeries[];
  pacsRetrieve(request: PacsRetrieveRequest): { jobId: string };
  pacsSend(request: PacsSendRequest): { jobId: string };
  pacsJob(jobId: string): PacsJob;
}

export type PlaneMethod = keyof DataPlaneCalls;
export type PlaneArgs<M extends PlaneMethod> = Parameters<DataPlaneCalls[M]>;
export type PlaneResult<M extends PlaneMethod> = ReturnType<DataPlaneCalls[M]>;

export type ToPlane = { type: 'init'; init: DataPlaneInit } | { type: 'call'; id: number; method: PlaneMethod; args: unknown[] };

export type FromPlane =
  /** Sent once the process has taken its init (it is alive; the model may still be loading). */
  | { type: 'started' }
  | { type: 'reply'; id: number; reply: Result<unknown> }
  | { type: 'event'; event: ReconEvent };
