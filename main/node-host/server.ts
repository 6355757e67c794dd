// The Node host: the FlatApi over HTTP on 127.0.0.1 (binary frames, streamed uploads, a binary
// event stream), for browsers and e2e tests where there is no Electron. Protocol:
// app/contract/wire.ts. Serves the built renderer with the same CSP as the Electron app. Every
// request must name our host (and origin, when sent); API calls and the page itself need this
// run's random token. Like Electron's main process it only routes, validates and guards: uploads
// go to private files, and all study data is handled by the data-plane process.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import nodePath from 'node:path';
import { isPlainFileName, type ReconEvent } from '../../app/contract/ipc';
import { decodeFrame, encodeFrame, lengthPrefixed, WIRE_CONTENT_TYPE } from '../../app/contract/wire';
import { FlatError } from '../../app/core/errors';
import { DataPlane } from '../common/data-plane';
import { createHandlers, isInvokeMethod, type Handlers } from '../common/handlers';
import { DEFAULT_PATHS, inferenceThreads, packageVersion } from '../common/paths';
import { fail, ok, serializeError, type Result } from '../common/result';
import { SECURITY_HEADERS } from '../common/security';
import { startEventLoopMeter } from './event-loop-meter';
import { UploadStaging } from '../common/upload-staging';
import { nodeWorkerLauncher } from '../common/worker-launcher-node';
import { formatBytes } from '../../app/core/text';
import { checkHostAndOrigin, newToken, tokenMatches } from './request-guard';
import { mimeType, readStatic, resolveStaticPath } from './static-files';

export interface NodeHostOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Built renderer (default dist/renderer). */
  staticDir?: string;
  modelDir?: string;
  sampleDir?: string;
  modelName?: string;
  /**
   * DICOM exports go to new folders inside this folder (default $FLAT_EXPORT_DIR, else
   * ~/flat-viewer-exports); the page names the folder, never a path.
   */
  exportArea?: string;
  /** PACS settings file for the study browser (default $FLAT_PACS_CONFIG; none = no PACS). */
  pacsConfig?: string;
  /** Cache of retrieved series (default: the settings' cacheDir, else ~/.cache/flat-viewer/pacs). */
  pacsCacheDir?: string;
  /** Where derived series are exported before sending (default ~/.cache/flat-viewer/exports). */
  pacsExportDir?: string;
  /** Record this event loop's delays (1 ms resolution) for takeEventLoopMaxMs (bench only). */
  measureEventLoop?: boolean;
}

export const DEFAULT_EXPORT_AREA = process.env.FLAT_EXPORT_DIR || nodePath.join(os.homedir(), 'flat-viewer-exports');

export interface NodeHost {
  /** http://127.0.0.1:PORT/?token=T */
  url: string;
  token: string;
  close(): Promise<void>;
  /** The data-plane process id (null while it restarts): e2e kills it to test recovery. */
  workerPid(): number | null;
  /**
   * The host's own event loop since the last call (measureEventLoop only, else NaN): delays in ms
   * and utilisation (the fraction of the time it was busy running callbacks).
   */
  takeEventLoopDelay(): { maxMs: number; p99Ms: number; utilization: number };
}

/** Largest uploaded file (streamed to disk, never held in memory); the readers refuse larger ones. */
export const MAX_UPLOAD_FILE = 4 * 1024 ** 3;
/** Every API call's body (uploads go to /api/upload). */
export const MAX_SMALL_BODY = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How much of an oversized body is read and discarded so the client sees the 413 (not a reset). */
const MAX_DRAIN = 64 * 1024 * 1024;
/** Most event streams open at once (each holds a socket). */
const MAX_STREAMS = 32;

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `The request is larger than ${formatBytes(limit)}.`);
}

