// Keyboard bindings: OHIF-style defaults without taking the trajectory keys, the text-field guard,
// validation and persistence of reader-made bindings.
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  BINDINGS_STORAGE_KEY,
  actionFor,
  bindingProblems,
  defaultBindings,
  isTextEntry,
  keyLabel,
  loadBindings,
  normaliseKey,
  rebind,
  saveBindings,
  shouldHandle,
  unbind,
} from './keys';

const none = { ctrl: false, meta: false, alt: false };

function memoryStore(initial?: string) {
  const m = new Map<string, string>();
  if (initial !== undefined) m.set(BINDINGS_STORAGE_KEY, initial);
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

describe('default bindings', () => {
  const b = defaultBindings();
  it('follow OHIF where it does not clash with the trajectory keys', () => {
    expect(actionFor(b, 'r')).toBe('rotate-cw');
    expect(actionFor(b, 'l')).toBe('rotate-ccw');
    expect(actionFor(b, 'h')).toBe('flip-h');
    expect(actionFor(b, 'v')).toBe('flip-v');
    expect(actionFor(b, 'i')).toBe('invert');
    expect(actionFor(b, '+')).toBe('zoom-in');
    expect(actionFor(b, '-')).toBe('zoom-out');
    expect(actionFor(b, '=')).toBe('zoom-fit');
    expect(actionFor(b, ' ')).toBe('reset');
    expect(actionFor(b, 'c')).toBe('cine');
    expect(actionFor(b, 'z')).toBe('tool-zoom');
    expect(actionFor(b, 'ArrowDown')).toBe('slice-next');
    expect(actionFor(b, 'ArrowUp')).toBe('slice-prev');
    expect(actionFor(b, 'Home')).toBe('slice-first');
    expect(actionFor(b, 'End')).toBe('slice-last');
    for (let n = 1; n <= 8; n++) expect(actionFor(b, String(n))).toBe(`preset-${n}`);
  });
  it('keep the trajectory step keys', () => {
    expect(actionFor(b, '[')).toBe('step-prev');
    expect(actionFor(b, ',')).toBe('step-prev');
    expect(actionFor(b, ']')).toBe('step-next');
    expect(actionFor(b, '.')).toBe('step-next');
    expect(actionFor(b, '0')).toBe('step-first');
    expect(actionFor(b, '9')).toBe('step-last');
  });
  it('have no problems and no key twice', () => {
    expect(bindingProblems(b)).toEqual([]);
    const all = ACTIONS.flatMap((a) => a.defaultKeys);
    expect(new Set(all).size).toBe(all.length);
  });
  it('letters match regardless of Shift; names are readable', () => {
    expect(actionFor(b, 'R')).toBe('rotate-cw');
    expect(normaliseKey('Esc')).toBe('Escape');
    expect(keyLabel(' ')).toBe('Space');
    expect(keyLabel('ArrowDown')).toBe('↓');
    expect(keyLabel('r')).toBe('R');
  });
});

describe('keyboard guard', () => {
  it('never fires from text fields, text areas, selects or editable elements (Escape still closes)', () => {
    for (const f of [
      { tagName: 'INPUT', type: 'text' },
      { tagName: 'input', type: 'number' },
      { tagName: 'INPUT', type: 'search' },
      { tagName: 'INPUT' },
      { tagName: 'TEXTAREA' },
      { tagName: 'SELECT' },
      { tagName: 'DIV', isContentEditable: true },
      { tagName: 'DIV', role: 'textbox' },
    ]) {
      expect(isTextEntry(f)).toBe(true);
      expect(shouldHandle('i', none, f)).toBe(false);
      expect(shouldHandle(' ', none, f)).toBe(false);
      expect(shouldHandle('Escape', none, f)).toBe(true);
    }
  });
  it('fires on the page, the viewport and sliders, not with Ctrl/Meta/Alt', () => {
    expect(shouldHandle('i', none, null)).toBe(true);
    expect(shouldHandle('i', none, { tagName: 'DIV' })).toBe(true);
    expect(shouldHandle('i', none, { tagName: 'INPUT', type: 'range' })).toBe(true);
    expect(shouldHandle('i', { ...none, ctrl: true }, null)).toBe(false);
    expect(shouldHandle('i', { ...none, meta: true }, null)).toBe(false);
    expect(shouldHandle('i', { ...none, alt: true }, null)).toBe(false);
  });
  it('leaves a focused control its own keys', () => {
    expect(shouldHandle(' ', none, { tagName: 'BUTTON' })).toBe(false);
    expect(shouldHandle('Enter', none, { tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(shouldHandle('r', none, { tagName: 'BUTTON' })).toBe(true);
    expect(shouldHandle('ArrowUp', none, { tagName: 'INPUT', type: 'range' })).toBe(false);
    expect(shouldHandle('Home', none, { tagName: 'INPUT', type: 'range' })).toBe(false);
  });
});

describe('rebinding', () => {
  it('moves a key from its old action and keeps at most 3 keys', () => {
    const b = rebind(defaultBindings(), 'layout', 'r');
    expect(actionFor(b, 'r')).toBe('layout');
    expect(b['rotate-cw']).toEqual([]);
    expect(b.layout).toEqual(['g', 'r']);
    const c = rebind(rebind(rebind(b, 'layout', 'x'), 'layout', 'y'), 'layout', 'u');
    expect(c.layout).toEqual(['x', 'y', 'u']);
    expect(unbind(c, 'layout', 'y').layout).toEqual(['x', 'u']);
  });
  it('refuses reserved, invalid and duplicated keys, and changes to fixed actions', () => {
    const b = defaultBindings();
    expect(bindingProblems({ ...b, layout: ['Tab'] })[0]!.message).toMatch(/reserved/);
    expect(bindingProblems({ ...b, layout: ['?'] })[0]!.message).toMatch(/reserved/);
    expect(bindingProblems({ ...b, layout: ['ab'] })[0]!.message).toMatch(/cannot be used/);
    expect(bindingProblems({ ...b, layout: ['R'] })[0]!.message).toMatch(/cannot be used/);
    expect(bindingProblems({ ...b, layout: ['r'] })[0]!.message).toMatch(/already/);
    expect(bindingProblems({ ...b, help: ['h'] }).some((p) => /cannot be rebound/.test(p.message))).toBe(true);
    expect(bindingProblems({ ...b, layout: ['x', 'y', 'u', 'q'] })[0]!.message).toMatch(/more than 3/);
  });
  it('saves only the changes and loads them back', () => {
    const s = memoryStore();
    const b = rebind(defaultBindings(), 'layout', 'x');
    expect(saveBindings(s, b)).toEqual([]);
    expect(JSON.parse(s.m.get(BINDINGS_STORAGE_KEY)!)).toEqual({ layout: ['g', 'x'] });
    const back = loadBindings(s);
    expect(back.problems).toEqual([]);
    expect(back.bindings).toEqual(b);
    // Back to the defaults: the entry goes.
    expect(saveBindings(s, defaultBindings())).toEqual([]);
    expect(s.m.has(BINDINGS_STORAGE_KEY)).toBe(false);
  });
  it('a key moved to another action leaves its default owner after loading', () => {
    const s = memoryStore();
    saveBindings(s, rebind(defaultBindings(), 'layout', 'r'));
    const back = loadBindings(s).bindings;
    expect(actionFor(back, 'r')).toBe('layout');
    expect(back['rotate-cw']).toEqual([]);
  });
  it('refuses to save bindings with problems', () => {
    const s = memoryStore();
    expect(saveBindings(s, { ...defaultBindings(), layout: ['r'] }).length).toBeGreaterThan(0);
    expect(s.m.has(BINDINGS_STORAGE_KEY)).toBe(false);
  });
  it('damaged or hostile saved entries fall back to the defaults with a reason', () => {
    for (const raw of ['{', '[]', '"x"', JSON.stringify({ layout: ['Tab'] }), JSON.stringify({ layout: ['i'], invert: ['i'] })]) {
      const r = loadBindings(memoryStore(raw));
      expect(r.bindings).toEqual(defaultBindings());
      expect(r.problems.length).toBe(1);
    }
    // Unknown actions, fixed actions and non-arrays are ignored.
    const r = loadBindings(memoryStore(JSON.stringify({ nope: ['x'], help: ['h'], layout: 'x', __proto__: { a: 1 } })));
    expect(r.bindings).toEqual(defaultBindings());
    expect(r.problems).toEqual([]);
  });
});
