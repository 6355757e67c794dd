// The one run supervisor: queues reconstructions, cancels them and relays their steps as
// ReconEvents. It lives on the data-plane process's main thread and drives the ORT thread through
// a launcher (ort-thread-launcher.ts; tests script their own). A newer reconstruct cancels the
// older run and is answered at once; late events of finished runs are dropped here only; a
// crashed worker fails the running run with a plain message and is restarted with backoff (250 ms,
// 1 s, 4 s; reset after a run completes). Nothing here blocks: all work happens in the worker.

import { randomBytes } from 'node:crypto';
import type { ReconEvent, SerializedError } from '../../app/contract/ipc';
import type { FromWorker, RunJob, ToWorker, WorkerInit, WorkerModelInfo } from './ort-protocol';

export interface WorkerChannel {
  /** OS process id, once known (null for a thread). */
  readonly pid: number | null;
  send(msg: ToWorker): void;
  kill(): void;
}

export interface WorkerCallbacks {
  onMessage(msg: FromWorker): void;
  /** The process ended (exit code or signal in `reason`); called at most once per channel. */
  onExit(reason: string): void;
}

/** Starts one worker (the ORT thread). */
export type WorkerLauncher = (callbacks: WorkerCallbacks) => WorkerChannel;

export interface RunSupervisorOptions {
  launch: WorkerLauncher;
  init: WorkerInit;
  /** Restart delays after consecutive crashes; the last one repeats. */
  backoffMs?: readonly number[];
}

export interface InferenceStatus {
  ready: boolean;
  executionProvider: string | null;
  model: WorkerModelInfo | null;
  modelError: SerializedError | null;
  /** Restarts since the last successful run. */
  crashes: number;
}

export const DEFAULT_BACKOFF_MS: readonly number[] = [250, 1000, 4000];

/** A worker that dies this many times in a row before loading the model is given up on. */
export const MAX_STARTUP_FAILURES = 3;

export function newRunId(): string {
  return `run-${randomBytes(8).toString('hex')}`;
}

type Listener = (event: ReconEvent) => void;

export class RunSupervisor {
  private readonly launch: WorkerLauncher;
  private readonly init: WorkerInit;
  private readonly backoff: readonly number[];
  private worker: WorkerChannel | null = null;
  private generation = 0;
  private ready = false;
  private executionProvider: string | null = null;
  private model: WorkerModelInfo | null = null;
  private modelError: SerializedError | null = null;
  private crashes = 0;
  /** Consecutive exits before the worker ever reported ready or a model error. */
  private startupFailures = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The run the worker is executing. */
  private active: string | null = null;
  /** A run waiting for the worker to become ready (only the newest is kept). */
  private pending: RunJob | null = null;
  /** Runs already answered with a final event; late duplicates from the worker are dropped. */
  private readonly finished = new Set<string>();
  private readonly listeners = new Set<Listener>();
  private readyWaiters: (() => void)[] = [];

  constructor(options: RunSupervisorOptions) {
    this.launch = options.launch;
    this.init = options.init;
    this.backoff = options.backoffMs?.length ? options.backoffMs : DEFAULT_BACKOFF_MS;
  }

  /** Start the worker (it verifies and loads the model at once, so errors show early). */
  start(): void {
    if (this.closed || this.worker) return;
    const gen = ++this.generation;
    this.worker = this.launch({
      onMessage: (msg) => {
        if (gen === this.generation) this.onWorkerMessage(msg);
      },
      onExit: (reason) => {
        if (gen === this.generation) this.onWorkerExit(reason);
      },
    });
    this.worker.send({ type: 'init', init: this.init });
  }

  status(): InferenceStatus {
    return {
      ready: this.ready,
      executionProvider: this.executionProvider,
      model: this.model,
      modelError: this.modelError,
      crashes: this.crashes,
    };
  }

  workerPid(): number | null {
    return this.worker?.pid ?? null;
  }

