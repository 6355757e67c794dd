// The CLI never writes into or over its inputs, never hangs on special files, and never prints a
// file name raw. Most refusals happen before the model is loaded (fast, no inference).
import { linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlatError } from '../../core/errors';
import { loadStudy } from '../../formats';
import { writeNpy } from '../../test/helpers';
import { parseReconArgs } from '../args';
import { runRecon } from '../recon';
import { runCli } from './cli';

async function refused(argv: string[]): Promise<FlatError> {
  const t = performance.now();
  try {
    await runRecon(parseReconArgs(argv));
  } catch (e) {
    if (!(e instanceof FlatError)) throw e;
    console.log(`[output-safety] ${argv.join(' ').slice(-90)} → ${e.code} in ${(performance.now() - t).toFixed(0)} ms: ${e.message}`);
    return e;
  }
  throw new Error(`expected a refusal: ${argv.join(' ')}`);
}

/** A 64×64 image .npy named like an output of a previous run, in folder d. */
function previousRun() {
  const root = mkdtempSync(path.join(tmpdir(), 'flat-outsafe-'));
  const d = path.join(root, 'd');
  mkdirSync(d);
  const input = path.join(d, 'slice000_final.npy');
  writeNpy(input, [64, 64], new Float32Array(64 * 64).map((_, i) => (i % 64) * ((i >> 6) % 7)));
  const bytes = readFileSync(input);
  symlinkSync(d, path.join(root, 'link-to-d'));
  return { root, d, input, unchanged: () => expect(readFileSync(input).equals(bytes)).toBe(true) };
}

describe('recon CLI: --out never replaces the input', () => {
  it('refuses --out equal to the input folder, in every spelling, before any work', async () => {
    const { root, d, input, unchanged } = previousRun();
    for (const out of [d, `${d}/`, path.join(d, '..', 'd'), path.join(root, 'link-to-d'), root]) {
      const e = await refused(['--input', input, '--out', out, '--content', 'image']);
      expect(e.code).toBe('io');
      expect(e.message).toMatch(/contains the input/);
    }
    unchanged();
  });

  it('the command from the report exits 1 with one line, input intact', () => {
    const { d, input, unchanged } = previousRun();
    const r = runCli(['--input', input, '--out', d, '--content', 'image']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: The output folder d contains the input slice000_final\.npy; choose another folder so the input is never overwritten\.\n$/);
    unchanged();
  }, 60_000);

  it('refuses an input given as a hard link or symlink whose file sits where an output goes', async () => {
    const { root, d, input, unchanged } = previousRun();
    mkdirSync(path.join(root, 'h'));
    const hard = path.join(root, 'h', 'in.npy');
    linkSync(input, hard);
    const sym = path.join(root, 'h', 'sym.npy');
    symlinkSync(input, sym);
    // the symlink resolves into d: refused before any work
    expect((await refused(['--input', sym, '--out', d, '--content', 'image'])).message).toMatch(/contains the input/);
    // the hard link has its own path: refused when the output file would be the same inode
    expect((await refused(['--input', hard, '--out', d, '--content', 'image'])).message).toMatch(/slice000_final\.npy: writing it would replace the input in\.npy/);
    unchanged();
  }, 120_000);

  it('refuses --export-dicom into the input series (a symlink to it) and into --out itself', async () => {
    const { root, d, input } = previousRun();
    const series = path.join(root, 'series');
    mkdirSync(series);
    writeFileSync(path.join(series, 'a.dcm'), 'x');
    symlinkSync(series, path.join(root, 'link-to-series'));
    expect((await refused(['--input', series, '--out', path.join(root, 'o'), '--export-dicom', path.join(root, 'link-to-series')])).code).toBe('io');
    expect((await refused(['--input', input, '--out', path.join(root, 'o2'), '--export-dicom', path.join(root, 'o2', '.'), '--content', 'image'])).code).toBe('invalid-request');
    expect(readFileSync(path.join(series, 'a.dcm'), 'utf8')).toBe('x');
    void d;
  });

  it('refuses --out under /proc at once (mkdir -p used to spin forever)', async () => {
    const { input } = previousRun();
    expect((await refused(['--input', input, '--out', '/proc/flat-x/y', '--content', 'image'])).message).toMatch(/Cannot create the output folder/);
  });
});

describe('recon CLI: special files and sizes', () => {
  it('--mask-file on a FIFO or /dev/zero is refused at once (it used to hang or grow 0.7 GB/s)', async () => {
    const { root, input } = previousRun();
    const fifo = path.join(root, 'mask.npy');
    const haveFifo = spawnSync('mkfifo', [fifo]).status === 0;
    for (const m of [...(haveFifo ? [fifo] : []), '/dev/zero']) {
      const e = await refused(['--input', input, '--out', path.join(root, 'o'), '--content', 'image', '--mask-file', m]);
      expect(e.code).toBe('io');
      expect(e.message).toMatch(/not a regular file/);
    }
  });

  it('a FIFO or device as --input is refused at once', async () => {
    const { root } = previousRun();
    const fifo = path.join(root, 'in.npy');
    if (spawnSync('mkfifo', [fifo]).status === 0) expect((await refused(['--input', fifo, '--out', path.join(root, 'o')])).message).toMatch(/not a regular file/);
    expect((await refused(['--input', '/dev/zero', '--out', path.join(root, 'o')])).message).toMatch(/not a regular file/);
  });

  it('a 100 KB BART header: the size is said sensibly', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flat-bart-'));
    writeFileSync(path.join(dir, 'k.hdr'), `# Dimensions\n4 4 1 1\n${'#'.repeat(100_000)}\n`);
    writeFileSync(path.join(dir, 'k.cfl'), Buffer.alloc(4 * 4 * 8));
    const e = (await loadStudy({ path: path.join(dir, 'k.cfl') }).catch((x: unknown) => x)) as FlatError;
    expect(e.message).toBe('k.hdr: the BART header is 97.7 KiB, over the 64 KiB limit.');
  });

  it('escape and bidi characters in file names never reach stderr raw', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flat-names-'));
    const evil = path.join(dir, 'x\u001b[31mRED\u202egnp.npy');
    writeFileSync(evil, 'not numpy at all');
    const r = runCli(['--input', evil, '--out', path.join(dir, 'o')]);
    expect(r.code).not.toBe(0);
    // eslint-disable-next-line no-control-regex -- the escape byte must not reach the terminal
    expect(r.stderr).not.toMatch(/[\u001b\u202e]/);
    expect(r.stderr).toContain('x\\u{1b}[31mRED\\u{202e}gnp.npy');
  }, 60_000);
});
