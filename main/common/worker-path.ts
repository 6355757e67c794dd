// Where the data-plane process module is: next to its sources under tsx/vitest, or beside the
// bundle in dist/main (esbuild writes every entry point into one folder).

import { fileURLToPath } from 'node:url';

export function workerModulePath(from: string = import.meta.url): string {
  return from.endsWith('.ts')
    ? fileURLToPath(new URL('../data-plane/process.ts', from))
    : fileURLToPath(new URL('./data-plane-process.js', from));
}
