// NumPy .npy reader (format versions 1, 2 and 3): 2D (rows, cols) or 3D (slices, rows, cols), C or
// Fortran order, bool/int/uint/float/complex of any byte order.
// Content: real arrays are images. Complex arrays are k-space when their energy is concentrated at
// the centre (see looksLikeKspace) or when whole columns are exactly zero (undersampled), else
// complex images; `opts.content` overrides the guess.
import { parseNpyHeaderText } from '../core/npy-header';
import type { ComplexStack, RealStack, Study } from '../core/types';
import { acquiredMaskOf, centralEnergyFraction, checkFinite, checkGeometry, fail, hasEmptyColumnGaps, studyFromImages, type LoadOptions } from './common';
import { decodeArray, elementBytes, type ElementType } from './dtype';
import { budgetOf, imageStudyItems } from './budget';
import type { ReaderLimits } from './limits';

export interface NpyArray {
  shape: number[];
  fortran: boolean;
  type: ElementType;
  dataOffset: number;
}

const KINDS: Record<string, ElementType['kind']> = { b: 'bool', i: 'int', u: 'uint', f: 'float', c: 'float' };

export function parseNpyHeader(source: string, b: Uint8Array): NpyArray {
  if (b.length < 10) fail('corrupt-file', source, 'the NumPy header is truncated.');
  const major = b[6]!;
  if (major < 1 || major > 3) fail('unsupported-format', source, `NumPy format version ${major} is not supported.`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : b.length >= 12 ? dv.getUint32(8, true) : -1;
  const start = major === 1 ? 10 : 12;
  if (headerLen < 0 || start + headerLen > b.length || headerLen > 1 << 20) fail('corrupt-file', source, 'the NumPy header is truncated.');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(b.subarray(start, start + headerLen));
  const fields = parseNpyHeaderText(text); // one linear scan of untrusted text
  const descr = fields ? /^([<>|=]?)([a-zA-Z])(\d{1,3})$/.exec(fields.descr) : null;
  if (!fields || !descr) fail('corrupt-file', source, 'the NumPy header is not a valid array description.');
  const [, order, code, sizeStr] = descr;
  const kind = KINDS[code!];
  const size = Number(sizeStr);
  if (!kind) fail('unsupported-content', source, `NumPy element type "${code}${sizeStr}" is not supported (numbers only).`);
  const complex = code === 'c';
  const comp = complex ? size / 2 : size;
  const okSizes = kind === 'float' ? [2, 4, 8] : kind === 'bool' ? [1] : [1, 2, 4, 8];
  if (!okSizes.includes(comp)) fail('unsupported-content', source, `NumPy element type "${code}${sizeStr}" is not supported.`);
  const shape = fields.shape;
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail('corrupt-file', source, 'the NumPy shape is not a list of sizes.');
  return {
    shape,
    fortran: fields.fortranOrder,
    type: { size: comp, kind, complex, littleEndian: order !== '>' },
    dataOffset: start + headerLen,
  };
}

/** Decode into (slices, rows, cols) C order, float32 (interleaved when complex). */
export function decodeNpy(source: string, b: Uint8Array, limits: ReaderLimits): { stack: RealStack | ComplexStack; complex: boolean } {
  const h = parseNpyHeader(source, b);
  let dims = h.shape;
  while (dims.length > 3 && dims[0] === 1) dims = dims.slice(1); // e.g. (1, 1, H, W)
  if (dims.length !== 2 && dims.length !== 3)
    fail('invalid-shape', source, `the array has shape (${h.shape.join(', ')}); expected (rows, cols) or (slices, rows, cols).`);
  const [slices, rows, cols] = dims.length === 2 ? [1, dims[0]!, dims[1]!] : [dims[0]!, dims[1]!, dims[2]!];
  checkGeometry(source, limits, slices, rows, cols, elementBytes(h.type));
  const count = slices * rows * cols;
  const need = count * elementBytes(h.type);
  if (h.dataOffset + need > b.length) fail('corrupt-file', source, `the file is truncated: the array needs ${need} bytes, ${Math.max(0, b.length - h.dataOffset)} are there.`);
  const floats = count * 4 * (h.type.complex ? 2 : 1);
  budgetOf(limits, source).take(['decoded array', floats], ...(h.fortran ? [['C-order copy', floats] as [string, number]] : []));
  let data = decodeArray(b, h.dataOffset, count, h.type);
  if (h.fortran) data = fortranToC(data, slices, rows, cols, h.type.complex ? 2 : 1);
  checkFinite(source, data, 'array');
  return { stack: h.type.complex ? { kind: 'complex', slices, rows, cols, data } : { kind: 'real', slices, rows, cols, data }, complex: h.type.complex };
}

/** Fortran order: element (s, r, c) sits at s + S*(r + R*c). */
export function fortranToC(data: Float32Array, slices: number, rows: number, cols: number, comps: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let s = 0; s < slices; s++)
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const src = (s + slices * (r + rows * c)) * comps;
        const dst = ((s * rows + r) * cols + c) * comps;
        out[dst] = data[src]!;
        if (comps === 2) out[dst + 1] = data[src + 1]!;
      }
  return out;
}

/** Fraction of the energy in the central eighth (per axis) of each slice, averaged. */
/** Centred k-space keeps most energy in the middle 1/64 of the plane; images almost never do. */
export function looksLikeKspace(k: ComplexStack): boolean {
  return hasEmptyColumnGaps(k) || centralEnergyFraction(k) > 0.3;
}

export function studyFromArray(
  format: 'npy' | 'cfl',
  source: string,
  stack: RealStack | ComplexStack,
  complex: boolean,
  opts: LoadOptions,
  defaultContent: 'kspace' | 'image' | 'guess',
  limits?: ReaderLimits,
): Study {
  const all = stack.data;
  let maxAbs = 0;
  for (let i = 0; i < all.length; i++) maxAbs = Math.max(maxAbs, Math.abs(all[i]!));
  if (maxAbs === 0) fail('invalid-data', source, 'every value in the array is zero.');
  let content = opts.content ?? (defaultContent === 'guess' ? undefined : defaultContent);
  const notes: string[] = [];
  if (!content) {
    content = complex && looksLikeKspace(stack as ComplexStack) ? 'kspace' : 'image';
    notes.push(
      content === 'kspace'
        ? 'Read as k-space: the complex array has its energy at the centre or empty columns (override with content: image).'
        : `Read as ${complex ? 'a complex' : 'a real'} image (override with content: kspace).`,
    );
  }
  if (content === 'image') {
    if (limits) budgetOf(limits, source).take(...imageStudyItems(stack.slices * stack.rows * stack.cols, complex));
    return studyFromImages(format, source, stack, complex, { notes });
  }
  if (!complex) fail('unsupported-content', source, 'k-space must be complex, but this array is real.');
  const kspace = stack as ComplexStack;
  const study: Study = { format, source, content: 'kspace', kspace, simulatedKspace: false, notes };
  const mask = acquiredMaskOf(kspace);
  if (mask) {
    study.acquiredMask = mask;
    notes.push(acquiredNote(mask));
  }
  return study;
}

export function readNpy(source: string, bytes: Uint8Array, opts: LoadOptions, limits: ReaderLimits): Study {
  const { stack, complex } = decodeNpy(source, bytes, limits);
  return studyFromArray('npy', source, stack, complex, opts, 'guess', limits);
}

/** "Already undersampled (12.7 % of k-space acquired); reconstructed as acquired." */
export function acquiredNote(mask: Uint8Array): string {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return `Already undersampled (${((100 * n) / mask.length).toFixed(1)} % of k-space acquired); reconstructed as acquired.`;
}
