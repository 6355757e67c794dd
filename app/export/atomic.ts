// Atomic file writes: write a temp file in the destination folder, then rename over the target,
// so a crash never leaves a half-written file under the final name. With an OutputGuard, the
// target is first checked against the run's inputs (safe-write.ts).
import { randomUUID } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { FlatError } from '../core/errors';
import { OutputGuard, makeFolders } from './safe-write';

export function writeAtomic(path: string, bytes: Uint8Array, guard?: OutputGuard): void {
  guard?.checkFile(path);
  const dir = dirname(path);
  const tmp = resolve(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    makeFolders(dir);
    writeFileSync(tmp, bytes, { flag: 'wx' }); // a new file: never through a planted link
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof FlatError) throw e;
    const why = (e as { code?: string }).code ?? 'error';
    throw new FlatError('io', `${basename(path)}: the file could not be written (${why}).`, path);
  }
}

/** Refuse an output folder that contains (at any depth) one of the inputs, or lies inside one. */
export function assertNotOverInput(outDir: string, inputPaths: readonly string[] | undefined): void {
  new OutputGuard(inputPaths ?? []).checkFolder(outDir);
}
