// Starts a worker thread of the data-plane process from its module: the TypeScript source under
// tsx/vitest (through tsx-thread-boot.mjs), the bundle beside this file in dist/main, or, in a
// packaged app, the unpacked copy beside app.asar (native modules cannot load from the asar).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * `name`: the thread module's base name (ort-thread, reader-thread); `from`: import.meta.url of
 * the caller (a .ts source or a bundle in dist/main).
 */
export function startThread(name: string, from: string, workerData: Record<string, unknown> = {}, resourceLimits?: ResourceLimits): Worker {
  const options = { workerData, ...(resourceLimits ? { resourceLimits } : {}) };
  if (from.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, from).href;
    return new Worker(new URL('./tsx-thread-boot.mjs', from), { ...options, workerData: { ...workerData, entry } });
  }
  return new Worker(threadBundlePath(fileURLToPath(new URL(`./${name}.js`, from))), options);
}

/**
 * In a packaged app the bundle sits in app.asar; the thread files and onnxruntime-node are
 * unpacked beside it (electron-builder.yml asarUnpack), so start the thread from there.
 */
export function threadBundlePath(file: string): string {
  const packed = `app.asar${path.sep}`;
  if (!file.includes(packed)) return file;
  const unpacked = file.replace(packed, `app.asar.unpacked${path.sep}`);
  return existsSync(unpacked) ? unpacked : file;
}
