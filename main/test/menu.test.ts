// The application menu's structure and actions, with electron's Menu replaced by a recorder
// (no Electron binary here). View/Help items press keys the renderer really listens for.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { REPO_ROOT } from './helpers';

vi.mock('electron', () => ({ Menu: { buildFromTemplate: (t: unknown) => t } }));

const { buildMenu, VIEW_SHORTCUTS } = await import('../electron/menu');

function actions() {
  const calls: unknown[][] = [];
  const rec =
    (name: string) =>
    (...a: unknown[]) =>
      calls.push([name, ...a]);
  return {
    calls,
    a: { send: rec('send'), pressKey: rec('pressKey'), openRecent: rec('openRecent'), clearRecent: rec('clearRecent'), quit: rec('quit'), devTools: false },
  };
}

function find(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  for (const i of items) {
    if (i.label === label) return i;
    if (Array.isArray(i.submenu)) {
      try {
        return find(i.submenu, label);
      } catch {
        // keep looking
      }
    }
  }
  throw new Error(`no menu item ${label}`);
}

const click = (i: MenuItemConstructorOptions) => (i.click as unknown as () => void)();

describe('application menu', () => {
  it('File: open, sample, recent entries, quit', () => {
    const { a, calls } = actions();
    const entry = { paths: ['/data/knee.h5'], openedAt: '2026-11-26T00:00:00Z' };
    const menu = buildMenu([entry], a) as unknown as MenuItemConstructorOptions[];
    click(find(menu, 'Open…'));
    click(find(menu, 'Open Sample'));
    click(find(menu, 'knee.h5'));
    click(find(menu, 'Export DICOM…'));
    expect(calls).toEqual([
      ['send', { type: 'open-dialog' }],
      ['send', { type: 'open-sample' }],
      ['openRecent', entry],
      ['send', { type: 'export-dialog' }],
    ]);
    expect(find(menu, 'Export DICOM…').registerAccelerator).toBe(false); // the E key stays the page's
    const empty = buildMenu([], a) as unknown as MenuItemConstructorOptions[];
    expect(find(empty, 'No recent files').enabled).toBe(false);
  });

  it('View runs renderer actions and Help presses ?, without stealing the keys from the page', () => {
    const { a, calls } = actions();
    const menu = buildMenu([], a) as unknown as MenuItemConstructorOptions[];
    for (const [label, action] of VIEW_SHORTCUTS) {
      const item = find(menu, label);
      expect(item.registerAccelerator).toBe(false);
      click(item);
      expect(calls.at(-1)).toEqual(['send', { type: 'view-action', action }]);
    }
    click(find(menu, 'Keyboard Shortcuts'));
    expect(calls.at(-1)).toEqual(['pressKey', '?']);
    // Help ▸ Model Card opens the page's model card view (a MenuCommand), not a native dialog
    click(find(menu, 'Model Card'));
    expect(calls.at(-1)).toEqual(['send', { type: 'model-card' }]);
    expect(() => find(menu, 'Toggle Developer Tools')).toThrow();
  });

  const keys = path.join(REPO_ROOT, 'renderer/src/reading/keys.ts');
  it.skipIf(!existsSync(keys))('every View action is a renderer action, shown with its default key', () => {
    const src = readFileSync(keys, 'utf8');
    for (const [, action, shown] of VIEW_SHORTCUTS) {
      const m = new RegExp(`id: '${action}',[^\\n]*defaultKeys: \\['([^']*)'`).exec(src);
      expect(m, `renderer action ${action}`).not.toBeNull();
      const first = m![1]!;
      expect(first === ' ' ? 'Space' : first.toUpperCase()).toBe(shown);
    }
    expect(src).toContain("defaultKeys: ['?']");
  });
});
