// The HTTP half of the browser bridge against a tiny server speaking the Node host protocol
// (app/contract/wire.ts): token header, binary frames both ways, raw uploads, the event stream,
// plain error sentences.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, lengthPrefixed } from '../../../app/contract/wire';
import { createHttpApi, HostError } from './http';
import { plainMessage } from './index';

const TOKEN = 'tok_123';
let server: Server;
let origin = '';
const seen: { method: string; args: unknown[] }[] = [];
const uploads: { name: string; bytes: number[] }[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (req.url?.startsWith('/api/events')) {
      // a ping, then one event split across two writes
      res.writeHead(200, { 'content-type': 'application/x-flat-wire-stream' });
      res.write(lengthPrefixed(new Uint8Array(0)));
      const ev = lengthPrefixed(encodeFrame({ type: 'step', runId: 'run-1', step: 0, image: Float32Array.of(7, 8) }));
      res.write(ev.subarray(0, 9));
      setTimeout(() => res.end(ev.subarray(9)), 20);
      return;
    }
    if (req.headers['x-flat-token'] !== TOKEN) return void res.writeHead(403).end('forbidden');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/upload') {
      uploads.push({ name: url.searchParams.get('name') ?? '', bytes: [...body] });
      return void res.end(encodeFrame({ ok: true, result: { uploadId: `up-${'a'.repeat(24)}` } }));
    }
    const { args } = decodeFrame<{ args: unknown[] }>(new Uint8Array(body));
    const method = url.pathname.replace('/api/invoke/', '');
    seen.push({ method, args });
    res.setHeader('content-type', 'application/x-flat-wire');
    if (method === 'openFiles') {
      res.end(encodeFrame({ ok: false, error: { code: 'corrupt-file', message: 'bad.h5: the file is damaged.' } }));
    } else if (method === 'getSlice') {
      res.end(encodeFrame({ ok: true, result: { studyId: args[0], slice: args[1], rows: 2, cols: 2, zeroFilled: Float32Array.from([1, 2, 3, 4.5]), maskColumns: Uint8Array.from([1, 0]), acceleration: 2 } }));
    } else {
      res.end(encodeFrame({ ok: true, result: null }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('createHttpApi', () => {
  it('sends the token and arguments and decodes typed arrays in the reply', async () => {
    const api = createHttpApi(origin, TOKEN);
    const mask = { kind: 'equispaced' as const, acceleration: 4, centerFraction: 0.08, seed: 3 };
    const s = await api.getSlice('s1', 2, mask);
    expect(s.zeroFilled).toBeInstanceOf(Float32Array);
    expect([...s.zeroFilled]).toEqual([1, 2, 3, 4.5]);
    expect(s.maskColumns).toBeInstanceOf(Uint8Array);
    expect(seen.at(-1)).toEqual({ method: 'getSlice', args: ['s1', 2, mask] });
  });

  it('uploads file bytes raw, opens them by upload id, and rejects with the host sentence', async () => {
    const api = createHttpApi(origin, TOKEN);
    const bytes = Uint8Array.from([137, 72, 68, 70]).buffer;
    const err = await api.openFiles([{ name: 'bad scan.h5', bytes }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).message).toBe('bad.h5: the file is damaged.');
    expect((err as HostError).code).toBe('corrupt-file');
    expect(uploads.at(-1)).toEqual({ name: 'bad scan.h5', bytes: [137, 72, 68, 70] });
    expect(seen.at(-1)).toEqual({ method: 'openFiles', args: [[{ name: 'bad scan.h5', uploadId: `up-${'a'.repeat(24)}` }]] });
  });

  it('reads events from the binary stream, however the frames are split', async () => {
    const api = createHttpApi(origin, TOKEN);
    const got = await new Promise<unknown>((resolve) => api.onReconEvent(resolve));
    expect(got).toMatchObject({ type: 'step', runId: 'run-1', step: 0 });
    expect([...(got as { image: Float32Array }).image]).toEqual([7, 8]);
  });

  it('a wrong token gives a plain sentence, not a parse error', async () => {
    const api = createHttpApi(origin, 'wrong');
    await expect(api.getInfo()).rejects.toThrow(/unreadable reply \(HTTP 403\)/);
  });

  it('an unreachable host gives a plain sentence', async () => {
    const api = createHttpApi('http://127.0.0.1:9', TOKEN);
    await expect(api.getInfo()).rejects.toThrow('The FLAT Viewer host is not reachable; is it still running?');
  });
});

describe('plainMessage', () => {
  it('strips Electron IPC prefixes and stack lines', () => {
    const e = new Error("Error invoking remote method 'flat:open-files': Error: scan.dcm: the file is damaged.\n    at foo (x.js:1:2)");
    expect(plainMessage(e)).toBe('scan.dcm: the file is damaged.');
    expect(plainMessage(undefined)).toBe('Something went wrong; please try again.');
  });
});
