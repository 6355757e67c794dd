// The application menu. View items run the renderer's own actions (renderer/src/reading/keys.ts)
// through a MenuCommand, so they do the same thing whatever key the reader bound the action to; the
// default key is shown as the accelerator but not registered, leaving the keys to the page. Help ▸
// Keyboard Shortcuts presses ? (fixed). File items that open studies need the renderer to learn
// about the new study: they go out as MenuCommands too (common/menu-commands.ts).

import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../common/menu-commands';
import { recentLabel, type RecentEntry } from '../common/recent-files';

export interface MenuActions {
  send(command: MenuCommand): void;
  /** Deliver a key press to the page (one of the renderer's shortcuts). */
  pressKey(key: string): void;
  openRecent(entry: RecentEntry): void;
  clearRecent(): void;
  quit(): void;
  devTools: boolean;
}

/** Renderer actions offered in the View menu: [label, action id, default key shown]. */
export const VIEW_SHORTCUTS: readonly [string, string, string][] = [
  ['Comparison Layout', 'layout', 'G'],
  ['Model Contribution', 'contribution', 'N'],
  ['Play / Pause Trajectory', 'cine', 'C'],
  ['Previous Step', 'step-prev', '['],
  ['Next Step', 'step-next', ']'],
  ['Rotate Clockwise', 'rotate-cw', 'R'],
  ['Flip Horizontally', 'flip-h', 'H'],
  ['Flip Vertically', 'flip-v', 'V'],
  ['Reset View', 'reset', 'Space'],
  ['Auto Window', 'auto-window', 'A'],
  ['Lock Window Across Steps', 'lock-window', 'K'],
  ['Invert', 'invert', 'I'],
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
        ...VIEW_SHORTCUTS.map(([label, action, shown]) => ({ label, accelerator: shown, registerAccelerator: false, click: () => a.send({ type: 'view-action', action }) })),
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
        // the page's own model card view (readable, with the hash checks), not a native dialog
        { label: 'Model Card', click: () => a.send({ type: 'model-card' }) },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
