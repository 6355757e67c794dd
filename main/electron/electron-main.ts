// Electron main process. Thin on purpose: it routes, validates and guards (main/common, shared with
// the Node host); everything that touches study data runs in the data-plane utility process
// (main/data-plane). Here are only the Electron adapters and the security settings (see
// main/README.md, "Security checklist").

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session } from 'electron';
import { IPC_CHANNELS, type ReconEvent } from '../../app/contract/ipc';
import { DataPlane } from '../common/data-plane';
import { createHandlers, INVOKE_METHODS } from '../common/handlers';
import { MENU_CHANNEL, type MenuCommand } from '../common/menu-commands';
import { inferenceThreads } from '../common/paths';
import { RecentFiles, type RecentEntry } from '../common/recent-files';
import { APP_HOST, APP_SCHEME } from '../common/security';
import { UploadStaging } from '../common/upload-staging';
import { appProtocolReply } from './app-protocol';
import { hardenContents, hardenSession, secureWebPreferences } from './hardening';
import { buildMenu } from './menu';
import { utilityWorkerLauncher } from './worker-launcher-utility';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/main
const ROOT = path.resolve(HERE, '../..'); // app.asar or the repository
const RESOURCES = app.isPackaged ? process.resourcesPath : path.join(ROOT, 'resources');
const PATHS = {
  renderer: path.join(ROOT, 'dist/renderer'),
  preload: path.join(HERE, 'preload.cjs'),
  worker: path.join(HERE, 'data-plane-process.js'),
  models: path.join(RESOURCES, 'models'),
  sample: path.join(RESOURCES, 'sample'),
  modelName: 'flat',
};

// Must happen before `ready`: app:// behaves like https (standard, secure origin, fetch allowed).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | null = null;

app.on('web-contents-created', (_e, contents) => hardenContents(contents));

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

app.on('window-all-closed', () => app.quit());

async function main(): Promise<void> {
  await app.whenReady();
  hardenSession(session.defaultSession);

  protocol.handle(APP_SCHEME, async (request) => {
    const reply = await appProtocolReply(request.url, request.method, PATHS.renderer);
    return new Response(typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body), {
      status: reply.status,
      headers: reply.headers,
    });
  });

  // PACS settings: $FLAT_PACS_CONFIG, else pacs.json in the user-data folder when there is one
  const pacsFile = process.env.FLAT_PACS_CONFIG || path.join(app.getPath('userData'), 'pacs.json');
  const plane = new DataPlane({
    launch: utilityWorkerLauncher(PATHS.worker),
    init: {
      sampleDir: PATHS.sample,
      modelDir: PATHS.models,
      modelName: PATHS.modelName,
      threads: inferenceThreads(os.availableParallelism()),
      // the installed app runs only the model pinned in this build (app/trust); unpackaged runs flag it
      requirePinned: app.isPackaged,
      exportTarget: 'dialog',
      pacs: existsSync(pacsFile) || process.env.FLAT_PACS_CONFIG ? { settingsFile: pacsFile } : {},
    },
  });
  plane.start();
  const staging = new UploadStaging();
  const recent = new RecentFiles(path.join(app.getPath('userData'), 'recent-files.json'));

  const send = (command: MenuCommand) => win?.webContents.send(MENU_CHANNEL, JSON.stringify(command));
  const refreshMenu = (entries: RecentEntry[] = recent.list()) => Menu.setApplicationMenu(buildMenu(entries, actions));
  const actions = {
    send,
    devTools: !app.isPackaged,
    quit: () => app.quit(),
    clearRecent: () => {
      recent.clear();
      refreshMenu([]);
    },
    openRecent: (entry: RecentEntry) => {
      plane.openPaths(entry.paths).then(
        (study) => {
          refreshMenu(recent.add(entry.paths));
          send({ type: 'study-opened', study });
        },
        (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
      );
    },
    pressKey: (key: string) => {
      const wc = win?.webContents;
      if (!wc || wc.isDestroyed()) return;
      for (const type of ['keyDown', 'char', 'keyUp'] as const) wc.sendInputEvent({ type, keyCode: key });
    },
  };

  const sendEvent = (event: ReconEvent) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC_CHANNELS.reconEvent, event);
  };
  // the main process's save dialog: the page never names a path
  const chooseExportFolder = async (): Promise<string | null> => {
    const options: Electron.SaveDialogOptions = {
      title: 'Export DICOM series to a new folder',
      buttonLabel: 'Export',
      defaultPath: path.join(app.getPath('documents'), `FLAT export ${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    return r.canceled || !r.filePath ? null : r.filePath;
  };
  const handlers = createHandlers({
    host: 'electron',
    version: app.getVersion(),
    plane,
    staging,
    requireAppOrigin: true,
    exportTarget: 'dialog',
    chooseExportFolder,
    showOpenDialog: async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Open a study',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'MR studies', extensions: ['h5', 'mrd', 'dcm', 'nii', 'gz', 'cfl', 'hdr', 'npy'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : r.filePaths;
    },
    onOpenedPaths: (paths) => refreshMenu(recent.add(paths)),
  });

  for (const method of INVOKE_METHODS) {
    ipcMain.handle(IPC_CHANNELS[method], (event, ...args: unknown[]) =>
      // The frame that sent it, not just the window: a sub-frame or a navigated page is refused.
      (handlers[method] as (a: unknown[], s: { url: string | null }) => Promise<unknown>)(args, { url: event.senderFrame?.url ?? null }),
    );
  }
  plane.onEvent(sendEvent);

  refreshMenu();
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'FLAT Viewer',
    show: false,
    backgroundColor: '#111111',
    webPreferences: secureWebPreferences(PATHS.preload, !app.isPackaged),
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    win = null;
  });
  app.on('before-quit', () => {
    void plane.close();
    staging.dispose();
  });
  await win.loadURL(`${APP_SCHEME}://${APP_HOST}/index.html`);
}

main().catch((e: unknown) => {
  dialog.showErrorBox('FLAT Viewer could not start', e instanceof Error ? e.message : String(e));
  app.exit(1);
});
