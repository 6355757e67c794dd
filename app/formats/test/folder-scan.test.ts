// Folder scans: symlinked folders are never followed, every file counts once (by device + inode),
// and the walk is bounded. One file plus 3 self-links used to become a 40-slice study; 60
// self-links took 44 s to fail.
import { linkSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportDicomSeries } from '../../export';
import { loadStudy } from '../index';
import { resolveLimits } from '../limits';
import { scanInputs } from '../folder-scan';
import { expectFlatError } from './helpers';

const model = { name: 'flat', sha256: '0'.repeat(64) };

async function oneSliceSeries(): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'flat-scan-'));
  const dir = path.join(root, 'series');
  await exportDicomSeries({ outDir: dir, images: { kind: 'real', slices: 1, rows: 16, cols: 16, data: new Float32Array(256).map((_, i) => i % 13) }, stepLabel: 'final', model, maskDescription: 'x' });
  return dir;
}

describe('DICOM folder scan', () => {
  it('one file and 3 self-links is a 1-slice study', async () => {
    const dir = await oneSliceSeries();
    for (const n of ['a', 'b', 'c']) symlinkSync('.', path.join(dir, n));
    const s = await loadStudy({ path: dir });
    expect(s.kspace.slices).toBe(1);
    expect(s.notes.join(' ')).toMatch(/3 symbolic link\(s\) to folders/);
  });

  it('60 self-links: answered at once', async () => {
    const dir = await oneSliceSeries();
    for (let i = 0; i < 60; i++) symlinkSync('.', path.join(dir, `l${i}`));
    const t = performance.now();
    const s = await loadStudy({ path: dir });
    console.log(`[folder-scan] 60 self-links: ${(performance.now() - t).toFixed(0)} ms`);
    expect(s.kspace.slices).toBe(1);
  });

  it('symlinks and hard links to the same file count once; FIFOs are skipped', async () => {
    const dir = await oneSliceSeries();
    const file = path.join(dir, 'FLAT_final_0001.dcm');
    symlinkSync(file, path.join(dir, 'sym.dcm'));
    linkSync(file, path.join(dir, 'hard.dcm'));
    mkdirSync(path.join(dir, 'sub'));
    linkSync(file, path.join(dir, 'sub', 'again.dcm'));
    spawnSync('mkfifo', [path.join(dir, 'pipe.dcm')]);
    const scan = scanInputs([dir], resolveLimits());
    expect(scan.files).toHaveLength(1);
    expect(scan.duplicates).toBe(3);
    const s = await loadStudy({ path: dir });
    expect(s.kspace.slices).toBe(1);
    // the same file given twice in a list also counts once
    expect((await loadStudy({ paths: [file, path.join(dir, 'sym.dcm')] })).kspace.slices).toBe(1);
  });

  it('the walk is bounded: more entries than the bound are refused, links back up are not followed', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'flat-scan-wide-'));
    for (let i = 0; i < 40; i++) symlinkSync(root, path.join(root, `up${i}`));
    await expectFlatError(loadStudy({ path: root }), 'unsupported-format'); // no files: nothing followed
    for (let i = 0; i < 1100; i++) mkdirSync(path.join(root, `d${i}`));
    const t = performance.now();
    const e = await expectFlatError(loadStudy({ path: root }, { limits: { maxFiles: 4 } }), 'too-large');
    console.log(`[folder-scan] 1,140 entries with a bound of 1,024: ${(performance.now() - t).toFixed(0)} ms — ${e.message}`);
  });
});
