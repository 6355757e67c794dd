import { describe, expect, it } from 'vitest';
import { loadModelCard } from '../../recon';
import { TEST_MODEL, dataFile, readNpy, tempDir } from '../../test/helpers';
import { runCli } from './cli';

// A real undersampled acquisition (Lustig's 512x512 T2 brain, only the sampled phase-encode columns
// stored; demo data, no ground truth): reconstructed as acquired, whatever mask was asked for.
describe('recon CLI on real undersampled k-space', () => {
  it('uses the acquired mask, reports no reference metrics and stays data-consistent', () => {
    const steps = loadModelCard(TEST_MODEL.dir, TEST_MODEL.name).steps;
    const out = tempDir('flat-cli-acq-');
    const input = dataFile('brain512_kspace_undersampled.npy');
    const r = runCli(['--input', input, '--content', 'kspace', '--acceleration', '8', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      simulated: boolean;
      acceleration: number;
      mask: { source: string; samplingFraction: number };
      results: { psnr?: number[]; ssim?: number[]; dcResidual: number[] }[];
    };
    const mask = readNpy(dataFile('brain512_mask.npy')).data;
    const fraction = mask.reduce((s, v) => s + v, 0) / mask.length;
    expect(rep.simulated).toBe(false);
    expect(rep.mask.source).toBe('acquired');
    expect(rep.mask.samplingFraction).toBeCloseTo(fraction, 6);
    expect(rep.acceleration).toBeCloseTo(1 / fraction, 6);
    const s = rep.results[0]!;
    expect(s.psnr).toBeUndefined();
    expect(s.ssim).toBeUndefined();
    expect(s.dcResidual).toHaveLength(steps + 1);
    for (const v of s.dcResidual) expect(Number.isFinite(v)).toBe(true);
    expect(s.dcResidual[0]!).toBeLessThan(1e-5);
  });
});
