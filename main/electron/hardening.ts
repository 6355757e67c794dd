// The Electron security checklist items that are plain policy, kept free of any runtime import of
// `electron` (types only) so every one of them is tested without the Electron binary
// (main/test/electron-hardening.test.ts, with fake sessions and web contents):
//   - web preferences of every window (isolation, sandbox, no Node, no webview, no insecure content);
//   - no new windows, no navigation, no redirects, no webviews;
//   - every permission request / check / device request denied;
//   - no request leaves the app:// origin (remote and insecure content blocked).
import type { Session, WebContents, WebPreferences } from 'electron';
import { APP_ORIGIN } from '../common/security';

export function secureWebPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
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
    spellcheck: false,
    safeDialogs: true,
    devTools,
  };
}

/** Requests the app may make: its own protocol, inline images, DevTools. Nothing remote. */
export function isAllowedRequest(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`) || url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('devtools:');
}

type SessionLike = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest'>;
};

export function hardenSession(ses: SessionLike): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
}

type ContentsLike = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

export function hardenContents(contents: ContentsLike): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-frame-navigate', (e) => {
    // the main frame's first load of app://flat is done by loadURL, never by a page
    e.preventDefault();
  });
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
}
