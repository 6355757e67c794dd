// --mask-file support: a NumPy .npy holding a 1D column mask (W,) or a 2D mask (H, W), of bool,
// integer or float dtype (non-zero = sampled). Singleton axes are squeezed, so fastMRI-style
// (1, 1, W, 1) masks load too. The parser is strict: anything else is a typed FlatError.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FlatError } from '../core/errors';
import { NPY_MAX_HEADER, parseNpyHeaderText } from '../core/npy-header';
import { columnMaskToPlane } from './cartesian';

export interface MaskFile {
  /** file name, for messages */
  source: string;
  /** present for a 2D mask */
  rows?: number;
  cols: number;
  /** cols entries (1D) or rows*cols entries (2D), 1 = sampled */
  data: Uint8Array;
}

const MAX_ENTRIES = 4096 * 4096;

function readValues(view: DataView, offset: number, count: number, descr: string, name: string): Uint8Array {
  const order = descr[0];
  const kind = descr[1];
  const size = Number(descr.slice(2));
  if (order === '>' && size > 1) throw new FlatError('unsupported-content', `${name}: big-endian .npy masks are not supported.`, name);
  const little = true;
  const ok =
    (kind === 'b' && size === 1) ||
    (kind === 'u' && [1, 2, 4, 8].includes(size)) ||
    (kind === 'i' && [1, 2, 4, 8].includes(size)) ||
    (kind === 'f' && [4, 8].includes(size));
  if (!ok) throw new FlatError('unsupported-content', `${name}: mask dtype ${descr} is not bool, integer or float.`, name);
  if (view.byteLength - offset < count * size) {
    throw new FlatError('corrupt-file', `${name}: the .npy file is truncated (${count} values declared).`, name);
  }
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const o = offset + i * size;
    let v: number;
    if (kind === 'f') {
      v = size === 4 ? view.getFloat32(o, little) : view.getFloat64(o, little);
      if (!Number.isFinite(v)) throw new FlatError('invalid-data', `${name}: the mask contains NaN or infinite values.`, name);
    } else if (size === 8) {
      v = view.getBigUint64(o, little) === 0n ? 0 : 1;
    } else if (size === 4) {
      v = view.getUint32(o, little);
    } else if (size === 2) {
      v = view.getUint16(o, little);
    } else {
      v = view.getUint8(o);
    }
    out[i] = v !== 0 ? 1 : 0;
  }
  return out;
}

/** Parse .npy bytes as a mask (name is used in messages). */
export function parseMaskNpy(bytes: Uint8Array, name: string): MaskFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (bytes.length < 10 || magic !== '\x93NUMPY') {
    throw new FlatError('unsupported-format', `${name} is not a NumPy .npy file.`, name);
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new FlatError('unsupported-format', `${name}: unknown .npy version ${major}.`, name);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length || headerLen > NPY_MAX_HEADER) throw new FlatError('corrupt-file', `${name}: the .npy header is truncated.`, name);
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const fields = parseNpyHeaderText(header); // linear scan: the header is untrusted text
  if (!fields) throw new FlatError('corrupt-file', `${name}: the .npy header is unreadable.`, name);
  const { descr, fortranOrder: fortran, shape } = fields;
  const shapeText = shape.join(', ');
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new FlatError('corrupt-file', `${name}: bad .npy shape (${shapeText}).`, name);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_ENTRIES) throw new FlatError('too-large', `${name}: the mask has ${count} entries, more than ${MAX_ENTRIES}.`, name);
  const dims = shape.filter((d) => d !== 1);
  if (dims.length === 0 && count === 1) dims.push(1);
  if (dims.length < 1 || dims.length > 2 || count === 0) {
    throw new FlatError('invalid-shape', `${name}: a mask must be 1D (W,) or 2D (H, W), got shape (${shape.join(', ')}).`, name);
  }
  let data = readValues(view, start + headerLen, count, descr, name);
  if (dims.length === 2) {
    const [rows, cols] = dims as [number, number];
    if (fortran) {
      const t = new Uint8Array(count);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[r * cols + c] = data[c * rows + r]!;
      data = t;
    }
    return { source: name, rows, cols, data };
  }
  return { source: name, cols: dims[0]!, data };
}

/** Read a mask .npy from disk. */
export function loadMaskFile(file: string): MaskFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new FlatError('io', `Cannot read the mask file ${file}.`, file);
  }
  return parseMaskNpy(bytes, path.basename(file));
}

/** The rows×cols mask plane for k-space of that size; the mask must match it. */
export function maskFileToPlane(mask: MaskFile, rows: number, cols: number): Uint8Array {
  if (mask.rows === undefined) {
    if (mask.cols !== cols) {
      throw new FlatError('invalid-shape', `${mask.source} has ${mask.cols} columns but the k-space has ${cols}.`, mask.source);
    }
    return columnMaskToPlane(mask.data, rows);
  }
  if (mask.rows !== rows || mask.cols !== cols) {
    throw new FlatError(
      'invalid-shape',
      `${mask.source} is ${mask.rows}x${mask.cols} but the k-space is ${rows}x${cols}.`,
      mask.source,
    );
  }
  return mask.data;
}
