// Expanding the user's selection (files and folders) into the files to read. A folder is walked a
// few levels deep for DICOM series, bounded in depth, in entries looked at and in files kept.
// Inside a folder, symbolic links to folders are never followed (a self-link would repeat the
// series, a loop would never end), and every file is kept once, by identity (device + inode): a
// symlink or hard link to a file already seen adds nothing. FIFOs, sockets and devices are skipped.
import { opendirSync, statSync, lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { fail } from './common';
import type { ReaderLimits } from './limits';

/** Folder levels below the selected folder that are searched. */
export const MAX_SCAN_DEPTH = 3;

export interface ScanResult {
  files: string[];
  /** The selection was one folder. */
  wasFolder: boolean;
  /** Entries left out, for a note. */
  skippedLinks: number;
  skippedOther: number;
  duplicates: number;
}

function statOrFail(path: string, follow: boolean): Stats {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return fail('io', path, 'the path is a loop of symbolic links.');
    return fail('io', path, 'the path does not exist or cannot be read.');
  }
}

export function scanInputs(paths: string[], limits: ReaderLimits): ScanResult {
  const result: ScanResult = { files: [], wasFolder: false, skippedLinks: 0, skippedOther: 0, duplicates: 0 };
  const seen = new Set<string>();
  // entries looked at in all folders together: bounds the time a huge or hostile tree can take
  const maxEntries = Math.max(limits.maxFiles * 8, 1024);
  let entries = 0;

  const keep = (path: string, st: Stats): void => {
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) {
      result.duplicates++;
      return;
    }
    seen.add(id);
    result.files.push(path);
    if (result.files.length > limits.maxFiles) fail('too-large', paths[0]!, `the selection holds more than ${limits.maxFiles} files.`);
  };

  const walk = (dir: string, depth: number): void => {
    let names: string[] = [];
    let d;
    try {
      d = opendirSync(dir);
    } catch {
      return fail('io', dir, 'the folder cannot be read.');
    }
    try {
      for (let e = d.readSync(); e !== null; e = d.readSync()) {
        if (++entries > maxEntries) fail('too-large', paths[0]!, `the folder holds more than ${maxEntries} entries; choose the series folder itself.`);
        if (!e.name.startsWith('.')) names.push(e.name);
      }
    } finally {
      d.closeSync();
    }
    names = names.sort();
    for (const name of names) {
      const p = join(dir, name);
      let st = statOrFail(p, false);
      if (st.isSymbolicLink()) {
        let target: Stats;
        try {
          target = statSync(p);
        } catch {
          result.skippedLinks++; // dangling or looping link
          continue;
        }
        if (!target.isFile()) {
          result.skippedLinks++; // never follow a link to a folder
          continue;
        }
        st = target;
      }
      if (st.isDirectory()) {
        if (depth < MAX_SCAN_DEPTH) walk(p, depth + 1);
      } else if (st.isFile()) keep(p, st);
      else result.skippedOther++;
    }
  };

  for (const p of paths) {
    const st = statOrFail(p, true); // the user's own choice may be a link
    if (st.isDirectory()) {
      result.wasFolder = paths.length === 1;
      const self = `${st.dev}:${st.ino}`;
      if (seen.has(self)) continue;
      seen.add(self);
      walk(p, 0);
    } else if (st.isFile()) keep(p, st);
    else fail('io', p, 'it is not a regular file (a FIFO, socket or device); only regular files are read.');
  }
  return result;
}
