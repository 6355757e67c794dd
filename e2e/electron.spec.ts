// The Electron app's security settings and preload surface, through Playwright's Electron driver.
// Needs the Electron binary, which npm could not download on the build box: the spec then skips
// with that reason instead of pretending to pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import type { FlatApi } from '../app/contract/ipc';
import { installedElectronBinary } from '../main/common/electron-binary';
import { REPO_ROOT } from './host';
import { inPage } from './page-probes';

/** Every method of FlatApi; the type check below fails when the contract gains or loses one. */
const FLAT_API_METHODS = [
  'cancel',
  'exportDicom',
  'getInfo',
  'getSlice',
  'onReconEvent',
  'openDialog',
  'openFiles',
  'openSample',
  'pacsFindSeries',
  'pacsFindStudies',
  'pacsInfo',
  'pacsJob',
  'pacsRetrieve',
  'pacsSend',
  'reconstruct',
] as const;
type Missing = Exclude<keyof FlatApi, (typeof FLAT_API_METHODS)[number]>;
const exhaustive: Missing extends never ? true : false = true;

// never require('electron') here: since Electron 41 that downloads the binary when it is missing
const binary = installedElectronBinary();
const SKIP_REASON = 'Electron binary not installed (no download possible here) — skipped';

if (!binary) {
  describe('Electron app', () => {
    it.skip(SKIP_REASON, () => undefined);
  });
} else {
  describe('Electron app', () => {
    let app: ElectronApplication;
    let page: Page;

    beforeAll(async () => {
      app = await _electron.launch({
        executablePath: binary,
        args: [REPO_ROOT],
        cwd: REPO_ROOT,
        env: { ...process.env, ELECTRON_ENABLE_LOGGING: '0' },
      });
      page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
    });

    afterAll(async () => {
      await app?.close();
    });

    it('every window is isolated, sandboxed, without Node and with web security', async () => {
      const prefs = await app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows().map((w) => {
          const wc = w.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> | null };
          const p = wc.getLastWebPreferences?.() ?? {};
          return {
            contextIsolation: p.contextIsolation,
            sandbox: p.sandbox,
            nodeIntegration: p.nodeIntegration,
            nodeIntegrationInWorker: p.nodeIntegrationInWorker,
            webSecurity: p.webSecurity,
            webviewTag: p.webviewTag,
          };
        }),
      );
      expect(prefs.length).toBeGreaterThan(0);
      for (const p of prefs) {
        expect(p.contextIsolation).toBe(true);
        expect(p.sandbox).toBe(true);
        expect(p.nodeIntegration).toBe(false);
        expect(p.nodeIntegrationInWorker).not.toBe(true);
        expect(p.webSecurity).not.toBe(false);
        expect(p.webviewTag).not.toBe(true);
      }
    });

    it('the page sees exactly FlatApi on window.flat and no Node', async () => {
      expect(exhaustive).toBe(true);
      const keys = await inPage<string[]>(page, '() => Object.keys(window.flat ?? {}).sort()');
      expect(keys).toEqual([...FLAT_API_METHODS].sort());
      expect(await inPage<string>(page, '() => typeof require')).toBe('undefined');
      expect(await inPage<string>(page, '() => typeof process')).toBe('undefined');
    });

    it('the reading station renders the sample in Electron', async () => {
      await page.waitForSelector('[data-testid="viewport-step"] canvas', { timeout: 60_000 });
      await page.waitForSelector('[data-testid="progress"][data-status="done"]', { timeout: 120_000 });
      expect(await page.locator('[data-testid="research-badge"]').isVisible()).toBe(true);
    });
  });
}
