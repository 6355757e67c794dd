// The FLAT inference engine on onnxruntime-node. One engine holds the verified full-trajectory
// graph and the one-step graph of a model, on the best execution provider that loads: CUDA, then
// DirectML, then CoreML, then CPU. Runs are serialised (one session run at a time per engine).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor, listSupportedBackends } from 'onnxruntime-node';
import { FlatError, toFlatError } from '../core/errors';
import type { ComplexStack } from '../core/types';
import { loadModelCard, readVerifiedModel, type ModelCard } from './card';
import { contributionMap, displayImage, worstCoilResidual } from './coils';
import { planarToCoils, type PreparedSlice } from './prepare';

export type ExecutionProviderName = 'cuda' | 'dml' | 'coreml' | 'cpu';

export const PROVIDER_ORDER: readonly ExecutionProviderName[] = ['cuda', 'dml', 'coreml', 'cpu'];

export interface EngineOptions {
  /** folder holding <name>.json, <name>.onnx, <name>_step.onnx */
  modelDir: string;
  /** model name (default "flat") */
  name?: string;
  /** providers to try, in order (default PROVIDER_ORDER); CPU is the fallback either way */
  providers?: readonly ExecutionProviderName[];
  /** onnxruntime intra-op threads (default: the core count, at most 4 — 2 on the 2-core CI box) */
  intraOpThreads?: number;
  /**
   * Which graph's session to create now (default 'step', what the viewer streams); the other is
   * created on first use, on the same provider. Session creation takes seconds for these graphs, so
   * nobody should pay for a graph they never run (the CLI passes 'full').
   */
  preload?: 'full' | 'step' | 'both';
}

export interface ReconResult {
  /** N+1 de-normalised shown states (coil-combined): slice 0 = zero-filled (t = 1), N = final (t = 0) */
  states: ComplexStack;
  /**
   * per state, the worst coil's data-consistency residual: from the graph's `dc` output (computed
   * on the state's own k-space) when the graph has one, else measured here by FFT (app/recon/coils.ts)
   */
  dcResidual: number[];
  /** the final state's worst-coil residual, always measured here by FFT of the images returned */
  finalResidual: number;
  /** per state (N+1 planes of rows·cols), the model's contribution magnitude (coils.ts contributionMap), de-normalised */
  contribution: Float32Array;
  /** wall time of the inference in ms */
  ms: number;
}

/**
 * Called with each shown state as it is produced (index 0 = zero-filled … N = final), de-normalised,
 * with the worst coil's data-consistency residual of that state and the model's contribution map
 * (magnitude, rows·cols, same units as the state).
 */
export type StepCallback = (index: number, state: Float32Array, dcResidual: number, contribution: Float32Array) => void | Promise<void>;

export interface Engine {
  readonly card: ModelCard;
  readonly name: string;
  /** sha256 of the full graph, as verified */
  readonly sha256: string;
  readonly steps: number;
  /** the provider the sessions were created on */
  readonly executionProvider: ExecutionProviderName;
  runFull(prepared: PreparedSlice, signal?: AbortSignal): Promise<ReconResult>;
  runSteps(prepared: PreparedSlice, onStep?: StepCallback, signal?: AbortSignal): Promise<ReconResult>;
  dispose(): Promise<void>;
}

/**
 * onnxruntime-node ships CUDA as a separate provider library ("bundled: false"); trying it when the
 * library was never installed only logs a loader error, so such providers count only when the
 * library sits beside the binding.
 */
function providerLibraryPresent(name: string): boolean {
  try {
    const req = createRequire(import.meta.url);
    const root = path.resolve(path.dirname(req.resolve('onnxruntime-node')), '..');
    const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
    const file = process.platform === 'win32' ? `onnxruntime_providers_${name}.dll` : `libonnxruntime_providers_${name}.so`;
    return existsSync(path.join(dir, file));
  } catch {
    return false;
  }
}

/** Providers this onnxruntime-node install can offer, in preference order (CPU always). */
export function availableProviders(): ExecutionProviderName[] {
  const backends = listSupportedBackends();
  return PROVIDER_ORDER.filter((p) => {
    if (p === 'cpu') return true;
    const b = backends.find((x) => x.name === p);
    return b !== undefined && (b.bundled || providerLibraryPresent(p));
  });
}

function cancelled(): FlatError {
  return new FlatError('cancelled', 'The reconstruction was cancelled.');
}

function sessionOptions(provider: ExecutionProviderName, threads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Accelerator probes fail noisily when their libraries are missing; the failure is handled here.
    logSeverityLevel: provider === 'cpu' ? 3 : 4,
  };
}

