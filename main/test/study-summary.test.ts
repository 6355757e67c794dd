// What the renderer learns about a study's geometry: pixel spacing and orientation when the file
// said them, nothing (= "orientation unknown") otherwise.
import { describe, expect, it } from 'vitest';
import type { Study } from '../../app/core/types';
import { summarize } from '../data-plane/study-service';

function study(extra: Partial<Study>): Study {
  return {
    format: 'dicom',
    source: '/x/a.dcm',
    content: 'image',
    kspace: { kind: 'complex', slices: 1, rows: 2, cols: 2, data: new Float32Array(8) },
    simulatedKspace: true,
    notes: [],
    ...extra,
  };
}

describe('summarize: geometry', () => {
  it('passes the DICOM ImageOrientationPatient and pixel spacing on', () => {
    const s = summarize('st-1', study({ pixelSpacingMm: [0.86, 0.86], dicom: { imageOrientationPatient: [0, 1, 0, 0, 0, -1] } }));
    expect(s.imageOrientation).toEqual([0, 1, 0, 0, 0, -1]);
    expect(s.pixelSpacingMm).toEqual([0.86, 0.86]);
  });
  it('prefers the study-level orientation (NIfTI reslicing) and leaves it out when unknown', () => {
    expect(summarize('st-2', study({ format: 'nifti', imageOrientation: [1, 0, 0, 0, 1, 0] })).imageOrientation).toEqual([1, 0, 0, 0, 1, 0]);
    const none = summarize('st-3', study({ format: 'fastmri-h5', content: 'kspace' }));
    expect('imageOrientation' in none).toBe(false);
    expect('pixelSpacingMm' in none).toBe(false);
  });
});
