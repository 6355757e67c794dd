// The application menu. View and Help items press the renderer's own keyboard shortcuts (see
// renderer/src/keyboard.ts), so they work without any extra API; their accelerators are shown but
// not registered, leaving the keys to the page. File items that open studies need the renderer to
// learn about the new study: they go out as MenuCommands (common/menu-commands.ts).

import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../common/menu-commands';
import { recentLabel, type RecentEntry } from '../common/recent-files';

export interface MenuActions {
  send(command: MenuCommand): void;
  /** Deliver a key press to the page (one of the renderer's shortcuts). */
  pressKey(key: string): void;
  openRecent(entry: RecentEntry): void;
  clearRecent(): void;
  showModelCard(): void;
  quit(): void;
  devTools: boolean;
}

/** Renderer shortcuts offered in the View menu: [label, key the page listens for, accelerator shown]. */
export const VIEW_SHORTCUTS: readonly [string, string, string][] = [
  ['Comparison Layout', 'c', 'C'],
  ['Play / Pause Trajectory', ' ', 'Space'],
  ['Previous Step', '[', '['],
  ['Next Step', ']', ']'],
  ['Reset View', 'r', 'R'],
  ['Auto Window', 'a', 'A'],
  ['Lock Window Across Steps', 'l', 'L'],
  ['Invert', 'i', 'I'],
];

export function buildMenu(recent: RecentEntry[], a: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? [
        ...recent.map((e) => ({ label: recentLabel(e), toolTip: e.paths[0], click: () => a.openRecent(e) })),
        { type: 'separator' as const },
        { label: 'Clear Recent', click: () => a.clearRecent() },
      ]
    : [{ label: 'No recent files', enabled: false }];
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => a.send({ type: 'open-dialog' }) },
        { label: 'Open Sample', click: () => a.send({ type: 'open-sample' }) },
        { label: 'Recent Files', submenu: recentItems },
        { type: 'separator' },
        // the page's export dialog (the same as its Export button and the E key); the folder is
        // then asked with the main process's save dialog
        { label: 'Export DICOM…', accelerator: 'E', registerAccelerator: false, click: () => a.send({ type: 'export-dialog' }) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => a.quit() },
      ],
    },
    {
      label: '&View',
      submenu: [
        ...VIEW_SHORTCUTS.map(([label, key, shown]) => ({ label, accelerator: shown, registerAccelerator: false, click: () => a.pressKey(key) })),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
        ...(a.devTools ? [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    {
      label: '&Help',
      submenu: [
        { label: 'Keyboard Shortcuts', accelerator: '?', registerAccelerator: false, click: () => a.pressKey('?') },
        { label: 'Model Card', click: () => a.showModelCard() },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
