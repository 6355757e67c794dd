// Typed reads on top of H5File: numeric datasets as float32 (complex interleaved), strings, scalar
// attributes. Sizes are checked from metadata before any byte is read.
import { H5T, type H5File, type H5Meta } from './wasm';

export interface NumericArray {
  shape: number[];
  /** Real values, or interleaved re/im when `complex`. */
  data: Float32Array;
  complex: boolean;
}

function decodeScalars(bytes: Uint8Array, meta: H5Meta, count: number, stride: number, offset: number, out: Float32Array, outStride: number, outOffset: number): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = meta.littleEndian;
  const size = meta.size;
  const get: (o: number) => number =
    meta.type === H5T.FLOAT
      ? size === 4
        ? (o) => dv.getFloat32(o, le)
        : size === 8
          ? (o) => dv.getFloat64(o, le)
          : unsupported(`${size * 8}-bit floats`)
      : meta.type === H5T.INTEGER || meta.type === H5T.ENUM
        ? size === 1
          ? meta.signed ? (o) => dv.getInt8(o) : (o) => dv.getUint8(o)
          : size === 2
            ? meta.signed ? (o) => dv.getInt16(o, le) : (o) => dv.getUint16(o, le)
            : size === 4
              ? meta.signed ? (o) => dv.getInt32(o, le) : (o) => dv.getUint32(o, le)
              : size === 8
                ? meta.signed ? (o) => Number(dv.getBigInt64(o, le)) : (o) => Number(dv.getBigUint64(o, le))
                : unsupported(`${size * 8}-bit integers`)
        : unsupported('this element type');
  // fast path: little-endian float32, contiguous
  if (meta.type === H5T.FLOAT && size === 4 && le && stride === 4 && outStride === 1 && offset === 0 && outOffset === 0 && bytes.byteOffset % 4 === 0) {
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
    return;
  }
  for (let i = 0; i < count; i++) out[outOffset + i * outStride] = get(offset + i * stride);
}

function unsupported(what: string): never {
  throw new TypeError(`unsupported HDF5 element type: ${what}`);
}

/** Is this a complex compound as h5py writes it ({r, i} or {real, imag} of equal floats)? */
export function complexMembers(meta: H5Meta): [H5Meta & { offset: number }, H5Meta & { offset: number }] | undefined {
  const members = meta.compound_type?.members;
  if (meta.type !== H5T.COMPOUND || !members || members.length !== 2) return undefined;
  const [a, b] = members as [H5Meta & { name: string; offset: number }, H5Meta & { name: string; offset: number }];
  const names = `${a.name.toLowerCase()},${b.name.toLowerCase()}`;
  if (!['r,i', 'real,imag', 're,im', 'real,imaginary'].includes(names)) return undefined;
  if (a.type !== H5T.FLOAT || b.type !== H5T.FLOAT || a.size !== b.size) return undefined;
  return [a, b];
}

/** Check a dataset's declared element count/shape against a byte budget without reading it. */
export function declaredBytes(meta: H5Meta): number {
  const shape = meta.shape ?? [];
  let n = 1;
  for (const d of shape) n *= d;
  return n * meta.size;
}

/**
 * Read a whole numeric dataset. Complex compounds come back interleaved; real float/int datasets
 * come back real (the caller decides whether a trailing axis of 2 means re/im pairs).
 */
