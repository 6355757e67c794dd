// Recently opened paths, persisted as JSON (Electron: userData/recent-files.json). A damaged or
// foreign file is treated as empty rather than trusted.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MAX_RECENT = 10;

export interface RecentEntry {
  /** One path, or several for a DICOM series chosen file by file. */
  paths: string[];
  openedAt: string;
}

function isEntry(v: unknown): v is RecentEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    Array.isArray(e.paths) &&
    e.paths.length > 0 &&
    e.paths.length <= 4096 &&
    e.paths.every((p) => typeof p === 'string' && p.length > 0 && p.length < 4096 && path.isAbsolute(p)) &&
    typeof e.openedAt === 'string'
  );
}

export class RecentFiles {
  constructor(private readonly file: string) {}

  list(): RecentEntry[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter(isEntry).slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  add(paths: string[], now: Date = new Date()): RecentEntry[] {
    const key = JSON.stringify(paths);
    const next = [{ paths: [...paths], openedAt: now.toISOString() }, ...this.list().filter((e) => JSON.stringify(e.paths) !== key)].slice(
      0,
      MAX_RECENT,
    );
    this.write(next);
    return next;
  }

  clear(): void {
    this.write([]);
  }

  private write(entries: RecentEntry[]): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entries, null, 2));
    renameSync(tmp, this.file);
  }
}

/** Menu label of an entry: the file name, "+ N more" for a series. */
export function recentLabel(e: RecentEntry): string {
  const first = path.basename(e.paths[0]!);
  return e.paths.length > 1 ? `${first} + ${e.paths.length - 1} more` : first;
}