  /** Resolves when the worker has loaded the model or reported why it cannot. */
  whenSettled(): Promise<void> {
    if (this.ready || this.modelError) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queue a run; returns its id at once. A newer run cancels the older one. */
  reconstruct(job: Omit<RunJob, 'runId'>): string {
    const runId = newRunId();
    const full: RunJob = { ...job, runId };
    this.supersede();
    if (this.modelError) {
      const error = this.modelError;
      // After the reply carrying runId, so the renderer knows which run failed.
      setImmediate(() => this.finish({ type: 'error', runId, error }));
      return runId;
    }
    if (this.ready && this.worker) this.dispatch(full);
    else this.pending = full;
    return runId;
  }

  cancel(runId: string): void {
    if (this.pending?.runId === runId) {
      this.pending = null;
      this.finish({ type: 'cancelled', runId });
    } else if (this.active === runId) {
      this.worker?.send({ type: 'cancel', runId });
      this.active = null;
      this.finish({ type: 'cancelled', runId });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.generation++;
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    w?.kill();
    for (const r of this.readyWaiters.splice(0)) r();
  }

  // --- internals --------------------------------------------------------------------------

  private supersede(): void {
    if (this.pending) {
      const { runId } = this.pending;
      this.pending = null;
      this.finish({ type: 'cancelled', runId });
    }
    if (this.active) {
      const runId = this.active;
      // The worker cancels it too when it receives the next run; answer the renderer now.
      this.active = null;
      this.finish({ type: 'cancelled', runId });
    }
  }

  private dispatch(job: RunJob): void {
    this.active = job.runId;
    this.worker!.send({ type: 'run', job });
  }

  private emit(event: ReconEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A listener's failure must not stop the others or the run.
      }
    }
  }

  private finish(event: ReconEvent): void {
    if (this.finished.has(event.runId)) return;
    this.finished.add(event.runId);
    if (this.finished.size > 512) this.finished.delete(this.finished.values().next().value!);
    this.emit(event);
  }

  private settle(): void {
    for (const r of this.readyWaiters.splice(0)) r();
  }

  private onWorkerMessage(msg: FromWorker): void {
    switch (msg.type) {
      case 'ready': {
        this.ready = true;
        this.startupFailures = 0;
        this.executionProvider = msg.executionProvider;
        this.model = msg.model;
        this.modelError = null;
        this.settle();
        const job = this.pending;
        this.pending = null;
        if (job) this.dispatch(job);
        break;
      }
      case 'model-error': {
        this.ready = false;
        this.startupFailures = 0;
        this.modelError = msg.error;
        this.settle();
        const job = this.pending;
        this.pending = null;
        if (job) this.finish({ type: 'error', runId: job.runId, error: msg.error });
        break;
      }
      case 'event': {
        const ev = msg.event;
        if (this.finished.has(ev.runId)) return;
        if (ev.type === 'done' || ev.type === 'error' || ev.type === 'cancelled') {
          if (this.active === ev.runId) this.active = null;
          if (ev.type === 'done') this.crashes = 0;
          this.finish(ev);
        } else if (ev.runId === this.active) {
          this.emit(ev);
        }
        break;
      }
    }
  }

  private onWorkerExit(reason: string): void {
    const wasReady = this.ready || this.modelError !== null;
    this.worker = null;
    this.ready = false;
    if (this.closed) return;
    if (!wasReady && ++this.startupFailures >= MAX_STARTUP_FAILURES) {
      // It cannot even start (a broken install, a missing native library): say so instead of
      // restarting forever, and fail whatever waits for it.
      this.modelError = {
        code: 'inference-failed',
        message: `The inference engine cannot start (${reason}); reinstalling FLAT Viewer may help.`,
      };
      this.settle();
      const job = this.pending;
      this.pending = null;
      if (job) this.finish({ type: 'error', runId: job.runId, error: this.modelError });
      return;
    }
    if (this.active) {
      const runId = this.active;
      this.active = null;
      this.finish({
        type: 'error',
        runId,
        error: {
          code: 'inference-failed',
          message: `The inference engine stopped unexpectedly (${reason}); it is being restarted, so please run the reconstruction again.`,
        },
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
