// Starting a worker thread from its module, the one way every thread of the app starts (the HDF5
// thread, the data plane's reader and ORT threads): the TypeScript source under tsx/vitest (through
// tsx-boot.mjs, because worker threads do not inherit tsx's loader hooks on Node 20), or the bundle
// `<name>.js` beside the caller in dist/main; in a packaged app the unpacked copy beside app.asar
// (native code and wasm cannot load from inside the asar).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * `name`: the thread module's base name; `from`: import.meta.url of the module that sits beside it
 * (a .ts source, or a bundle in dist/main).
 */
export function startThread(name: string, from: string, options: WorkerOptions = {}): Worker {
  if (from.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, from).href;
    const data = (options.workerData ?? {}) as Record<string, unknown>;
    return new Worker(new URL('./tsx-boot.mjs', import.meta.url), { ...options, workerData: { ...data, entry } });
  }
  return new Worker(threadBundlePath(fileURLToPath(new URL(`./${name}.js`, from))), options);
}

/** The unpacked copy of a bundle that electron-builder put in app.asar.unpacked, when there is one. */
export function threadBundlePath(file: string): string {
  const packed = `app.asar${path.sep}`;
  if (!file.includes(packed)) return file;
  const unpacked = file.replace(packed, `app.asar.unpacked${path.sep}`);
  return existsSync(unpacked) ? unpacked : file;
}
