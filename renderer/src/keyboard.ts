// Keyboard shortcuts: the action table and default keys live in reading/keys.ts (OHIF-style, the
// trajectory keys kept); the reader's own bindings in reading.bindings. The same table feeds this
// handler, the help overlay and the settings panel. Shortcuts never fire while a text field or a
// select has the focus.

import { ACTIONS, actionFor, shouldHandle, type ActionId, type FocusInfo } from './reading/keys';
import {
  applyNumberedPreset,
  cancelMeasure,
  clearMeasurementsHere,
  flipH,
  flipV,
  reading,
  rotateBy,
  shownScale,
  zoomBy,
  zoomToFit,
} from './state/reading';
import { autoWindowNow, resetView, sliceBy, setSlice, stepBy, setStep, store, togglePlay } from './state/session';
import { recent } from './state/recent';

export { ACTIONS, keyLabel } from './reading/keys';

export const RUN: Record<ActionId, () => void> = {
  'tool-wwwc': () => (store.tool = 'wwwc'),
  'tool-pan': () => (store.tool = 'pan'),
  'tool-zoom': () => (store.tool = 'zoom'),
  'tool-length': () => (store.tool = 'length'),
  'clear-measurements': clearMeasurementsHere,
  'rotate-cw': () => rotateBy(90),
  'rotate-ccw': () => rotateBy(-90),
  'flip-h': flipH,
  'flip-v': flipV,
  invert: () => (store.invert = !store.invert),
  'zoom-in': () => zoomBy(1.25, shownScale()),
  'zoom-out': () => zoomBy(0.8, shownScale()),
  'zoom-fit': zoomToFit,
  reset: resetView,
  layout: () => (store.layout = store.layout === 'single' ? 'compare' : 'single'),
  contribution: () => (reading.showContribution = !reading.showContribution),
  'auto-window': autoWindowNow,
  'lock-window': () => (store.wlLocked = !store.wlLocked),
  'preset-1': () => applyNumberedPreset(1),
  'preset-2': () => applyNumberedPreset(2),
  'preset-3': () => applyNumberedPreset(3),
  'preset-4': () => applyNumberedPreset(4),
  'preset-5': () => applyNumberedPreset(5),
  'preset-6': () => applyNumberedPreset(6),
  'preset-7': () => applyNumberedPreset(7),
  'preset-8': () => applyNumberedPreset(8),
  cine: togglePlay,
  'step-prev': () => stepBy(-1),
  'step-next': () => stepBy(1),
  'step-first': () => setStep(0),
  'step-last': () => setStep(store.received),
  'slice-prev': () => sliceBy(-1),
  'slice-next': () => sliceBy(1),
  'slice-back10': () => sliceBy(-10),
  'slice-fwd10': () => sliceBy(10),
  'slice-first': () => setSlice(0),
  'slice-last': () => setSlice((store.study?.slices ?? 1) - 1),
  export: () => (store.exportOpen = true),
  help: () => (store.helpOpen = !store.helpOpen),
  close: () => {
    if (cancelMeasure()) return;
    store.helpOpen = false;
    store.modelCardOpen = false;
    store.exportOpen = false;
    store.studyBrowserOpen = false;
    reading.settingsOpen = false;
  },
};

function focusInfo(el: Element | null): FocusInfo | null {
  if (!el || !(el instanceof HTMLElement)) return null;
  return {
    tagName: el.tagName,
    type: el instanceof HTMLInputElement ? el.type : undefined,
    isContentEditable: el.isContentEditable,
    role: el.getAttribute('role'),
  };
}

/** True while a modal dialog is open: it handles its own keys (Esc, Tab); shortcuts wait. */
function dialogOpen(): boolean {
  return store.helpOpen || store.modelCardOpen || store.exportOpen || store.studyBrowserOpen || reading.settingsOpen || recent.open;
}

export function handleKey(e: KeyboardEvent): void {
  if (e.defaultPrevented) return;
  // The focused element decides (the event target can be the body when focus sits in a field).
  const focus = focusInfo((e.target as Element | null) ?? null) ?? focusInfo(document.activeElement);
  const active = focusInfo(document.activeElement);
  if (!shouldHandle(e.key, { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey }, focus)) return;
  if (active && !shouldHandle(e.key, { ctrl: false, meta: false, alt: false }, active)) return;
  const action = actionFor(reading.bindings, e.key);
  if (!action) return;
  if (dialogOpen() && action !== 'close' && action !== 'help') return;
  e.preventDefault();
  RUN[action]();
}

/** Labels for the help overlay, in table order. */
export function shortcutRows(): { id: ActionId; label: string; group: string; keys: string[] }[] {
  return ACTIONS.map((a) => ({ id: a.id, label: a.label, group: a.group, keys: reading.bindings[a.id] ?? [] }));
}
