// loadStudy: one entry point for every input format (app, CLI, Node host). Detects the format from
// magic bytes (file name only for BART), enforces READER_LIMITS and turns every failure into a
// FlatError with one plain sentence naming the file.
import { basename, dirname, extname, join } from 'node:path';
import { FlatError, toFlatError } from '../core/errors';
import { formatBytes } from '../core/text';
import { budgetOf } from './budget';
import { scanInputs } from './folder-scan';
import { readRegularFile, readRegularHead, statRegularFile } from './safe-read';
import type { Study } from '../core/types';
import { readCfl } from './cfl';
import { checkCoils, fail, label, type LoadOptions } from './common';
import { detectFormat, type DetectedFormat } from './detect';
import { readDicomSeries, type DicomInputFile } from './dicom';
import { readFastMri } from './fastmri';
import { withH5 } from './h5/session';
import { H5O } from './h5/wasm';
import { readIsmrmrd } from './ismrmrd';
import { resolveLimits, type ReaderLimits } from './limits';
import { readNifti } from './nifti';
import { readNpy } from './npy';

export { READER_LIMITS, type ReaderLimits } from './limits';
export { detectFormat, type DetectedFormat } from './detect';
export type { LoadOptions } from './common';

/** Largest BART .hdr text (a few numbers and comments). */
const MAX_CFL_HEADER = 64 * 1024;

export type StudyInput = { path: string } | { paths: string[] } | { name: string; bytes: Uint8Array };

export async function loadStudy(input: StudyInput, opts: LoadOptions = {}): Promise<Study> {
  const limits = resolveLimits(opts.limits);
  const source = 'path' in input ? input.path : 'paths' in input ? (input.paths[0] ?? '') : input.name;
  try {
    if ('bytes' in input) return checkCoils(await loadBytes(input.name, input.bytes, opts, limits));
    if ('paths' in input) return checkCoils(await loadPaths(input.paths, opts, limits));
    return checkCoils(await loadPaths([input.path], opts, limits));
  } catch (e) {
    if (e instanceof FlatError) throw e;
    // anything untyped (a bug or an exotic failure) still reaches the user as one sentence
    const err = toFlatError(e, 'corrupt-file', source);
    throw new FlatError(err.code, `${label(source)}: the file could not be read (${firstSentence(err.message)}).`, source);
  }
}

function firstSentence(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}

function tooLarge(path: string, what: string, size: number, limits: ReaderLimits): never {
  return fail('too-large', path, `${what} ${formatBytes(size)}, over the ${formatBytes(limits.maxBytes)} limit.`);
}

/** Read a whole input file: regular files only, size checked first, counted in the budget. */
function readInput(path: string, limits: ReaderLimits): Uint8Array {
  const st = statRegularFile(path);
  if (st.size > limits.maxBytes) tooLarge(path, 'the file is', st.size, limits);
  budgetOf(limits, path).take(['file contents', st.size]);
  return readRegularFile(path, limits.maxBytes);
}

