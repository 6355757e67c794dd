// DICOM MR series reader (dicom-parser). Files are grouped by SeriesInstanceUID; the requested
// series, else the largest one, is loaded. Slices are sorted along the slice normal (from
// ImageOrientation/ImagePositionPatient, else InstanceNumber), rescaled with RescaleSlope/Intercept
// and treated as magnitude images: the k-space is simulated and the image is the reference.
// Transfer syntaxes: implicit/explicit VR little endian, explicit big endian, deflated, and RLE
// Lossless (decoded here); JPEG, JPEG-LS and JPEG 2000 pixel data is refused.
import dicomParser from 'dicom-parser';
import type { DicomSourceMeta, RealStack, Study } from '../core/types';
import { checkFinite, checkGeometry, fail, studyFromImages, type LoadOptions } from './common';
import { FlatError } from '../core/errors';
import { formatBytes } from '../core/text';
import { budgetOf, imageStudyItems } from './budget';
import { InflateDataError, InflateLimitError, inflateBounded } from './inflate';
import type { ReaderLimits } from './limits';
import { decodeRleFrame } from './rle';

export interface DicomInputFile {
  name: string;
  bytes: Uint8Array;
}

type DataSet = ReturnType<typeof dicomParser.parseDicom>;

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const RLE = '1.2.840.10008.1.2.5';

interface Frame {
  file: string;
  ds: DataSet;
  frameIndex: number;
  rows: number;
  cols: number;
  position?: [number, number, number];
  orientation?: [number, number, number, number, number, number];
  instance: number;
}

