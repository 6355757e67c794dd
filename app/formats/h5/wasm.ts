// A small, crash- and hang-tolerant layer over the HDF5 C library compiled to WebAssembly (h5wasm).
// We use h5wasm's low-level module rather than its high-level classes because:
//  - its value getters convert compound (complex) data element by element; we copy the raw dataset
//    bytes out of the WASM heap in one go (a 50 MB volume in well under a second);
//  - with NODERAWFS, HDF5 writes diagnostics straight to stderr; we switch on its throwing handler;
//  - a corrupt file can abort the WASM runtime, or send HDF5 into an endless loop (seen with a
//    damaged global heap in an MRD file). The module therefore lives in a worker thread; every call
//    waits for its reply with a timeout, and an aborted or hung worker is terminated and replaced.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startThread } from '../../threads/start';
import type { MemoryBudget } from '../budget';
import type { H5Reply } from './h5-thread';

/** Metadata as h5wasm reports it (see node_modules/h5wasm/src/hdf5_util_helpers.d.ts). */
export interface H5Meta {
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  vlen: boolean;
  shape: number[] | null;
  total_size: number;
  /** null for contiguous storage. */
  chunks?: number[] | null;
  cset?: number;
  compound_type?: { nmembers: number; members: (H5Meta & { name: string; offset: number })[] };
  array_type?: H5Meta;
  vlen_type?: H5Meta;
}

export const H5T = { INTEGER: 0, FLOAT: 1, STRING: 3, COMPOUND: 6, ENUM: 8, VLEN: 9, ARRAY: 10 } as const;
export const H5O = { GROUP: 0, DATASET: 1 } as const;

/** Thrown when HDF5 would read another file: external storage, an external link, a virtual dataset. */
export class H5ExternalError extends Error {
  override readonly name = 'H5ExternalError';
}

/** Thrown when the worker did not answer in time (a hang inside HDF5). */
export class H5TimeoutError extends Error {
  override readonly name = 'H5TimeoutError';
}

/** h5wasm's package exports hide dist/node/hdf5_util.js, so find it by walking up to node_modules. */
function findUtil(): string {
  const rel = join('node_modules', 'h5wasm', 'dist', 'node', 'hdf5_util.js');
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, rel);
      if (existsSync(candidate)) {
        // packaged app: a worker thread cannot import from inside app.asar; prefer the unpacked copy
        const unpacked = candidate.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
        return unpacked !== candidate && existsSync(unpacked) ? unpacked : candidate;
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error('the HDF5 library (h5wasm) is not installed');
}

interface Host {
  worker: Worker;
  port: MessagePort;
  ctl: Int32Array;
}

let host: Host | undefined;
let timeoutBaseMs = 1500;

/** Per-request timeout base (ms). Tests that feed thousands of corrupt files lower it. */
export function setHdf5TimeoutBaseMs(ms: number): void {
  timeoutBaseMs = ms;
}
let discarded = 0;
const START_TIMEOUT_MS = 60_000;

type Reply = H5Reply;

function waitReply(h: Host, timeoutMs: number): Reply {
  // Loop on the flag itself: a late notify from the previous reply (the worker can be preempted
  // between setting the flag and notifying) wakes us while the flag is still 0 — not an answer.
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(h.ctl, 0) === 0) {
    const left = deadline - performance.now();
    if (left <= 0 || (Atomics.wait(h.ctl, 0, 0, left) === 'timed-out' && Atomics.load(h.ctl, 0) === 0)) {
      if (h === host) discardModule();
      else void h.worker.terminate();
      throw new H5TimeoutError(`HDF5 did not answer within ${Math.round(timeoutMs)} ms`);
    }
  }
  const msg = receiveMessageOnPort(h.port);
  if (!msg) {
    if (h === host) discardModule();
    throw new Error('the HDF5 worker stopped');
  }
  return msg.message as Reply;
}

