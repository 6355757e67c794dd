// The worker thread that hosts the HDF5 WebAssembly module (h5wasm), started by wasm.ts.
// Protocol: one request at a time on a MessagePort; the reply is posted on the same port and then
// signalled through a shared Int32Array so the caller can wait synchronously (Atomics.wait) with
// a timeout — a corrupt file that sends HDF5 into an endless loop is then abandoned by
// terminating this thread instead of hanging the caller.
// File access: HDF5 may open exactly the files we opened on purpose, read-only, and only when they
// are regular files. External storage (EFL), external links and virtual datasets make HDF5 open
// other paths: every such open is refused here, in the one place all file access goes through
// (Emscripten's FS.open), and the request fails with H5ExternalError. A regular file is checked
// on a non-blocking descriptor and then reopened through /proc/self/fd (Linux), so a FIFO or a
// device can never block the thread in open() or read().

import fs from 'node:fs';
import nodePath from 'node:path';
import { workerData, type MessagePort } from 'node:worker_threads';

/** The parts of h5wasm's Emscripten module this thread uses. */
interface ErrnoErrorCtor {
  new (errno: number): Error;
}
interface EmscriptenFs {
  open(this: unknown, path: unknown, flags: unknown, mode?: unknown): unknown;
  write(this: unknown, stream: { fd?: number } | null, buffer: unknown, offset: number, length: number, position?: unknown, canOwn?: unknown): number;
  ErrnoError: ErrnoErrorCtor;
}
interface H5Module {
  FS: EmscriptenFs;
  HEAPU8: Uint8Array;
  H5F_ACC_RDONLY: number;
  H5G_UDLINK: number;
  _malloc(n: number): number;
  _free(p: number): void;
  open(path: string, mode: number, trackOrder: boolean, a: number, b: number): bigint;
  close_file(id: bigint): number;
  get_dataset_data(id: bigint, path: string, count: null, offset: null, stride: null, ptr: bigint): void;
  get_attribute_data(id: bigint, path: string, attr: string, ptr: bigint): void;
  reclaim_vlen_memory(id: bigint, path: string, attr: string, ptr: bigint): void;
  activate_throwing_error_handler(): void;
  [fn: string]: unknown;
}

interface ThreadData {
  utilUrl: string;
  port: MessagePort;
  ctl: Int32Array;
}

export type H5Request =
  | { op: 'open'; path: string }
  | { op: 'close'; id: bigint }
  | { op: 'call'; fn: string; args: unknown[] }
  | { op: 'read'; id: bigint; path: string; attr: string | null; nbytes: number; vlenStrings: boolean; totalSize: number; maxBytes: number }
  | { op: 'readVlen'; id: bigint; path: string; size: number; count: number; vlens: { offset: number; elem: number }[]; maxBytes: number };

export type H5Reply = { ok?: unknown; error?: { name: string; message: string; fatal: boolean } };

const { utilUrl, port, ctl } = workerData as ThreadData;
let M: H5Module | null = null;
const allowed = new Map<string, number>(); // real path → open count
let refused: string[] = [];

function done(msg: H5Reply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
}

function external(what: string): Error {
  const e = new Error(what);
  e.name = 'H5ExternalError';
  return e;
}

function mod(): H5Module {
  if (!M) throw new Error('the HDF5 library is not loaded');
  return M;
}

const TMPFILE = /^\/tmp\/tmpfile_[A-Za-z0-9]{6}$/;
const O = { WRONLY: 1, RDWR: 2, CREAT: 64, EXCL: 128, TRUNC: 512, APPEND: 1024, DIRECTORY: 65536 } as const;

