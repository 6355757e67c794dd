// Overlay text shared by the panes (ViewportPane.vue) and, in the compare layout, the strip above
// them (CompareStrip.vue): one definition, so the strip says exactly what a pane would.
import { computed, reactive } from 'vue';
import { formatValue } from '../imaging/windowing';
import { orientationMarkers, type Orientation } from '../reading/geometry';
import { maskOverlayLine } from '../reading/maskView';
import { store } from './session';

export const stepLabel = computed(() => {
  const k = store.currentStep;
  const t = store.tSchedule[k];
  return `step ${k}/${store.nSteps || '–'}${t !== undefined ? ` · t = ${t.toFixed(3)}` : ''}`;
});

export const patientLine = computed(() => {
  const d = store.study?.dicom;
  if (!d) return store.study?.source ?? '';
  return [d.patientName, d.patientId].filter(Boolean).join(' · ') || store.study?.source || '';
});

export const seriesLine = computed(() => {
  const d = store.study?.dicom;
  if (!d) return store.study?.format ?? '';
  return [d.studyDescription, d.seriesDescription, d.seriesNumber !== undefined ? `#${d.seriesNumber}` : '']
    .filter(Boolean)
    .join(' · ');
});

/** "256×256 · 0.86×0.86 mm": the displayed matrix and, when known, the pixel size. */
export const matrixLine = computed(() => {
  const s = store.study;
  if (!s) return '';
  return `${s.displayRows}×${s.displayCols}${s.pixelSpacingMm ? ` · ${formatValue(s.pixelSpacingMm[1])}×${formatValue(s.pixelSpacingMm[0])} mm` : ''}`;
});

export const markers = computed(() =>
  orientationMarkers(store.study?.imageOrientation as Orientation | undefined, { rotation: store.rotation, hflip: store.hflip, vflip: store.vflip }),
);

export const maskText = computed(() => {
  void store.version;
  return maskOverlayLine();
});

export const viewNote = computed(() => {
  const parts: string[] = [];
  if (store.rotation) parts.push(`rotated ${store.rotation}°`);
  if (store.hflip) parts.push('flipped ↔');
  if (store.vflip) parts.push('flipped ↕');
  return parts.join(' · ');
});

/**
 * The map panes on screen and the fraction of their pixels at or above the scale's top, published
 * by each map pane so the compare strip can draw their colour bars.
 */
export const mapPanes = reactive<Record<'error' | 'contribution', { saturated: number } | undefined>>({ error: undefined, contribution: undefined });
