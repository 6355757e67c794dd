// The DICOM export from the viewer: what the dialog asks (scope, step, folder, body part), the
// request it sends (app/contract/ipc.ts ExportRequest, with the viewer's mask and window), and
// its progress (export-progress events) and outcome. Kept outside the dialog so closing it does
// not lose a running export.

import { reactive, readonly } from 'vue';
import type { ExportRequest, ExportResult, ReconEvent } from '../../../app/contract/ipc';
import { plainMessage } from '../bridge';
import { runState } from './run';
import { flatApi, holdBackgroundRuns, maskSpec, startRun } from './session';
import { studyState } from './study';
import { viewState } from './viewport';

export type ExportStep = 'shown' | 'final';

function initial() {
  return {
    scope: 'slice' as ExportRequest['scope'],
    step: 'shown' as ExportStep,
    folderName: '',
    bodyPart: '' as string,
    laterality: '' as '' | 'R' | 'L',
    useViewerWindow: true,
    running: false,
    phase: '' as '' | 'reconstructing' | 'writing',
    done: 0,
    total: 0,
    result: null as ExportResult | null,
    error: '',
    cancelled: false,
  };
}
type ExportState = ReturnType<typeof initial>;
/** What the reader chooses in the dialog. */
export type ExportChoice = Pick<ExportState, 'scope' | 'step' | 'folderName' | 'bodyPart' | 'laterality' | 'useViewerWindow'>;

const state = reactive(initial());
export const exportState: Readonly<ExportState> = readonly(state) as Readonly<ExportState>;

let seq = 0;

export function resetExportStore(): void {
  Object.assign(state, initial());
  seq = 0;
}

export function setExportChoice<K extends keyof ExportChoice>(key: K, value: ExportChoice[K]): void {
  (state as ExportChoice)[key] = value;
}

/** The dialog opens: a default folder name, and no outcome of an export that is over. */
export function prepareExportDialog(): void {
  if (state.running) return;
  if (!state.folderName) state.folderName = defaultFolderName();
  state.result = null;
  state.error = '';
  state.cancelled = false;
}

/** A default folder name: study, step, time (plain characters only). */
export function defaultFolderName(now = new Date()): string {
  const src = (studyState.study?.source ?? 'study').replace(/\.[A-Za-z0-9]+(\.gz)?$/, '').replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
  const t = now.toISOString().slice(0, 19).replace(/[-:T]/g, '');
  return `FLAT_${src}_${t}`;
}

/** The request for the dialog's choices (pure; exported for tests). */
export function buildRequest(exportId: string): ExportRequest | string {
  const study = studyState.study;
  if (!study) return 'Open a study first.';
  const step = state.step === 'final' ? ('final' as const) : runState.currentStep;
  const req: ExportRequest = { exportId, studyId: study.studyId, scope: state.scope, slice: studyState.slice, step };
  const mask = maskSpec();
  if (mask) req.mask = mask;
  const wl = viewState.wl;
  if (state.useViewerWindow && wl) req.window = { center: wl.center, width: wl.width };
  if (studyState.info?.exportTarget === 'folder') {
    const name = state.folderName.trim();
    if (!/^[A-Za-z0-9 _.-]{1,100}$/.test(name) || name.startsWith('.')) return 'Name a new folder: letters, digits, spaces, dots, dashes or underscores.';
    req.folderName = name;
  }
  if (state.bodyPart) req.bodyPart = state.bodyPart;
  if (state.laterality) req.laterality = state.laterality;
  return req;
}

export async function runExport(): Promise<void> {
  const api = flatApi();
  if (!api || state.running) return;
  const exportId = `exp-${Date.now().toString(36)}-${++seq}`;
  const req = buildRequest(exportId);
  state.error = '';
  state.result = null;
  state.cancelled = false;
  if (typeof req === 'string') {
    state.error = req;
    return;
  }
  const release = holdBackgroundRuns(); // the export's runs take the host
  state.running = true;
  state.phase = 'reconstructing';
  state.done = 0;
  state.total = req.scope === 'series' ? (studyState.study?.slices ?? 1) : 1;
  const off = api.onReconEvent((ev: ReconEvent) => {
    if (ev.type !== 'export-progress' || ev.runId !== exportId) return;
    state.phase = ev.phase;
    state.done = ev.done;
    state.total = ev.total;
  });
  try {
    const result = await api.exportDicom(req);
    if (result) state.result = result;
    else state.cancelled = true; // the host's folder dialog was cancelled
  } catch (e) {
    state.error = plainMessage(e);
  } finally {
    off();
    state.running = false;
    state.phase = '';
    // the export's runs superseded the viewer's unfinished run: run it again
    if (runState.runStatus === 'cancelled') void startRun();
    release();
  }
}
