// Keyboard shortcuts: the action table and default keys live in reading/keys.ts (OHIF-style, the
// trajectory keys kept); the reader's own bindings in reading.bindings. The same table feeds this
// handler, the help overlay and the settings panel. Shortcuts never fire while a text field or a
// select has the focus.

import { ACTIONS, actionFor, shouldHandle, type ActionId, type FocusInfo } from './reading/keys';
import { applyNumberedPreset, cancelMeasure, clearMeasurementsHere, reading, shownScale } from './state/reading';
import { autoWindowNow, resetView, sliceBy, setSlice, stepBy, setStep, togglePlay } from './state/session';
import { flipH, flipV, rotateBy, setTool, toggleInvert, toggleWindowLock, zoomBy, zoomToFit } from './state/viewport';
import { anyDialogOpen, closeAllDialogs, showDialog, toggleContribution, toggleDialog, toggleLayout } from './state/layout';
import { runState } from './state/run';
import { studyState } from './state/study';
import { recent } from './state/recent';

export { ACTIONS, keyLabel } from './reading/keys';

export const RUN: Record<ActionId, () => void> = {
  'tool-wwwc': () => setTool('wwwc'),
  'tool-pan': () => setTool('pan'),
  'tool-zoom': () => setTool('zoom'),
  'tool-length': () => setTool('length'),
  'clear-measurements': clearMeasurementsHere,
  'rotate-cw': () => rotateBy(90),
  'rotate-ccw': () => rotateBy(-90),
  'flip-h': flipH,
  'flip-v': flipV,
  invert: toggleInvert,
  'zoom-in': () => zoomBy(1.25, shownScale()),
  'zoom-out': () => zoomBy(0.8, shownScale()),
  'zoom-fit': zoomToFit,
  reset: resetView,
  layout: toggleLayout,
  contribution: toggleContribution,
  'auto-window': autoWindowNow,
  'lock-window': toggleWindowLock,
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
  'step-last': () => setStep(runState.received),
  'slice-prev': () => sliceBy(-1),
  'slice-next': () => sliceBy(1),
  'slice-back10': () => sliceBy(-10),
  'slice-fwd10': () => sliceBy(10),
  'slice-first': () => setSlice(0),
  'slice-last': () => setSlice((studyState.study?.slices ?? 1) - 1),
  export: () => showDialog('export'),
  help: () => toggleDialog('help'),
  close: () => {
    if (cancelMeasure()) return;
    closeAllDialogs();
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


export function handleKey(e: KeyboardEvent): void {
  if (e.defaultPrevented) return;
  // The focused element decides (the event target can be the body when focus sits in a field).
  const focus = focusInfo((e.target as Element | null) ?? null) ?? focusInfo(document.activeElement);
  const active = focusInfo(document.activeElement);
  if (!shouldHandle(e.key, { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey }, focus)) return;
  if (active && !shouldHandle(e.key, { ctrl: false, meta: false, alt: false }, active)) return;
  const action = actionFor(reading.bindings, e.key);
  if (!action) return;
  // a modal dialog handles its own keys (Esc, Tab); shortcuts wait
  if ((anyDialogOpen() || recent.open) && action !== 'close' && action !== 'help') return;
  e.preventDefault();
  RUN[action]();
}

/** Labels for the help overlay, in table order. */
/** Runs a View-menu action by id; false when there is no such action. */
export function runAction(id: string): boolean {
  if (!Object.hasOwn(RUN, id)) return false;
  RUN[id as ActionId]();
  return true;
}

export function shortcutRows(): { id: ActionId; label: string; group: string; keys: string[] }[] {
  return ACTIONS.map((a) => ({ id: a.id, label: a.label, group: a.group, keys: reading.bindings[a.id] ?? [] }));
}
