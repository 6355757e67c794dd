// Default locations, relative to the repository (or the unpacked app): sources live in
// main/common/, bundles in dist/main/ — both two folders below the root.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const DEFAULT_PATHS = {
  staticDir: path.join(REPO_ROOT, 'dist/renderer'),
  modelDir: path.join(REPO_ROOT, 'resources/models'),
  sampleDir: path.join(REPO_ROOT, 'resources/sample'),
  modelName: 'flat',
} as const;

export function packageVersion(root: string = REPO_ROOT): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * onnxruntime threads for the worker: leave a core for the UI and the main process on machines
 * with four or more; more than 4 buys little for these small convolutions.
 */
export function inferenceThreads(cpus: number): number {
  return Math.max(1, Math.min(4, cpus >= 4 ? cpus - 1 : cpus));
}
