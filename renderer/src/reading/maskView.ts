// The sampling mask as the reader sees it: one overlay line (type, R, lines, centre, seed) and the
// data for the k-space thumbnail. Reads the session; the arithmetic is in scales.ts.
import { sliceImages, store } from '../state/session';
import { maskLine, summariseColumns } from './scales';

export function maskOverlayLine(): string {
  const si = sliceImages.value;
  if (!si || !store.study) return '';
  const summary = si.maskColumns ? summariseColumns(si.maskColumns) : null;
  return maskLine(store.appliedMask, summary, store.study.undersampled);
}
