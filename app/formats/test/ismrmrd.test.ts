import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ifft2c } from '../../fft';
import { magnitude } from '../common';
import { loadStudy } from '../index';
import { acquisitionOrientation } from '../ismrmrd';
import { readFileSync } from 'node:fs';
import { discardedModules } from '../h5/wasm';
import { HAVE_PYTHON, expectFlatError, fixtures, maxAbsDiff, readNpyRaw } from './helpers';

describe.skipIf(!HAVE_PYTHON)('ISMRMRD / MRD HDF5 (files written by h5py in the MRD layout)', () => {
  it('assembles a fully sampled 2-slice acquisition; noise and navigator scans are ignored', async () => {
    const fx = fixtures();
    const s = await loadStudy({ path: join(fx, 'mrd_full.h5') });
    expect(s.format).toBe('ismrmrd-h5');
    expect([s.kspace.slices, s.kspace.rows, s.kspace.cols]).toEqual([2, 96, 96]);
    expect(s.acquiredMask).toBeUndefined();
    expect(s.pixelSpacingMm).toEqual([2, 2]);
    expect(s.notes.join(' ')).toMatch(/2 noise\/navigator/);
    // readout → rows, kspace_encode_step_1 → columns: the image comes back unrotated
    const img = readNpyRaw(join(fx, 'brain_crop96.npy'));
    expect(maxAbsDiff(magnitude(ifft2c(s.kspace)).data, img.data as Float32Array)).toBeLessThan(1e-4);
  });

  it('samples stored as vlen {real, imag} compounds read the same as vlen floats', async () => {
    const fx = fixtures();
    const a = await loadStudy({ path: join(fx, 'mrd_full_complex_vlen.h5') });
    const b = await loadStudy({ path: join(fx, 'mrd_full.h5') });
    expect(maxAbsDiff(a.kspace.data, b.kspace.data)).toBe(0);
  });

  it('undersampled single coil: gaps become the acquired mask and averages are averaged', async () => {
    const fx = fixtures();
    const s = await loadStudy({ path: join(fx, 'mrd_under_sc.h5') });
    const full = await loadStudy({ path: join(fx, 'mrd_full.h5') });
    const keep = new Set(Array.from(readNpyRaw(join(fx, 'mrd_keep_columns.npy')).data));
    const cols = s.kspace.cols;
    expect(Array.from(s.acquiredMask!.subarray(0, cols))).toEqual(Array.from({ length: cols }, (_, c) => (keep.has(c) ? 1 : 0)));
    // the two averages were scaled 0.8 and 1.2: their mean equals the fully sampled line
    let worst = 0;
    for (let i = 0; i < s.kspace.data.length / 2; i++) {
      const c = i % cols;
      const expectRe = keep.has(c) ? full.kspace.data[2 * i]! : 0;
      const expectIm = keep.has(c) ? full.kspace.data[2 * i + 1]! : 0;
      worst = Math.max(worst, Math.abs(s.kspace.data[2 * i]! - expectRe), Math.abs(s.kspace.data[2 * i + 1]! - expectIm));
    }
    expect(worst).toBeLessThan(1e-5);
    expect(s.notes.join(' ')).toMatch(/averaged/);
  });

  it('multi-coil undersampled: every coil kept, mask kept', async () => {
    const s = await loadStudy({ path: join(fixtures(), 'mrd_under_mc.h5') });
    expect(s.coils).toBe(4);
    expect(s.kspace.data.length).toBe(s.kspace.slices * 4 * s.kspace.rows * s.kspace.cols * 2);
    expect(s.notes.join(' ')).toMatch(/4 coils, reconstructed jointly/);
    let n = 0;
    for (let c = 0; c < s.kspace.cols; c++) n += s.acquiredMask![c]!;
    expect(n).toBe(40);
  });

  it('orientation: read_dir / phase_dir become the column / row directions (LPS); absent or mixed → unknown', async () => {
    const fx = fixtures();
    // axial, readout along +x (L), phase encode along +y (P): rows follow phase_dir, columns read_dir
    const axial = await loadStudy({ path: join(fx, 'mrd_full.h5') });
    expect(axial.imageOrientation).toEqual([0, 1, 0, 1, 0, 0]);
    // sagittal: readout toward the feet (−z), phase encode toward posterior (+y)
    const sag = await loadStudy({ path: join(fx, 'mrd_sagittal.h5') });
    expect(sag.imageOrientation).toEqual([0, 1, 0, 0, 0, -1]);
    expect(sag.notes.join(' ')).not.toMatch(/Orientation unknown/);
    // the pixels are the same whatever the header says: orientation changes labels only
    expect(maxAbsDiff(sag.kspace.data, axial.kspace.data)).toBe(0);
    const none = await loadStudy({ path: join(fx, 'mrd_no_dirs.h5') });
    expect(none.imageOrientation).toBeUndefined();
    expect(none.notes.join(' ')).toMatch(/Orientation unknown: the acquisition headers leave read_dir\/phase_dir empty/);
    const mixed = await loadStudy({ path: join(fx, 'mrd_mixed_dirs.h5') });
    expect(mixed.imageOrientation).toBeUndefined();
    expect(mixed.notes.join(' ')).toMatch(/do not share one read_dir\/phase_dir/);
  });

  it('refuses non-Cartesian data', async () => {
    const e = await expectFlatError(loadStudy({ path: join(fixtures(), 'mrd_radial.h5') }), 'unsupported-content');
    expect(e.message).toMatch(/^mrd_radial\.h5: .*Cartesian/);
    const t = await expectFlatError(loadStudy({ path: join(fixtures(), 'mrd_traj_only.h5') }), 'unsupported-content');
    expect(t.message).toMatch(/trajectory/);
  });

  it('a damaged global heap that sends HDF5 into an endless loop ends in a FlatError; the next file loads', async () => {
    // Found by the fuzz test: these three bytes in the last global heap collection (GCOL) of
    // fuzz_mrd.h5 make H5Dread loop forever. The worker is terminated after its timeout.
    const fx = fixtures();
    const good = new Uint8Array(readFileSync(join(fx, 'fuzz_mrd.h5')));
    const gcol = Buffer.from(good).lastIndexOf('GCOL');
    expect(gcol).toBeGreaterThan(0);
    const bad = good.slice();
    bad[gcol + 30646] = 1;
    bad[gcol + 30648] = 0;
    bad[gcol + 30649] = 0;
    const before = discardedModules();
    await expectFlatError(loadStudy({ name: 'hang.h5', bytes: bad }));
    console.log(`[ismrmrd] HDF5 worker replaced after the damaged heap: ${discardedModules() > before ? 'yes (hang abandoned)' : 'no (this HDF5 build refused it directly)'}`);
    expect((await loadStudy({ name: 'good.h5', bytes: good })).format).toBe('ismrmrd-h5');
  });
});