export function readNumeric(file: H5File, path: string, meta: H5Meta, maxBytes: number): NumericArray {
  const shape = meta.shape ?? [];
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError('invalid dataset shape');
    n *= d;
  }
  if (n !== meta.total_size) throw new RangeError('dataset shape and size disagree');
  // contiguous storage cannot hold more than the file: a larger declared size is a damaged header,
  // caught before HDF5 is asked to fill a huge buffer
  if (!meta.chunks && n * meta.size > file.fileSize) throw new RangeError(`dataset declares ${n * meta.size} bytes in a ${file.fileSize}-byte file`);
  const cm = complexMembers(meta);
  const outBytes = n * 4 * (cm ? 2 : 1);
  if (outBytes > maxBytes || n * meta.size > maxBytes) throw new RangeError(`dataset needs ${Math.max(outBytes, n * meta.size)} bytes`);
  if (!cm && meta.type !== H5T.FLOAT && meta.type !== H5T.INTEGER && meta.type !== H5T.ENUM) unsupported('non-numeric data');
  const raw = file.readRaw(path, meta, maxBytes) as Uint8Array;
  if (cm) {
    const [re, im] = cm;
    if (re.size === 4 && im.size === 4 && re.littleEndian && im.littleEndian && re.offset === 0 && im.offset === 4 && meta.size === 8) {
      // h5py complex64 is already interleaved re/im: use the bytes the worker handed over, no copy
      if (raw.byteOffset === 0 && raw.buffer.byteLength === 8 * n && !(raw.buffer instanceof SharedArrayBuffer))
        return { shape, data: new Float32Array(raw.buffer, 0, 2 * n), complex: true };
      file.budget?.take(['aligned copy', 8 * n]);
      return { shape, data: new Float32Array(raw.slice().buffer, 0, 2 * n), complex: true };
    }
    file.budget?.take(['decoded values', outBytes]);
    const out = new Float32Array(2 * n);
    {
      decodeScalars(raw, re, n, meta.size, re.offset, out, 2, 0);
      decodeScalars(raw, im, n, meta.size, im.offset, out, 2, 1);
    }
    return { shape, data: out, complex: true };
  }
  file.budget?.take(['decoded values', outBytes]);
  const out = new Float32Array(n);
  decodeScalars(raw, meta, n, meta.size, 0, out, 1, 0);
  return { shape, data: out, complex: false };
}

/** A string dataset (scalar or first element), e.g. ismrmrd_header / dataset/xml. */
export function readStringDataset(file: H5File, path: string, maxBytes: number): string {
  const meta = file.datasetMeta(path);
  if (meta.type !== H5T.STRING) throw new TypeError('not a string dataset');
  const raw = file.readRaw(path, meta, maxBytes);
  return stringValue(raw, meta);
}

function stringValue(raw: Uint8Array | string[], meta: H5Meta): string {
  if (Array.isArray(raw)) return raw[0] ?? '';
  const bytes = raw.subarray(0, meta.size);
  const nul = bytes.indexOf(0);
  return new TextDecoder('utf-8').decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}

/** A scalar attribute as number or string; undefined when absent or of another kind. */
export function readAttr(file: H5File, path: string, name: string): number | string | undefined {
  if (!file.attrNames(path).includes(name)) return undefined;
  const meta = file.attrMeta(path, name);
  if (meta.type === H5T.STRING) return stringValue(file.readAttrRaw(path, name, meta, 1 << 20), meta);
  if (meta.type === H5T.FLOAT || meta.type === H5T.INTEGER) {
    if (meta.total_size < 1) return undefined;
    const raw = file.readAttrRaw(path, name, meta, 1 << 20) as Uint8Array;
    const out = new Float32Array(1);
    decodeScalars(raw, meta, 1, meta.size, 0, out, 1, 0);
    return meta.type === H5T.FLOAT && meta.size === 8 ? new DataView(raw.buffer, raw.byteOffset).getFloat64(0, meta.littleEndian) : out[0];
  }
  return undefined;
}

/** A numeric attribute array (e.g. a mask stored as attribute). */
export function readAttrNumeric(file: H5File, path: string, name: string, maxBytes: number): NumericArray | undefined {
  if (!file.attrNames(path).includes(name)) return undefined;
  const meta = file.attrMeta(path, name);
  if (meta.type !== H5T.FLOAT && meta.type !== H5T.INTEGER && meta.type !== H5T.ENUM) return undefined;
  const n = meta.total_size;
  if (n * meta.size > maxBytes) throw new RangeError('attribute too large');
  const raw = file.readAttrRaw(path, name, meta, maxBytes) as Uint8Array;
  const out = new Float32Array(n);
  decodeScalars(raw, meta, n, meta.size, 0, out, 1, 0);
  return { shape: meta.shape ?? [], data: out, complex: false };
}
