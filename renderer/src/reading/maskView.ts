// The sampling mask as the reader sees it: one overlay line (type, R, lines, centre, seed) and the
// data for the k-space thumbnail. Reads the session; the arithmetic is in scales.ts.
import {sliceImages } from '../state/session';
import { studyState } from '../state/study';
import { maskLine, summariseColumns } from './scales';

export function maskOverlayLine(): string {
  const si = sliceImages.value;
  if (!si || !studyState.study) return '';
  const summary = si.maskColumns ? summariseColumns(si.maskColumns) : null;
  return maskLine(studyState.appliedMask, summary, studyState.study.undersampled);
}
