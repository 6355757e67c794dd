// Never write into or over an input, whatever the spelling of the path (same path, trailing
// slash, "..", symlink to the file, symlink to the folder, hard link), and DICOM series that
// appear whole in a new folder (a second or concurrent export is refused, never mixed).
import { spawn } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { FlatError } from '../../core/errors';
import { exportDicomSeries } from '../dicom';
import { OutputGuard, makeFolders } from '../safe-write';
import { writeAtomic } from '../atomic';
import { REPO_ROOT } from '../../test/helpers';

function refusal(fn: () => unknown): FlatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlatError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** d/slice000_final.npy (the input) and every spelling of d and of that file. */
function layout() {
  const root = mkdtempSync(path.join(tmpdir(), 'flat-safe-'));
  const d = path.join(root, 'd');
  mkdirSync(d);
  const input = path.join(d, 'slice000_final.npy');
  writeFileSync(input, 'INPUT');
  symlinkSync(d, path.join(root, 'link-to-d'));
  symlinkSync(input, path.join(root, 'link-to-input.npy'));
  mkdirSync(path.join(root, 'h'));
  linkSync(input, path.join(root, 'h', 'hard.npy'));
  return { root, d, input };
}

const model = { name: 'flat', sha256: 'f'.repeat(64) };
const img = (slices: number, v = 1) => ({ kind: 'real' as const, slices, rows: 8, cols: 8, data: new Float32Array(slices * 64).fill(v).map((x, i) => x + (i % 5)) });

describe('OutputGuard: every spelling of an input', () => {
  it('refuses output folders that are, contain or lie inside an input', () => {
    const { root, d, input } = layout();
    const g = new OutputGuard([input]);
    for (const spelling of [d, `${d}/`, path.join(d, '..', 'd'), `${d}/./`, path.join(root, 'link-to-d'), path.relative(process.cwd(), d), root]) {
      expect(refusal(() => g.checkFolder(spelling)).code, spelling).toBe('io');
    }
    // the input as a folder (a DICOM series): nothing may be written inside it
    const gf = new OutputGuard([d]);
    for (const spelling of [d, `${d}/`, path.join(d, 'sub'), path.join(root, 'link-to-d'), path.join(root, 'link-to-d', 'sub', 'deeper')]) {
      expect(refusal(() => gf.checkFolder(spelling)).message, spelling).toMatch(/inside the input folder|contains the input/);
    }
    expect(() => g.checkFolder(path.join(root, 'elsewhere'))).not.toThrow();
  });

  it('refuses output files that are an input: same path, "..", symlink to it, hard link to it', () => {
    const { root, d, input } = layout();
    for (const inputSpelling of [input, path.join(root, 'link-to-input.npy'), path.join(root, 'h', 'hard.npy'), path.join(root, 'link-to-d', 'slice000_final.npy')]) {
      const g = new OutputGuard([inputSpelling]);
      for (const target of [input, path.join(d, '..', 'd', 'slice000_final.npy'), path.join(root, 'link-to-d', 'slice000_final.npy'), path.join(root, 'link-to-input.npy'), path.join(root, 'h', 'hard.npy')]) {
        const e = refusal(() => writeAtomic(target, new TextEncoder().encode('OUTPUT'), g));
        expect(e.message, `${inputSpelling} ← ${target}`).toMatch(/would replace the input/);
      }
    }
    expect(readFileSync(input, 'utf8')).toBe('INPUT');
  });

  it('creates output folders with a bounded mkdir: /proc and files on the way are refused at once', () => {
    const t = performance.now();
    expect(refusal(() => makeFolders('/proc/x/y')).code).toBe('io');
    const { input } = layout();
    expect(refusal(() => makeFolders(path.join(input, 'sub'))).message).toMatch(/is not a folder/);
    console.log(`[safe-write] /proc refusal in ${(performance.now() - t).toFixed(1)} ms`);
  });
});

describe('DICOM export: never into the input, one whole series per folder', () => {
  it('refuses a symlink (and other spellings) pointing at the input series', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'flat-exp-safe-'));
    const series = path.join(root, 'series');
    await exportDicomSeries({ outDir: series, images: img(3), stepLabel: 'final', model, maskDescription: 'x' });
    const before = readdirSync(series).map((f) => readFileSync(path.join(series, f)).toString('base64'));
    symlinkSync(series, path.join(root, 'link'));
    for (const out of [path.join(root, 'link'), `${series}/`, path.join(series, '..', 'series'), path.join(root, 'link', 'sub')]) {
      const e = await exportDicomSeries({ outDir: out, inputPaths: [series], images: img(3, 9), stepLabel: 'final', model, maskDescription: 'y' }).catch((x: unknown) => x);
      expect(e, out).toBeInstanceOf(FlatError);
      expect((e as FlatError).code).toBe('io');
    }
    expect(readdirSync(series).map((f) => readFileSync(path.join(series, f)).toString('base64'))).toEqual(before);
  });

  it('a second export into the same folder is refused; the first series stays whole', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'flat-exp2-')), 'series');
    const first = await exportDicomSeries({ outDir: out, images: img(3), stepLabel: 'final', model, maskDescription: 'first' });
    const e = await exportDicomSeries({ outDir: out, images: img(1), stepLabel: 'final', model, maskDescription: 'second' }).catch((x: unknown) => x);
    expect((e as FlatError).message).toMatch(/already holds files/);
    expect(readdirSync(out).sort()).toEqual(first.map((f) => path.basename(f)).sort());
    const uids = new Set(first.map((f) => dicomParser.parseDicom(new Uint8Array(readFileSync(f))).string('x0020000e')));
    expect(uids.size).toBe(1);
    // an existing EMPTY folder is fine
    const empty = mkdtempSync(path.join(tmpdir(), 'flat-exp3-'));
    expect(await exportDicomSeries({ outDir: empty, images: img(2), stepLabel: 'final', model, maskDescription: 'x' })).toHaveLength(2);
  });

  it('two concurrent exports into one new folder: one series, whole; the other refused', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'flat-exp-race-')), 'series');
    const run = (tag: string) =>
      new Promise<string>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'app/export/test/fixtures/export-child.ts'), out, tag], { cwd: REPO_ROOT });
        let s = '';
        c.stdout.on('data', (b: Buffer) => (s += b.toString()));
        c.on('exit', () => resolve(s.trim()));
      });
    const results = await Promise.all([run('1'), run('2')]);
    console.log(`[safe-write] concurrent exports: ${JSON.stringify(results)}`);
    expect(results.filter((r) => r.startsWith('ok 40'))).toHaveLength(1);
    expect(results.filter((r) => r.startsWith('refused io'))).toHaveLength(1);
    const files = readdirSync(out);
    expect(files).toHaveLength(40);
    const series = new Set(files.map((f) => dicomParser.parseDicom(new Uint8Array(readFileSync(path.join(out, f)))).string('x0020000e')));
    expect(series.size).toBe(1);
    expect(readdirSync(path.dirname(out))).toEqual(['series']); // no temp folder left behind
  }, 120_000);
});
