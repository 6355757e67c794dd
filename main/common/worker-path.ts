// Where the inference worker module is: next to its sources under tsx/vitest, or beside the
// bundle in dist/main (esbuild writes every entry point into one folder).

import { fileURLToPath } from 'node:url';

export function workerModulePath(from: string = import.meta.url): string {
  return from.endsWith('.ts')
    ? fileURLToPath(new URL('../worker/inference-process.ts', from))
    : fileURLToPath(new URL('./inference-process.js', from));
}
