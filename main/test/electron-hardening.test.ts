// Electron checklist items testable without the Electron binary: the policy functions of
// main/electron/hardening.ts on fake sessions and web contents, and that electron-main.ts uses
// them for every window and every web contents. (The Electron spec in e2e/ checks the same on the
// real app where a binary exists.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedElectronBinary } from '../common/electron-binary';
import { hardenContents, hardenSession, isAllowedRequest, secureWebPreferences } from '../electron/hardening';
import { REPO_ROOT } from './helpers';

type Listener = (e: { preventDefault(): void }, ...rest: unknown[]) => void;

function fakeContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: ((d: unknown) => { action: string }) | undefined;
  const contents = {
    setWindowOpenHandler: (h: (d: unknown) => { action: string }) => void (openHandler = h),
    on: (name: string, l: Listener) => {
      listeners.set(name, [...(listeners.get(name) ?? []), l]);
      return contents;
    },
  };
  /** Emit an event; true when some listener prevented it. */
  const emit = (name: string, ...rest: unknown[]): boolean => {
    let prevented = false;
    for (const l of listeners.get(name) ?? []) l({ preventDefault: () => void (prevented = true) }, ...rest);
    return prevented;
  };
  return { contents, emit, open: (url: string) => openHandler?.({ url, frameName: '', features: '', disposition: 'new-window' }) };
}

function fakeSession() {
  const h: Record<string, (...a: never[]) => unknown> = {};
  const ses = {
    setPermissionRequestHandler: (f: never) => void (h.request = f),
    setPermissionCheckHandler: (f: never) => void (h.check = f),
    setDevicePermissionHandler: (f: never) => void (h.device = f),
    webRequest: { onBeforeRequest: (f: never) => void (h.before = f) },
  };
  return { ses, h };
}

describe('Electron hardening (no binary needed)', () => {
  it('new windows are denied, whatever the URL', () => {
    const f = fakeContents();
    hardenContents(f.contents as never);
    for (const url of ['https://evil.example/', 'app://flat/index.html', 'file:///etc/passwd', 'javascript:alert(1)', 'about:blank']) expect(f.open(url)).toEqual({ action: 'deny' });
  });

  it('navigation, frame navigation and redirects are prevented', () => {
    const f = fakeContents();
    hardenContents(f.contents as never);
    for (const ev of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      for (const url of ['https://evil.example/', 'app://flat/other.html', 'file:///etc/passwd']) expect(f.emit(ev, url), `${ev} ${url}`).toBe(true);
    }
  });

  it('webviews are never attached, and the tag is off', () => {
    const f = fakeContents();
    hardenContents(f.contents as never);
    expect(f.emit('will-attach-webview', {}, { src: 'https://evil.example/' })).toBe(true);
    expect(secureWebPreferences('/p.cjs', false).webviewTag).toBe(false);
  });

  it('every permission request, check and device request is denied', () => {
    const { ses, h } = fakeSession();
    hardenSession(ses as never);
    for (const p of ['media', 'geolocation', 'notifications', 'midi', 'midiSysex', 'pointerLock', 'fullscreen', 'openExternal', 'clipboard-read', 'hid', 'serial', 'usb', 'unknown']) {
      let answer: boolean | undefined;
      (h.request as unknown as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)({}, p, (ok) => (answer = ok));
      expect(answer, p).toBe(false);
      expect((h.check as unknown as (wc: unknown, p: string) => boolean)({}, p)).toBe(false);
    }
    expect((h.device as unknown as (d: unknown) => boolean)({ deviceType: 'usb' })).toBe(false);
  });

  it('insecure and remote content is blocked: only app://flat, data:, blob:, devtools: load', () => {
    const { ses, h } = fakeSession();
    hardenSession(ses as never);
    const verdict = (url: string) => {
      let cancel: boolean | undefined;
      (h.before as unknown as (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void)({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    for (const url of ['http://example.com/x.js', 'https://example.com/x.js', 'ws://127.0.0.1:1/', 'file:///etc/passwd', 'app://flat.evil/x', 'app://other/x', 'ftp://x/']) expect(verdict(url), url).toBe(true);
    for (const url of ['app://flat/index.html', 'app://flat/assets/a.js', 'data:image/png;base64,AA', 'blob:app://flat/1']) expect(verdict(url), url).toBe(false);
    expect(isAllowedRequest('app://flat')).toBe(false); // no path: not a resource of ours
  });

  it('web preferences: isolation, sandbox, no Node anywhere, web security, no insecure content', () => {
    expect(secureWebPreferences('/p.cjs', true)).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      devTools: true,
    });
  });

  it('electron-main applies them to every window, every web contents and the session', () => {
    const src = readFileSync(path.join(REPO_ROOT, 'main/electron/electron-main.ts'), 'utf8');
    expect(src).toMatch(/app\.on\('web-contents-created', \(_e, contents\) => hardenContents\(contents\)\)/);
    expect(src).toMatch(/hardenSession\(session\.defaultSession\)/);
    expect(src).toMatch(/webPreferences: secureWebPreferences\(/);
    expect(src.match(/new BrowserWindow\(/g)).toHaveLength(1);
    expect(src).not.toMatch(/nodeIntegration: true|contextIsolation: false|sandbox: false|webSecurity: false/);
  });

  it('finds no Electron binary here without trying to download one', () => {
    // require('electron') would spawn a download here (Electron ≥ 41); this only reads path.txt
    expect(installedElectronBinary()).toBeNull();
  });
});
