// Multi-coil reconstruction end to end on real image content: a Colin27 T1 slice (Debian
// mricron-data) with a smooth phase, seen through 8 simulated receive coils, written as a fastMRI
// multi-coil HDF5 file and read back by the app's reader (no data from outside the setup script).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Study } from '../../core/types';
import { fft2cSlice } from '../../fft';
import { loadStudy } from '../../formats';
import { acquiredMaskOf } from '../../formats/common';
import { mulberry32 } from '../../masks';
import { writeH5 } from '../../formats/test/write-h5';
import { makeMask } from '../../masks';
import { psnr } from '../../metrics';
import { createEngine, magnitude, prepareSlice, referenceSlice, stateOf, trajectoryMetrics, type Engine } from '../index';
import { coilImages, rssImage } from '../coils';
import { applyProfiles, coilProfiles } from '../../test/coil-sim';
import { TEST_MODEL, maxRelDiff, tempDir } from '../../test/helpers';

const COLIN27 = '/usr/share/mricron/templates/ch2.nii.gz';
const COILS = 8;

let engine: Engine;
let study: Study;
let coilImagesTrue: Float32Array;
let rows = 0;
let cols = 0;
const dir = tempDir('flat-mc-');

beforeAll(async () => {
  const colin = await loadStudy({ path: COLIN27 });
  const mid = Math.floor(colin.kspace.slices / 2);
  ({ rows, cols } = colin.kspace);
  const n = rows * cols;
  const img = fft2cSlice(colin.kspace.data.subarray(mid * 2 * n, (mid + 1) * 2 * n), rows, cols, true);
  const phased = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const phase = 0.002 * (i % cols) + 0.3;
    phased[2 * i] = img[2 * i]! * Math.cos(phase);
    phased[2 * i + 1] = img[2 * i]! * Math.sin(phase);
  }
  coilImagesTrue = applyProfiles(phased, coilProfiles(rows, cols, COILS), COILS, n);
  const kspace = new Float32Array(COILS * 2 * n);
  for (let c = 0; c < COILS; c++) fft2cSlice(coilImagesTrue, rows, cols, false, kspace, c * 2 * n, c * 2 * n);
  const file = path.join(dir, 'colin_8coil.h5');
  await writeH5(file, { kspace: { shape: [1, COILS, rows, cols], data: kspace, complex: true } });
  study = await loadStudy({ path: file });
  engine = await createEngine({ modelDir: TEST_MODEL.dir, name: TEST_MODEL.name, preload: 'both' });
}, 120_000);

