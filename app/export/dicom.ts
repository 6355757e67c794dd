// DICOM export: one new MR Image Storage series (DERIVED\SECONDARY) per call, 16-bit pixels with
// RescaleSlope/Intercept, provenance (model name + sha256, mask) in DerivationDescription and
// ImageComments, patient/study copied from the source DICOM when there is one, else an anonymous
// patient and a new study. Files are written atomically and never into a folder holding the input.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FlatError } from '../core/errors';
import type { DicomSourceMeta, RealStack } from '../core/types';
import { OutputGuard, makeFolders } from './safe-write';
import { encodePart10, type DicomElement } from './dicom-writer';
import { newUid } from './uid';

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

export interface ExportDicomOptions {
  /**
   * The new series folder: created by the export, or an existing EMPTY folder. A folder that
   * already holds files (another series, an earlier export) is refused; the series appears there
   * as a whole (written in a temp folder beside it, then renamed), never file by file.
   */
  outDir: string;
  images: RealStack;
  /** e.g. "final" or "step 3 of 12"; named in SeriesDescription and the file names. */
  stepLabel: string;
  source?: DicomSourceMeta;
  /** Name of the input (file or folder) for provenance. */
  sourceName?: string;
  /** Inputs that must never be overwritten: the export refuses an outDir containing any of them. */
  inputPaths?: string[];
  model: { name: string; sha256: string };
  /** e.g. "random 1D mask, 4x, centre fraction 0.08, seed 42" or "as acquired". */
  maskDescription: string;
  pixelSpacingMm?: [number, number];
  seriesNumber?: number;
  /** Shared by several series exported from one run (else a new one, or the source study). */
  studyInstanceUid?: string;
  /** Override the data-derived window (output units). */
  window?: { center: number; width: number };
  /** Injected clock for reproducible tests. */
  now?: Date;
}

/** Format a number as a DICOM DS (≤ 16 characters). */
export function ds(v: number): string {
  if (!Number.isFinite(v)) return '0';
  for (let p = 10; p >= 1; p--) {
    const s = Number(v.toPrecision(p)).toString();
    if (s.length <= 16) return s;
    const e = v.toExponential(p - 1);
    if (e.length <= 16) return e;
  }
  return '0';
}

function da(d: Date): string {
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function tm(d: Date): string {
  return `${String(d.getUTCHours()).padStart(2, '0')}${String(d.getUTCMinutes()).padStart(2, '0')}${String(d.getUTCSeconds()).padStart(2, '0')}`;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n);
}

/** Robust display window from the data: 0.5th–99.5th percentile. */
export function autoWindow(data: Float32Array): { center: number; width: number } {
  const step = Math.max(1, Math.floor(data.length / 200_000));
  const sample: number[] = [];
  for (let i = 0; i < data.length; i += step) sample.push(data[i]!);
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(0.005 * (sample.length - 1))] ?? 0;
  const hi = sample[Math.ceil(0.995 * (sample.length - 1))] ?? 1;
  const width = Math.max(hi - lo, 1e-6);
  return { center: lo + width / 2, width };
}

/** Quantise to uint16 with one slope/intercept for the whole series. */
export function quantise(data: Float32Array): { pixels: Uint16Array; slope: number; intercept: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) throw new FlatError('invalid-data', 'The image to export contains NaN or infinite values.');
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new FlatError('invalid-data', 'The image to export contains NaN or infinite values.');
  const intercept = min >= 0 ? 0 : min;
  // parse back the DS strings so the stored pixels match what readers will apply
  const slope = Number(ds(max > intercept ? (max - intercept) / 65535 : 1));
  const b = Number(ds(intercept));
  const pixels = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) pixels[i] = Math.min(65535, Math.max(0, Math.round((data[i]! - b) / slope)));
  return { pixels, slope, intercept: b };
}

/** Syntax of a DICOM UID (PS3.5 9.1) with a registered first arc (1 or 2). */
export function isValidUid(uid: string): boolean {
  return uid.length <= 64 && /^[12](\.(0|[1-9]\d*))+$/.test(uid);
}

function safeLabel(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40) || 'image';
}