function str(ds: DataSet, tag: string): string | undefined {
  const v = ds.string(tag);
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function nums(ds: DataSet, tag: string): number[] | undefined {
  const v = str(ds, tag);
  if (!v) return undefined;
  const out = v.split('\\').map((x) => Number(x.trim()));
  return out.every(Number.isFinite) ? out : undefined;
}

/**
 * Deflated transfer syntax: dicom-parser would inflate without any bound (a 1.5 MB file became
 * 4.7 GB). Ours stops past what the file and the memory budget allow.
 */
function boundedInflater(f: DicomInputFile, limits: ReaderLimits): (byteArray: Uint8Array, position: number) => Uint8Array {
  return (byteArray, position) => {
    const budget = budgetOf(limits, f.name);
    const cap = Math.max(0, Math.min(limits.maxBytes, budget.remaining) - position);
    try {
      const out = inflateBounded('deflate-raw', byteArray.subarray(position), cap, position, (n) => budget.take(['inflated data set', n]));
      out.set(byteArray.subarray(0, position));
      return out;
    } catch (e) {
      if (e instanceof InflateLimitError)
        fail('too-large', f.name, `its deflated data set inflates to more than ${formatBytes(cap)}, over the limit.`);
      if (e instanceof InflateDataError) fail('corrupt-file', f.name, 'its deflated data set is damaged or truncated.');
      throw e;
    }
  };
}

function parseOne(f: DicomInputFile, limits: ReaderLimits): DataSet {
  const b = f.bytes;
  const hasPreamble = b.length > 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
  try {
    if (hasPreamble) return dicomParser.parseDicom(b, { inflater: boundedInflater(f, limits) } as Parameters<typeof dicomParser.parseDicom>[1]);
  } catch (e) {
    if (e instanceof FlatError) throw e;
    const msg = typeof e === 'string' ? e : e instanceof Error ? e.message : '';
    fail('corrupt-file', f.name, `the DICOM file is damaged or truncated${msg ? ` (${msg.split('\n')[0]!.slice(0, 120)})` : ''}.`);
  }
  // no Part 10 header: the VR letters after the first tag tell explicit from implicit VR
  const explicit = b.length > 6 && b[4]! >= 0x41 && b[4]! <= 0x5a && b[5]! >= 0x41 && b[5]! <= 0x5a;
  try {
    const ds = dicomParser.parseDicom(b, { TransferSyntaxUID: explicit ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2' });
    if (Object.keys(ds.elements).length >= 3) return ds;
  } catch {
    /* fall through to the plain sentence below */
  }
  return fail('corrupt-file', f.name, 'it is not a readable DICOM file.');
}

function transferSyntax(ds: DataSet): string {
  return str(ds, 'x00020010')?.replace(/\0/g, '') ?? '1.2.840.10008.1.2';
}

function framesOf(f: DicomInputFile, ds: DataSet, limits: ReaderLimits): Frame[] {
  const rows = ds.uint16('x00280010') ?? 0;
  const cols = ds.uint16('x00280011') ?? 0;
  if (!ds.elements['x7fe00010']) fail('unsupported-content', f.name, 'the DICOM file holds no image (no Pixel Data).');
  const ts = transferSyntax(ds);
  const encapsulated = ds.elements['x7fe00010']!.encapsulatedPixelData === true;
  if (ts === RLE ? !encapsulated : !UNCOMPRESSED.has(ts) || encapsulated)
    fail('unsupported-content', f.name, `its pixel data is compressed (transfer syntax ${ts}); export it uncompressed (e.g. explicit VR little endian) first.`);
  const spp = ds.uint16('x00280002') ?? 1;
  if (spp !== 1) fail('unsupported-content', f.name, 'it is a colour image; MR magnitude images are greyscale.');
  const nFrames = Math.max(1, Number(str(ds, 'x00280008') ?? '1') || 1);
  checkGeometry(f.name, limits, nFrames, rows, cols, 4);
  const pos = nums(ds, 'x00200032');
  const ori = nums(ds, 'x00200037');
  const instance = Number(str(ds, 'x00200013') ?? '0') || 0;
  return Array.from({ length: nFrames }, (_, i) => ({
    file: f.name,
    ds,
    frameIndex: i,
    rows,
    cols,
    position: pos && pos.length === 3 && nFrames === 1 ? (pos as [number, number, number]) : undefined,
    orientation: ori && ori.length === 6 ? (ori as [number, number, number, number, number, number]) : undefined,
    instance: instance * 10000 + i,
  }));
}

function pixels(fr: Frame): Float32Array {
  const ds = fr.ds;
  const el = ds.elements['x7fe00010']!;
  const bits = ds.uint16('x00280100') ?? 16;
  const signed = (ds.uint16('x00280103') ?? 0) === 1;
  if (bits !== 8 && bits !== 16 && bits !== 32) fail('unsupported-content', fr.file, `${bits}-bit pixels are not supported.`);
  const bytesPer = bits / 8;
  const n = fr.rows * fr.cols;
  let dv: DataView;
  let le = true;
  if (transferSyntax(ds) === RLE) {
    let decoded: Uint8Array;
    try {
      const frags = el.fragments ?? [];
      const frame =
        fr.frameIndex === 0 && frags.length > 0 && (el.basicOffsetTable?.length ?? 0) <= 1
          ? dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, frags.length)
          : dicomParser.readEncapsulatedImageFrame(ds, el, fr.frameIndex);
      decoded = decodeRleFrame(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength), n, bytesPer);
    } catch {
      return fail('corrupt-file', fr.file, 'its RLE-compressed pixel data is damaged.');
    }
    dv = new DataView(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  } else {
    const start = el.dataOffset + fr.frameIndex * n * bytesPer;
    if (el.dataOffset < 0 || start + n * bytesPer > ds.byteArray.length || (el.length > 0 && (fr.frameIndex + 1) * n * bytesPer > el.length))
      fail('corrupt-file', fr.file, 'the pixel data is shorter than Rows × Columns says.');
    le = transferSyntax(ds) !== BIG_ENDIAN;
    dv = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + start, n * bytesPer);
  }
  const out = new Float32Array(n);
  const stored = ds.uint16('x00280101') ?? bits;
  const shift = 32 - Math.min(Math.max(stored, 1), bits);
  for (let i = 0; i < n; i++) {
    let v: number;
    if (bits === 8) v = signed ? dv.getInt8(i) : dv.getUint8(i);
    else if (bits === 16) v = signed ? dv.getInt16(2 * i, le) : dv.getUint16(2 * i, le);
    else v = signed ? dv.getInt32(4 * i, le) : dv.getUint32(4 * i, le);
    // keep only BitsStored bits (sign-extended when signed)
    if (stored < bits) v = signed ? ((v << shift) >> shift) : v & ((1 << stored) - 1);
    out[i] = v;
  }
  const slope = Number(str(ds, 'x00281053') ?? '1');
  const inter = Number(str(ds, 'x00281052') ?? '0');
  const s = Number.isFinite(slope) && slope !== 0 ? slope : 1;
  const b = Number.isFinite(inter) ? inter : 0;
  if (s !== 1 || b !== 0) for (let i = 0; i < n; i++) out[i] = out[i]! * s + b;
  return out;
}

function normalOf(o: number[]): [number, number, number] {
  const [a, b, c, d, e, f] = o as [number, number, number, number, number, number];
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

function meta(ds: DataSet): DicomSourceMeta {
  const m: DicomSourceMeta = {};
  const set = <K extends keyof DicomSourceMeta>(k: K, v: DicomSourceMeta[K] | undefined) => {
    if (v !== undefined) m[k] = v;
  };
  set('patientName', str(ds, 'x00100010'));
  set('patientId', str(ds, 'x00100020'));
  set('patientBirthDate', str(ds, 'x00100030'));
  set('patientSex', str(ds, 'x00100040'));
  set('studyInstanceUid', str(ds, 'x0020000d'));
  set('studyDate', str(ds, 'x00080020'));
  set('studyTime', str(ds, 'x00080030'));
  set('studyDescription', str(ds, 'x00081030'));
  set('studyId', str(ds, 'x00200010'));
  set('accessionNumber', str(ds, 'x00080050'));
  set('seriesInstanceUid', str(ds, 'x0020000e'));
  set('seriesDescription', str(ds, 'x0008103e'));
  const sn = Number(str(ds, 'x00200011'));
  if (Number.isFinite(sn) && str(ds, 'x00200011')) m.seriesNumber = sn;
  set('modality', str(ds, 'x00080060'));
  set('manufacturer', str(ds, 'x00080070'));
  set('frameOfReferenceUid', str(ds, 'x00200052'));
  const th = Number(str(ds, 'x00180050'));
  if (Number.isFinite(th) && th > 0) m.sliceThickness = th;
  // first value of a multi-valued window; 0/0 and non-positive widths mean "no window"
  const wc = nums(ds, 'x00281050')?.[0];
  const ww = nums(ds, 'x00281051')?.[0];
  if (wc !== undefined && ww !== undefined && ww > 0) {
    m.windowCenter = wc;
    m.windowWidth = ww;
  }
  return m;
}

export function readDicomSeries(source: string, files: DicomInputFile[], opts: LoadOptions, limits: ReaderLimits): Study {
  if (files.length > limits.maxFiles) fail('too-large', source, `${files.length} files exceed the limit of ${limits.maxFiles}.`);
  const notes: string[] = [];
  const series = new Map<string, Frame[]>();
  let firstError: unknown;
  let unreadable = 0;
  for (const f of files) {
    try {
      const ds = parseOne(f, limits);
      const uid = str(ds, 'x0020000e') ?? '(no series UID)';
      const frames = framesOf(f, ds, limits);
      const list = series.get(uid) ?? [];
      list.push(...frames);
      if (list.length > limits.maxSlices) fail('too-large', source, `the series has more than ${limits.maxSlices} images.`);
      series.set(uid, list);
    } catch (e) {
      if (files.length === 1) throw e;
      if (e instanceof Error && e.name === 'FlatError' && (e as { code?: string }).code === 'too-large') throw e;
      firstError ??= e;
      unreadable++;
    }
  }
  if (series.size === 0) {
    if (firstError) throw firstError;
    fail('unsupported-format', source, 'no DICOM images were found.');
  }
  if (unreadable > 0) notes.push(`${unreadable} file(s) could not be read and were skipped.`);

  let uid: string;
  if (opts.seriesInstanceUid) {
    if (!series.has(opts.seriesInstanceUid)) fail('invalid-request', source, `series ${opts.seriesInstanceUid} is not among the files.`);
    uid = opts.seriesInstanceUid;
  } else {
    uid = [...series.entries()].sort((a, b) => b[1].length - a[1].length)[0]![0];
    if (series.size > 1) {
      const desc = str(series.get(uid)![0]!.ds, 'x0008103e');
      notes.push(`${series.size} series found; loaded the largest (${desc ? `"${desc}", ` : ''}${series.get(uid)!.length} images).`);
    }
  }
  let frames = series.get(uid)!;

  // one image size per stack: keep the most common, say so
  const sizes = new Map<string, number>();
  for (const fr of frames) sizes.set(`${fr.rows}x${fr.cols}`, (sizes.get(`${fr.rows}x${fr.cols}`) ?? 0) + 1);
  if (sizes.size > 1) {
    const best = [...sizes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const before = frames.length;
    frames = frames.filter((fr) => `${fr.rows}x${fr.cols}` === best);
    notes.push(`${before - frames.length} image(s) of another size were left out.`);
  }

  // sort along the slice normal when every image has geometry, else by InstanceNumber
  const ori = frames[0]!.orientation;
  const geometric = ori !== undefined && frames.every((f) => f.position !== undefined);
  if (geometric) {
    const n = normalOf(ori);
    const d = (f: Frame) => f.position![0] * n[0] + f.position![1] * n[1] + f.position![2] * n[2];
    frames = [...frames].sort((a, b) => d(a) - d(b) || a.instance - b.instance);
  } else frames = [...frames].sort((a, b) => a.instance - b.instance);

  const { rows, cols } = frames[0]!;
  checkGeometry(source, limits, frames.length, rows, cols, 4 * 4);
  const px = frames.length * rows * cols;
  budgetOf(limits, source).take(['image', px * 4], ...imageStudyItems(px, false));
  const data = new Float32Array(px);
  frames.forEach((fr, i) => data.set(pixels(fr), i * rows * cols));
  checkFinite(source, data, 'image');
  const stack: RealStack = { kind: 'real', slices: frames.length, rows, cols, data };

  const ds0 = frames[0]!.ds;
  const dicom = meta(ds0);
  if (geometric) {
    dicom.imagePositionPatient = frames.map((f) => f.position!);
    dicom.imageOrientationPatient = ori;
  }
  const sops = frames.map((f) => str(f.ds, 'x00080018')?.replace(/\0/g, ''));
  if (sops.every((u): u is string => u !== undefined)) dicom.sopInstanceUids = sops;
  const sopClass = str(ds0, 'x00080016')?.replace(/\0/g, '');
  if (sopClass) dicom.sopClassUid = sopClass;
  if (frames.some((f) => (f.ds.intString('x00280008') ?? 1) > 1)) dicom.frameNumbers = frames.map((f) => ((f.ds.intString('x00280008') ?? 1) > 1 ? f.frameIndex + 1 : undefined));
  const bodyPart = str(ds0, 'x00180015');
  if (bodyPart) dicom.bodyPartExamined = bodyPart;
  const lat = str(ds0, 'x00200060') ?? str(ds0, 'x00200062');
  if (lat && /^[RLUB]$/.test(lat)) dicom.laterality = lat;
  const image = str(ds0, 'x00080008');
  if (image && /\\P(\\|$)|PHASE/i.test(image)) notes.push('The series is marked as a phase image; it is treated as magnitude.');
  const extra: Partial<Study> = { dicom, notes };
  const ps = nums(ds0, 'x00280030');
  if (ps && ps.length >= 2 && ps[0]! > 0 && ps[1]! > 0) extra.pixelSpacingMm = [ps[0]!, ps[1]!];
  if (frames.length > 1 && !geometric) notes.push('Slices have no position information; they are ordered by instance number.');
  return studyFromImages('dicom', files.length === 1 ? files[0]!.name : source, stack, false, extra);
}

