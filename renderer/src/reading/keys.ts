// Keyboard bindings, pure: which action each key runs, OHIF-style defaults, the text-field guard,
// validation of reader-made bindings and their persistence. No DOM or Vue here (unit-tested in
// Node); renderer/src/keyboard.ts wires the actions to the session.
//
// Defaults follow OHIF's hotkeys (r/l rotate, h/v flip, i invert, + − = zoom, Space reset, c cine,
// ↑/↓ images, Home/End first/last, 1–8 W/L presets, z zoom tool) except where they would take the
// trajectory keys, which stay as they were: [ , previous step, ] . next step, 0 first step, 9 last
// step (so the W/L presets stop at 8). Keys the old table gave to other actions moved: layout
// (was c) is g, lock W/L (was l) is k, reset (was r) is Space, cine (was Space) is c.

export type ActionId =
  | 'tool-wwwc'
  | 'tool-pan'
  | 'tool-zoom'
  | 'tool-length'
  | 'rotate-cw'
  | 'rotate-ccw'
  | 'flip-h'
  | 'flip-v'
  | 'invert'
  | 'zoom-in'
  | 'zoom-out'
  | 'zoom-fit'
  | 'reset'
  | 'auto-window'
  | 'lock-window'
  | 'preset-1'
  | 'preset-2'
  | 'preset-3'
  | 'preset-4'
  | 'preset-5'
  | 'preset-6'
  | 'preset-7'
  | 'preset-8'
  | 'layout'
  | 'contribution'
  | 'cine'
  | 'step-prev'
  | 'step-next'
  | 'step-first'
  | 'step-last'
  | 'slice-prev'
  | 'slice-next'
  | 'slice-back10'
  | 'slice-fwd10'
  | 'slice-first'
  | 'slice-last'
  | 'clear-measurements'
  | 'export'
  | 'help'
  | 'close';

export type ActionGroup = 'Tools' | 'View' | 'Window' | 'Trajectory' | 'Slices' | 'Other';

export interface ActionDef {
  id: ActionId;
  label: string;
  group: ActionGroup;
  defaultKeys: string[];
  /** Fixed actions cannot be rebound (Esc closes dialogs, ? opens this help). */
  fixed?: boolean;
}

