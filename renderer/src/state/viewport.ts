// Viewport store: the one view every pane follows (window/level and its lock, invert, zoom, pan,
// rotation, flips), the mouse tool and the window presets. Components read `viewState` (readonly)
// and change it only through the actions below.

import { reactive, readonly } from 'vue';
import { normaliseRotation } from '../reading/geometry';
import type { WindowLevel, WindowPreset } from '../imaging/windowing';

export type Tool = 'wwwc' | 'pan' | 'zoom' | 'length';
export type Rotation = 0 | 90 | 180 | 270;

function initial() {
  return {
    wl: null as WindowLevel | null,
    wlLocked: true,
    invert: false,
    /** null = fit to window. */
    scale: null as number | null,
    translation: { x: 0, y: 0 },
    /** Clockwise quarter turns and flips, shared by every pane (cornerstone applies flips first). */
    rotation: 0 as Rotation,
    hflip: false,
    vflip: false,
    tool: 'wwwc' as Tool,
    presets: [] as WindowPreset[],
  };
}
type ViewState = ReturnType<typeof initial>;

const state = reactive(initial());
export const viewState: Readonly<ViewState> = readonly(state) as Readonly<ViewState>;

const ZOOM_MIN = 0.05;
const ZOOM_MAX = 40;
const clampZoom = (s: number): number => Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, s));

export function resetViewportStore(): void {
  Object.assign(state, initial());
}

/** A usable window (positive width, finite centre) replaces the shared one; others are ignored. */
export function setWindow(wl: WindowLevel): void {
  if (!(wl.width > 0) || !Number.isFinite(wl.center)) return;
  state.wl = { center: wl.center, width: wl.width };
}

/** No window: the next image shown decides it (a new study). */
export function clearWindow(): void {
  state.wl = null;
}

export function setWindowLock(locked: boolean): void {
  state.wlLocked = locked;
}

export function toggleWindowLock(): void {
  state.wlLocked = !state.wlLocked;
}

export function toggleInvert(): void {
  state.invert = !state.invert;
}

export function setTool(tool: Tool): void {
  state.tool = tool;
}

export function rotateBy(deg: number): void {
  state.rotation = normaliseRotation(state.rotation + deg);
}

export function flipH(): void {
  state.hflip = !state.hflip;
}

export function flipV(): void {
  state.vflip = !state.vflip;
}

/** Multiplies the zoom; `currentScale` is the scale cornerstone shows now (the fit when null). */
export function zoomBy(factor: number, currentScale: number): void {
  state.scale = clampZoom(currentScale * factor);
}

export function zoomToFit(): void {
  state.scale = null;
  state.translation = { x: 0, y: 0 };
}

/** Zoom and pan together (mouse drags, Ctrl+wheel about the cursor). */
export function setZoomPan(scale: number, translation: { x: number; y: number }): void {
  state.scale = clampZoom(scale);
  state.translation = { x: translation.x, y: translation.y };
}

/** Fit, no rotation or flips (invert and window stay): a newly opened study. */
export function resetGeometry(): void {
  zoomToFit();
  state.rotation = 0;
  state.hflip = false;
  state.vflip = false;
}

/** Fit, no rotation, flips or invert; the window is the caller's (resetView picks it). */
export function resetViewExceptWindow(): void {
  resetGeometry();
  state.invert = false;
}

export function setPresets(presets: WindowPreset[]): void {
  state.presets = presets;
}