function spawn(): Host {
  const { port1, port2 } = new MessageChannel();
  const ctl = new Int32Array(new SharedArrayBuffer(4));
  // h5-thread.ts (a .js bundle beside its caller in dist/main)
  const utilUrl = pathToFileURL(findUtil()).href;
  const worker = startThread('h5-thread', import.meta.url, {
    // preload: under tsx the Emscripten file is loaded by Node itself (app/threads/tsx-boot.mjs)
    workerData: { utilUrl, port: port2, ctl, preload: [utilUrl] },
    transferList: [port2],
    stdout: true, // HDF5 must never print into our output
    stderr: true,
  });
  worker.unref();
  worker.on('error', () => {}); // a dying worker is handled by the caller's wait
  return { worker, port: port1, ctl };
}

/** A replacement started right after a worker is discarded, so the next file does not wait for it. */
let spare: Host | undefined;

function getHost(): Host {
  if (host) return host;
  const h = spare ?? spawn();
  spare = undefined;
  let reply: Reply;
  try {
    reply = waitReply(h, START_TIMEOUT_MS); // the worker's "ready" (or its load error)
  } catch (e) {
    void h.worker.terminate();
    throw e;
  }
  if (reply.error) {
    void h.worker.terminate();
    throw new Error(reply.error.message);
  }
  host = h;
  return h;
}

/** One synchronous request to the worker; throws the worker's error, or H5TimeoutError. */
function request(req: Record<string, unknown>, timeoutMs: number, transfer: ArrayBuffer[] = []): unknown {
  const h = getHost();
  Atomics.store(h.ctl, 0, 0);
  h.port.postMessage(req, transfer);
  const reply = waitReply(h, timeoutMs);
  if (reply.error) {
    if (reply.error.fatal) discardModule();
    const { name, message } = reply.error;
    throw name === 'RangeError' ? new RangeError(message) : name === 'TypeError' ? new TypeError(message) : name === 'H5ExternalError' ? new H5ExternalError(message) : new Error(message);
  }
  return reply.ok;
}

/** Drop the worker (after an abort or a hang); the next open starts a fresh one. */
export function discardModule(): void {
  if (!host) return;
  void host.worker.terminate();
  host.port.close();
  host = undefined;
  discarded++;
  spare ??= spawn();
}

/** How many times the HDF5 worker was replaced after an abort or a hang (tests print it). */
export function discardedModules(): number {
  return discarded;
}

