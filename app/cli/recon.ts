// `npm run recon`: headless FLAT reconstruction of any supported input with onnxruntime-node.
// Writes final (and optionally every) state as complex64 .npy and auto-windowed PNG, reports
// per-step metrics, and fails with one plain line on stderr (never a stack trace).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatError, toFlatError } from '../core/errors';
import type { Study } from '../core/types';
import { APP_VERSION } from '../core/version';
import { toDisplayUnits } from '../display/units';
import { studyUnits } from '../recon/units';
import { oneLine } from '../core/text';
import { OutputGuard, autoWindow, checkExportFolder, encodeNpy, exportDicomSeries, realPathOf, toGray8, writeAtomic, writePng } from '../export';
import { loadStudy } from '../formats';
import { readRegularFile } from '../formats/safe-read';
import { makeMask, maskFileToPlane, parseMaskNpy, samplingFraction } from '../masks';
import {
  centreCrop,
  createEngine,
  croppedMagnitude,
  magnitude,
  prepareSlice,
  referenceSlice,
  stateOf,
  trajectoryMetrics,
  type Engine,
} from '../recon';
import { checkModelTrust } from '../trust/model-trust';
import { parseReconArgs, USAGE, type ReconArgs } from './args';
import { resolveNode } from '../pacs/config';
import { failureLines, sendFiles, settingsFrom } from '../pacs/send';

/** Complex64 (or float32) .npy of exactly the given shape, written atomically, never over an input. */
function writeNpyFile(file: string, shape: number[], data: Float32Array, complex: boolean, guard: OutputGuard): void {
  writeAtomic(file, encodeNpy(data, shape, complex), guard);
}

/** Largest mask file (a 4096 × 4096 mask of float64 with its header). */
const MAX_MASK_FILE = 4096 * 4096 * 8 + 65536;

export const DEFAULT_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../resources/models');

export interface SliceReport {
  slice: number;
  psnr?: number[];
  ssim?: number[];
  nmse?: number[];
  dcResidual: number[];
  /** the final image's worst-coil residual, measured by FFT of the images the graph returned */
  finalResidual: number;
  /** inference wall time (ms) */
  ms: number;
}

export interface ReconReport {
  input: string;
  format: Study['format'];
  /** verified: the model files match the sha256 pinned in this build (app/trust). */
  model: { name: string; sha256: string; steps: number; verified: boolean };
  executionProvider: string;
  simulated: boolean;
  /** requested acceleration, or 1/sampling fraction for a mask file or an acquired mask */
  acceleration: number;
  mask: { source: 'random' | 'equispaced' | 'file' | 'acquired'; samplingFraction: number; centerFraction?: number; seed?: number; file?: string };
  rows: number;
  cols: number;
  /** receive coils, reconstructed jointly */
  coils: number;
  crop?: { rows: number; cols: number };
  /** PSNR/SSIM data range: the reference volume's maximum (fastMRI convention) */
  dataRange?: number;
  results: SliceReport[];
  outputs: string[];
  notes: string[];
}

