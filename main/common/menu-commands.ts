// Menu commands travel main → preload → page; their type lives in the shared contract.
import { IPC_CHANNELS } from '../../app/contract/ipc';

export { MENU_DOM_EVENT, type MenuCommand } from '../../app/contract/ipc';
export const MENU_CHANNEL = IPC_CHANNELS.menuCommand;
