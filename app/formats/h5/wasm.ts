// A small, crash-tolerant layer over the HDF5 C library compiled to WebAssembly (h5wasm). We use
// the low-level module directly rather than h5wasm's high-level classes because:
//  - its value getters convert compound (complex) data element by element; we copy the raw
//    dataset bytes out of the WASM heap in one go (a 50 MB volume in tens of milliseconds);
//  - its module prints HDF5 error stacks to stderr; ours is instantiated with a silent printErr;
//  - a corrupt file can abort the WASM runtime. The module is a private instance here, so after an
//    abort we drop it and instantiate a fresh one (about 50 ms) for the next file.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The parts of the Emscripten module we call (see node_modules/h5wasm/src/hdf5_util_helpers.d.ts). */
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
}

interface H5Module {
  open(name: string, mode: number, trackOrder: boolean, libverLow: number, libverHigh: number): bigint;
  close_file(id: bigint): number;
  get_names(id: bigint, path: string, recursive: boolean): string[];
  get_type(id: bigint, path: string): number;
  get_attribute_names(id: bigint, path: string): string[];
  get_attribute_metadata(id: bigint, path: string, name: string): H5Meta;
  get_attribute_data(id: bigint, path: string, name: string, ptr: bigint): number;
  get_dataset_metadata(id: bigint, path: string): H5Meta;
  get_dataset_data(id: bigint, path: string, count: null, offset: null, strides: null, ptr: bigint): number;
  reclaim_vlen_memory(id: bigint, path: string, attr: string, ptr: bigint): number;
  UTF8ToString(ptr: number): string;
  activate_throwing_error_handler(): void;
  _malloc(n: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  H5F_ACC_RDONLY: number;
  MAXIMUM_MEMORY: number;
}

export const H5T = { INTEGER: 0, FLOAT: 1, STRING: 3, COMPOUND: 6, ENUM: 8, VLEN: 9, ARRAY: 10 } as const;
export const H5O = { GROUP: 0, DATASET: 1 } as const;

type Factory = (opts: Record<string, unknown>) => Promise<H5Module>;
let factory: Promise<Factory> | undefined;
let instance: Promise<H5Module> | undefined;

/** h5wasm's package exports hide dist/node/hdf5_util.js, so find it by walking up to node_modules. */
function findUtil(): string {
  const rel = join('node_modules', 'h5wasm', 'dist', 'node', 'hdf5_util.js');
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, rel);
      if (existsSync(candidate)) return candidate;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error('the HDF5 library (h5wasm) is not installed');
}

async function getModule(): Promise<H5Module> {
  factory ??= import(pathToFileURL(findUtil()).href).then((m: { default: Factory }) => m.default);
  const f = await factory;
  // NODERAWFS writes HDF5's diagnostics straight to the process's stderr; the throwing handler
  // turns them into exceptions (which we map to FlatErrors) instead.
  instance ??= f({ noInitialRun: true, print: () => {}, printErr: () => {} }).then((m) => {
    m.activate_throwing_error_handler();
    return m;
  });
  return instance;
}

/** Forget the current instance (after an abort); the next open instantiates a fresh one. */
export function discardModule(): void {
  instance = undefined;
  discarded++;
}

let discarded = 0;
/** How many times a module instance was dropped after a WASM abort (tests print it). */
export function discardedModules(): number {
  return discarded;
}

/** Errors that mean the WASM runtime itself died, not just that HDF5 refused the file. */
export function isRuntimeAbort(e: unknown): boolean {
  const RuntimeError = (globalThis as { WebAssembly?: { RuntimeError?: new () => Error } }).WebAssembly?.RuntimeError;
  if (RuntimeError && e instanceof RuntimeError) return true;
  const msg = e instanceof Error ? e.message : String(e);
  return /abort|unreachable|out of bounds|memory access|stack overflow|Maximum call stack|RuntimeError/i.test(msg);
}

/** One open HDF5 file. Every method may throw a plain Error; callers turn it into a FlatError. */
export class H5File {
  private constructor(
    private readonly m: H5Module,
    private readonly id: bigint,
    /** Bytes on disk: an uncompressed dataset can never hold more than this. */
    readonly fileSize: number,
  ) {}

