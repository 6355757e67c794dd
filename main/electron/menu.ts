// The application menu. Commands that concern the page go to the renderer as MenuCommands;
// recent files are opened here (the renderer cannot open paths) and announced as study-opened.

import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../common/menu-commands';
import { recentLabel, type RecentEntry } from '../common/recent-files';

export interface MenuActions {
  send(command: MenuCommand): void;
  openRecent(entry: RecentEntry): void;
  clearRecent(): void;
  showModelCard(): void;
  showShortcuts(): void;
  quit(): void;
  devTools: boolean;
}

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
        isMac ? { role: 'close' } : { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => a.quit() },
      ],
    },
    {
      label: '&View',
      submenu: [
        { label: 'Toggle Reference', accelerator: 'R', registerAccelerator: false, click: () => a.send({ type: 'toggle', view: 'reference' }) },
        { label: 'Toggle Metrics', accelerator: 'M', registerAccelerator: false, click: () => a.send({ type: 'toggle', view: 'metrics' }) },
        { label: 'Toggle Mask', accelerator: 'K', registerAccelerator: false, click: () => a.send({ type: 'toggle', view: 'mask' }) },
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
        { label: 'Keyboard Shortcuts', accelerator: 'F1', click: () => a.showShortcuts() },
        { label: 'Model Card', click: () => a.showModelCard() },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