/** The first graph's session on the first provider (in order) that loads it; CPU last. */
async function firstSession(
  bytes: Uint8Array,
  providers: readonly ExecutionProviderName[],
  threads: number,
): Promise<{ session: InferenceSession; provider: ExecutionProviderName }> {
  const tried: string[] = [];
  const order = [...providers.filter((p) => p !== 'cpu'), 'cpu' as const];
  const known = new Set(availableProviders());
  for (const provider of order) {
    if (!known.has(provider)) continue;
    try {
      return { session: await InferenceSession.create(bytes, sessionOptions(provider, threads)), provider };
    } catch (e) {
      tried.push(`${provider}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  throw new FlatError('model-mismatch', `The model could not be loaded by onnxruntime (${tried.join('; ')}).`);
}

function checkIo(session: InferenceSession, inputs: string[], output: string, file: string): void {
  const missing = inputs.filter((n) => !session.inputNames.includes(n));
  if (missing.length || !session.outputNames.includes(output)) {
    throw new FlatError(
      'model-mismatch',
      `${file} does not have the contract's inputs/outputs (${inputs.join(', ')} → ${output}).`,
      file,
    );
  }
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const name = options.name ?? 'flat';
  const card = loadModelCard(options.modelDir, name);
  const fullBytes = readVerifiedModel(card.files.full);
  const stepBytes = readVerifiedModel(card.files.step);
  // More than 4 threads buys little for these small convolutions and starves the UI and the reader.
  const threads = Math.max(1, Math.floor(options.intraOpThreads ?? Math.min(4, availableParallelism())));
  const preload = options.preload ?? 'step';
  const providers = options.providers ?? PROVIDER_ORDER;
  const first = await firstSession(preload === 'step' ? stepBytes : fullBytes, providers, threads);
  const provider = first.provider;
  const io = {
    full: { inputs: ['kspace', 'maps', 'mask'], output: 'states', file: card.files.full.path, bytes: fullBytes },
    step: { inputs: ['x', 'kspace', 'maps', 'mask', 'step'], output: 'x_next', file: card.files.step.path, bytes: stepBytes },
  } as const;
  const sessions: { full?: Promise<InferenceSession>; step?: Promise<InferenceSession> } = {};
  const firstKind = preload === 'step' ? 'step' : 'full';
  try {
    checkIo(first.session, [...io[firstKind].inputs], io[firstKind].output, io[firstKind].file);
  } catch (e) {
    await first.session.release().catch(() => undefined);
    throw e;
  }
  sessions[firstKind] = Promise.resolve(first.session);

  /** The session of a graph, created on first use on the chosen provider. */
  function session(kind: 'full' | 'step'): Promise<InferenceSession> {
    let s = sessions[kind];
    if (!s) {
      const spec = io[kind];
      s = InferenceSession.create(spec.bytes, sessionOptions(provider, threads)).then(
        (created) => {
          checkIo(created, [...spec.inputs], spec.output, spec.file);
          return created;
        },
        (e: unknown) => {
          sessions[kind] = undefined;
          throw new FlatError('model-mismatch', `${spec.file} could not be loaded by onnxruntime (${e instanceof Error ? e.message.split('\n')[0] : String(e)}).`, spec.file);
        },
      );
      sessions[kind] = s;
    }
    return s;
  }
  if (preload === 'both') await session('step');
  const steps = card.steps;
  const minSize = typeof card.raw.min_size === 'number' ? card.raw.min_size : 8;
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;

  // Serialise session runs: onnxruntime sessions are not meant to run one request over another.
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  function inputsFor(p: PreparedSlice): { kspace: Tensor; maps: Tensor; mask: Tensor } {
    return {
      kspace: new Tensor('float32', p.kspaceInput, [p.coils, 2, p.rows, p.cols]),
      maps: new Tensor('float32', p.mapsInput, [p.coils, 2, p.rows, p.cols]),
      mask: new Tensor('float32', p.maskInput, [1, 1, p.rows, p.cols]),
    };
  }

  /**
   * Normalised [C,2,H,W] planes of one state → shown state (into `shown`), contribution map (into
   * `contribution`) and its DC residual: the graph's value when it gave one (`fromGraph`), else
   * measured by FFT of every coil (`measure`, always for the final state).
   */
  function finishState(p: PreparedSlice, planar: Float32Array, offset: number, shown: Float32Array, contribution: Float32Array, fromGraph: number | undefined, measure: boolean): { dc: number; measured: number } {
    const n = p.rows * p.cols;
    const coilImgs = planarToCoils(planar, p.coils, n, p.scale, offset);
    displayImage(coilImgs, p.maps, p.coils, n, 1, shown);
    contributionMap(planar, p.zeroFilledInput, p.mapsInput, p.coils, n, p.scale, offset, contribution);
    const measured = measure || fromGraph === undefined ? worstCoilResidual(coilImgs, p.measured, p.mask, p.coils, p.rows, p.cols) : Number.NaN;
    // the graph says −1 when no coil has measured signal; the TypeScript rule says NaN
    const dc = fromGraph === undefined ? measured : fromGraph < 0 ? Number.NaN : fromGraph;
    return { dc, measured };
  }

  /** The graph's `dc` output as numbers, or undefined for graphs exported before it existed. */
  function graphResiduals(out: InferenceSession.OnnxValueMapType, count: number): number[] | undefined {
    const t = out.dc as Tensor | undefined;
    if (!t) return undefined;
    if (t.size !== count) throw new FlatError('model-mismatch', `The graph returned ${t.size} residuals, expected ${count}.`);
    return Array.from(t.data as Float32Array);
  }

  function checkUsable(p: PreparedSlice, signal?: AbortSignal): void {
    if (disposed) throw new FlatError('inference-failed', 'The inference engine has been closed.');
    if (signal?.aborted) throw cancelled();
    if (p.rows < minSize || p.cols < minSize) {
      throw new FlatError('invalid-shape', `A ${p.rows}x${p.cols} slice is too small for the model (at least ${minSize}x${minSize}).`);
    }
  }

  function checkFinite(a: Float32Array, what: string): void {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i]!)) throw new FlatError('inference-failed', `The model produced non-finite values (${what}).`);
    }
  }

  async function runFull(p: PreparedSlice, signal?: AbortSignal): Promise<ReconResult> {
    checkUsable(p, signal);
    return exclusive(async () => {
      if (signal?.aborted) throw cancelled();
      const t0 = performance.now();
      let out: InferenceSession.OnnxValueMapType;
      try {
        out = await (await session('full')).run(inputsFor(p));
      } catch (e) {
        throw toFlatError(e, 'inference-failed');
      }
      const ms = performance.now() - t0;
      const states = out.states as Tensor;
      const n = p.rows * p.cols;
      const expected = [steps + 1, p.coils, 2, p.rows, p.cols];
      if (states.dims.length !== 5 || states.dims.some((d, i) => d !== expected[i])) {
        throw new FlatError('model-mismatch', `The full graph returned states of shape [${states.dims.join(', ')}], expected [${expected.join(', ')}].`);
      }
      const raw = states.data as Float32Array;
      checkFinite(raw, 'full graph');
      const fromGraph = graphResiduals(out, steps + 1);
      const data = new Float32Array((steps + 1) * 2 * n);
      const contribution = new Float32Array((steps + 1) * n);
      const dcResidual: number[] = [];
      let finalResidual = Number.NaN;
      for (let s = 0; s <= steps; s++) {
        const r = finishState(p, raw, s * p.coils * 2 * n, data.subarray(s * 2 * n, (s + 1) * 2 * n), contribution.subarray(s * n, (s + 1) * n), fromGraph?.[s], s === steps);
        dcResidual.push(r.dc);
        if (s === steps) finalResidual = r.measured;
      }
      return { states: { kind: 'complex', slices: steps + 1, rows: p.rows, cols: p.cols, data }, dcResidual, finalResidual, contribution, ms };
    });
  }

  async function runSteps(p: PreparedSlice, onStep?: StepCallback, signal?: AbortSignal): Promise<ReconResult> {
    checkUsable(p, signal);
    return exclusive(async () => {
      const n = p.rows * p.cols;
      const data = new Float32Array((steps + 1) * 2 * n);
      const contribution = new Float32Array((steps + 1) * n);
      const t0 = performance.now();
      // State 0 is the zero-filled image; the step graph takes it from here.
      let x = p.zeroFilledInput;
      // state 0 is Fᴴy itself: its k-space is y, measured once here (cheap next to a graph step)
      const dcResidual: number[] = [finishState(p, x, 0, data.subarray(0, 2 * n), contribution.subarray(0, n), undefined, true).dc];
      let finalResidual = Number.NaN;
      const { kspace, maps, mask } = inputsFor(p);
      const stepSession = await session('step');
      if (onStep) await onStep(0, data.subarray(0, 2 * n), dcResidual[0]!, contribution.subarray(0, n));
      const dims = [p.coils, 2, p.rows, p.cols];
      for (let i = 0; i < steps; i++) {
        if (signal?.aborted) throw cancelled();
        let out: InferenceSession.OnnxValueMapType;
        try {
          out = await stepSession.run({
            x: new Tensor('float32', x, dims),
            kspace,
            maps,
            mask,
            step: new Tensor('int64', BigInt64Array.from([BigInt(i)]), [1]),
          });
        } catch (e) {
          throw toFlatError(e, 'inference-failed');
        }
        const next = out.x_next as Tensor;
        if (next.size !== p.coils * 2 * n) {
          throw new FlatError('model-mismatch', `The step graph returned [${next.dims.join(', ')}], expected [${dims.join(', ')}].`);
        }
        x = next.data as Float32Array;
        checkFinite(x, `step ${i + 1}`);
        const state = data.subarray((i + 1) * 2 * n, (i + 2) * 2 * n);
        const contrib = contribution.subarray((i + 1) * n, (i + 2) * n);
        const r = finishState(p, x, 0, state, contrib, graphResiduals(out, 1)?.[0], i === steps - 1);
        dcResidual.push(r.dc);
        if (i === steps - 1) finalResidual = r.measured;
        if (onStep) await onStep(i + 1, state, dcResidual[i + 1]!, contrib);
      }
      return { states: { kind: 'complex', slices: steps + 1, rows: p.rows, cols: p.cols, data }, dcResidual, finalResidual, contribution, ms: performance.now() - t0 };
    });
  }

  return {
    card,
    name: card.name,
    sha256: card.files.full.sha256,
    steps,
    executionProvider: provider,
    runFull,
    runSteps,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await queue;
      for (const s of [sessions.full, sessions.step]) {
        const created = await s?.catch(() => undefined);
        await created?.release();
      }
    },
  };
}