  static async open(path: string, fileSize: number): Promise<H5File> {
    const m = await getModule();
    const id = m.open(path, m.H5F_ACC_RDONLY, false, -1, -1);
    if (typeof id !== 'bigint' || id < 0n) throw new Error('HDF5 could not open the file');
    return new H5File(m, id, fileSize);
  }

  close(): void {
    try {
      this.m.close_file(this.id);
    } catch {
      /* a failed close after an abort is expected; the module is discarded anyway */
    }
  }

  /** 0 group, 1 dataset, -1 missing. */
  typeOf(path: string): number {
    return this.m.get_type(this.id, path);
  }

  keys(path = '/'): string[] {
    return this.m.get_names(this.id, path, false);
  }

  attrNames(path = '/'): string[] {
    return this.m.get_attribute_names(this.id, path);
  }

  datasetMeta(path: string): H5Meta {
    return this.m.get_dataset_metadata(this.id, path);
  }

  attrMeta(path: string, name: string): H5Meta {
    return this.m.get_attribute_metadata(this.id, path, name);
  }

  /** Raw bytes of a whole dataset, in the file's own element layout (size × total_size). */
  readRaw(path: string, meta: H5Meta, maxBytes: number): Uint8Array {
    return this.read(meta, maxBytes, (ptr) => this.m.get_dataset_data(this.id, path, null, null, null, ptr), path, '');
  }

  /**
   * Run `fn` on a dataset's bytes while they are still in the WASM heap (needed for vlen members,
   * whose pointers are only valid until the memory is reclaimed).
   */
  withRaw<T>(path: string, meta: H5Meta, maxBytes: number, fn: (heap: Uint8Array, ptr: number, nbytes: number) => T): T {
    const nbytes = meta.size * meta.total_size;
    if (!Number.isSafeInteger(nbytes) || nbytes < 0) throw new Error('invalid dataset size');
    if (nbytes > maxBytes) throw new RangeError(`dataset needs ${nbytes} bytes`);
    if (!meta.chunks && nbytes > this.fileSize) throw new RangeError(`dataset declares ${nbytes} bytes in a ${this.fileSize}-byte file`);
    const ptr = this.m._malloc(Math.max(nbytes, 1));
    if (!ptr) throw new RangeError(`cannot allocate ${nbytes} bytes`);
    let filled = false;
    try {
      this.m.get_dataset_data(this.id, path, null, null, null, BigInt(ptr));
      filled = true;
      return fn(this.m.HEAPU8, ptr, nbytes);
    } finally {
      if (filled) this.m.reclaim_vlen_memory(this.id, path, '', BigInt(ptr));
      this.m._free(ptr);
    }
  }

  readAttrRaw(path: string, name: string, meta: H5Meta, maxBytes: number): Uint8Array | string[] {
    return this.read(meta, maxBytes, (ptr) => this.m.get_attribute_data(this.id, path, name, ptr), path, name);
  }

  private read(meta: H5Meta, maxBytes: number, fill: (ptr: bigint) => number, path: string, attr: string): Uint8Array & string[] {
    const nbytes = meta.size * meta.total_size;
    if (!Number.isSafeInteger(nbytes) || nbytes < 0) throw new Error('invalid dataset size');
    if (nbytes > maxBytes) throw new RangeError(`dataset needs ${nbytes} bytes`);
    const ptr = this.m._malloc(Math.max(nbytes, 1));
    if (!ptr) throw new RangeError(`cannot allocate ${nbytes} bytes`);
    try {
      fill(BigInt(ptr));
      if (meta.type === H5T.STRING && meta.vlen) {
        // variable-length strings: the buffer holds char* pointers into the WASM heap
        const ptrs = new Uint32Array(this.m.HEAPU8.buffer, ptr, meta.total_size);
        const out = Array.from(ptrs, (p) => (p ? this.m.UTF8ToString(p) : ''));
        this.m.reclaim_vlen_memory(this.id, path, attr, BigInt(ptr));
        return out as unknown as Uint8Array & string[];
      }
      return this.m.HEAPU8.slice(ptr, ptr + nbytes) as Uint8Array & string[];
    } finally {
      this.m._free(ptr);
    }
  }
}
