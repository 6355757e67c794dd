// The Node host over real HTTP: token, Host/Origin checks, CSP header, body limits, wire errors,
// streamed uploads opened by the data plane, and a real reconstruction streamed as binary frames
// (once the model exists).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconEvent, StudySummary } from '../../app/contract/ipc';
import { decodeFrame, encodeFrame, FrameSplitter } from '../../app/contract/wire';
import { readFileSync } from 'node:fs';
import { RENDERER_CSP } from '../common/security';
import { startNodeHost, type NodeHost } from '../node-host/server';
import { HAVE_MODEL, HAVE_SAMPLE, MODEL_DIR, MODEL_NAME, MODEL_SKIP_REASON, SAMPLE, SAMPLE_DIR } from './helpers';

let host: NodeHost;
let base: string;
let port: number;
const staticDir = mkdtempSync(path.join(tmpdir(), 'flat-static-'));
mkdirSync(path.join(staticDir, 'assets'));
writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>FLAT Viewer</title><script type="module" src="/assets/app.js"></script>');
writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'export {};');

beforeAll(async () => {
  host = await startNodeHost({ staticDir, modelDir: MODEL_DIR, modelName: MODEL_NAME, sampleDir: SAMPLE_DIR });
  const u = new URL(host.url);
  base = u.origin;
  port = Number(u.port);
});
afterAll(async () => {
  await host?.close();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  bytes: Buffer;
}

/** A raw request (fetch would normalise the path and refuse to set Host). */
function raw(method: string, pathname: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString(), bytes });
      });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve({ status: 413, headers: {}, body: '', bytes: Buffer.alloc(0) }) : reject(e)));
    req.end(body);
  });
}

async function invoke(method: string, args: unknown[], token = host.token): Promise<{ status: number; reply: { ok: boolean; result?: unknown; error?: { code: string; message: string } } }> {
  const r = await fetch(`${base}/api/invoke/${method}`, { method: 'POST', headers: { 'x-flat-token': token }, body: encodeFrame({ args }) });
  return { status: r.status, reply: decodeFrame(await r.arrayBuffer()) };
}

describe('Node host: access control', () => {
  it('prints a URL on 127.0.0.1 carrying the token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    expect(host.url.endsWith(host.token)).toBe(true);
  });

  it('serves the page only with the token, with the strict CSP', async () => {
    const ok = await fetch(host.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await ok.text()).toContain('<title>FLAT Viewer</title>');
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(403);
    const js = await fetch(`${base}/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('refuses API calls and the event stream without the right token (403)', async () => {
    expect((await invoke('getInfo', [], '')).status).toBe(403);
    expect((await invoke('getInfo', [], host.token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')))).status).toBe(403);
    expect((await fetch(`${base}/api/events`)).status).toBe(403);
    expect((await fetch(`${base}/api/events?token=nope`)).status).toBe(403);
  });

  it('refuses foreign Host (DNS rebinding) and Origin headers, even with the token', async () => {
    const h = { 'x-flat-token': host.token, 'content-type': 'application/x-flat-wire' };
    const body = Buffer.from(encodeFrame({ args: [] }));
    expect((await raw('POST', '/api/invoke/getInfo', { ...h, host: `evil.example:${port}` }, body)).status).toBe(403);
    expect((await raw('POST', '/api/invoke/getInfo', { ...h, host: `127.0.0.1:${port}`, origin: 'https://evil.example' }, body)).status).toBe(403);
    expect((await raw('POST', '/api/invoke/getInfo', { ...h, host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port + 1}` }, body)).status).toBe(403);
    expect((await raw('POST', '/api/upload?name=a.h5', { ...h, host: `evil.example:${port}` }, 'x')).status).toBe(403);
    const same = await raw('POST', '/api/invoke/getInfo', { ...h, host: `localhost:${port}`, origin: `http://localhost:${port}` }, body);
    expect(same.status).toBe(200);
  });

  it('refuses path traversal in static requests', async () => {
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/.hidden']) {
      const r = await raw('GET', p, { host: `127.0.0.1:${port}` });
      expect(r.status, p).toBe(404);
      expect(r.body).not.toMatch(/root:/);
    }
  });
});

