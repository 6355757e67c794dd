import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadModelCard } from '../../recon';
import { SAMPLE, TEST_MODEL, readNpy, tempDir } from '../../test/helpers';
import { runCli } from './cli';

interface Report {
  input: string;
  model: { name: string; sha256: string; steps: number };
  executionProvider: string;
  simulated: boolean;
  acceleration: number;
  mask: { source: string; samplingFraction: number };
  results: { slice: number; psnr?: number[]; ssim?: number[]; nmse?: number[]; dcResidual: number[]; ms: number }[];
  outputs: string[];
}

const steps = loadModelCard(TEST_MODEL.dir, TEST_MODEL.name).steps;

function parseReport(stdout: string): Report {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1); // exactly one JSON object on stdout
  return JSON.parse(lines[0]!) as Report;
}

function expectFiniteSeries(a: number[] | undefined): void {
  expect(a).toHaveLength(steps + 1);
  for (const v of a!) expect(Number.isFinite(v)).toBe(true);
}

describe('recon CLI on the bundled fastMRI sample', () => {
  it('prints one JSON report; the final image beats zero-filled and step 0 is data-consistent', () => {
    const out = tempDir('flat-cli-');
    const r = runCli(['--input', SAMPLE, '--out', out, '--json', '--slices', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = parseReport(r.stdout);
    expect(rep.model.name).toBe(TEST_MODEL.name);
    expect(rep.model.sha256).toBe(loadModelCard(TEST_MODEL.dir, TEST_MODEL.name).files.full.sha256);
    expect(rep.executionProvider).toBe('cpu');
    expect(rep.simulated).toBe(true); // the sample carries the simulated_kspace attribute
    expect(rep.acceleration).toBe(4);
    expect(rep.mask.source).toBe('random');
    expect(Math.abs(rep.mask.samplingFraction - 0.25)).toBeLessThan(0.08);
    expect(rep.results.map((s) => s.slice)).toEqual([2]);
    for (const s of rep.results) {
      for (const k of ['psnr', 'ssim', 'nmse', 'dcResidual'] as const) expectFiniteSeries(s[k]);
      expect(s.psnr![steps]!).toBeGreaterThan(s.psnr![0]!);
      expect(s.ssim![steps]!).toBeGreaterThan(s.ssim![0]!);
      expect(s.nmse![steps]!).toBeLessThan(s.nmse![0]!);
      expect(s.dcResidual[0]!).toBeLessThan(1e-4);
      expect(s.ms).toBeGreaterThan(0);
    }
    for (const f of rep.outputs) expect(existsSync(f)).toBe(true);
    const final = readNpy(path.join(out, 'slice002_final.npy'));
    expect(final.dtype).toBe('<c8');
    expect(final.shape.length).toBe(2);
    const png = readFileSync(path.join(out, 'slice002_final.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});

