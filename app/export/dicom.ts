// DICOM export: one new MR Image Storage series (DERIVED\SECONDARY) per call. Pixels are stored as
// integers in the study's display units (app/display/units.ts: the source's own units for DICOM
// input, else a fixed 0–4095 scale) with no Rescale Slope/Intercept (the MR Image IOD has none),
// the window in the same units (width ≥ 1). Provenance: Derivation Description + Derivation Code
// Sequence, Source Image Sequence (DICOM source), Contributing Equipment Sequence (software,
// version, model sha256); Burned In Annotation NO; Laterality only when the source states it;
// "research use only" in ImageComments and SeriesDescription. Patient and study are copied from
// a source DICOM, else an anonymous patient and a new study. Files are written atomically, as a
// whole series, never into a folder holding the input.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FlatError } from '../core/errors';
import type { DicomSourceMeta, RealStack } from '../core/types';
import { APP_VERSION } from '../core/version';
import { autoWindow, displayUnits, finiteRange, integerWindow, toDisplayUnits, toStoredUnits, type DisplayUnits } from '../display';
import { OutputGuard, makeFolders } from './safe-write';
import { encodePart10, type DicomElement } from './dicom-writer';
import { newUid } from './uid';

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
export const SOFTWARE_NAME = 'FLAT Viewer';
export const RESEARCH_NOTE = 'RESEARCH USE ONLY - not for diagnostic use.';

export interface ExportDicomOptions {
  /**
   * The new series folder: created by the export, or an existing EMPTY folder. A folder that
   * already holds files (another series, an earlier export) is refused; the series appears there
   * as a whole (written in a temp folder beside it, then renamed), never file by file.
   */
  outDir: string;
  /**
   * One image per exported slice: in DISPLAY units (file values × units.scale) when `units` is
   * given; without `units`, in file units, and the units are derived from these images' maximum
   * (DICOM source: its own units; else the fixed 0–4095 scale).
   */
  images: RealStack;
  /** How the display units were made (app/display/units.ts); decides the stored bits and the note. */
  units?: DisplayUnits;
  /** e.g. "final" or "step 3 of 12"; named in SeriesDescription and the file names. */
  stepLabel: string;
  source?: DicomSourceMeta;
  /** Index in the source stack of each exported slice (default 0, 1, …): picks positions and source UIDs. */
  sourceSlices?: number[];
  /** Name of the input (file or folder) for provenance. */
  sourceName?: string;
  /** Inputs that must never be overwritten: the export refuses an outDir containing any of them. */
  inputPaths?: string[];
  model: { name: string; sha256: string };
  /** e.g. "random 1D mask, 4x, centre fraction 0.08, seed 42" or "as acquired". */
  maskDescription: string;
  /** Software version written in Software Versions and the Contributing Equipment Sequence. */
  softwareVersion?: string;
  pixelSpacingMm?: [number, number];
  seriesNumber?: number;
  /** Shared by several series exported from one run (else a new one, or the source study). */
  studyInstanceUid?: string;
  /** The window to store (display units; e.g. the reader's); else the auto window (1–99 %). */
  window?: { center: number; width: number };
  /**
   * Body Part Examined (0018,0015) when the reader or the source says it (default: the source's).
   * With a known laterality or an unpaired body part, Laterality is absent or set; otherwise it
   * is present and empty — "actually unknown", as PS3.3 C.7.3.1 allows (dciodvfy: a warning).
   */
  bodyPart?: string;
  /** R or L when the reader knows it (default: the source's). */
  laterality?: 'R' | 'L';
  /** Called after each encoded slice (done, total). */
  onProgress?: (done: number, total: number) => void;
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

/** A CS value: upper case, [A-Z0-9 _], ≤ 16 characters; undefined when nothing is left. */
function cleanCs(v: string | undefined): string | undefined {
  const s = (v ?? '').toUpperCase().replace(/[^A-Z0-9 _]/g, '').trim().slice(0, 16);
  return s || undefined;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n);
}