describe('acquisitionOrientation (pure)', () => {
  it('normalises nearly-unit cosines, refuses non-perpendicular or non-finite ones, needs every line', () => {
    const s = Math.SQRT1_2;
    // an oblique axial tilted 45° about x, cosines rounded to 4 digits as a hand-written file would
    const r = acquisitionOrientation([{ dirs: [1, 0, 0, 0, 0.7071, 0.7071] }]);
    expect(r.value![0]).toBe(0);
    expect(r.value![1]).toBeCloseTo(s, 6);
    expect(r.value![2]).toBeCloseTo(s, 6);
    expect(r.value!.slice(3)).toEqual([1, 0, 0]);
    expect(acquisitionOrientation([{ dirs: [1, 0, 0, 1, 0, 0] }]).why).toMatch(/perpendicular/);
    expect(acquisitionOrientation([{ dirs: [NaN, 0, 0, 0, 1, 0] }]).why).toMatch(/perpendicular/);
    expect(acquisitionOrientation([{ dirs: [2, 0, 0, 0, 1, 0] }]).why).toMatch(/perpendicular/);
    expect(acquisitionOrientation([{}]).why).toMatch(/no read_dir/);
    expect(acquisitionOrientation([{ dirs: [1, 0, 0, 0, 1, 0] }, {}]).why).toMatch(/do not share/);
  });
});