afterAll(async () => {
  await engine?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('multi-coil k-space', () => {
  it('is read with every coil kept, and its reference is the RSS of the coil images', () => {
    expect(study.coils).toBe(COILS);
    expect(study.kspace.data.length).toBe(COILS * rows * cols * 2);
    const ref = referenceSlice(study, 0)!;
    const rss = rssImage(coilImagesTrue, COILS, rows * cols);
    expect(maxRelDiff(ref.data, rss)).toBeLessThan(1e-4);
    expect(ref.dataRange).toBeCloseTo(Math.max(...rss), 3);
  });

  it('with no undersampling the reconstruction is the RSS image itself (every state)', async () => {
    const all = new Uint8Array(rows * cols).fill(1);
    const p = prepareSlice(study, 0, all);
    const r = await engine.runFull(p);
    const ref = referenceSlice(study, 0)!;
    const m = trajectoryMetrics(r.states, r.dcResidual, ref);
    expect(Math.min(...m.psnr!)).toBeGreaterThan(60);
    expect(Math.max(...r.dcResidual)).toBeLessThan(1e-5);
    // nothing unmeasured: the network contributes nothing beyond float rounding
    let cmax = 0;
    for (const v of r.contribution) cmax = Math.max(cmax, v);
    expect(cmax).toBeLessThan(1e-4 * ref.dataRange!);
  });

  it('at 4×: every state is data-consistent in every coil, full and step graphs agree', async () => {
    const mask = makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 3 }, rows, cols);
    const p = prepareSlice(study, 0, mask);
    expect(p.coils).toBe(COILS);
    const zfRss = rssImage(coilImages(p.measured, COILS, rows, cols), COILS, rows * cols);
    expect(maxRelDiff(magnitude(p.zeroFilled), zfRss)).toBeLessThan(1e-5);
    const full = await engine.runFull(p);
    const dcSeen: number[] = [];
    const stepped = await engine.runSteps(p, (_i, _s, dc) => {
      dcSeen.push(dc);
    });
    expect(dcSeen).toEqual(stepped.dcResidual);
    for (let s = 0; s <= engine.steps; s++) {
      expect(full.dcResidual[s]!).toBeLessThan(1e-4);
      expect(maxRelDiff(stateOf(stepped.states, s), stateOf(full.states, s))).toBeLessThan(1e-3);
    }
    const ref = referenceSlice(study, 0)!;
    const m = trajectoryMetrics(full.states, full.dcResidual, ref);
    expect(psnr(ref.data, magnitude(stateOf(full.states, 0)), ref.dataRange)).toBeCloseTo(m.psnr![0]!, 8);
    // undersampled: the final state carries a visible network contribution (≥ 1 % of the image max)
    const n = rows * cols;
    let cmax = 0;
    for (const v of full.contribution.subarray(engine.steps * n)) cmax = Math.max(cmax, v);
    expect(cmax).toBeGreaterThan(0.01 * ref.dataRange!);
  });

  it('refuses a file whose coil is empty in every slice, at load, in one sentence', async () => {
    const n2 = rows * cols * 2;
    const data = Float32Array.from(study.kspace.data);
    data.fill(0, 2 * n2, 3 * n2);
    const file = path.join(dir, 'empty_coil.h5');
    await writeH5(file, { kspace: { shape: [1, COILS, rows, cols], data, complex: true } });
    await expect(loadStudy({ path: file })).rejects.toMatchObject({
      code: 'invalid-data',
      message: expect.stringMatching(/^empty_coil\.h5: coil 3 of 8 holds no signal in any slice; [^.]*\.$/),
    });
  });

  it('refuses k-space with an all-zero coil in one sentence', () => {
    const data = Float32Array.from(study.kspace.data);
    data.fill(0, 3 * rows * cols * 2, 4 * rows * cols * 2);
    const mask = makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 3 }, rows, cols);
    expect(() => prepareSlice({ ...study, kspace: { ...study.kspace, data } }, 0, mask)).toThrow(
      expect.objectContaining({ code: 'invalid-data', message: expect.stringMatching(/^Coil 4 of 8 .* holds no measured signal; [^.]*\.$/) }),
    );
    expect(() => prepareSlice({ ...study, coils: 7 }, 0, mask)).toThrow(expect.objectContaining({ code: 'invalid-shape' }));
  });

  it('detects a 2D variable-density acquired pattern (both axes phase-encoded) and reconstructs as acquired', async () => {
    const n = rows * cols;
    const rnd = mulberry32(7);
    const pattern = new Uint8Array(n);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const rad = Math.hypot((r - rows / 2) / (rows / 2), (c - cols / 2) / (cols / 2));
        pattern[r * cols + c] = rad < 0.12 || rnd() < 0.25 * (1 - rad / 1.5) ** 2 ? 1 : 0;
      }
    const data = Float32Array.from(study.kspace.data);
    for (let c = 0; c < COILS; c++)
      for (let i = 0; i < n; i++)
        if (!pattern[i]) {
          data[(c * n + i) * 2] = 0;
          data[(c * n + i) * 2 + 1] = 0;
        }
    const acquired = acquiredMaskOf({ ...study.kspace, data }, COILS);
    expect(acquired && Buffer.compare(Buffer.from(acquired), Buffer.from(pattern))).toBe(0);
    expect(acquiredMaskOf(study.kspace, COILS)).toBeUndefined(); // fully sampled: no pattern
    const p = prepareSlice({ ...study, kspace: { ...study.kspace, data }, acquiredMask: acquired! }, 0);
    expect(p.acquired).toBe(true);
    const r = await engine.runFull(p);
    expect(Math.max(...r.dcResidual)).toBeLessThan(1e-4);
  });
});