/** Body parts (PS3.16 CID 4031 terms) that are not paired: no Laterality is needed. */
export const UNPAIRED_BODY_PARTS = new Set(['BRAIN', 'HEAD', 'SKULL', 'NECK', 'CSPINE', 'TSPINE', 'LSPINE', 'SPINE', 'CHEST', 'HEART', 'ABDOMEN', 'LIVER', 'PELVIS', 'PROSTATE', 'WHOLEBODY']);

/** Laterality element: the known value, absent for an unpaired body part, else empty (unknown). */
function lateralityElement(laterality: string | undefined, bodyPart: string | undefined): DicomElement[] {
  if (laterality) return [{ tag: 0x00200060, vr: 'CS', value: laterality }];
  if (bodyPart && UNPAIRED_BODY_PARTS.has(bodyPart)) return [];
  return [{ tag: 0x00200060, vr: 'CS', value: '' }];
}

/** Code sequence item. */
function code(value: string, scheme: string, meaning: string): DicomElement[] {
  return [
    { tag: 0x00080100, vr: 'SH', value },
    { tag: 0x00080102, vr: 'SH', value: scheme },
    { tag: 0x00080104, vr: 'LO', value: meaning },
  ];
}

/** The derivation of every exported image: a local code (CID 7203 has no reconstruction concept). */
export const DERIVATION_CODE = { value: 'FLATRECON', scheme: '99FLAT', meaning: 'FLAT reconstruction from undersampled k-space' } as const;

/** Syntax of a DICOM UID (PS3.5 9.1) with a registered first arc (1 or 2). */
export function isValidUid(uid: string): boolean {
  return uid.length <= 64 && /^[12](\.(0|[1-9]\d*))+$/.test(uid);
}

function safeLabel(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40) || 'image';
}