/**
 * The body as text, at most `limit` bytes. Over the limit (declared or streamed, chunked or not)
 * the promise rejects with 413 at once; the rest of the body is read and discarded (up to
 * MAX_DRAIN) so the client receives the 413 reply instead of a connection reset.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let drained = 0;
    const drain = () => {
      req.removeAllListeners('data');
      req.on('data', (c: Buffer) => {
        drained += c.length;
        if (drained > MAX_DRAIN) req.destroy();
      });
      req.resume();
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      drain();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        drain();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!over) reject(e);
    });
  });
}

function sendFrame(res: ServerResponse, status: number, body: Result<unknown>): void {
  const frame = encodeFrame(body);
  res.writeHead(status, {
    'Content-Type': WIRE_CONTENT_TYPE,
    'Cache-Control': 'no-store',
    'Content-Length': frame.byteLength,
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(frame);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

export async function startNodeHost(options: NodeHostOptions = {}): Promise<NodeHost> {
  const staticDir = options.staticDir ?? DEFAULT_PATHS.staticDir;
  const modelDir = options.modelDir ?? DEFAULT_PATHS.modelDir;
  const sampleDir = options.sampleDir ?? DEFAULT_PATHS.sampleDir;
  const modelName = options.modelName ?? DEFAULT_PATHS.modelName;
  const token = newToken();

  const exportArea = options.exportArea ?? DEFAULT_EXPORT_AREA;
  const plane = new DataPlane({
    launch: nodeWorkerLauncher(),
    init: {
      sampleDir,
      modelDir,
      modelName,
      threads: inferenceThreads(os.availableParallelism()),
      exportTarget: 'folder',
      exportArea,
      pacs: {
        ...(options.pacsConfig ?? process.env.FLAT_PACS_CONFIG ? { settingsFile: options.pacsConfig ?? process.env.FLAT_PACS_CONFIG } : {}),
        ...(options.pacsCacheDir ? { cacheDir: options.pacsCacheDir } : {}),
        ...(options.pacsExportDir ? { exportDir: options.pacsExportDir } : {}),
      },
    },
  });
  plane.start();
  const staging = new UploadStaging(MAX_UPLOAD_FILE);
  const streams = new Set<ServerResponse>();
  const broadcast = (event: ReconEvent): void => {
    const bytes = lengthPrefixed(encodeFrame(event));
    for (const s of streams) s.write(bytes);
  };
  const unsubscribe = plane.onEvent(broadcast);
  const handlers: Handlers = createHandlers({
    host: 'node-host',
    version: packageVersion(),
    plane,
    staging,
    requireAppOrigin: false,
    exportTarget: 'folder',
    exportArea,
  });
  const loop = options.measureEventLoop ? startEventLoopMeter() : null;

  const ping = lengthPrefixed(new Uint8Array(0));
  const heartbeat = setInterval(() => {
    for (const s of streams) s.write(ping);
  }, HEARTBEAT_MS);
  heartbeat.unref();

  let port = 0;

  async function invoke(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return sendFrame(res, 405, fail('invalid-request', 'Use POST for API calls.'));
    if (!tokenMatches(token, req.headers['x-flat-token'])) return sendFrame(res, 403, fail('invalid-request', 'Forbidden: missing or wrong token.'));
    if (!isInvokeMethod(method)) return sendFrame(res, 404, fail('invalid-request', `Unknown method "${method.slice(0, 40)}".`));
    let body: Buffer;
    try {
      body = await readBody(req, MAX_SMALL_BODY);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 400;
      return sendFrame(res, status, fail(status === 413 ? 'too-large' : 'invalid-request', e instanceof Error ? e.message : 'Bad request.'));
    }
    let args: unknown[];
    try {
      const value = decodeFrame<{ args?: unknown }>(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
      if (typeof value !== 'object' || value === null || !Array.isArray(value.args)) throw new Error('no args');
      args = value.args;
    } catch {
      return sendFrame(res, 400, fail('invalid-request', 'Invalid request: the body must be {"args": [...]} in the wire format.'));
    }
    const reply = await (handlers[method] as (a: unknown[]) => Promise<Result<unknown>>)(args);
    sendFrame(res, 200, reply);
  }

  /** One file's bytes, streamed into a private staged file; answers its upload id. */
  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST') return sendFrame(res, 405, fail('invalid-request', 'Use POST for uploads.'));
    if (!tokenMatches(token, req.headers['x-flat-token'])) return sendFrame(res, 403, fail('invalid-request', 'Forbidden: missing or wrong token.'));
    const name = url.searchParams.get('name');
    if (!isPlainFileName(name)) return sendFrame(res, 400, fail('invalid-request', 'Invalid request: the upload needs a plain file name.'));
    const declared = Number(req.headers['content-length'] ?? NaN);
    try {
      const uploadId = await staging.receive(name, req, Number.isFinite(declared) ? declared : undefined);
      sendFrame(res, 200, ok({ uploadId }));
    } catch (e) {
      const fe = e instanceof FlatError ? e : null;
      sendFrame(res, fe?.code === 'too-large' ? 413 : 400, { ok: false, error: serializeError(e, 'io') });
    }
  }

  function events(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method !== 'GET') return sendText(res, 405, 'Method not allowed.');
    if (!tokenMatches(token, url.searchParams.get('token'))) return sendText(res, 403, 'Forbidden: missing or wrong token.');
    if (streams.size >= MAX_STREAMS) return sendText(res, 429, 'Too many event streams are open.');
    res.writeHead(200, {
      'Content-Type': `${WIRE_CONTENT_TYPE}-stream`,
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write(ping);
    streams.add(res);
    const drop = () => streams.delete(res);
    req.on('close', drop);
    res.on('close', drop);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed.');
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    // The page needs the token (it reads it from its own URL); its assets are public build output.
    if (isPage && !tokenMatches(token, url.searchParams.get('token'))) return sendText(res, 403, 'Forbidden: open the URL printed at start-up (it carries the token).');
    const file = resolveStaticPath(staticDir, url.pathname);
    if (!file) return sendText(res, 404, 'Not found.');
    const bytes = await readStatic(file);
    if (!bytes) {
      if (isPage) return sendText(res, 503, 'The renderer is not built yet: run `npm run build:renderer`, then reload.');
      return sendText(res, 404, 'Not found.');
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': mimeType(file),
      'Content-Length': bytes.length,
      'Cache-Control': isPage ? 'no-store' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const refused = checkHostAndOrigin(req, port);
    if (refused) return sendText(res, 403, `Forbidden: ${refused}.`);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      return sendText(res, 400, 'Bad request.');
    }
    const path = url.pathname;
    if (path.startsWith('/api/invoke/')) return invoke(req, res, path.slice('/api/invoke/'.length));
    if (path === '/api/events') return events(req, res, url);
    if (path === '/api/upload') return upload(req, res, url);
    if (path.startsWith('/api/')) return sendText(res, 404, 'Not found.');
    return serveStatic(req, res, url);
  }

  // Every request ends in a reply or a closed socket, never in an exception that reaches the
  // event loop: synchronous throws and rejected promises both land in `failed`.
  const failed = (res: ServerResponse) => {
    try {
      if (!res.headersSent) sendText(res, 500, 'Internal error.');
      else res.destroy();
    } catch {
      res.destroy();
    }
  };
  const server = createServer((req, res) => {
    try {
      const p = route(req, res);
      if (p) p.catch(() => failed(res));
    } catch {
      failed(res);
    }
  });
  // Malformed HTTP (bad request line, oversized headers): a 400 and a closed socket, quietly.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.headersTimeout = 20_000;
  server.maxHeadersCount = 100;
  server.requestTimeout = 10 * 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    workerPid: () => plane.workerPid(),
    takeEventLoopDelay: () => loop?.take() ?? { maxMs: NaN, p99Ms: NaN, utilization: NaN },
    async close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const s of streams) s.end();
      streams.clear();
      loop?.stop();
      await plane.close();
      staging.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