export async function exportDicomSeries(opts: ExportDicomOptions): Promise<string[]> {
  const { images, source } = opts;
  const { slices, rows, cols } = images;
  if (slices < 1 || rows < 1 || cols < 1 || images.data.length !== slices * rows * cols)
    throw new FlatError('invalid-request', 'The image stack to export has an inconsistent shape.');
  if (rows > 65535 || cols > 65535) throw new FlatError('invalid-request', 'The image is too large for DICOM.');
  const guard = new OutputGuard(opts.inputPaths ?? []);
  guard.checkFolder(opts.outDir);
  refuseNonEmpty(opts.outDir);
  const now = opts.now ?? new Date();
  const { pixels, slope, intercept } = quantise(images.data);
  const win = opts.window ?? autoWindow(images.data);

  // copy the source's UIDs only when they are valid DICOM UIDs (some old files use illegal roots)
  const replaced: string[] = [];
  const keepUid = (uid: string | undefined, what: string): string | undefined => {
    if (uid === undefined) return undefined;
    if (isValidUid(uid)) return uid;
    replaced.push(what);
    return undefined;
  };
  const studyUid = opts.studyInstanceUid ?? keepUid(source?.studyInstanceUid, 'Study Instance UID') ?? newUid();
  const seriesUid = newUid();
  const geometryFromSource = source?.imagePositionPatient?.length === slices && source.imageOrientationPatient !== undefined;
  const frameUid = (geometryFromSource ? keepUid(source?.frameOfReferenceUid, 'Frame of Reference UID') : undefined) ?? newUid();
  const spacing = opts.pixelSpacingMm ?? [1, 1];
  const thickness = source?.sliceThickness ?? 1;
  const orientation = geometryFromSource ? source!.imageOrientationPatient! : [1, 0, 0, 0, 1, 0];
  const provenance = clip(
    `FLAT reconstruction, ${opts.stepLabel}. Model ${opts.model.name} sha256 ${opts.model.sha256}. Sampling: ${opts.maskDescription}.` +
      (opts.sourceName ? ` Source: ${opts.sourceName}.` : ''),
    1024,
  );
  const note = replaced.length ? ` The source ${replaced.join(' and ')} ${replaced.length > 1 ? 'were' : 'was'} not valid and replaced by a new UID.` : '';
  const comments = clip(`${provenance} Research use only; not for diagnosis.${note}`, 10240);
  const seriesDescription = clip(`FLAT ${opts.stepLabel}`, 64);
  const seriesNumber = opts.seriesNumber ?? 900 + ((source?.seriesNumber ?? 0) % 100);
  const anonymous = !source;

  const names: string[] = [];
  const encoded: Uint8Array[] = [];
  const base = `FLAT_${safeLabel(opts.stepLabel)}`;
  for (let s = 0; s < slices; s++) {
    const sop = newUid();
    const pos = geometryFromSource ? source!.imagePositionPatient![s]! : [0, 0, s * thickness];
    const el: DicomElement[] = [
      { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' },
      { tag: 0x00080008, vr: 'CS', value: 'DERIVED\\SECONDARY\\OTHER' },
      { tag: 0x00080012, vr: 'DA', value: da(now) },
      { tag: 0x00080013, vr: 'TM', value: tm(now) },
      { tag: 0x00080016, vr: 'UI', value: MR_IMAGE_STORAGE },
      { tag: 0x00080018, vr: 'UI', value: sop },
      { tag: 0x00080020, vr: 'DA', value: anonymous ? da(now) : (source.studyDate ?? '') },
      { tag: 0x00080021, vr: 'DA', value: da(now) },
      { tag: 0x00080023, vr: 'DA', value: da(now) },
      { tag: 0x00080030, vr: 'TM', value: anonymous ? tm(now) : (source.studyTime ?? '') },
      { tag: 0x00080031, vr: 'TM', value: tm(now) },
      { tag: 0x00080033, vr: 'TM', value: tm(now) },
      { tag: 0x00080050, vr: 'SH', value: clip(source?.accessionNumber ?? '', 16) },
      { tag: 0x00080060, vr: 'CS', value: 'MR' },
      { tag: 0x00080070, vr: 'LO', value: 'FLAT Viewer' },
      { tag: 0x00080090, vr: 'PN', value: '' },
      { tag: 0x00081030, vr: 'LO', value: clip(source?.studyDescription ?? (anonymous ? 'FLAT Viewer reconstruction' : ''), 64) },
      { tag: 0x0008103e, vr: 'LO', value: seriesDescription },
      { tag: 0x00081090, vr: 'LO', value: 'FLAT Viewer' },
      { tag: 0x00082111, vr: 'ST', value: provenance },
      { tag: 0x00100010, vr: 'PN', value: clip(source?.patientName ?? 'Anonymous^FLAT', 64) },
      { tag: 0x00100020, vr: 'LO', value: clip(source?.patientId ?? 'FLAT-ANON', 64) },
      { tag: 0x00100030, vr: 'DA', value: source?.patientBirthDate ?? '' },
      { tag: 0x00100040, vr: 'CS', value: source?.patientSex ?? '' },
      { tag: 0x00180020, vr: 'CS', value: 'RM' },
      { tag: 0x00180021, vr: 'CS', value: 'NONE' },
      { tag: 0x00180022, vr: 'CS', value: '' },
      { tag: 0x00180023, vr: 'CS', value: '2D' },
      { tag: 0x00180050, vr: 'DS', value: ds(thickness) },
      { tag: 0x00180080, vr: 'DS', value: '' },
      { tag: 0x00180081, vr: 'DS', value: '' },
      { tag: 0x00180091, vr: 'IS', value: '' },
      { tag: 0x00181020, vr: 'LO', value: 'FLAT Viewer 0.1.0' },
      { tag: 0x00185100, vr: 'CS', value: '' },
      { tag: 0x0020000d, vr: 'UI', value: studyUid },
      { tag: 0x0020000e, vr: 'UI', value: seriesUid },
      { tag: 0x00200010, vr: 'SH', value: clip(source?.studyId ?? '1', 16) },
      { tag: 0x00200011, vr: 'IS', value: String(seriesNumber) },
      { tag: 0x00200013, vr: 'IS', value: String(s + 1) },
      { tag: 0x00200032, vr: 'DS', value: pos.map(ds) },
      { tag: 0x00200037, vr: 'DS', value: orientation.map(ds) },
      { tag: 0x00200052, vr: 'UI', value: frameUid },
      { tag: 0x00200060, vr: 'CS', value: '' },
      { tag: 0x00201040, vr: 'LO', value: '' },
      { tag: 0x00204000, vr: 'LT', value: comments },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: rows },
      { tag: 0x00280011, vr: 'US', value: cols },
      { tag: 0x00280030, vr: 'DS', value: spacing.map(ds) },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 16 },
      { tag: 0x00280102, vr: 'US', value: 15 },
      { tag: 0x00280103, vr: 'US', value: 0 },
      { tag: 0x00281050, vr: 'DS', value: ds(win.center) },
      { tag: 0x00281051, vr: 'DS', value: ds(win.width) },
      { tag: 0x00281052, vr: 'DS', value: ds(intercept) },
      { tag: 0x00281053, vr: 'DS', value: ds(slope) },
      { tag: 0x00281054, vr: 'LO', value: 'US' },
      { tag: 0x7fe00010, vr: 'OW', value: pixels.subarray(s * rows * cols, (s + 1) * rows * cols) },
    ];
    names.push(`${base}_${String(s + 1).padStart(4, '0')}.dcm`);
    encoded.push(encodePart10(MR_IMAGE_STORAGE, sop, el));
  }
  return writeSeriesFolder(opts.outDir, names, encoded, guard);
}