export const ACTIONS: readonly ActionDef[] = [
  { id: 'tool-wwwc', label: 'Window/level tool (drag)', group: 'Tools', defaultKeys: ['w'] },
  { id: 'tool-pan', label: 'Pan tool (drag; middle button always pans)', group: 'Tools', defaultKeys: ['p'] },
  { id: 'tool-zoom', label: 'Zoom tool (drag; right button or Ctrl+wheel always zoom)', group: 'Tools', defaultKeys: ['z'] },
  { id: 'tool-length', label: 'Length measurement tool (drag; mm when the pixel spacing is known)', group: 'Tools', defaultKeys: ['m'] },
  { id: 'clear-measurements', label: 'Delete the measurements of this slice', group: 'Tools', defaultKeys: ['Delete', 'Backspace'] },
  { id: 'rotate-cw', label: 'Rotate 90° clockwise', group: 'View', defaultKeys: ['r'] },
  { id: 'rotate-ccw', label: 'Rotate 90° anticlockwise', group: 'View', defaultKeys: ['l'] },
  { id: 'flip-h', label: 'Flip horizontally', group: 'View', defaultKeys: ['h'] },
  { id: 'flip-v', label: 'Flip vertically', group: 'View', defaultKeys: ['v'] },
  { id: 'invert', label: 'Invert', group: 'View', defaultKeys: ['i'] },
  { id: 'zoom-in', label: 'Zoom in', group: 'View', defaultKeys: ['+'] },
  { id: 'zoom-out', label: 'Zoom out', group: 'View', defaultKeys: ['-'] },
  { id: 'zoom-fit', label: 'Zoom to fit', group: 'View', defaultKeys: ['='] },
  { id: 'reset', label: 'Reset view (fit, window, invert, rotation, flips)', group: 'View', defaultKeys: [' '] },
  { id: 'layout', label: 'Comparison layout on / off', group: 'View', defaultKeys: ['g'] },
  { id: 'contribution', label: 'Model-contribution pane on / off', group: 'View', defaultKeys: ['n'] },
  { id: 'auto-window', label: 'Auto window (1–99 % of this image)', group: 'Window', defaultKeys: ['a'] },
  { id: 'lock-window', label: 'Lock / unlock window across steps', group: 'Window', defaultKeys: ['k'] },
  { id: 'preset-1', label: 'W/L preset 1 (Auto 1–99 %)', group: 'Window', defaultKeys: ['1'] },
  { id: 'preset-2', label: 'W/L preset 2 (the DICOM VOI, or your first preset)', group: 'Window', defaultKeys: ['2'] },
  { id: 'preset-3', label: 'W/L preset 3', group: 'Window', defaultKeys: ['3'] },
  { id: 'preset-4', label: 'W/L preset 4', group: 'Window', defaultKeys: ['4'] },
  { id: 'preset-5', label: 'W/L preset 5', group: 'Window', defaultKeys: ['5'] },
  { id: 'preset-6', label: 'W/L preset 6', group: 'Window', defaultKeys: ['6'] },
  { id: 'preset-7', label: 'W/L preset 7', group: 'Window', defaultKeys: ['7'] },
  { id: 'preset-8', label: 'W/L preset 8', group: 'Window', defaultKeys: ['8'] },
  { id: 'cine', label: 'Play / pause the trajectory (cine)', group: 'Trajectory', defaultKeys: ['c'] },
  { id: 'step-prev', label: 'Previous step (towards t = 1)', group: 'Trajectory', defaultKeys: ['[', ','] },
  { id: 'step-next', label: 'Next step (towards t = 0)', group: 'Trajectory', defaultKeys: [']', '.'] },
  { id: 'step-first', label: 'First step (zero-filled)', group: 'Trajectory', defaultKeys: ['0'] },
  { id: 'step-last', label: 'Last received step', group: 'Trajectory', defaultKeys: ['9'] },
  { id: 'slice-prev', label: 'Previous slice', group: 'Slices', defaultKeys: ['ArrowUp'] },
  { id: 'slice-next', label: 'Next slice', group: 'Slices', defaultKeys: ['ArrowDown'] },
  { id: 'slice-back10', label: '10 slices back', group: 'Slices', defaultKeys: ['PageUp'] },
  { id: 'slice-fwd10', label: '10 slices on', group: 'Slices', defaultKeys: ['PageDown'] },
  { id: 'slice-first', label: 'First slice', group: 'Slices', defaultKeys: ['Home'] },
  { id: 'slice-last', label: 'Last slice', group: 'Slices', defaultKeys: ['End'] },
  { id: 'export', label: 'Export DICOM (this step, slice or series)', group: 'Other', defaultKeys: ['e'] },
  { id: 'help', label: 'This help', group: 'Other', defaultKeys: ['?'], fixed: true },
  { id: 'close', label: 'Close dialogs, cancel a measurement being drawn', group: 'Other', defaultKeys: ['Escape'], fixed: true },
];

export type Bindings = Record<ActionId, string[]>;

export const MAX_KEYS_PER_ACTION = 3;

/** Named keys a binding may use (besides single printable characters). */
export const NAMED_KEYS = [
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'Delete',
  'Backspace',
  'Insert',
  'F2',
  'F3',
  'F4',
  'F6',
  'F7',
  'F8',
  'F9',
] as const;

/** Keys no reader binding may take: focus and dialog keys, and the fixed actions' keys. */
export const RESERVED_KEYS = ['Tab', 'Enter', 'Escape', '?'];

export function defaultBindings(): Bindings {
  const b = {} as Bindings;
  for (const a of ACTIONS) b[a.id] = a.defaultKeys.slice();
  return b;
}

/**
 * The key name a KeyboardEvent stands for: letters lower-case (Shift+R is r), other printable
 * characters as typed ('+', '?', '{'), named keys as the browser names them.
 */
export function normaliseKey(key: string): string {
  if (key === 'Spacebar') return ' ';
  if (key.length === 1) return key.toLowerCase();
  if (key === 'Esc') return 'Escape';
  if (key === 'Up' || key === 'Down' || key === 'Left' || key === 'Right') return `Arrow${key}`;
  return key;
}

