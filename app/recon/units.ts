// The display units of a study (app/display/units.ts) from its data: the volume maximum of the
// reference (fastMRI's data range), else — already undersampled k-space without a reference —
// of the zero-filled (RSS) images of the k-space as stored. Node side: it needs the FFT.
import type { Study } from '../core/types';
import { displayUnits, type DisplayUnits } from '../display/units';
import { coilImages, rssImage } from './coils';
import { volumeMax } from './evaluate';

const cache = new WeakMap<Study, DisplayUnits>();

function zeroFilledMax(study: Study): number | undefined {
  const { rows, cols, slices, data } = study.kspace;
  const coils = study.coils ?? 1;
  const n = rows * cols;
  let peak = 0;
  for (let s = 0; s < slices; s++) {
    const k = data.subarray(s * coils * n * 2, (s + 1) * coils * n * 2);
    const img = rssImage(coilImages(k, coils, rows, cols), coils, n);
    for (let i = 0; i < img.length; i++) if (img[i]! > peak) peak = img[i]!;
  }
  return peak > 0 ? peak : undefined;
}

export function studyUnits(study: Study): DisplayUnits {
  const hit = cache.get(study);
  if (hit) return hit;
  const units = displayUnits(study.format, volumeMax(study) ?? zeroFilledMax(study));
  cache.set(study, units);
  return units;
}
