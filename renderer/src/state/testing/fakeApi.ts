// One scripted FlatApi for the state tests (session, export, neighbours): it answers like a host
// (study, slice images, runs, exports) and records what it was asked, so tests check the requests
// and the stores' reactions. Not part of the app bundle (nothing outside tests imports it).

import type { AppInfo, ExportRequest, ExportResult, FlatApi, ReconEvent, ReconRequest, SliceImages, StudySummary } from '../../../../app/contract/ipc';

export const N_STEPS = 3;
export const T_SCHEDULE = [1, 2 / 3, 1 / 3, 0];
export const ROWS = 4;
export const COLS = 4;

export const testInfo: AppInfo = {
  version: '0.0.0',
  host: 'node-host',
  model: { name: 'm', sha256: 'a'.repeat(64), shortHash: 'aaaaaaaa', steps: N_STEPS, t: T_SCHEDULE, card: {} },
  executionProvider: null,
  exportTarget: 'folder',
  exportArea: '/srv/exports',
};

export const testStudy: StudySummary = {
  studyId: 's1',
  source: 'knee scan.h5',
  format: 'fastmri-h5',
  content: 'kspace',
  simulatedKspace: false,
  slices: 5,
  rows: ROWS,
  cols: COLS,
  displayRows: ROWS,
  displayCols: COLS,
  undersampled: false,
  hasReference: true,
  notes: [],
  units: { kind: 'fixed', scale: 1e4, peak: 4000, maxStored: 4095, bitsStored: 12, label: 'fixed scale' },
};

/** A 4×4 image whose pixels start at v (slice and step are told apart by v). */
export function image(v: number): Float32Array {
  return new Float32Array(ROWS * COLS).map((_, i) => v + i / 100);
}

export const started = (runId: string, slice = 2): ReconEvent => ({ type: 'started', runId, studyId: 's1', slice, steps: N_STEPS, t: T_SCHEDULE, executionProvider: 'cpu', acceleration: 4 });

/** Step k of a run on `slice`: its image starts at 10·slice + k. */
export const stepEvent = (runId: string, k: number, slice = 2): Extract<ReconEvent, { type: 'step' }> => ({
  type: 'step',
  runId,
  step: k,
  t: T_SCHEDULE[k]!,
  rows: ROWS,
  cols: COLS,
  image: image(10 * slice + k),
  contribution: new Float32Array(ROWS * COLS).fill(k),
  metrics: { psnr: 20 + k, dcResidual: 0.1 / (k + 1) },
});

/** Everything a run emits when it completes: started, steps 0…N, done. */
export function completeRun(runId: string, slice: number, emit: (e: ReconEvent) => void): void {
  emit(started(runId, slice));
  for (let k = 0; k <= N_STEPS; k++) emit(stepEvent(runId, k, slice));
  emit({ type: 'done', runId, ms: 5 });
}

export interface FakeApi extends FlatApi {
  /** reconstruct() requests in order, with the run id each got. */
  runs: (ReconRequest & { runId: string })[];
  cancels: string[];
  slicesFetched: number[];
  exports: ExportRequest[];
  emit(e: ReconEvent): void;
}

export interface FakeApiOptions {
  info?: AppInfo;
  study?: StudySummary;
  /** What a run does once asked for (default: nothing; the test emits). Called before the reply. */
  onRun?: (runId: string, req: ReconRequest, emit: (e: ReconEvent) => void) => void;
  onExport?: (req: ExportRequest, emit: (e: ReconEvent) => void) => Promise<ExportResult | null>;
}

export function fakeApi(o: FakeApiOptions = {}): FakeApi {
  const listeners = new Set<(e: ReconEvent) => void>();
  const emit = (e: ReconEvent): void => listeners.forEach((l) => l(e));
  const study = o.study ?? testStudy;
  const api: FakeApi = {
    runs: [],
    cancels: [],
    slicesFetched: [],
    exports: [],
    emit,
    getInfo: async () => o.info ?? testInfo,
    openSample: async () => study,
    openDialog: async () => null,
    openFiles: async () => {
      throw new Error('bad.h5: the file is damaged.');
    },
    getSlice: async (studyId, slice): Promise<SliceImages> => {
      api.slicesFetched.push(slice);
      return { studyId, slice, rows: ROWS, cols: COLS, zeroFilled: image(10 * slice), reference: image(10 * slice + 1), maskColumns: Uint8Array.from([1, 0, 1, 1]), acceleration: 4 };
    },
    reconstruct: async (req) => {
      const runId = `r${api.runs.length + 1}`;
      api.runs.push({ ...req, runId });
      o.onRun?.(runId, req, emit);
      return { runId };
    },
    cancel: async (runId) => {
      api.cancels.push(runId);
    },
    exportDicom: async (req) => {
      api.exports.push(req);
      return o.onExport ? o.onExport(req, emit) : null;
    },
    pacsInfo: async () => ({ configured: false, localAeTitle: '', nodes: [] }),
    pacsFindStudies: async () => [],
    pacsFindSeries: async () => [],
    pacsRetrieve: async () => {
      throw new Error('no PACS here');
    },
    pacsSend: async () => {
      throw new Error('no PACS here');
    },
    pacsJob: async () => {
      throw new Error('no PACS here');
    },
    onReconEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return api;
}

/** Lets pending promise callbacks and timers of 0 ms run. */
export function settle(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
