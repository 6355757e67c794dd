import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ifft2c } from '../../fft';
import { coilImages, rssImage } from '../../recon/coils';
import { magnitude } from '../common';
import { loadStudy } from '../index';
import { HAVE_PYTHON, PYTHON, SAMPLE, correlation, expectFlatError, fixtures, maxAbs, maxAbsDiff, readNpyRaw } from './helpers';

describe('fastMRI HDF5: bundled sample', () => {
  it('loads 6 axial 256×256 slices whose inverse FFT is the reference magnitude', async () => {
    const s = await loadStudy({ path: SAMPLE });
    expect(s.format).toBe('fastmri-h5');
    expect(s.content).toBe('kspace');
    expect(s.simulatedKspace).toBe(true); // the sample's own attribute simulated_kspace = 1
    expect([s.kspace.slices, s.kspace.rows, s.kspace.cols]).toEqual([6, 256, 256]);
    expect(s.pixelSpacingMm).toEqual([1, 1]);
    expect(s.crop).toEqual({ rows: 256, cols: 256 });
    const img = magnitude(ifft2c(s.kspace));
    expect(maxAbs(s.reference!.data)).toBeCloseTo(1, 5);
    expect(maxAbsDiff(img.data, s.reference!.data)).toBeLessThan(1e-4);
    expect(s.notes.join(' ')).toContain('AXT1');
  });

  it('reads the same study from in-memory bytes', async () => {
    const s = await loadStudy({ name: 'sample.h5', bytes: readFileSync(SAMPLE) });
    expect(s.kspace.slices).toBe(6);
  });

  it.skipIf(!HAVE_PYTHON)('loads a 50 MB single-coil volume by raw reads (timing printed, not asserted)', async () => {
    // 96 slices (the sample tiled 16 times) = 50.3 MB of complex64, written by h5py
    const path = join(mkdtempSync(join(tmpdir(), 'flat-big-')), 'big.h5');
    execFileSync(PYTHON, ['-c', 'import sys, h5py, numpy as np\nk = h5py.File(sys.argv[1])["kspace"][()]\nh5py.File(sys.argv[2], "w").create_dataset("kspace", data=np.tile(k, (16, 1, 1)))', SAMPLE, path]);
    const s0 = await loadStudy({ path: SAMPLE }); // also warms the HDF5 worker
    const t = performance.now();
    const s = await loadStudy({ path });
    const ms = performance.now() - t;
    console.log(`[fastmri] ${(s.kspace.data.byteLength / 1e6).toFixed(1)} MB k-space volume loaded in ${ms.toFixed(0)} ms`);
    expect(s.kspace.slices).toBe(96);
    const plane = 256 * 256 * 2;
    expect(maxAbsDiff(s.kspace.data.subarray(95 * plane, 96 * plane), s0.kspace.data.subarray(5 * plane, 6 * plane))).toBe(0);
  });
});

describe.skipIf(!HAVE_PYTHON)('fastMRI HDF5: layouts written by h5py', () => {
  it('single-coil: reference crop and header spacing', async () => {
    const fx = fixtures();
    const s = await loadStudy({ path: join(fx, 'fastmri_single.h5') });
    const img = readNpyRaw(join(fx, 'brain_crop96.npy'));
    expect([s.kspace.slices, s.kspace.rows, s.kspace.cols]).toEqual([2, 96, 96]);
    expect(s.crop).toEqual({ rows: 64, cols: 64 });
    expect(s.pixelSpacingMm).toEqual([2, 2]);
    const mag = magnitude(ifft2c(s.kspace));
    expect(maxAbsDiff(mag.data, img.data as Float32Array)).toBeLessThan(1e-4);
  });

  it('test split: the mask dataset becomes the acquired mask', async () => {
    const s = await loadStudy({ path: join(fixtures(), 'fastmri_test_mask.h5') });
    const cols = s.kspace.cols;
    const expected = Array.from({ length: cols }, (_, c) => (c % 4 === 0 || (c >= 40 && c < 56) ? 1 : 0));
    expect(Array.from(s.acquiredMask!.subarray(0, cols))).toEqual(expected);
    expect(Array.from(s.acquiredMask!.subarray(cols * 50, cols * 51))).toEqual(expected);
    expect(s.notes.join(' ')).toMatch(/36 of 96 columns acquired, 4×/);
  });

  it('multi-coil: all 4 coils are kept, and their RSS is the anatomy of the reference', async () => {
    const fx = fixtures();
    const s = await loadStudy({ path: join(fx, 'fastmri_multi.h5') });
    expect(s.coils).toBe(4);
    expect(s.notes.join(' ')).toMatch(/4 coils, reconstructed jointly/);
    expect([s.kspace.slices, s.kspace.rows, s.kspace.cols]).toEqual([2, 96, 96]);
    expect(s.kspace.data.length).toBe(2 * 4 * 96 * 96 * 2);
    const n = 96 * 96;
    const slice0 = rssImage(coilImages(s.kspace.data.subarray(0, 4 * n * 2), 4, 96, 96), 4, n);
    // the RSS of the coil images is the fixture's RSS reference (a transposed or unshifted image is < 0.1)
    expect(correlation(slice0, s.reference!.data.subarray(0, n))).toBeGreaterThan(0.99);
  });

  it('pair layout (…, 2) float32 equals the complex layout', async () => {
    const fx = fixtures();
    const a = await loadStudy({ path: join(fx, 'fastmri_pair.h5') });
    const b = await loadStudy({ path: join(fx, 'fastmri_single.h5') });
    expect(maxAbsDiff(a.kspace.data, b.kspace.data)).toBe(0);
  });

  it('a corrupt HDF5 file gives a FlatError and the next good file still loads', async () => {
    const fx = fixtures();
    const good = readFileSync(join(fx, 'fastmri_single.h5'));
    const bad = new Uint8Array(good);
    for (let i = 200; i < 2000; i += 7) bad[i] = bad[i]! ^ 0x5a;
    await expectFlatError(loadStudy({ name: 'bad.h5', bytes: bad }), 'corrupt-file');
    await expectFlatError(loadStudy({ name: 'trunc.h5', bytes: good.subarray(0, 3000) }), 'corrupt-file');
    const s = await loadStudy({ name: 'good.h5', bytes: good });
    expect(s.kspace.rows).toBe(96);
  });

  it('refuses a real-valued kspace and an HDF5 file without kspace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-h5-'));
    const { writeH5 } = await import('./write-h5');
    await writeH5(join(dir, 'real.h5'), { kspace: { shape: [1, 8, 8], data: new Float32Array(64).fill(1) } });
    await expectFlatError(loadStudy({ path: join(dir, 'real.h5') }), 'unsupported-content');
    await writeH5(join(dir, 'other.h5'), { images: { shape: [1, 8, 8], data: new Float32Array(64) } });
    await expectFlatError(loadStudy({ path: join(dir, 'other.h5') }), 'unsupported-format');
    const nan = new Float32Array(2 * 64).fill(1);
    nan[5] = NaN;
    await writeH5(join(dir, 'nan.h5'), { kspace: { shape: [1, 8, 8], data: nan, complex: true } });
    await expectFlatError(loadStudy({ path: join(dir, 'nan.h5') }), 'invalid-data');
    writeFileSync(join(dir, 'x'), '');
  });
});