describe('Node host: wire protocol', () => {
  it('opens an upload: raw bytes streamed to a staged file, then openFiles by upload id; refusals in one sentence', async () => {
    const bytes = readFileSync(SAMPLE);
    const up = await fetch(`${base}/api/upload?name=${encodeURIComponent('my scan.h5')}`, { method: 'POST', headers: { 'x-flat-token': host.token }, body: bytes });
    expect(up.status).toBe(200);
    expect(up.headers.get('content-type')).toBe('application/x-flat-wire');
    const { uploadId } = (decodeFrame<{ ok: true; result: { uploadId: string } }>(await up.arrayBuffer())).result;
    const opened = await invoke('openFiles', [[{ name: 'my scan.h5', uploadId }]]);
    expect(opened.reply.result).toMatchObject({ source: 'my scan.h5', format: 'fastmri-h5', slices: 6 });
    // an upload is opened once; a used or invented id is refused
    expect((await invoke('openFiles', [[{ name: 'my scan.h5', uploadId }]])).reply.error?.message).toMatch(/no longer available/);
    expect((await fetch(`${base}/api/upload?name=a.h5`, { method: 'POST', body: 'x' })).status).toBe(403);
    expect((await fetch(`${base}/api/upload?name=..%2Fx`, { method: 'POST', headers: { 'x-flat-token': host.token }, body: 'x' })).status).toBe(400);
    expect((await fetch(`${base}/api/upload?name=a.h5`, { headers: { 'x-flat-token': host.token } })).status).toBe(405);
  }, 60_000);

  it('answers getInfo in the wire format', async () => {
    const { status, reply } = await invoke('getInfo', []);
    expect(status).toBe(200);
    expect(reply.ok).toBe(true);
    expect(reply.result).toMatchObject({ host: 'node-host', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('returns validation errors as {ok:false} with a plain sentence', async () => {
    const { status, reply } = await invoke('getSlice', ['../etc', 0]);
    expect(status).toBe(200);
    expect(reply).toEqual({ ok: false, error: { code: 'invalid-request', message: 'Invalid request: studyId is invalid.' } });
    const bad = await invoke('openFiles', [[{ name: 'x.h5', bytes: 'not bytes' }]]);
    expect(bad.reply.error?.message).toMatch(/ArrayBuffer/);
  });

  it('rejects unknown methods (404), malformed bodies (400) and oversized bodies (413)', async () => {
    expect((await invoke('onReconEvent', [])).status).toBe(404);
    expect((await invoke('constructor', [])).status).toBe(404);
    const h = { host: `127.0.0.1:${port}`, 'x-flat-token': host.token };
    const notJson = await raw('POST', '/api/invoke/getInfo', h, '{"args": [');
    expect(notJson.status).toBe(400);
    expect(decodeFrame<{ ok: boolean }>(notJson.bytes).ok).toBe(false);
    expect((await raw('POST', '/api/invoke/getInfo', h, '{"args":[]}')).status).toBe(400); // JSON is not a frame
    expect((await raw('POST', '/api/invoke/getInfo', h, Buffer.from(encodeFrame({ noargs: 1 })))).status).toBe(400);
    const outside = Buffer.from(encodeFrame({ args: [Float32Array.of(1)] }));
    expect((await raw('POST', '/api/invoke/getInfo', h, outside.subarray(0, outside.length - 8))).status).toBe(400);
    const big = await raw('POST', '/api/invoke/getInfo', h, Buffer.alloc(2 * 1024 * 1024, 32));
    expect(big.status).toBe(413);
    expect((await raw('GET', '/api/invoke/getInfo', h)).status).toBe(405);
  });
});

/** Reads the binary event stream from /api/events into a list. */
async function subscribe(): Promise<{ events: ReconEvent[]; next(pred: (e: ReconEvent) => boolean, ms?: number): Promise<ReconEvent>; stop(): void }> {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/events?token=${host.token}`, { signal: ac.signal });
  expect(res.headers.get('content-type')).toBe('application/x-flat-wire-stream');
  const events: ReconEvent[] = [];
  const waiters: { pred: (e: ReconEvent) => boolean; resolve: (e: ReconEvent) => void }[] = [];
  void (async () => {
    const reader = res.body!.getReader();
    const split = new FrameSplitter();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const frame of split.push(value)) {
          if (frame.byteLength === 0) continue; // ping
          const ev = decodeFrame<ReconEvent>(frame);
          events.push(ev);
          for (const w of waiters.splice(0)) {
            if (w.pred(ev)) w.resolve(ev);
            else waiters.push(w);
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    next: (pred, ms = 90_000) =>
      new Promise((resolve, reject) => {
        const seen = events.find(pred);
        if (seen) return resolve(seen);
        const t = setTimeout(() => reject(new Error('timed out waiting for an event')), ms);
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
      }),
    stop: () => ac.abort(),
  };
}

describe.skipIf(!HAVE_MODEL || !HAVE_SAMPLE)(`Node host: a real reconstruction over HTTP and the event stream${HAVE_MODEL ? '' : ` (skipped: ${MODEL_SKIP_REASON})`}`, () => {
  it('streams every ODE step of the sample with images and metrics', async () => {
    const info = await invoke('getInfo', []);
    expect(info.reply.result).toMatchObject({ executionProvider: 'cpu', model: { name: expect.any(String) } });
    const steps = (info.reply.result as { model: { steps: number } }).model.steps;
    const study = (await invoke('openSample', [])).reply.result as StudySummary;
    const sse = await subscribe();
    try {
      const { reply } = await invoke('reconstruct', [{ studyId: study.studyId, slice: 3, mask: { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 3 } }]);
      const runId = (reply.result as { runId: string }).runId;
      const end = await sse.next((e) => e.runId === runId && (e.type === 'done' || e.type === 'error'));
      expect(end.type, JSON.stringify(end)).toBe('done');
      const mine = sse.events.filter((e) => e.runId === runId);
      expect(mine[0]).toMatchObject({ type: 'started', studyId: study.studyId, slice: 3, steps, executionProvider: 'cpu', acceleration: 4 });
      const stepEvents = mine.filter((e): e is Extract<ReconEvent, { type: 'step' }> => e.type === 'step');
      expect(stepEvents.map((e) => e.step)).toEqual(Array.from({ length: steps + 1 }, (_, i) => i));
      for (const e of stepEvents) {
        expect(e.image).toBeInstanceOf(Float32Array);
        expect(e.image.length).toBe(e.rows * e.cols);
        expect(e.rows).toBe(study.displayRows);
        expect(Number.isFinite(e.metrics.psnr!)).toBe(true);
        expect(e.metrics.ssim!).toBeLessThanOrEqual(1);
      }
      const first = stepEvents[0]!;
      const last = stepEvents.at(-1)!;
      expect(first.t).toBe(1);
      expect(last.t).toBe(0);
      // The zero-filled start is data-consistent by construction.
      expect(first.metrics.dcResidual).toBeLessThan(1e-4);
      // A trained model improves on the zero-filled image.
      expect(last.metrics.psnr!).toBeGreaterThan(first.metrics.psnr!);
      expect(last.metrics.ssim!).toBeGreaterThan(first.metrics.ssim!);
    } finally {
      sse.stop();
    }
  }, 180_000);
});
