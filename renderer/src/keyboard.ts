// Keyboard shortcuts in the spirit of OHIF. The same table feeds the handler and the help overlay.

import {
  autoWindowNow,
  resetView,
  sliceBy,
  setSlice,
  stepBy,
  setStep,
  store,
  togglePlay,
} from './state/session';

export interface Shortcut {
  keys: string[];
  label: string;
  run: () => void;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ['w'], label: 'Window/level tool (drag)', run: () => (store.tool = 'wwwc') },
  { keys: ['p'], label: 'Pan tool (drag; middle button always pans)', run: () => (store.tool = 'pan') },
  { keys: ['z'], label: 'Zoom tool (drag; right button or Ctrl+wheel always zoom)', run: () => (store.tool = 'zoom') },
  { keys: ['r'], label: 'Reset view (fit, window, invert)', run: resetView },
  { keys: ['i'], label: 'Invert', run: () => (store.invert = !store.invert) },
  { keys: ['a'], label: 'Auto window (1–99 % of this image)', run: autoWindowNow },
  { keys: ['l'], label: 'Lock / unlock window across steps', run: () => (store.wlLocked = !store.wlLocked) },
  { keys: ['c'], label: 'Comparison layout on / off', run: () => (store.layout = store.layout === 'single' ? 'compare' : 'single') },
  { keys: [' '], label: 'Play / pause the trajectory (cine)', run: togglePlay },
  { keys: ['[', ','], label: 'Previous step (towards t = 1)', run: () => stepBy(-1) },
  { keys: [']', '.'], label: 'Next step (towards t = 0)', run: () => stepBy(1) },
  { keys: ['ArrowUp'], label: 'Previous slice', run: () => sliceBy(-1) },
  { keys: ['ArrowDown'], label: 'Next slice', run: () => sliceBy(1) },
  { keys: ['Home'], label: 'First slice', run: () => setSlice(0) },
  { keys: ['End'], label: 'Last slice', run: () => setSlice((store.study?.slices ?? 1) - 1) },
  { keys: ['0'], label: 'First step (zero-filled)', run: () => setStep(0) },
  { keys: ['9'], label: 'Last received step', run: () => setStep(store.received) },
  { keys: ['?'], label: 'This help', run: () => (store.helpOpen = !store.helpOpen) },
  { keys: ['Escape'], label: 'Close dialogs', run: () => ((store.helpOpen = false), (store.modelCardOpen = false), (store.studyBrowserOpen = false)) },
];

export function keyLabel(k: string): string {
  if (k === ' ') return 'Space';
  if (k === 'ArrowUp') return '↑';
  if (k === 'ArrowDown') return '↓';
  if (k === 'Escape') return 'Esc';
  return k.toUpperCase() === k ? k : k.toUpperCase();
}

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['range', 'checkbox', 'button', 'radio', 'file'].includes(target.type);
  return target.isContentEditable;
}

export function handleKey(e: KeyboardEvent): void {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (isTextEntry(e.target) && e.key !== 'Escape') return;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const hit = SHORTCUTS.find((s) => s.keys.includes(key) || s.keys.includes(e.key));
  if (!hit) return;
  e.preventDefault();
  hit.run();
}
