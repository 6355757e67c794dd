// Preload (sandboxed, context-isolated): exposes window.flat = FlatApi and nothing else;
// ipcRenderer itself never reaches the page. Menu commands arrive as a DOM event carrying a
// JSON string (see common/menu-commands.ts), which exposes no capability.

import { contextBridge, ipcRenderer } from 'electron';
import { createFlatApi } from './flat-api';
import { MENU_CHANNEL, MENU_DOM_EVENT } from '../common/menu-commands';

contextBridge.exposeInMainWorld('flat', createFlatApi(ipcRenderer));

ipcRenderer.on(MENU_CHANNEL, (_event, command: unknown) => {
  if (typeof command !== 'string' || command.length > 1_000_000) return;
  // `window` in the page; typed through globalThis because this tsconfig has no DOM lib.
  (globalThis as unknown as { dispatchEvent(e: Event): boolean }).dispatchEvent(new CustomEvent(MENU_DOM_EVENT, { detail: command }));
});
