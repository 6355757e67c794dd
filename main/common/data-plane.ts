// The host side of the data plane: starts the data-plane process through an adapter (Electron
// utilityProcess or Node child_process, same module), sends it validated calls and relays its
// ReconEvents. It never parses, computes or loads a model. When the process dies, pending calls
// fail with one sentence, the running reconstruction gets one error event, the process restarts
// with backoff (250 ms, 1 s, 4 s …) and every study the host opened is opened again under its old
// id the next time it is used (the host remembers how: sample, paths, or its staged upload copy).

import type { ReconEvent, StudySummary } from '../../app/contract/ipc';
import { FlatError, type FlatErrorCode } from '../../app/core/errors';
import type { DataPlaneInit, FromPlane, OpenOptions, PlaneArgs, PlaneMethod, PlaneResult, ToPlane } from './data-plane-protocol';

export interface ProcessChannel {
  readonly pid: number | null;
  send(msg: ToPlane): void;
  kill(): void;
}

export interface ProcessCallbacks {
  onMessage(msg: FromPlane): void;
  /** The process ended (exit code or signal in `reason`); called at most once per channel. */
  onExit(reason: string): void;
}

export type ProcessLauncher = (callbacks: ProcessCallbacks) => ProcessChannel;

export interface DataPlaneOptions {
  launch: ProcessLauncher;
  init: DataPlaneInit;
  backoffMs?: readonly number[];
  /** Studies the host keeps open at once (the oldest is closed beyond this). */
  maxOpen?: number;
}

/** How a study was opened, to open it again after a restart. */
type Recipe = { kind: 'sample' } | { kind: 'paths'; paths: string[]; options: OpenOptions };

interface OpenStudy {
  recipe: Recipe;
  /** The process generation it is open in. */
  generation: number;
  /** Called when the host closes it (removes a staged upload copy). */
  release?: () => void;
}

interface PendingCall {
  resolve: (v: unknown) => void;
  reject: (e: FlatError) => void;
}

export const DEFAULT_BACKOFF_MS: readonly number[] = [250, 1000, 4000];
/** A process that dies this many times in a row before it starts is given up on. */
export const MAX_STARTUP_FAILURES = 3;

type Listener = (event: ReconEvent) => void;

export class DataPlane {
  private channel: ProcessChannel | null = null;
  private generation = 0;
  private started = false;
  private startupFailures = 0;
  private crashes = 0;
  private fatal: FlatError | null = null;
  private closed = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  /** Runs accepted and not yet ended: they get an error event if the process dies. */
  private readonly runs = new Set<string>();
  private readonly studies = new Map<string, OpenStudy>();
  private readonly listeners = new Set<Listener>();
  private readonly backoff: readonly number[];
  private readonly maxOpen: number;

  constructor(private readonly o: DataPlaneOptions) {
    this.backoff = o.backoffMs?.length ? o.backoffMs : DEFAULT_BACKOFF_MS;
    this.maxOpen = Math.max(1, o.maxOpen ?? 6);
  }

  start(): void {
    if (this.closed || this.channel) return;
    const gen = ++this.generation;
    this.started = false;
    this.channel = this.o.launch({
      onMessage: (msg) => {
        if (gen === this.generation) this.onMessage(msg);
      },
      onExit: (reason) => {
        if (gen === this.generation) this.onExit(reason);
      },
    });
    this.channel.send({ type: 'init', init: this.o.init });
  }

