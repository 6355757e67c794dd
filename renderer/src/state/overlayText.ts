// Overlay text shared by the panes (ViewportPane.vue) and, in the compare layout, the strip above
// them (CompareStrip.vue): one definition, so the strip says exactly what a pane would.
import { computed, reactive } from 'vue';
import { formatValue } from '../imaging/windowing';
import { orientationMarkers, type Orientation } from '../reading/geometry';
import { maskOverlayLine } from '../reading/maskView';
import { runState } from './run';
import { studyState } from './study';
import { viewState } from './viewport';

export const stepLabel = computed(() => {
  const k = runState.currentStep;
  const t = runState.tSchedule[k];
  return `step ${k}/${runState.nSteps || '–'}${t !== undefined ? ` · t = ${t.toFixed(3)}` : ''}`;
});

export const patientLine = computed(() => {
  const d = studyState.study?.dicom;
  if (!d) return studyState.study?.source ?? '';
  return [d.patientName, d.patientId].filter(Boolean).join(' · ') || studyState.study?.source || '';
});

export const seriesLine = computed(() => {
  const d = studyState.study?.dicom;
  if (!d) return studyState.study?.format ?? '';
  return [d.studyDescription, d.seriesDescription, d.seriesNumber !== undefined ? `#${d.seriesNumber}` : '']
    .filter(Boolean)
    .join(' · ');
});

/** "256×256 · 0.86×0.86 mm": the displayed matrix and, when known, the pixel size. */
export const matrixLine = computed(() => {
  const s = studyState.study;
  if (!s) return '';
  return `${s.displayRows}×${s.displayCols}${s.pixelSpacingMm ? ` · ${formatValue(s.pixelSpacingMm[1])}×${formatValue(s.pixelSpacingMm[0])} mm` : ''}`;
});

export const markers = computed(() =>
  orientationMarkers(studyState.study?.imageOrientation as Orientation | undefined, { rotation: viewState.rotation, hflip: viewState.hflip, vflip: viewState.vflip }),
);

export const maskText = computed(() => {
  void runState.version;
  return maskOverlayLine();
});

export const viewNote = computed(() => {
  const parts: string[] = [];
  if (viewState.rotation) parts.push(`rotated ${viewState.rotation}°`);
  if (viewState.hflip) parts.push('flipped ↔');
  if (viewState.vflip) parts.push('flipped ↕');
  return parts.join(' · ');
});

/**
 * The map panes on screen and the fraction of their pixels at or above the scale's top, published
 * by each map pane so the compare strip can draw their colour bars.
 */
export const mapPanes = reactive<Record<'error' | 'contribution', { saturated: number } | undefined>>({ error: undefined, contribution: undefined });
