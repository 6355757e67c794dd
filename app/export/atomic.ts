// Atomic file writes: write a temp file in the destination folder, then rename over the target,
// so a crash never leaves a half-written file under the final name.
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, basename, isAbsolute } from 'node:path';
import { FlatError } from '../core/errors';

export function writeAtomic(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  const tmp = resolve(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const why = (e as { code?: string }).code ?? 'error';
    throw new FlatError('io', `${basename(path)}: the file could not be written (${why}).`, path);
  }
}

/** Refuse an output folder that contains (at any depth) one of the input files. */
export function assertNotOverInput(outDir: string, inputPaths: readonly string[] | undefined): void {
  const out = resolve(outDir);
  for (const input of inputPaths ?? []) {
    const rel = relative(out, resolve(input));
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
      throw new FlatError('io', `The output folder ${out} contains the input ${basename(input)}; choose another folder so the input is never overwritten.`, input);
  }
}