  /** The data-plane process id (null while it restarts); e2e kills it to test recovery. */
  workerPid(): number | null {
    return this.channel?.pid ?? null;
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One call; rejects with a FlatError (one sentence) when it fails or the process dies. */
  call<M extends PlaneMethod>(method: M, ...args: PlaneArgs<M>): Promise<Awaited<PlaneResult<M>>> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new FlatError('io', 'FLAT Viewer is shutting down.'));
    if (!this.channel) this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.channel!.send({ type: 'call', id, method, args });
    });
  }

  /** A call about an open study: opened again first when the process restarted since. */
  async callForStudy<M extends PlaneMethod>(studyId: string, method: M, ...args: PlaneArgs<M>): Promise<Awaited<PlaneResult<M>>> {
    await this.restore(studyId);
    return this.call(method, ...args);
  }

  async openSample(): Promise<StudySummary> {
    return this.remember(await this.call('openSample', {}), { kind: 'sample' });
  }

  async openPaths(paths: string[], options: OpenOptions = {}, release?: () => void): Promise<StudySummary> {
    let summary: StudySummary;
    try {
      summary = await this.call('openPaths', paths, options);
    } catch (e) {
      release?.();
      throw e;
    }
    return this.remember(summary, { kind: 'paths', paths, options }, release);
  }

  async reconstruct(...args: PlaneArgs<'reconstruct'>): Promise<{ runId: string }> {
    const reply = await this.callForStudy(args[0].studyId, 'reconstruct', ...args);
    this.runs.add(reply.runId);
    return reply;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.generation++;
    const c = this.channel;
    this.channel = null;
    c?.kill();
    this.failPending(new FlatError('io', 'FLAT Viewer is shutting down.'));
    for (const s of this.studies.values()) s.release?.();
    this.studies.clear();
  }

  // --- internals --------------------------------------------------------------------------

  private remember(summary: StudySummary, recipe: Recipe, release?: () => void): StudySummary {
    this.studies.delete(summary.studyId);
    this.studies.set(summary.studyId, { recipe, generation: this.generation, ...(release ? { release } : {}) });
    while (this.studies.size > this.maxOpen) {
      const [oldId, old] = this.studies.entries().next().value!;
      this.studies.delete(oldId);
      old.release?.();
      this.call('closeStudy', oldId).catch(() => undefined);
    }
    return summary;
  }

  private async restore(studyId: string): Promise<void> {
    if (!this.channel && !this.closed && !this.fatal) this.start(); // a restart still waiting on its backoff
    const s = this.studies.get(studyId);
    if (!s || s.generation === this.generation) return;
    const options = { studyId };
    if (s.recipe.kind === 'sample') await this.call('openSample', options);
    else await this.call('openPaths', s.recipe.paths, { ...s.recipe.options, ...options });
    s.generation = this.generation;
  }

  private emit(event: ReconEvent): void {
    if (event.type === 'done' || event.type === 'error' || event.type === 'cancelled') this.runs.delete(event.runId);
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A listener's failure must not stop the others.
      }
    }
  }

  private onMessage(msg: FromPlane): void {
    switch (msg.type) {
      case 'started':
        this.started = true;
        this.startupFailures = 0;
        break;
      case 'reply': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.reply.ok) p.resolve(msg.reply.result);
        else p.reject(new FlatError(msg.reply.error.code as FlatErrorCode, msg.reply.error.message));
        break;
      }
      case 'event':
        if (msg.event.type === 'done') this.crashes = 0;
        this.emit(msg.event);
        break;
    }
  }

  private failPending(error: FlatError): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const p of calls) p.reject(error);
  }

  private onExit(reason: string): void {
    const wasStarted = this.started;
    this.channel = null;
    this.started = false;
    if (this.closed) return;
    if (!wasStarted && ++this.startupFailures >= MAX_STARTUP_FAILURES) {
      // It cannot even start (a broken install): say so instead of restarting forever.
      this.fatal = new FlatError('inference-failed', `The FLAT Viewer data process cannot start (${reason}); reinstalling FLAT Viewer may help.`);
      this.failPending(this.fatal);
      return;
    }
    this.failPending(new FlatError('inference-failed', `The data process stopped unexpectedly (${reason}); it is being restarted, so please try again.`));
    for (const runId of [...this.runs]) {
      this.emit({
        type: 'error',
        runId,
        error: { code: 'inference-failed', message: `The inference process stopped unexpectedly (${reason}); it is being restarted, so please run the reconstruction again.` },
      });
    }
    const delay = this.backoff[Math.min(this.crashes, this.backoff.length - 1)]!;
    this.crashes++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
  }
}