export async function exportDicomSeries(opts: ExportDicomOptions): Promise<string[]> {
  const { source } = opts;
  const units = opts.units ?? displayUnits(source ? 'dicom' : 'image', finiteRange(opts.images.data).max);
  const images = opts.units ? opts.images : { ...opts.images, data: toDisplayUnits(opts.images.data, units.scale, new Float32Array(opts.images.data.length)) };
  const { slices, rows, cols } = images;
  if (slices < 1 || rows < 1 || cols < 1 || images.data.length !== slices * rows * cols)
    throw new FlatError('invalid-request', 'The image stack to export has an inconsistent shape.');
  if (rows > 65535 || cols > 65535) throw new FlatError('invalid-request', 'The image is too large for DICOM.');
  const sourceSlices = opts.sourceSlices ?? Array.from({ length: slices }, (_, i) => i);
  if (sourceSlices.length !== slices) throw new FlatError('invalid-request', 'The export names a source slice for each image, and the counts differ.');
  const guard = new OutputGuard(opts.inputPaths ?? []);
  guard.checkFolder(opts.outDir);
  refuseNonEmpty(opts.outDir);
  for (let i = 0; i < images.data.length; i++) {
    const v = images.data[i]!;
    if (v - v !== 0) throw new FlatError('invalid-data', 'The image to export contains NaN or infinite values.');
  }
  const now = opts.now ?? new Date();
  const { pixels, clipped } = toStoredUnits(images.data, units.maxStored);
  const win = integerWindow(opts.window ?? autoWindow(images.data, undefined, undefined, 1), units.maxStored);

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
  const positions = source?.imagePositionPatient;
  const geometryFromSource = positions !== undefined && source?.imageOrientationPatient !== undefined && sourceSlices.every((k) => positions[k] !== undefined);
  const frameUid = (geometryFromSource ? keepUid(source?.frameOfReferenceUid, 'Frame of Reference UID') : undefined) ?? newUid();
  const spacing = opts.pixelSpacingMm ?? [1, 1];
  const thickness = source?.sliceThickness ?? 1;
  const orientation = geometryFromSource ? source!.imageOrientationPatient! : [1, 0, 0, 0, 1, 0];
  const sourceClass = source?.sopClassUid && isValidUid(source.sopClassUid) ? source.sopClassUid : undefined;
  const sourceSops = source?.sopInstanceUids;
  const version = opts.softwareVersion ?? APP_VERSION;
  const provenance = clip(
    `FLAT reconstruction, ${opts.stepLabel}. Model ${opts.model.name} sha256 ${opts.model.sha256}. Sampling: ${opts.maskDescription}.` +
      (opts.sourceName ? ` Source: ${opts.sourceName}.` : ''),
    1024,
  );
  const unreferenced = sourceSops !== undefined && sourceSlices.some((k) => sourceSops[k] !== undefined && !isValidUid(sourceSops[k]!));
  const note =
    (replaced.length ? ` The source ${replaced.join(' and ')} ${replaced.length > 1 ? 'were' : 'was'} not valid and replaced by a new UID.` : '') +
    (unreferenced ? ' The source images have SOP Instance UIDs that are not valid DICOM UIDs, so the Source Image Sequence cannot reference them.' : '');
  const unitsNote = ` Pixel values: ${units.label}${units.kind === 'fixed' ? ` (file value x ${ds(units.scale)})` : ''}.`;
  const clipNote = clipped > 0 ? ` ${clipped} pixel value(s) above ${units.maxStored} were clipped.` : '';
  const comments = clip(`${RESEARCH_NOTE} ${provenance}${unitsNote}${clipNote}${note}`, 10240);
  const seriesDescription = clip(`FLAT ${opts.stepLabel} (research)`, 64);
  const seriesNumber = opts.seriesNumber ?? 900 + ((source?.seriesNumber ?? 0) % 100);
  const anonymous = !source;
  const highBit = units.bitsStored - 1;
  const bodyPart = cleanCs(opts.bodyPart ?? source?.bodyPartExamined);
  const laterality = opts.laterality ?? source?.laterality;

  const derivationCodes: DicomElement[][] = [code(DERIVATION_CODE.value, DERIVATION_CODE.scheme, DERIVATION_CODE.meaning)];
  const contributing: DicomElement[][] = [
    [
      { tag: 0x00080070, vr: 'LO', value: SOFTWARE_NAME },
      { tag: 0x00081090, vr: 'LO', value: clip(`FLAT Viewer / model ${opts.model.name}`, 64) },
      { tag: 0x00181020, vr: 'LO', value: clip(`FLAT Viewer ${version}`, 64) },
      { tag: 0x0018a002, vr: 'DT', value: `${da(now)}${tm(now)}` },
      { tag: 0x0018a003, vr: 'ST', value: clip(`FLAT reconstruction (${opts.stepLabel}), model ${opts.model.name} sha256 ${opts.model.sha256}. ${RESEARCH_NOTE}`, 1024) },
      { tag: 0x0040a170, vr: 'SQ', value: [code('109102', 'DCM', 'Processing Equipment')] },
    ],
  ];

  const names: string[] = [];
  const encoded: Uint8Array[] = [];
  const base = `FLAT_${safeLabel(opts.stepLabel)}`;
  for (let s = 0; s < slices; s++) {
    const sop = newUid();
    const k = sourceSlices[s]!;
    const pos = geometryFromSource ? positions![k]! : [0, 0, s * thickness];
    const srcSop = sourceSops?.[k];
    const sourceImage: DicomElement[][] =
      sourceClass && srcSop && isValidUid(srcSop)
        ? [
            [
              { tag: 0x00081150, vr: 'UI', value: sourceClass },
              { tag: 0x00081155, vr: 'UI', value: srcSop },
              ...(source?.frameNumbers?.[k] !== undefined ? [{ tag: 0x00081160, vr: 'IS' as const, value: String(source.frameNumbers[k]) }] : []),
              { tag: 0x0040a170, vr: 'SQ', value: [code('121322', 'DCM', 'Source image for image processing operation')] },
            ],
          ]
        : [];
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
      { tag: 0x00080070, vr: 'LO', value: SOFTWARE_NAME },
      { tag: 0x00080090, vr: 'PN', value: '' },
      { tag: 0x00081030, vr: 'LO', value: clip(source?.studyDescription ?? (anonymous ? 'FLAT Viewer reconstruction' : ''), 64) },
      { tag: 0x0008103e, vr: 'LO', value: seriesDescription },
      { tag: 0x00081090, vr: 'LO', value: SOFTWARE_NAME },
      ...(sourceImage.length ? [{ tag: 0x00082112, vr: 'SQ' as const, value: sourceImage }] : []),
      { tag: 0x00082111, vr: 'ST', value: provenance },
      { tag: 0x00089215, vr: 'SQ', value: derivationCodes },
      { tag: 0x00100010, vr: 'PN', value: clip(source ? (source.patientName ?? '') : 'Anonymous^FLAT', 64) },
      { tag: 0x00100020, vr: 'LO', value: clip(source ? (source.patientId ?? '') : 'FLAT-ANON', 64) },
      { tag: 0x00100030, vr: 'DA', value: source?.patientBirthDate ?? '' },
      { tag: 0x00100040, vr: 'CS', value: source?.patientSex ?? '' },
      ...(bodyPart ? [{ tag: 0x00180015, vr: 'CS' as const, value: bodyPart }] : []),
      { tag: 0x00180020, vr: 'CS', value: 'RM' },
      { tag: 0x00180021, vr: 'CS', value: 'NONE' },
      { tag: 0x00180022, vr: 'CS', value: '' },
      { tag: 0x00180023, vr: 'CS', value: '2D' },
      { tag: 0x00180050, vr: 'DS', value: ds(thickness) },
      { tag: 0x00180080, vr: 'DS', value: '' },
      { tag: 0x00180081, vr: 'DS', value: '' },
      { tag: 0x00180091, vr: 'IS', value: '' },
      { tag: 0x00181020, vr: 'LO', value: clip(`FLAT Viewer ${version}`, 64) },
      { tag: 0x00185100, vr: 'CS', value: '' },
      { tag: 0x0018a001, vr: 'SQ', value: contributing },
      { tag: 0x0020000d, vr: 'UI', value: studyUid },
      { tag: 0x0020000e, vr: 'UI', value: seriesUid },
      { tag: 0x00200010, vr: 'SH', value: clip(source?.studyId ?? '1', 16) },
      { tag: 0x00200011, vr: 'IS', value: String(seriesNumber) },
      { tag: 0x00200013, vr: 'IS', value: String(s + 1) },
      { tag: 0x00200032, vr: 'DS', value: pos.map(ds) },
      { tag: 0x00200037, vr: 'DS', value: orientation.map(ds) },
      { tag: 0x00200052, vr: 'UI', value: frameUid },
      ...lateralityElement(laterality, bodyPart),
      { tag: 0x00201040, vr: 'LO', value: '' },
      { tag: 0x00204000, vr: 'LT', value: comments },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: rows },
      { tag: 0x00280011, vr: 'US', value: cols },
      { tag: 0x00280030, vr: 'DS', value: spacing.map(ds) },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: units.bitsStored },
      { tag: 0x00280102, vr: 'US', value: highBit },
      { tag: 0x00280103, vr: 'US', value: 0 },
      { tag: 0x00280301, vr: 'CS', value: 'NO' },
      { tag: 0x00281050, vr: 'DS', value: ds(win.center) },
      { tag: 0x00281051, vr: 'DS', value: ds(win.width) },
      { tag: 0x00281055, vr: 'LO', value: opts.window ? 'FLAT VIEWER' : 'AUTO 1-99 PERCENT' },
      { tag: 0x7fe00010, vr: 'OW', value: pixels.subarray(s * rows * cols, (s + 1) * rows * cols) },
    ];
    names.push(`${base}_${String(s + 1).padStart(4, '0')}.dcm`);
    encoded.push(encodePart10(MR_IMAGE_STORAGE, sop, el));
    opts.onProgress?.(s + 1, slices);
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