/** Errors that mean the WASM runtime died or hung, not just that HDF5 refused the file. */
export function isRuntimeAbort(e: unknown): boolean {
  if (e instanceof H5TimeoutError) return true;
  const msg = e instanceof Error ? e.message : String(e);
  return /Aborted\(|unreachable|memory access out of bounds|HDF5 worker stopped/i.test(msg);
}

/** One open HDF5 file. Every method may throw a plain Error; callers turn it into a FlatError. */
export class H5File {
  private constructor(
    private readonly id: bigint,
    /** Bytes on disk: an uncompressed dataset can never hold more than this. */
    readonly fileSize: number,
    /** Per-call limit: generous for the file's size, short enough that a hang ends quickly. */
    private readonly timeoutMs: number,
  ) {}

  static async open(path: string, fileSize: number): Promise<H5File> {
    // base plus 10 MB/s of file: legitimate requests take about a millisecond plus a few per MB;
    // the base is generous so a heavily loaded machine does not turn a slow read into an error
    const timeoutMs = timeoutBaseMs + fileSize / 10_000;
    // the worker lets HDF5 open this one real path and nothing else
    const id = request({ op: 'open', path: realpathSync(path) }, timeoutMs) as bigint;
    if (typeof id !== 'bigint' || id < 0n) throw new Error('HDF5 could not open the file');
    return new H5File(id, fileSize, timeoutMs);
  }

  close(): void {
    if (!host) return;
    try {
      request({ op: 'close', id: this.id }, this.timeoutMs);
    } catch {
      /* a failed close after an abort is expected; the worker is replaced anyway */
    }
  }

  private call(fn: string, ...args: unknown[]): unknown {
    return request({ op: 'call', fn, args: [this.id, ...args] }, this.timeoutMs);
  }

  /** The load's memory budget: every dataset read is counted in it before the worker allocates. */
  budget?: MemoryBudget;

  private readonly types = new Map<string, number>();
  private readonly attrs = new Map<string, string[]>();

  /** 0 group, 1 dataset, -1 missing. (Memoised: each request is a round trip to the worker.) */
  typeOf(path: string): number {
    let t = this.types.get(path);
    if (t === undefined) {
      t = this.call('get_type', path) as number;
      this.types.set(path, t);
    }
    return t;
  }

  keys(path = '/'): string[] {
    return this.call('get_names', path, false) as string[];
  }

  attrNames(path = '/'): string[] {
    let a = this.attrs.get(path);
    if (a === undefined) {
      a = this.call('get_attribute_names', path) as string[];
      this.attrs.set(path, a);
    }
    return a;
  }

  datasetMeta(path: string): H5Meta {
    return this.call('get_dataset_metadata', path) as H5Meta;
  }

  attrMeta(path: string, name: string): H5Meta {
    return this.call('get_attribute_metadata', path, name) as H5Meta;
  }

  private checkSize(meta: H5Meta, maxBytes: number): number {
    const nbytes = meta.size * meta.total_size;
    if (!Number.isSafeInteger(nbytes) || nbytes < 0) throw new Error('invalid dataset size');
    if (nbytes > maxBytes) throw new RangeError(`dataset needs ${nbytes} bytes`);
    return nbytes;
  }

  /** Raw bytes of a whole dataset in the file's element layout, or its strings for vlen strings. */
  readRaw(path: string, meta: H5Meta, maxBytes: number): Uint8Array | string[] {
    const nbytes = this.checkSize(meta, maxBytes);
    if (!meta.chunks && nbytes > this.fileSize) throw new RangeError(`dataset declares ${nbytes} bytes in a ${this.fileSize}-byte file`);
    const vlenStrings = meta.type === H5T.STRING && meta.vlen;
    // the bytes exist twice while they are copied out of the WASM heap, then once
    this.budget?.take(['HDF5 dataset', 2 * nbytes]);
    const r = request({ op: 'read', id: this.id, path, attr: null, nbytes, vlenStrings, totalSize: meta.total_size, maxBytes }, this.timeoutMs + nbytes / 10_000) as { bytes?: Uint8Array; strings?: string[] };
    this.budget?.release(nbytes);
    return r.strings ?? r.bytes!;
  }

  readAttrRaw(path: string, name: string, meta: H5Meta, maxBytes: number): Uint8Array | string[] {
    const nbytes = this.checkSize(meta, maxBytes);
    const vlenStrings = meta.type === H5T.STRING && meta.vlen;
    const r = request({ op: 'read', id: this.id, path, attr: name, nbytes, vlenStrings, totalSize: meta.total_size, maxBytes }, this.timeoutMs) as { bytes?: Uint8Array; strings?: string[] };
    return r.strings ?? r.bytes!;
  }

  /**
   * A compound dataset with variable-length members (MRD acquisitions): the fixed-size records,
   * with each vlen member's pointer replaced by a byte offset into `blob`.
   */
  readVlenCompound(path: string, meta: H5Meta, vlens: { offset: number; elem: number }[], maxBytes: number): { fixed: Uint8Array; blob: Uint8Array } {
    const nbytes = this.checkSize(meta, maxBytes);
    if (!meta.chunks && nbytes > this.fileSize) throw new RangeError(`dataset declares ${nbytes} bytes in a ${this.fileSize}-byte file`);
    this.budget?.take(['HDF5 records', 2 * nbytes]);
    // variable-length payloads exist twice in the worker (HDF5's copy, the blob): half of what is left
    const blobMax = this.budget ? Math.min(maxBytes, Math.floor(this.budget.remaining / 2)) : maxBytes;
    const r = request({ op: 'readVlen', id: this.id, path, size: meta.size, count: meta.total_size, vlens, maxBytes: blobMax }, this.timeoutMs + nbytes / 10_000) as { fixed: Uint8Array; blob: Uint8Array };
    this.budget?.release(nbytes);
    this.budget?.take(['variable-length data', r.blob.byteLength]);
    return r;
  }
}
