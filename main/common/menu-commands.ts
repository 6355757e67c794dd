// Menu commands from the Electron main process to the renderer. FlatApi has no push channel for
// them yet, so the preload re-dispatches each one as a DOM CustomEvent named MENU_DOM_EVENT whose
// `detail` is JSON.stringify(MenuCommand) (a string crosses context isolation intact).
// Proposed for app/contract/ipc.ts so the renderer can import the type.

import type { StudySummary } from '../../app/contract/ipc';

export const MENU_CHANNEL = 'flat:menu-command';
export const MENU_DOM_EVENT = 'flat-menu';

export type MenuCommand =
  | { type: 'open-dialog' } // the renderer calls flat.openDialog()
  | { type: 'open-sample' } // the renderer calls flat.openSample()
  | { type: 'study-opened'; study: StudySummary } // main opened a recent file
  | { type: 'toggle'; view: 'reference' | 'metrics' | 'mask' }
  | { type: 'show-shortcuts' }
  | { type: 'show-model-card' }
  | { type: 'error'; message: string };
