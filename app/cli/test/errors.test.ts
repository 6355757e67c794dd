import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, SAMPLE, realData, tempDir } from '../../test/helpers';
import { runCli } from './cli';

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('recon CLI errors: one line on stderr, non-zero exit', () => {
  it('missing input file, unknown option', () => {
    expectOneLineError(runCli(['--input', path.join(REPO_ROOT, 'no/such/file.h5'), '--out', tempDir()]), /file\.h5/);
    expectOneLineError(runCli(['--input', SAMPLE, '--out', tempDir(), '--acceleraton', '4']), /Unknown option/);
  });

  it('corrupt (truncated) HDF5 file', () => {
    const dir = tempDir('flat-cli-bad-');
    const bad = path.join(dir, 'truncated.h5');
    writeFileSync(bad, readFileSync(SAMPLE).subarray(0, 4096));
    expectOneLineError(runCli(['--input', bad, '--out', dir]), /truncated\.h5/);
  });

  it('a mask file that does not fit the k-space', () => {
    const dir = tempDir('flat-cli-bad-');
    const image = realData('pd_axial_256x256.npy');
    expectOneLineError(runCli(['--input', image, '--out', dir, '--mask-file', realData('poisson_mask_180x230.npy')]), /180x230/);
  });
});
