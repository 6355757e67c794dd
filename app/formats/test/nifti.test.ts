import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadStudy } from '../index';
import { COLIN27, HAVE_PYTHON, SAMPLE, expectFlatError, fixtures, maxAbsDiff, readNpyRaw } from './helpers';

describe('NIfTI: Colin27 (ch2.nii.gz)', () => {
  it('reslices 181×217×181 into radiological axial slices that match the bundled sample', async () => {
    const s = await loadStudy({ path: COLIN27 });
    expect(s.format).toBe('nifti');
    expect(s.content).toBe('image');
    expect([s.reference!.slices, s.reference!.rows, s.reference!.cols]).toEqual([181, 217, 181]);
    expect(s.pixelSpacingMm).toEqual([1, 1]);
    // Radiological axial: columns run to patient left, rows to posterior (LPS).
    expect(s.imageOrientation).toEqual([1, 0, 0, 0, 1, 0]);
    // the sample's first slice is voxel plane k = 71 of this file, zero-padded to 256² and scaled by 1/max
    const sample = await loadStudy({ path: SAMPLE });
    const ref = s.reference!;
    const plane = ref.rows * ref.cols;
    const slice71 = ref.data.subarray(71 * plane, 72 * plane);
    const r0 = Math.floor((256 - 217) / 2);
    const c0 = Math.floor((256 - 181) / 2);
    const crop = new Float32Array(plane);
    for (let r = 0; r < ref.rows; r++)
      for (let c = 0; c < ref.cols; c++) crop[r * ref.cols + c] = sample.reference!.data[(r + r0) * 256 + c + c0]!;
    let max = 0;
    for (const k of [71, 79, 87, 95, 103, 111]) for (const v of ref.data.subarray(k * plane, (k + 1) * plane)) max = Math.max(max, v);
    expect(maxAbsDiff(slice71.map((v) => v / max), crop)).toBeLessThan(1e-6);
  });
});

describe.skipIf(!HAVE_PYTHON)('NIfTI: small files written by nibabel', () => {
  it('int16 with scl_slope/scl_inter: values and orientation equal nibabel', async () => {
    const fx = fixtures();
    const s = await loadStudy({ path: join(fx, 'colin_small.nii') });
    const exp = readNpyRaw(join(fx, 'colin_small_expected.npy'));
    expect([s.reference!.slices, s.reference!.rows, s.reference!.cols]).toEqual(exp.shape);
    expect(maxAbsDiff(s.reference!.data, exp.data as Float32Array)).toBe(0);
  });

  it('an LPI float32 .nii.gz with permuted axes lands in the same radiological view', async () => {
    const fx = fixtures();
    const s = await loadStudy({ path: join(fx, 'colin_small_lpi.nii.gz') });
    const exp = readNpyRaw(join(fx, 'colin_small_lpi_expected.npy'));
    expect([s.reference!.slices, s.reference!.rows, s.reference!.cols]).toEqual(exp.shape);
    expect(maxAbsDiff(s.reference!.data, exp.data as Float32Array)).toBe(0);
  });

  it('bad headers give typed errors before allocating', async () => {
    const good = new Uint8Array(readFileSync(join(fixtures(), 'colin_small.nii')));
    const huge = good.slice();
    new DataView(huge.buffer).setInt16(42, 30000, true); // dim[1]
    await expectFlatError(loadStudy({ name: 'huge.nii', bytes: huge }), 'too-large');
    const badType = good.slice();
    new DataView(badType.buffer).setInt16(70, 128, true); // RGB24
    await expectFlatError(loadStudy({ name: 'rgb.nii', bytes: badType }), 'unsupported-content');
    await expectFlatError(loadStudy({ name: 'short.nii', bytes: good.subarray(0, 2000) }), 'corrupt-file');
    const gz = gzipSync(good);
    await expectFlatError(loadStudy({ name: 'cut.nii.gz', bytes: gz.subarray(0, gz.length - 100) }), 'corrupt-file');
    const nan = good.slice();
    new DataView(nan.buffer).setFloat32(112, NaN, true); // slope NaN means "unscaled", still fine
    const f32 = good.slice();
    const dv = new DataView(f32.buffer);
    dv.setInt16(70, 16, true); // claim float32: the file is now too short
    dv.setInt16(72, 32, true);
    await expectFlatError(loadStudy({ name: 'f32.nii', bytes: f32 }), 'corrupt-file');
    const ok = await loadStudy({ name: 'nan-slope.nii', bytes: nan });
    expect(ok.reference!.slices).toBe(6);
  });
});
