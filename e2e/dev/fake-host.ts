// DEV ONLY — a stand-in for main/node-host used to iterate on the renderer before the real host
// exists. It speaks the same HTTP/SSE protocol (app/contract/wire.ts) but its "steps" are a
// linear blend from the zero-filled image to the reference, NOT a FLAT reconstruction. The
// committed e2e specs never use it; they start the real host (e2e/host.ts).
//   npx tsx e2e/dev/fake-host.ts   → prints the URL to open
import { createServer, type ServerResponse } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeWire, encodeWire } from '../../app/contract/wire';
import type { ReconEvent, SliceImages, StudySummary } from '../../app/contract/ipc';
import type { MaskSpec, Study } from '../../app/core/types';
import { readFastMri } from '../../app/formats/fastmri';
import { withH5 } from '../../app/formats/h5/session';
import { READER_LIMITS } from '../../app/formats/limits';
import { makeColumnMask } from '../../app/masks';
import { ifft2cSlice } from '../../app/fft';
import { psnr, ssim, nmse } from '../../app/metrics';

const ROOT = resolve(import.meta.dirname, '../..');
const STATIC = join(ROOT, 'dist/renderer');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'";
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export async function startFakeHost(port = 0): Promise<{ url: string; token: string; close: () => Promise<void>; workerPid: () => number | null }> {
  const token = randomBytes(16).toString('hex');
  const studies = new Map<string, Study>();
  const clients = new Set<ServerResponse>();
  let runSeq = 0;
  let current = '';
  // A stand-in "worker" process so that killing it mid-run can be exercised.
  let worker: ChildProcess | null = null;
  const ensureWorker = () => {
    if (worker && worker.exitCode === null && !worker.killed) return;
    const w = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    worker = w;
    w.on('exit', () => {
      if (worker === w) worker = null;
      if (current) send({ type: 'error', runId: current, error: { code: 'inference-failed', message: 'The inference process stopped unexpectedly; run the reconstruction again.' } });
      current = '';
    });
  };
  ensureWorker();
  const send = (ev: ReconEvent) => {
    for (const c of clients) c.write(`data: ${encodeWire(ev)}\n\n`);
  };
  const summary = (id: string, s: Study): StudySummary => ({
    studyId: id,
    source: s.source,
    format: s.format,
    content: s.content,
    simulatedKspace: s.simulatedKspace,
    slices: s.kspace.slices,
    rows: s.kspace.rows,
    cols: s.kspace.cols,
    displayRows: s.kspace.rows,
    displayCols: s.kspace.cols,
    undersampled: !!s.acquiredMask,
    hasReference: !!s.reference,
    notes: s.notes,
    ...(s.dicom ? { dicom: s.dicom } : {}),
  });
  const open = async (name: string, bytes: Uint8Array) => {
    const s = await withH5(name, { bytes }, (f) => readFastMri(f, name, READER_LIMITS));
    const id = `s${studies.size + 1}`;
    studies.set(id, s);
    return summary(id, s);
  };
  const images = (id: string, slice: number, mask?: MaskSpec): SliceImages => {
    const s = studies.get(id)!;
    const { rows, cols } = s.kspace;
    const n = rows * cols;
    const cm = makeColumnMask(mask ?? { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 }, cols);
    const k = s.kspace.data.slice(slice * n * 2, (slice + 1) * n * 2);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (!cm[c]) k[2 * (r * cols + c)] = k[2 * (r * cols + c) + 1] = 0;
    const x = ifft2cSlice(k, rows, cols);
    const zf = new Float32Array(n);
    for (let i = 0; i < n; i++) zf[i] = Math.hypot(x[2 * i]!, x[2 * i + 1]!);
    const ref = s.reference ? s.reference.data.slice(slice * n, (slice + 1) * n) : undefined;
    return { studyId: id, slice, rows, cols, zeroFilled: zf, ...(ref ? { reference: ref } : {}), maskColumns: cm, acceleration: mask?.acceleration ?? 4 };
  };
  const api: Record<string, (...a: any[]) => unknown> = {
    getInfo: () => ({
      version: 'dev',
      host: 'node-host',
      model: { name: 'fake-blend', sha256: '0'.repeat(64), shortHash: '00000000', steps: 12, t: Array.from({ length: 13 }, (_, i) => 1 - i / 12), card: { name: 'fake-blend', method: 'DEV ONLY' } },
      executionProvider: 'cpu',
    }),
    openSample: () => open('colin27_fastmri_singlecoil.h5', readFileSync(join(ROOT, 'resources/sample/colin27_fastmri_singlecoil.h5'))),
    openDialog: () => null,
    openFiles: (files: { name: string; bytes: ArrayBuffer }[]) => open(files[0]!.name, new Uint8Array(files[0]!.bytes)),
    getSlice: (id: string, slice: number, mask?: MaskSpec) => images(id, slice, mask),
    reconstruct: (req: { studyId: string; slice: number; mask?: MaskSpec }) => {
      ensureWorker();
      const runId = `r${++runSeq}`;
      current = runId;
      const im = images(req.studyId, req.slice, req.mask);
      const ref = im.reference ?? im.zeroFilled;
      const t = Array.from({ length: 13 }, (_, i) => 1 - i / 12);
      setTimeout(() => send({ type: 'started', runId, studyId: req.studyId, slice: req.slice, steps: 12, t, executionProvider: 'cpu', acceleration: 4 }), 5);
      for (let k = 0; k <= 12; k++) {
        // (steps 150 ms apart so a run can be interrupted)
        setTimeout(() => {
          if (current !== runId) return;
          const a = (0.9 * k) / 12; // never exactly the reference
          const img = new Float32Array(ref.length);
          for (let i = 0; i < img.length; i++) img[i] = (1 - a) * im.zeroFilled[i]! + a * ref[i]!;
          const metrics = im.reference
            ? { psnr: psnr(ref, img), ssim: ssim(ref, img, im.rows, im.cols), nmse: nmse(ref, img), dcResidual: 0.1 * (1 - a) + 0.01 }
            : { dcResidual: 0.1 * (1 - a) + 0.01 };
          send({ type: 'step', runId, step: k, t: t[k]!, rows: im.rows, cols: im.cols, image: img, metrics });
          if (k === 12) send({ type: 'done', runId, ms: 12 * 150 });
        }, 30 + k * 150);
      }
      return { runId };
    },
    cancel: (runId: string) => {
      if (current === runId) send({ type: 'cancelled', runId });
      current = '';
    },
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/events') {
      if (url.searchParams.get('token') !== token) return void res.writeHead(403).end();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': hi\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (url.pathname.startsWith('/api/invoke/')) {
      if (req.headers['x-flat-token'] !== token) return void res.writeHead(403).end();
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const { args } = decodeWire<{ args: unknown[] }>(Buffer.concat(chunks).toString('utf8'));
      const fn = api[url.pathname.slice('/api/invoke/'.length)];
      try {
        const result = await fn!(...args);
        res.writeHead(200, { 'content-type': 'application/json' }).end(encodeWire({ ok: true, result }));
      } catch (e) {
        const err = e as { code?: string; message?: string };
        res.writeHead(200, { 'content-type': 'application/json' }).end(encodeWire({ ok: false, error: { code: err.code ?? 'io', message: err.message ?? 'failed' } }));
      }
      return;
    }
    const file = join(STATIC, url.pathname === '/' ? 'index.html' : url.pathname);
    if (!file.startsWith(STATIC) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}/?token=${token}`,
    token,
    workerPid: () => worker?.pid ?? null,
    close: () =>
      new Promise<void>((r) => {
        worker?.kill();
        for (const c of clients) c.end();
        server.close(() => r());
      }),
  };
}

if (process.argv[1] && import.meta.filename === resolve(process.argv[1])) {
  const h = await startFakeHost(Number(process.env.PORT ?? 0));
  console.log(h.url);
}