function guardFileSystem(m: H5Module): void {
  const FS = m.FS;
  const open = FS.open;
  // Refused opens of data (read-only, not a folder) are what external storage, external links and
  // virtual datasets do; HDF5 also probes plugin folders and temp files on damaged input: those are
  // refused too, but quietly (the request fails or not on its own).
  const deny = (p: string, data: boolean): never => {
    if (data) refused.push(p.slice(0, 200));
    throw new FS.ErrnoError(data ? 2 : 44);
  };
  FS.open = function (this: unknown, path: unknown, flags: unknown, mode?: unknown) {
    const p = typeof path === 'string' ? nodePath.resolve(path) : '';
    const f = typeof flags === 'number' ? flags : null;
    const writes = f === null || (f & (O.WRONLY | O.RDWR | O.CREAT | O.TRUNC | O.APPEND)) !== 0;
    const folder = f !== null && (f & O.DIRECTORY) !== 0;
    // h5wasm turns HDF5's error stack into an exception through tmpfile(): a NEW file, created
    // exclusively (O_CREAT|O_EXCL: never through an existing file or link) and unlinked at once.
    // Refusing it makes the C library retry names for seconds on every damaged file.
    if (f !== null && (f & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL) && TMPFILE.test(p)) return open.call(this, path, flags, mode);
    if (!allowed.has(p)) return deny(p, !writes && !folder);
    // read-only: no O_WRONLY/O_RDWR, O_CREAT, O_TRUNC, O_APPEND
    if (writes || folder) return deny(p, false);
    let fd: number;
    try {
      fd = fs.openSync(p, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0));
    } catch {
      throw new FS.ErrnoError(44);
    }
    try {
      if (!fs.fstatSync(fd).isFile()) return deny(p, true);
      // the very inode we checked, never a file swapped in since
      return open.call(this, process.platform === 'linux' ? `/proc/self/fd/${fd}` : p, flags, mode);
    } finally {
      fs.closeSync(fd);
    }
  };
  // HDF5 prints some error stacks (EFL failures) straight to fd 2 through the raw file system:
  // never into our output
  const write = FS.write;
  FS.write = function (this: unknown, stream, buffer, offset, length, position, canOwn) {
    if (stream && (stream.fd === 1 || stream.fd === 2)) return length;
    return write.call(this, stream, buffer, offset, length, position, canOwn);
  };
}

const utf8 = new TextDecoder('utf-8');
/** An abort or trap of the WASM runtime (the module must be replaced); typed here without DOM libs. */
const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly.RuntimeError;

// Variable-length strings: HDF5 allocated them; measure each (bounded NUL search) against what
// is left of maxBytes before decoding, so a 1 GB header string is refused, not copied.
function vlenStrings(ptr: number, count: number, maxBytes: number): string[] {
  const heap = mod().HEAPU8;
  const ptrs = new Uint32Array(heap.buffer, ptr, count);
  let left = maxBytes;
  const out: string[] = [];
  for (const p of ptrs) {
    if (!p) {
      out.push('');
      continue;
    }
    const stop = Math.min(heap.length, p + left + 1);
    let e = p;
    while (e < stop && heap[e] !== 0) e++;
    if (e - p > left) throw new RangeError(`variable-length strings need more than ${maxBytes} bytes`);
    left -= e - p;
    out.push(utf8.decode(heap.subarray(p, e)));
  }
  return out;
}

function read(r: Extract<H5Request, { op: 'read' }>): { bytes?: Uint8Array; strings?: string[] } {
  const m = mod();
  const ptr = m._malloc(Math.max(r.nbytes, 1));
  if (!ptr) throw new RangeError(`cannot allocate ${r.nbytes} bytes`);
  let filled = false;
  try {
    if (r.attr === null) m.get_dataset_data(r.id, r.path, null, null, null, BigInt(ptr));
    else m.get_attribute_data(r.id, r.path, r.attr, BigInt(ptr));
    filled = true;
    if (r.vlenStrings) return { strings: vlenStrings(ptr, r.totalSize, r.maxBytes) };
    return { bytes: m.HEAPU8.slice(ptr, ptr + r.nbytes) };
  } finally {
    if (filled && r.vlenStrings) m.reclaim_vlen_memory(r.id, r.path, r.attr === null ? '' : r.attr, BigInt(ptr));
    m._free(ptr);
  }
}