async function loadPaths(paths: string[], opts: LoadOptions, limits: ReaderLimits): Promise<Study> {
  if (paths.length === 0) throw new FlatError('invalid-request', 'No input file was given.');
  const scan = scanInputs(paths, limits);
  const wasFolder = scan.wasFolder;
  const files = scan.files;
  if (files.length === 0) fail('unsupported-format', paths[0]!, 'the folder contains no files.');
  const kinds = files.map((f) => ({ f, kind: detectFormat(f, readRegularHead(f)) }));
  const scanNotes: string[] = [];
  if (scan.skippedLinks > 0) scanNotes.push(`${scan.skippedLinks} symbolic link(s) to folders (or dangling) were not followed.`);
  if (scan.duplicates > 0) scanNotes.push(`${scan.duplicates} link(s) to files already selected were read once.`);
  if (scan.skippedOther > 0) scanNotes.push(`${scan.skippedOther} entry(ies) that are not regular files were skipped.`);

  // BART pairs: x.cfl + x.hdr (either one named, or both)
  const cflLike = kinds.filter((k) => k.kind === 'cfl' || k.kind === 'cfl-header');
  if (cflLike.length > 0 && cflLike.length === kinds.length && cflLike.length <= 2) return loadCflPair(cflLike[0]!.f, opts, limits);

  const dicoms = kinds.filter((k) => k.kind === 'dicom');
  if (dicoms.length > 0 && (wasFolder || dicoms.length === kinds.length || files.length > 1)) {
    let total = 0;
    for (const { f } of dicoms) total += statRegularFile(f).size;
    if (total > limits.maxBytes) tooLarge(paths[0]!, 'the DICOM files add up to', total, limits);
    const inputs: DicomInputFile[] = dicoms.map(({ f }) => ({ name: f, bytes: readInput(f, limits) }));
    const skipped = files.length - dicoms.length;
    const study = readDicomSeries(wasFolder ? paths[0]! : dicoms[0]!.f, inputs, opts, limits);
    if (skipped > 0) study.notes.push(`${skipped} non-DICOM file(s) in the selection were ignored.`);
    study.notes.push(...scanNotes);
    return study;
  }
  if (files.length > 1) fail('unsupported-format', paths[0]!, 'several files were given, but only DICOM series and BART .cfl/.hdr pairs span more than one file.');
  const path = files[0]!;
  const kind = kinds[0]!.kind;
  if (kind === 'hdf5') {
    const st = statRegularFile(path);
    if (st.size > limits.maxBytes) tooLarge(path, 'the file is', st.size, limits);
    return withH5(path, { path }, (f) => readH5(f, path, opts, limits));
  }
  return loadBytes(path, readInput(path, limits), opts, limits, kind);
}

function readH5(f: Parameters<typeof readFastMri>[0], source: string, opts: LoadOptions, limits: ReaderLimits): Study {
  f.budget = budgetOf(limits, source); // every dataset read is counted
  if (f.typeOf('/dataset') === H5O.GROUP && f.typeOf('/dataset/data') === H5O.DATASET) return readIsmrmrd(f, source, opts, limits);
  if (f.typeOf('kspace') === H5O.DATASET) return readFastMri(f, source, limits);
  return fail('unsupported-format', source, 'it is an HDF5 file but neither fastMRI ("kspace") nor ISMRMRD ("/dataset/data").');
}

function loadCflPair(anyHalf: string, opts: LoadOptions, limits: ReaderLimits): Study {
  const ext = extname(anyHalf);
  const stem = join(dirname(anyHalf), basename(anyHalf, ext));
  const hdr = `${stem}.hdr`;
  const cfl = `${stem}.cfl`;
  const text = new TextDecoder().decode(readRegularFile(hdr, MAX_CFL_HEADER, 'BART header'));
  return readCfl(cfl, text, readInput(cfl, limits), opts, limits);
}

async function loadBytes(name: string, bytes: Uint8Array, opts: LoadOptions, limits: ReaderLimits, known?: DetectedFormat): Promise<Study> {
  if (bytes.length > limits.maxBytes) tooLarge(name, 'the file is', bytes.length, limits);
  if (!known) budgetOf(limits, name).take(['file contents', bytes.length]);
  const kind = known ?? detectFormat(name, bytes.subarray(0, 512));
  switch (kind) {
    case 'hdf5':
      return withH5(name, { bytes }, (f) => readH5(f, name, opts, limits));
    case 'npy':
      return readNpy(name, bytes, opts, limits);
    case 'nifti':
      return readNifti(name, bytes, opts, limits);
    case 'dicom':
      return readDicomSeries(name, [{ name, bytes }], opts, limits);
    case 'cfl':
    case 'cfl-header':
      return fail('invalid-request', name, 'a BART file needs both its .cfl and .hdr halves; open it by path.');
    default:
      return fail('unsupported-format', name, 'this is not a file type FLAT Viewer reads (fastMRI/ISMRMRD HDF5, DICOM, NIfTI, BART cfl, NumPy npy).');
  }
}
