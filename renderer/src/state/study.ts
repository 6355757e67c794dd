// Study store: the host connection's facts (transport, app info), the open study and slice, its
// slice images (zero-filled, reference, mask) with the neighbours fetched ahead, the mask form
// and the applied mask, what the app is busy with and the last error. Components read
// `studyState` (readonly) and `sliceImages`, and change them only through actions.

import { computed, markRaw, reactive, readonly, shallowRef } from 'vue';
import type { AppInfo, SliceImages, StudySummary } from '../../../app/contract/ipc';
import type { MaskSpec } from '../../../app/core/types';
import { maskSpecProblem } from '../../../app/masks/spec';
import { plainMessage, type Transport } from '../bridge';

export interface MaskSettings {
  kind: MaskSpec['kind'];
  accelerationChoice: '4' | '8' | 'custom';
  customAcceleration: number;
  centerFraction: number;
  seed: number;
}

/** Zero-filled images of neighbouring slices kept for a quick move (getSlice is one inverse FFT). */
const SLICE_CACHE_MAX = 6;

function initial() {
  return {
    transport: 'node-host' as Transport,
    info: null as AppInfo | null,
    study: null as StudySummary | null,
    slice: 0,
    /** Identifies the loaded slice images (a new value per getSlice). */
    sliceKey: 0,
    busy: '' as string,
    error: '' as string,
    acceleration: null as number | null,
    /** The mask of the images on screen (the form may since have changed without Apply). */
    appliedMask: null as MaskSpec | null,
    mask: {
      kind: 'random',
      accelerationChoice: '4',
      customAcceleration: 6,
      centerFraction: 0.08,
      seed: 0,
    } as MaskSettings,
  };
}
type StudyState = ReturnType<typeof initial>;

const state = reactive(initial());
export const studyState: Readonly<StudyState> = readonly(state) as Readonly<StudyState>;

/** Float data of the open slice (kept out of Vue's deep reactivity). */
const images = shallowRef<SliceImages | null>(null);
export const sliceImages = computed(() => images.value);

const sliceCache = new Map<string, SliceImages>();

export function resetStudyStore(): void {
  Object.assign(state, initial());
  images.value = null;
  sliceCache.clear();
}

// --- connection, errors, busy ----------------------------------------------------------------

export function setTransport(t: Transport): void {
  state.transport = t;
}

export function setInfo(info: AppInfo): void {
  state.info = info;
}

export function setBusy(label: string): void {
  state.busy = label;
}

export function showError(e: unknown): void {
  state.error = plainMessage(e);
}

export function dismissError(): void {
  state.error = '';
}

// --- study and slice -------------------------------------------------------------------------

/** A newly opened study, on `slice`; the slices fetched ahead for the old one are dropped. */
export function setStudy(summary: StudySummary, slice: number): void {
  sliceCache.clear();
  state.study = summary;
  state.slice = slice;
}

/** Moves to slice i (clamped); false when there is no study or nothing changed. */
export function setSliceIndex(i: number): boolean {
  if (!state.study) return false;
  const clamped = Math.min(Math.max(0, Math.round(i)), state.study.slices - 1);
  if (clamped === state.slice) return false;
  state.slice = clamped;
  return true;
}

/** The images of the open slice, with the mask they were made with. */
export function showSliceImages(si: SliceImages, mask: MaskSpec | undefined): void {
  images.value = markRaw(si);
  state.sliceKey++;
  state.acceleration = si.acceleration;
  state.appliedMask = mask ?? null;
}

export function setAcceleration(r: number | null): void {
  state.acceleration = r;
}

// --- the mask form ---------------------------------------------------------------------------

export function setMaskField<K extends keyof MaskSettings>(key: K, value: MaskSettings[K]): void {
  state.mask[key] = value;
}

export function maskSpec(): MaskSpec | undefined {
  if (!state.study || state.study.undersampled) return undefined;
  const m = state.mask;
  const acceleration = m.accelerationChoice === 'custom' ? m.customAcceleration : Number(m.accelerationChoice);
  return { kind: m.kind, acceleration, centerFraction: m.centerFraction, seed: m.seed };
}

/** Checks the mask form; a sentence for the reader when it is not usable. */
export function maskProblem(): string | null {
  const spec = maskSpec();
  if (!spec) return null;
  return maskSpecProblem(spec);
}

/** The mask as a cache key part. */
export function maskKey(mask: MaskSpec | undefined): string {
  return mask ? JSON.stringify([mask.kind, mask.acceleration, mask.centerFraction, mask.seed]) : 'as-acquired';
}

// --- slice images fetched ahead --------------------------------------------------------------

function sliceKeyOf(studyId: string, slice: number, mask: MaskSpec | undefined): string {
  return `${studyId}/${slice}/${maskKey(mask)}`;
}

export function cachedSliceImages(studyId: string, slice: number, mask: MaskSpec | undefined): SliceImages | undefined {
  const key = sliceKeyOf(studyId, slice, mask);
  const hit = sliceCache.get(key);
  if (hit) {
    sliceCache.delete(key); // most recently used last
    sliceCache.set(key, hit);
  }
  return hit;
}

export function keepSliceImages(studyId: string, slice: number, mask: MaskSpec | undefined, si: SliceImages): void {
  if (state.study?.studyId !== studyId) return;
  sliceCache.set(sliceKeyOf(studyId, slice, mask), markRaw(si));
  while (sliceCache.size > SLICE_CACHE_MAX) sliceCache.delete(sliceCache.keys().next().value as string);
}

/** How many slices are waiting in the slice-image cache (tests). */
export function prefetchedSlices(): number {
  return sliceCache.size;
}