/** The checks of an export folder, early (before a long reconstruction): see ExportDicomOptions. */
export function checkExportFolder(outDir: string, inputPaths: readonly string[]): void {
  new OutputGuard(inputPaths).checkFolder(outDir);
  refuseNonEmpty(outDir);
}

function refuseNonEmpty(dir: string): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new FlatError('io', `The export folder ${basename(dir)} exists and is not a folder; choose a new folder for the series.`, dir);
    entries = readdirSync(dir);
  } catch (e) {
    if (e instanceof FlatError) throw e;
    return; // does not exist yet: it will be created
  }
  if (entries.length > 0)
    throw new FlatError('io', `The export folder ${basename(dir)} already holds files (another series or an earlier export); choose a new folder for each exported series.`, dir);
}

/** All files into a temp folder beside the target, then one rename: the series appears whole. */
function writeSeriesFolder(outDir: string, names: string[], bytes: Uint8Array[], guard: OutputGuard): string[] {
  const target = resolve(outDir);
  const parent = dirname(target);
  makeFolders(parent);
  const tmp = join(parent, `.${basename(target)}.flat-export-${randomUUID()}`);
  try {
    mkdirSync(tmp);
    names.forEach((n, i) => writeFileSync(join(tmp, n), bytes[i]!, { flag: 'wx' }));
    guard.checkFolder(outDir); // the checks again, right before the series appears
    try {
      renameSync(tmp, target); // replaces only a missing or empty folder
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST')
        throw new FlatError('io', `The export folder ${basename(target)} was filled by another export meanwhile; choose a new folder for each exported series.`, outDir);
      throw e;
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof FlatError) throw e;
    throw new FlatError('io', `The series could not be written to ${basename(target)} (${(e as { code?: string }).code ?? 'error'}).`, outDir);
  }
  return names.map((n) => join(outDir, n));
}
