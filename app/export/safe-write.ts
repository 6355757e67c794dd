// Never write into or over an input. Every writer (npy, PNG, DICOM series, the CLI's outputs)
// goes through an OutputGuard built from the inputs of the run: the input file(s) or folder, the
// mask file, the model files. Paths are compared as REAL paths (symlinks, "..", trailing slashes,
// relative spellings resolved) and files also by identity (device + inode: hard links), so no
// spelling of a path can make an output land on an input:
//   - an output folder may not be inside an input folder, nor contain an input (at any depth);
//   - an output file may not be an input, nor have an input's identity, nor be inside an input
//     folder.
// Output folders are created by a bounded, component-by-component mkdir that refuses anything
// but real folders on the way (`mkdir -p` on /proc spins forever in Node 20).
import { lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { FlatError } from '../core/errors';

interface Protected {
  /** As given (for messages). */
  given: string;
  real: string;
  dev: number;
  ino: number;
  folder: boolean;
}

const MAX_COMPONENTS = 256;

/** Real path of `p`, also when its tail does not exist yet (the existing prefix is resolved). */
export function realPathOf(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (let i = 0; i < MAX_COMPONENTS; i++) {
    try {
      return path.join(realpathSync(cur), ...rest);
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) break;
      rest.unshift(path.basename(cur));
      cur = parent;
    }
  }
  return abs;
}

/** `child` is `parent` or below it (both real, absolute paths). */
export function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function statMaybe(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function refuse(message: string, file?: string): never {
  throw new FlatError('io', message, file);
}

export class OutputGuard {
  private readonly inputs: Protected[] = [];

  /** `inputs`: files or folders that must never be written into or over (missing ones are skipped). */
  constructor(inputs: readonly (string | undefined)[] = []) {
    for (const given of inputs) {
      if (!given) continue;
      const st = statMaybe(given);
      if (!st) continue;
      this.inputs.push({ given, real: realPathOf(given), dev: st.dev, ino: st.ino, folder: st.isDirectory() });
    }
  }

  /** Refuse an output folder inside an input folder, equal to one, or containing an input. */
  checkFolder(dir: string): void {
    const real = realPathOf(dir);
    const st = statMaybe(dir);
    for (const inp of this.inputs) {
      const same = st !== undefined && st.dev === inp.dev && st.ino === inp.ino;
      if (inp.folder && (same || isWithin(real, inp.real)))
        refuse(`The output folder ${path.basename(real) || real} is inside the input folder ${path.basename(inp.real)}; choose another folder so the input is never overwritten.`, dir);
      if (isWithin(inp.real, real))
        refuse(`The output folder ${path.basename(real) || real} contains the input ${path.basename(inp.given)}; choose another folder so the input is never overwritten.`, dir);
    }
  }

  /** Refuse an output file that is, or would replace, an input (any spelling, links included). */
  checkFile(file: string): void {
    const real = realPathOf(file);
    const parentReal = realPathOf(path.dirname(file));
    const target = path.join(parentReal, path.basename(file));
    const st = statMaybe(file); // follows a symlink placed where the output goes
    for (const inp of this.inputs) {
      const same = st !== undefined && st.dev === inp.dev && st.ino === inp.ino;
      if (same || real === inp.real || target === inp.real)
        refuse(`${path.basename(file)}: writing it would replace the input ${path.basename(inp.given)}; choose another output folder.`, file);
      if (inp.folder && (isWithin(target, inp.real) || isWithin(real, inp.real)))
        refuse(`${path.basename(file)}: it would be written into the input folder ${path.basename(inp.real)}; choose another output folder.`, file);
    }
  }

  /**
   * Create `dir` (and missing parents) after checking it, one component at a time: every existing
   * component must be a folder (a link to a folder is fine), nothing else is touched.
   */
  ensureFolder(dir: string): string {
    this.checkFolder(dir);
    makeFolders(dir);
    this.checkFolder(dir); // again, now that it exists: its real path is final
    return dir;
  }
}

/** mkdir -p, bounded: refuses non-folders on the way and never loops. */
export function makeFolders(dir: string): void {
  const abs = path.resolve(dir);
  const parts: string[] = [];
  let cur = abs;
  for (let i = 0; i < MAX_COMPONENTS; i++) {
    const st = statMaybe(cur);
    if (st) {
      if (!st.isDirectory()) refuse(`Cannot create the output folder ${dir}: ${path.basename(cur)} is not a folder.`, dir);
      break;
    }
    const parent = path.dirname(cur);
    if (parent === cur) break;
    parts.unshift(cur);
    cur = parent;
  }
  for (const p of parts) {
    try {
      mkdirSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statMaybe(p)?.isDirectory()) continue;
      refuse(`Cannot create the output folder ${dir} (${code ?? 'error'}).`, dir);
    }
  }
  if (!lstatOrStatDir(abs)) refuse(`Cannot create the output folder ${dir}.`, dir);
}

function lstatOrStatDir(p: string): boolean {
  try {
    return statSync(p).isDirectory() || lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
