import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppOrigin, RENDERER_CSP, SECURITY_HEADERS } from '../common/security';
import { appProtocolReply } from '../electron/app-protocol';
import { tokenMatches, newToken } from '../node-host/request-guard';
import { resolveStaticPath } from '../node-host/static-files';

describe('isAppOrigin', () => {
  it('accepts only frames on app://flat', () => {
    expect(isAppOrigin('app://flat/index.html')).toBe(true);
    expect(isAppOrigin('app://flat/')).toBe(true);
    for (const bad of [
      'app://flat.evil/index.html',
      'app://other/index.html',
      'app://user:pw@flat/index.html',
      'https://flat/index.html',
      'http://127.0.0.1:1234/',
      'file:///etc/passwd',
      'about:blank',
      'devtools://devtools/bundled/inspector.html',
      '',
      'not a url',
      null,
      undefined,
    ]) {
      expect(isAppOrigin(bad), String(bad)).toBe(false);
    }
  });
});

describe('renderer CSP', () => {
  it('is strict: self only, no eval, no inline script, no framing, no plugins', () => {
    const d = Object.fromEntries(RENDERER_CSP.split('; ').map((p) => [p.split(' ')[0], p.split(' ').slice(1)]));
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['connect-src']).toEqual(["'self'"]);
    expect(d['img-src']).toEqual(["'self'", 'data:', 'blob:']);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|unsafe-inline|\*/);
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(RENDERER_CSP);
  });
});

describe('static path resolution', () => {
  const root = path.resolve('/srv/renderer');
  it('maps / to index.html and keeps files inside the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app-1.js')).toBe(path.join(root, 'assets/app-1.js'));
  });
  it('refuses traversal, encoded traversal, backslashes, NUL and dotfiles', () => {
    for (const p of ['/../etc/passwd', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2fsecret', '/a\\..\\b', '/x%00.js', '/.env', '/assets/.git/config', '/%E0%A4%A']) {
      expect(resolveStaticPath(root, p), p).toBeNull();
    }
  });
});

describe('app:// protocol', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'flat-proto-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>FLAT</title>');
  writeFileSync(path.join(root, 'assets', 'main.js'), 'console.log(1)');
  writeFileSync(path.join(path.dirname(root), 'outside-secret.txt'), 'secret');

  it('serves files with the CSP and the right type', async () => {
    const r = await appProtocolReply('app://flat/index.html', 'GET', root);
    expect(r.status).toBe(200);
    expect(r.headers['Content-Security-Policy']).toBe(RENDERER_CSP);
    expect(r.headers['Content-Type']).toMatch(/text\/html/);
    expect(Buffer.from(r.body as Uint8Array).toString()).toContain('<title>FLAT</title>');
    const js = await appProtocolReply('app://flat/assets/main.js', 'GET', root);
    expect(js.headers['Content-Type']).toMatch(/javascript/);
  });

  it('refuses other hosts, traversal, missing files and writes', async () => {
    expect((await appProtocolReply('app://evil/index.html', 'GET', root)).status).toBe(404);
    expect((await appProtocolReply(`app://flat/%2e%2e/${path.basename(root)}/../outside-secret.txt`, 'GET', root)).status).toBe(404);
    expect((await appProtocolReply('app://flat/nope.js', 'GET', root)).status).toBe(404);
    expect((await appProtocolReply('app://flat/index.html', 'POST', root)).status).toBe(405);
  });
});

describe('token', () => {
  it('is random and compared exactly', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(a);
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(a, a.slice(0, -1) + (a.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(tokenMatches(a, undefined)).toBe(false);
    expect(tokenMatches(a, '')).toBe(false);
  });
});