// A compound dataset with variable-length members: copy the fixed part, gather every vlen
// payload into one blob and rewrite each {length, pointer} pair as {length, blob offset}.
function readVlen(r: Extract<H5Request, { op: 'readVlen' }>): { fixed: Uint8Array; blob: Uint8Array } {
  const m = mod();
  const { size, count, vlens, maxBytes } = r;
  const nbytes = size * count;
  const ptr = m._malloc(Math.max(nbytes, 1));
  if (!ptr) throw new RangeError(`cannot allocate ${nbytes} bytes`);
  let filled = false;
  try {
    m.get_dataset_data(r.id, r.path, null, null, null, BigInt(ptr));
    filled = true;
    const heap = m.HEAPU8;
    const dv = new DataView(heap.buffer);
    const fixed = heap.slice(ptr, ptr + nbytes);
    const fdv = new DataView(fixed.buffer);
    let total = 0;
    for (let i = 0; i < count; i++) for (const v of vlens) total += dv.getUint32(ptr + i * size + v.offset, true) * v.elem;
    if (total > maxBytes) throw new RangeError(`variable-length data needs ${total} bytes`);
    const blob = new Uint8Array(total);
    let o = 0;
    for (let i = 0; i < count; i++)
      for (const v of vlens) {
        const at = ptr + i * size + v.offset;
        const n = dv.getUint32(at, true) * v.elem;
        const p = dv.getUint32(at + 4, true);
        if (n > 0) {
          if (p + n > heap.length) throw new RangeError('variable-length data outside the heap (bytes)');
          blob.set(heap.subarray(p, p + n), o);
        }
        fdv.setUint32(i * size + v.offset + 4, o, true);
        o += n;
      }
    return { fixed, blob };
  } finally {
    if (filled) m.reclaim_vlen_memory(r.id, r.path, '', BigInt(ptr));
    m._free(ptr);
  }
}

const openPaths = new Map<string, string>(); // file id → path

function openFile(path: string): bigint {
  const m = mod();
  allowed.set(path, (allowed.get(path) ?? 0) + 1);
  let id = -1n;
  try {
    id = m.open(path, m.H5F_ACC_RDONLY, false, -1, -1);
    return id;
  } finally {
    if (typeof id === 'bigint' && id >= 0n) openPaths.set(String(id), path);
    else release(path);
  }
}

function release(path: string): void {
  const n = (allowed.get(path) ?? 0) - 1;
  if (n > 0) allowed.set(path, n);
  else allowed.delete(path);
}

function closeFile(id: bigint): number {
  const path = openPaths.get(String(id));
  openPaths.delete(String(id));
  try {
    return mod().close_file(id);
  } finally {
    if (path !== undefined) release(path);
  }
}

function call(fn: string, args: unknown[]): unknown {
  const m = mod();
  const f = m[fn];
  if (typeof f !== 'function') throw new Error(`unknown HDF5 call ${fn.slice(0, 40)}`);
  const r = (f as (...a: unknown[]) => unknown).apply(m, args);
  if (fn === 'get_type' && r === m.H5G_UDLINK) throw external('an external link');
  const sources = (r as { virtual_sources?: unknown } | null)?.virtual_sources;
  if (fn === 'get_dataset_metadata' && Array.isArray(sources) && sources.length > 0) throw external('a virtual dataset');
  return r;
}

port.on('message', (req: H5Request) => {
  refused = [];
  try {
    let result: unknown;
    switch (req.op) {
      case 'open':
        result = openFile(req.path);
        break;
      case 'close':
        result = closeFile(req.id);
        break;
      case 'call':
        result = call(req.fn, req.args);
        break;
      case 'read': {
        const r = read(req);
        return done({ ok: r }, r.bytes ? [r.bytes.buffer as ArrayBuffer] : []);
      }
      case 'readVlen': {
        const r = readVlen(req);
        return done({ ok: r }, [r.fixed.buffer as ArrayBuffer, r.blob.buffer as ArrayBuffer]);
      }
      default:
        throw new Error(`unknown request ${String((req as { op?: unknown }).op)}`);
    }
    // HDF5 may swallow a refused open (e.g. get_type falls back to the link itself): still refuse
    if (refused.length > 0 && req.op !== 'close') throw external('HDF5 tried to open another file');
    done({ ok: result });
  } catch (err) {
    let e: unknown = err;
    if (refused.length > 0 && req.op !== 'close') e = external('HDF5 tried to open another file');
    const name = e instanceof Error && e.name ? e.name : 'Error';
    const message = e instanceof Error && e.message ? e.message : String(e);
    done({ error: { name, message, fatal: e instanceof RuntimeError } });
  }
});

// Loaded by Node's own import (the 4 MB Emscripten file needs no transform), then guarded.
import(/* @vite-ignore */ utilUrl)
  .then((m: { default: (o: object) => Promise<H5Module> }) => m.default({ noInitialRun: true, print: () => {}, printErr: () => {} }))
  .then((loaded) => {
    M = loaded;
    guardFileSystem(loaded);
    loaded.activate_throwing_error_handler();
    done({ ok: 'ready' });
  })
  .catch((e: unknown) => done({ error: { name: 'Error', message: `the HDF5 library failed to load: ${e instanceof Error ? e.message : String(e)}`, fatal: true } }));
