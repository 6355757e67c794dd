// The DICOM export from the viewer: what the dialog asks (scope, step, folder, body part), the
// request it sends (app/contract/ipc.ts ExportRequest, with the viewer's mask and window), and
// its progress (export-progress events) and outcome. Kept outside the dialog so closing it does
// not lose a running export.

import { reactive } from 'vue';
import type { ExportRequest, ExportResult, ReconEvent } from '../../../app/contract/ipc';
import { plainMessage } from '../bridge';
import { flatApi, maskSpec, startRun, store } from './session';

export type ExportStep = 'shown' | 'final';

export const exportState = reactive({
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
});

let seq = 0;

/** A default folder name: study, step, time (plain characters only). */
export function defaultFolderName(now = new Date()): string {
  const src = (store.study?.source ?? 'study').replace(/\.[A-Za-z0-9]+(\.gz)?$/, '').replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
  const t = now.toISOString().slice(0, 19).replace(/[-:T]/g, '');
  return `FLAT_${src}_${t}`;
}

/** The request for the dialog's choices (pure; exported for tests). */
export function buildRequest(exportId: string): ExportRequest | string {
  const study = store.study;
  if (!study) return 'Open a study first.';
  const step = exportState.step === 'final' ? ('final' as const) : store.currentStep;
  const req: ExportRequest = { exportId, studyId: study.studyId, scope: exportState.scope, slice: store.slice, step };
  const mask = maskSpec();
  if (mask) req.mask = mask;
  if (exportState.useViewerWindow && store.wl) req.window = { center: store.wl.center, width: store.wl.width };
  if (store.info?.exportTarget === 'folder') {
    const name = exportState.folderName.trim();
    if (!/^[A-Za-z0-9 _.-]{1,100}$/.test(name) || name.startsWith('.')) return 'Name a new folder: letters, digits, spaces, dots, dashes or underscores.';
    req.folderName = name;
  }
  if (exportState.bodyPart) req.bodyPart = exportState.bodyPart;
  if (exportState.laterality) req.laterality = exportState.laterality;
  return req;
}

export async function runExport(): Promise<void> {
  const api = flatApi();
  if (!api || exportState.running) return;
  const exportId = `exp-${Date.now().toString(36)}-${++seq}`;
  const req = buildRequest(exportId);
  exportState.error = '';
  exportState.result = null;
  exportState.cancelled = false;
  if (typeof req === 'string') {
    exportState.error = req;
    return;
  }
  exportState.running = true;
  exportState.phase = 'reconstructing';
  exportState.done = 0;
  exportState.total = req.scope === 'series' ? (store.study?.slices ?? 1) : 1;
  const off = api.onReconEvent((ev: ReconEvent) => {
    if (ev.type !== 'export-progress' || ev.runId !== exportId) return;
    exportState.phase = ev.phase;
    exportState.done = ev.done;
    exportState.total = ev.total;
  });
  try {
    const result = await api.exportDicom(req);
    if (result) exportState.result = result;
    else exportState.cancelled = true; // the host's folder dialog was cancelled
  } catch (e) {
    exportState.error = plainMessage(e);
  } finally {
    off();
    exportState.running = false;
    exportState.phase = '';
    // the export's runs superseded the viewer's unfinished run: run it again
    if (store.runStatus === 'cancelled') void startRun();
  }
}
