// Uploaded files (drag and drop, file inputs) become private files the data plane opens by path:
// the host never parses them. Everything lives in one folder made by mkdtemp (0700) with files
// 0600 created exclusively; each upload gets its own name (position + the upload's name reduced
// to safe characters), so two uploads named alike never overwrite each other and no name can point
// outside the folder. The Node host streams request bodies straight into these files (no copy of
// the bytes in memory); Electron writes the ArrayBuffers it received over IPC.

import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FlatError } from '../../app/core/errors';
import { formatBytes } from '../../app/core/text';

/** A staged study: its files and how to remove them. */
export interface StagedSet {
  paths: string[];
  /** The first upload's own name, shown as the study's source. */
  name: string;
  release(): void;
}

interface Upload {
  file: string;
  name: string;
  bytes: number;
  at: number;
}

/** Uploads not opened within this time are removed. */
const UPLOAD_TTL_MS = 10 * 60_000;

export class UploadStaging {
  private root: string | null = null;
  private readonly uploads = new Map<string, Upload>();
  private pendingBytes = 0;

  constructor(
    /** Largest single upload (the readers refuse larger files anyway). */
    readonly maxFileBytes: number = 4 * 1024 ** 3,
    /** Most bytes waiting in uploads not yet opened. */
    readonly maxPendingBytes: number = 8 * 1024 ** 3,
  ) {}

  private dir(): string {
    if (!this.root) this.root = mkdtempSync(path.join(tmpdir(), 'flat-uploads-'));
    return this.root;
  }

  /** Electron: bytes that came over IPC, written as one staged set. */
  stageBytes(files: { name: string; bytes: ArrayBuffer }[]): StagedSet {
    const setDir = this.newSetDir();
    try {
      const paths = files.map((f, i) => {
        const p = path.join(setDir, stagedName(i, f.name));
        writeFileSync(p, new Uint8Array(f.bytes), { mode: 0o600, flag: 'wx' });
        return p;
      });
      return this.set(setDir, paths, files[0]?.name ?? 'upload');
    } catch (e) {
      rmSync(setDir, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * Node host: one request body streamed into a private file, at most maxFileBytes (declared or
   * counted); resolves to the upload id the page names when it opens the study.
   */
  async receive(name: string, body: Readable, declaredBytes?: number): Promise<string> {
    this.expire();
    if (declaredBytes !== undefined && declaredBytes > this.maxFileBytes) throw tooLarge(this.maxFileBytes);
    if (declaredBytes !== undefined && this.pendingBytes + declaredBytes > this.maxPendingBytes) throw busy();
    const id = `up-${randomBytes(12).toString('hex')}`;
    const file = path.join(this.dir(), `${id}.part`);
    let bytes = 0;
    // a large buffer: fewer pause/resume rounds of the socket per uploaded megabyte
    const out = createWriteStream(file, { mode: 0o600, flags: 'wx', highWaterMark: 8 * 1024 * 1024 });
    try {
      await new Promise<void>((resolve, reject) => {
        let failed = false;
        const stop = (e: Error) => {
          if (failed) return;
          failed = true;
          body.unpipe(out);
          body.resume(); // read and drop the rest so the client gets the reply
          // the file may still be opening: remove it once the stream has closed
          out.once('close', () => reject(e));
          out.destroy();
        };
        body.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes > this.maxFileBytes) stop(tooLarge(this.maxFileBytes));
          else if (this.pendingBytes + bytes > this.maxPendingBytes) stop(busy());
        });
        body.on('error', (e) => stop(e instanceof Error ? e : new Error(String(e))));
        out.on('error', (e) => stop(e));
        out.on('finish', () => {
          if (!failed) resolve();
        });
        body.pipe(out);
      });
    } catch (e) {
      rmSync(file, { force: true });
      throw e;
    }
    this.pendingBytes += bytes;
    this.uploads.set(id, { file, name, bytes, at: Date.now() });
    return id;
  }

  /** Uploads (in order) become one staged set; unknown or used ids are refused. */
  take(refs: { name: string; uploadId: string }[]): StagedSet {
    this.expire();
    const found = refs.map((r) => this.uploads.get(r.uploadId));
    if (found.some((u) => !u)) throw new FlatError('invalid-request', 'An uploaded file is no longer available (uploads are kept for 10 minutes); please open it again.');
    const setDir = this.newSetDir();
    const paths = refs.map((r, i) => {
      const u = this.uploads.get(r.uploadId)!;
      this.uploads.delete(r.uploadId);
      this.pendingBytes -= u.bytes;
      const p = path.join(setDir, stagedName(i, r.name));
      renameSync(u.file, p);
      return p;
    });
    return this.set(setDir, paths, refs[0]?.name ?? 'upload');
  }

  /** Remove everything (host shutdown). */
  dispose(): void {
    if (this.root) rmSync(this.root, { recursive: true, force: true });
    this.root = null;
    this.uploads.clear();
    this.pendingBytes = 0;
  }

  /** Bytes of one staged path (tests). */
  static size(p: string): number {
    return statSync(p).size;
  }

  private newSetDir(): string {
    const d = path.join(this.dir(), `set-${randomBytes(8).toString('hex')}`);
    mkdirSync(d, { mode: 0o700 });
    return d;
  }

  private set(setDir: string, paths: string[], name: string): StagedSet {
    let released = false;
    return {
      paths,
      name,
      release: () => {
        if (released) return;
        released = true;
        rmSync(setDir, { recursive: true, force: true });
      },
    };
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, u] of this.uploads) {
      if (now - u.at < UPLOAD_TTL_MS) continue;
      this.uploads.delete(id);
      this.pendingBytes -= u.bytes;
      rmSync(u.file, { force: true });
    }
  }
}

/**
 * A staged upload's file name: its index (unique) and the upload's own name reduced to safe
 * characters (the extension matters: .dcm files without a DICOM preamble are recognised by it).
 */
export function stagedName(index: number, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '').slice(-120);
  return `${String(index).padStart(5, '0')}-${safe || 'file'}`;
}

function tooLarge(limit: number): FlatError {
  return new FlatError('too-large', `The file is larger than ${formatBytes(limit)}, more than FLAT Viewer reads.`);
}

function busy(): FlatError {
  return new FlatError('too-large', 'Too many uploaded files are waiting to be opened; open or drop fewer at once.');
}
