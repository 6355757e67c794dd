// Reads studies in a worker thread (reader-thread.ts), one at a time. The thread is started ahead
// of the first open and kept; when it crashes, aborts or takes longer than `timeoutMs` on one input
// it is terminated, that open fails with one plain sentence, and the next open starts a fresh one.

import type { Worker } from 'node:worker_threads';
import { FlatError, type FlatErrorCode } from '../../app/core/errors';
import type { Study } from '../../app/core/types';
import type { StudyInput } from '../../app/formats';
import type { ReadReply } from './reader-thread';
import { startThread } from './threads';

export interface StudyReaderOptions {
  /** Longest one input may take before the thread is abandoned (default 10 min). */
  timeoutMs?: number;
  /** V8 heap cap of the thread in MiB (typed arrays live outside it; default 2048). */
  maxHeapMb?: number;
  from?: string;
}

interface Pending {
  id: number;
  input: StudyInput;
  resolve: (s: Study) => void;
  reject: (e: FlatError) => void;
}

export class StudyReader {
  private thread: Worker | null = null;
  private seq = 0;
  private queue: Pending[] = [];
  private current: Pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Threads that died or were abandoned (for tests and logs). */
  restarts = 0;

  constructor(private readonly o: StudyReaderOptions = {}) {}

  /** Start the thread now, so the first open does not pay for it. */
  warm(): void {
    this.ensure();
  }

  read(input: StudyInput): Promise<Study> {
    if (this.closed) return Promise.reject(new FlatError('io', 'The study reader has been closed.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: ++this.seq, input, resolve, reject });
      this.next();
    });
  }

  close(): void {
    this.closed = true;
    this.drop(new FlatError('io', 'The study reader has been closed.'));
    for (const p of this.queue.splice(0)) p.reject(new FlatError('io', 'The study reader has been closed.'));
  }

  private ensure(): Worker {
    if (this.thread) return this.thread;
    const t = startThread('reader-thread', this.o.from ?? import.meta.url, {}, { maxOldGenerationSizeMb: this.o.maxHeapMb ?? 2048 });
    this.thread = t;
    t.on('message', (reply: ReadReply & { ready?: boolean }) => {
      if (t !== this.thread || reply.ready) return;
      const p = this.current;
      if (!p || p.id !== reply.id) return;
      this.settle();
      if (reply.ok) p.resolve(reply.study);
      else p.reject(new FlatError(reply.error.code as FlatErrorCode, reply.error.message, reply.error.file));
      this.next();
    });
    const died = (why: string) => {
      if (t !== this.thread) return;
      this.restarts++;
      this.drop(new FlatError('corrupt-file', `${this.label()}: the reader stopped while reading it (${why}); the file is probably damaged.`));
      this.next();
    };
    t.on('error', (e) => died(e instanceof Error ? e.message.split('\n')[0]!.slice(0, 120) : 'error'));
    t.on('exit', (code) => died(`exit code ${code}`));
    return t;
  }

  private next(): void {
    if (this.current || this.closed) return;
    const p = this.queue.shift();
    if (!p) return;
    this.current = p;
    const t = this.ensure();
    this.timer = setTimeout(() => {
      this.restarts++;
      this.drop(new FlatError('corrupt-file', `${this.label()}: reading it did not finish in ${Math.round((this.o.timeoutMs ?? 600_000) / 1000)} s; the file is probably damaged.`));
      this.next();
    }, this.o.timeoutMs ?? 600_000);
    t.postMessage({ id: p.id, input: p.input });
  }

  private label(): string {
    const input = this.current?.input;
    const name = !input ? 'The file' : 'path' in input ? input.path : 'paths' in input ? (input.paths[0] ?? '') : input.name;
    return name.split(/[\\/]/).pop() || 'The file';
  }

  private settle(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
  }

  /** Fail the current read and abandon its thread. */
  private drop(error: FlatError): void {
    const p = this.current;
    this.settle();
    const t = this.thread;
    this.thread = null;
    if (t) void t.terminate();
    p?.reject(error);
  }
}
