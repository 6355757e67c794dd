import { describe, expect, it } from 'vitest';
import { loadModelCard } from '../../recon';
import { TEST_MODEL, readNpy, realData, tempDir } from '../../test/helpers';
import { runCli } from './cli';

// Undersampled k-space as a scanner stores it (512x512, only the acquired phase-encode columns hold data,
// the others are exactly zero), made from a real image: a Colin27 slice upsampled to 0.5 mm with a
// smooth phase (app/test/fixtures-scripts/make_real_data.py). It is reconstructed as acquired, whatever
// mask was asked for, and without reference metrics.
describe('recon CLI on real undersampled k-space', () => {
  it('uses the acquired mask, reports no reference metrics and stays data-consistent', () => {
    const steps = loadModelCard(TEST_MODEL.dir, TEST_MODEL.name).steps;
    const out = tempDir('flat-cli-acq-');
    const input = realData('colin512_kspace_undersampled.npy');
    const r = runCli(['--input', input, '--content', 'kspace', '--acceleration', '8', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      simulated: boolean;
      acceleration: number;
      mask: { source: string; samplingFraction: number };
      results: { psnr?: number[]; ssim?: number[]; dcResidual: number[] }[];
    };
    const mask = readNpy(realData('colin512_mask.npy')).data;
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