function maskPlane(args: ReconArgs, study: Study): { plane?: Uint8Array; info: ReconReport['mask']; acceleration: number } {
  const { rows, cols } = study.kspace;
  if (study.acquiredMask) {
    const f = samplingFraction(study.acquiredMask);
    return { info: { source: 'acquired', samplingFraction: f }, acceleration: 1 / f };
  }
  if (args.maskFile) {
    // a regular file of bounded size only: a FIFO or /dev/zero would hang or grow without end
    const bytes = readRegularFile(args.maskFile, MAX_MASK_FILE, 'mask file');
    const plane = maskFileToPlane(parseMaskNpy(bytes, path.basename(args.maskFile)), rows, cols);
    const f = samplingFraction(plane);
    if (f === 0) throw new FlatError('invalid-data', `${path.basename(args.maskFile)} samples no k-space at all.`, args.maskFile);
    return { plane, info: { source: 'file', samplingFraction: f, file: args.maskFile }, acceleration: 1 / f };
  }
  const plane = makeMask(args.mask, rows, cols);
  return {
    plane,
    info: { source: args.mask.kind, samplingFraction: samplingFraction(plane), centerFraction: args.mask.centerFraction, seed: args.mask.seed },
    acceleration: args.mask.acceleration,
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Everything a run reads: outputs may never be written into or over any of it. */
function protectedInputs(args: ReconArgs): string[] {
  const modelDir = args.modelDir ?? DEFAULT_MODEL_DIR;
  return [args.input, args.maskFile, ...[`${args.model}.json`, `${args.model}.onnx`, `${args.model}_step.onnx`].map((f) => path.join(modelDir, f))].filter(
    (p): p is string => p !== undefined,
  );
}

export async function runRecon(args: ReconArgs): Promise<ReconReport> {
  // output checks first, so a bad --out or --export-dicom fails before any work
  const inputs = protectedInputs(args);
  const guard = new OutputGuard(inputs);
  guard.checkFolder(args.out);
  if (args.exportDicom) {
    if (realPathOf(args.exportDicom) === realPathOf(args.out))
      throw new FlatError('invalid-request', '--export-dicom needs its own folder (the series), not the --out folder.');
    checkExportFolder(args.exportDicom, inputs);
  }
  const study = await loadStudy({ path: args.input }, args.content ? { content: args.content } : {});
  const { rows, cols, slices } = study.kspace;
  const wanted = args.slices ?? Array.from({ length: slices }, (_, i) => i);
  for (const s of wanted) {
    if (s >= slices) throw new FlatError('invalid-request', `Slice ${s} does not exist; ${path.basename(args.input)} has ${slices} slice(s).`);
  }
  const { plane, info, acceleration } = maskPlane(args, study);
  guard.ensureFolder(args.out);
  // a model folder the user chose may hold any model: accepted, flagged "unverified"
  const trust = checkModelTrust(args.modelDir ?? DEFAULT_MODEL_DIR, args.model);
  let engine: Engine | undefined;
  try {
    engine = await createEngine({ modelDir: args.modelDir ?? DEFAULT_MODEL_DIR, name: args.model, intraOpThreads: args.threads, preload: 'full' });
    const results: SliceReport[] = [];
    const outputs: string[] = [];
    const display = study.crop ?? { rows, cols };
    const finals: Float32Array[] = [];
    for (const s of wanted) {
      const prepared = prepareSlice(study, s, plane);
      const { states, dcResidual, finalResidual, ms } = await engine.runFull(prepared);
      const ref = referenceSlice(study, s);
      const m = trajectoryMetrics(states, dcResidual, ref);
      results.push({ slice: s, ...(m.psnr ? { psnr: m.psnr, ssim: m.ssim, nmse: m.nmse } : {}), dcResidual: m.dcResidual, finalResidual, ms });

      const base = path.join(args.out, `slice${pad(s, 3)}`);
      const final = stateOf(states, states.slices - 1);
      writeNpyFile(`${base}_final.npy`, [rows, cols], final, true, guard);
      outputs.push(`${base}_final.npy`);
      // One window per slice, from the final image, so every step of it is shown alike.
      const finalMag = croppedMagnitude(states, states.slices - 1, display.rows, display.cols);
      finals.push(finalMag.data);
      const win = autoWindow(finalMag.data);
      writePng(`${base}_final.png`, toGray8(finalMag.data, win.center, win.width), finalMag.rows, finalMag.cols, guard);
      outputs.push(`${base}_final.png`);
      if (args.allSteps) {
        writeNpyFile(`${base}_steps.npy`, [states.slices, rows, cols], states.data, true, guard);
        outputs.push(`${base}_steps.npy`);
        for (let i = 0; i < states.slices; i++) {
          const mag = centreCrop(magnitude(stateOf(states, i)), rows, cols, display.rows, display.cols);
          const file = `${base}_step${pad(i, 2)}.png`;
          writePng(file, toGray8(mag.data, win.center, win.width), mag.rows, mag.cols, guard);
          outputs.push(file);
        }
      }
    }
    if (args.exportDicom) {
      outputs.push(...(await exportDicom(args, study, wanted, finals, display, engine, info, inputs)));
    }
    return {
      input: args.input,
      format: study.format,
      model: { name: engine.name, sha256: engine.sha256, steps: engine.steps, verified: trust.verified },
      executionProvider: engine.executionProvider,
      simulated: study.simulatedKspace,
      acceleration,
      mask: info,
      rows,
      cols,
      coils: study.coils ?? 1,
      ...(study.crop ? { crop: study.crop } : {}),
      ...(referenceSlice(study, wanted[0] ?? 0)?.dataRange !== undefined ? { dataRange: referenceSlice(study, wanted[0] ?? 0)!.dataRange } : {}),
      results,
      outputs,
      notes: trust.verified ? study.notes : [...study.notes, `Unverified model: ${trust.reason}`],
    };
  } finally {
    await engine?.dispose();
  }
}

/** The final images of the reconstructed slices as one derived DICOM series. */
async function exportDicom(
  args: ReconArgs,
  study: Study,
  slices: number[],
  finals: Float32Array[],
  display: { rows: number; cols: number },
  engine: Engine,
  mask: ReconReport['mask'],
  inputs: string[],
): Promise<string[]> {
  const n = display.rows * display.cols;
  const units = studyUnits(study);
  const data = new Float32Array(slices.length * n);
  finals.forEach((f, i) => data.set(f, i * n));
  toDisplayUnits(data, units.scale);
  const maskDescription =
    mask.source === 'acquired'
      ? 'as acquired'
      : mask.source === 'file'
        ? `mask file ${path.basename(mask.file ?? '')}, ${(100 * mask.samplingFraction).toFixed(1)} % sampled`
        : `${mask.source} 1D mask, ${args.mask.acceleration}x, centre fraction ${args.mask.centerFraction}, seed ${args.mask.seed}`;
  return exportDicomSeries({
    outDir: args.exportDicom!,
    images: { kind: 'real', slices: slices.length, rows: display.rows, cols: display.cols, data },
    units,
    stepLabel: 'final',
    source: study.dicom,
    sourceSlices: slices,
    softwareVersion: APP_VERSION,
    sourceName: path.basename(args.input),
    inputPaths: inputs,
    model: { name: engine.name, sha256: engine.sha256 },
    maskDescription: study.simulatedKspace ? `${maskDescription} (simulated k-space)` : maskDescription,
    pixelSpacingMm: study.pixelSpacingMm,
  });
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined ? '—' : Number.isFinite(v) ? v.toFixed(digits) : String(v);
}

function printTable(r: ReconReport): void {
  const lines = [
    `${r.input}: ${r.format}, ${r.rows}x${r.cols}, ${r.simulated ? 'simulated k-space (computed from images)' : 'k-space as stored in the file'}`,
    `model ${r.model.name} (${r.model.steps} steps, sha256 ${r.model.sha256.slice(0, 12)}…) on ${r.executionProvider}`,
    `mask ${r.mask.source}, ${(100 * r.mask.samplingFraction).toFixed(1)} % sampled (≈${r.acceleration.toFixed(2)}x)`,
  ];
  for (const s of r.results) {
    const last = s.dcResidual.length - 1;
    lines.push(
      `slice ${s.slice}: ${s.ms.toFixed(0)} ms; zero-filled → final PSNR ${fmt(s.psnr?.[0], 2)} → ${fmt(s.psnr?.[last], 2)} dB, ` +
        `SSIM ${fmt(s.ssim?.[0], 4)} → ${fmt(s.ssim?.[last], 4)}, DC residual ${s.dcResidual[0]!.toExponential(1)} → ${s.dcResidual[last]!.toExponential(1)} (final image by FFT ${s.finalResidual.toExponential(1)})`,
    );
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push(`wrote ${r.outputs.length} file(s) to ${path.dirname(r.outputs[0] ?? '.')}`);
  // names and notes come from the file system and file headers: escape control and bidi characters
  process.stdout.write(lines.map((l) => oneLine(l, 2000)).join('\n') + '\n');
}

/** JSON with bidi controls, C1 controls and line separators escaped too (JSON.stringify keeps them raw). */
function jsonForTerminal(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseReconArgs(argv);
    if (args.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    // A bad --send node or settings file fails before the reconstruction, not after it.
    const node = args.send ? resolveNode(args.send, settingsFrom(args.pacsConfig)) : undefined;
    const report = await runRecon(args);
    const exported = args.exportDicom ? report.outputs.filter((f) => path.resolve(f).startsWith(path.resolve(args.exportDicom!) + path.sep)) : [];
    const sent = args.send ? await sendFiles(args.send, exported, { settingsFile: args.pacsConfig, json: args.json, node }) : undefined;
    if (args.json) process.stdout.write(jsonForTerminal(sent ? { ...report, send: sent } : report) + '\n');
    else printTable(report);
    if (sent && !args.json) process.stdout.write(`sent ${sent.stored} of ${sent.total} instance(s) to ${sent.node} in ${sent.seconds.toFixed(1)} s\n`);
    if (sent && sent.failures.length > 0) {
      process.stderr.write(failureLines(sent).join('\n') + '\n');
      return 1;
    }
    return 0;
  } catch (e) {
    const err = toFlatError(e, 'inference-failed');
    process.stderr.write(`error: ${oneLine(err.message)}\n`);
    return err.code === 'invalid-request' ? 2 : 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.stderr.write('error: the reconstruction failed unexpectedly.\n');
      process.exitCode = 1;
    },
  );
}