export function isValidKey(key: string): boolean {
  if (typeof key !== 'string') return false;
  if (key.length === 1) return key === ' ' || (key.trim() === key && key.toLowerCase() === key && key.charCodeAt(0) >= 0x21);
  return (NAMED_KEYS as readonly string[]).includes(key);
}

/** How the help and the settings panel name a key. */
export function keyLabel(k: string): string {
  switch (k) {
    case ' ':
      return 'Space';
    case 'ArrowUp':
      return '↑';
    case 'ArrowDown':
      return '↓';
    case 'ArrowLeft':
      return '←';
    case 'ArrowRight':
      return '→';
    case 'Escape':
      return 'Esc';
    case 'PageUp':
      return 'Page Up';
    case 'PageDown':
      return 'Page Down';
    default:
      return k.length === 1 ? k.toUpperCase() : k;
  }
}

/** The part of a focused element the guard needs (duck-typed so it is testable without a DOM). */
export interface FocusInfo {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
  role?: string | null;
}

const NON_TEXT_INPUTS = ['range', 'checkbox', 'button', 'radio', 'file', 'submit', 'reset', 'color', 'image'];

/** A text field, text area, select or editable element: the keyboard belongs to it. */
export function isTextEntry(f: FocusInfo | null | undefined): boolean {
  if (!f) return false;
  const tag = (f.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NON_TEXT_INPUTS.includes((f.type ?? 'text').toLowerCase());
  if (f.role === 'textbox' || f.role === 'combobox' || f.role === 'listbox' || f.role === 'spinbutton') return true;
  return f.isContentEditable === true;
}

/**
 * Should a key press reach the shortcuts? Never from text fields and selects (Escape excepted: it
 * still closes a dialog); never with Ctrl/Meta/Alt (browser and system shortcuts); and not when the
 * focused control uses the key itself (Space/Enter on a button or checkbox, arrows and Home/End on
 * a slider), so the focused control keeps working.
 */
export function shouldHandle(key: string, mods: { ctrl: boolean; meta: boolean; alt: boolean }, focus: FocusInfo | null | undefined): boolean {
  if (mods.ctrl || mods.meta || mods.alt) return false;
  const k = normaliseKey(key);
  if (isTextEntry(focus)) return k === 'Escape';
  const tag = (focus?.tagName ?? '').toUpperCase();
  const type = (focus?.type ?? '').toLowerCase();
  const isButtonLike = tag === 'BUTTON' || tag === 'SUMMARY' || (tag === 'INPUT' && ['checkbox', 'radio', 'button', 'submit', 'reset', 'file'].includes(type)) || focus?.role === 'button';
  if (isButtonLike && (k === ' ' || k === 'Enter')) return false;
  if (tag === 'INPUT' && type === 'range' && ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown'].includes(k)) return false;
  return true;
}

/** The action a key runs under these bindings, or null. */
export function actionFor(bindings: Bindings, key: string): ActionId | null {
  const k = normaliseKey(key);
  for (const a of ACTIONS) if ((bindings[a.id] ?? []).includes(k)) return a.id;
  return null;
}

export interface BindingProblem {
  action: ActionId | null;
  key?: string;
  message: string;
}

/** Every problem with a set of bindings, each one sentence; [] when it is usable. */
export function bindingProblems(bindings: Bindings): BindingProblem[] {
  const problems: BindingProblem[] = [];
  const owner = new Map<string, ActionId>();
  for (const a of ACTIONS) {
    const keys = bindings[a.id];
    if (!Array.isArray(keys)) {
      problems.push({ action: a.id, message: `“${a.label}” has no key list.` });
      continue;
    }
    if (a.fixed) {
      if (keys.join('\u0000') !== a.defaultKeys.join('\u0000')) problems.push({ action: a.id, message: `“${a.label}” cannot be rebound.` });
    } else if (keys.length > MAX_KEYS_PER_ACTION) {
      problems.push({ action: a.id, message: `“${a.label}” has more than ${MAX_KEYS_PER_ACTION} keys.` });
    }
    for (const k of keys) {
      if (!a.fixed && RESERVED_KEYS.includes(k)) {
        problems.push({ action: a.id, key: k, message: `${keyLabel(k)} is reserved (focus, dialogs, help).` });
        continue;
      }
      if (!isValidKey(k) && !(a.fixed && a.defaultKeys.includes(k))) {
        problems.push({ action: a.id, key: k, message: `“${keyLabel(String(k))}” cannot be used as a shortcut.` });
        continue;
      }
      const prev = owner.get(k);
      if (prev && prev !== a.id) {
        const other = ACTIONS.find((x) => x.id === prev)!;
        problems.push({ action: a.id, key: k, message: `${keyLabel(k)} is already “${other.label}”.` });
      } else owner.set(k, a.id);
    }
  }
  return problems;
}

/**
 * Adds `key` to `action`, taking it away from any other (non-fixed) action; the oldest key drops
 * out beyond MAX_KEYS_PER_ACTION. Returns new bindings (the input is not changed).
 */
export function rebind(bindings: Bindings, action: ActionId, key: string): Bindings {
  const k = normaliseKey(key);
  const next = {} as Bindings;
  for (const a of ACTIONS) next[a.id] = (bindings[a.id] ?? []).filter((x) => a.fixed || x !== k);
  const own = [...next[action].filter((x) => x !== k), k];
  next[action] = own.slice(Math.max(0, own.length - MAX_KEYS_PER_ACTION));
  return next;
}

/** Removes `key` from `action`. */
export function unbind(bindings: Bindings, action: ActionId, key: string): Bindings {
  return { ...bindings, [action]: (bindings[action] ?? []).filter((x) => x !== key) };
}

export const BINDINGS_STORAGE_KEY = 'flat.keyBindings.v1';

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem?(key: string): void;
}

/**
 * Saved bindings over the defaults. Only the actions the reader changed are stored; anything
 * unreadable, unknown or conflicting falls back to the defaults (with the reasons), so a damaged
 * entry can never leave the viewer without its keys.
 */
export function loadBindings(store: KeyValueStore): { bindings: Bindings; problems: string[] } {
  const base = defaultBindings();
  let raw: string | null = null;
  try {
    raw = store.getItem(BINDINGS_STORAGE_KEY);
  } catch {
    return { bindings: base, problems: [] };
  }
  if (!raw) return { bindings: base, problems: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { bindings: base, problems: ['The saved shortcuts could not be read; the defaults are used.'] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { bindings: base, problems: ['The saved shortcuts could not be read; the defaults are used.'] };
  }
  const merged = defaultBindings();
  for (const [id, keys] of Object.entries(parsed as Record<string, unknown>)) {
    const def = ACTIONS.find((a) => a.id === id);
    if (!def || def.fixed) continue;
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) continue;
    merged[def.id] = (keys as string[]).slice(0, MAX_KEYS_PER_ACTION);
  }
  // Keys the saved set gives to an action also leave the action that had them by default.
  const savedIds = new Set(Object.keys(parsed as object));
  for (const a of ACTIONS) {
    if (savedIds.has(a.id) || a.fixed) continue;
    merged[a.id] = merged[a.id].filter((k) => !ACTIONS.some((o) => o.id !== a.id && savedIds.has(o.id) && merged[o.id].includes(k)));
  }
  const problems = bindingProblems(merged);
  if (problems.length) return { bindings: base, problems: [`The saved shortcuts were not used: ${problems[0]!.message}`] };
  return { bindings: merged, problems: [] };
}

/** Stores the actions that differ from the defaults (refuses bindings with problems). */
export function saveBindings(store: KeyValueStore, bindings: Bindings): BindingProblem[] {
  const problems = bindingProblems(bindings);
  if (problems.length) return problems;
  const diff: Partial<Bindings> = {};
  for (const a of ACTIONS) {
    if (a.fixed) continue;
    if (bindings[a.id].join('\u0000') !== a.defaultKeys.join('\u0000')) diff[a.id] = bindings[a.id].slice();
  }
  try {
    if (Object.keys(diff).length === 0 && store.removeItem) store.removeItem(BINDINGS_STORAGE_KEY);
    else store.setItem(BINDINGS_STORAGE_KEY, JSON.stringify(diff));
  } catch {
    // Storage full or disabled: the bindings hold for this session only.
  }
  return [];
}
