// Decoding of raw little/big-endian numeric arrays shared by the npy, NIfTI and cfl readers.

export interface ElementType {
  /** Bytes of one scalar component (a complex element has two). */
  size: number;
  kind: 'int' | 'uint' | 'float' | 'bool';
  complex: boolean;
  littleEndian: boolean;
}

export function elementBytes(t: ElementType): number {
  return t.size * (t.complex ? 2 : 1);
}

/**
 * Decode `count` elements starting at `offset` into float32 (interleaved re/im when complex).
 * The caller has already checked that the bytes are there.
 */
export function decodeArray(bytes: Uint8Array, offset: number, count: number, t: ElementType): Float32Array {
  const comps = t.complex ? 2 : 1;
  const n = count * comps;
  const out = new Float32Array(n);
  const abs = bytes.byteOffset + offset;
  // fast path: aligned little-endian float32 / complex64
  if (t.kind === 'float' && t.size === 4 && t.littleEndian && abs % 4 === 0) {
    out.set(new Float32Array(bytes.buffer, abs, n));
    return out;
  }
  const dv = new DataView(bytes.buffer, abs, n * t.size);
  const le = t.littleEndian;
  const s = t.size;
  let get: (o: number) => number;
  if (t.kind === 'float') {
    if (s === 4) get = (o) => dv.getFloat32(o, le);
    else if (s === 8) get = (o) => dv.getFloat64(o, le);
    else if (s === 2) get = (o) => halfToFloat(dv.getUint16(o, le));
    else throw new TypeError(`${s * 8}-bit floats`);
  } else if (t.kind === 'bool' || (t.kind === 'uint' && s === 1)) get = (o) => dv.getUint8(o);
  else if (t.kind === 'int' && s === 1) get = (o) => dv.getInt8(o);
  else if (s === 2) get = t.kind === 'int' ? (o) => dv.getInt16(o, le) : (o) => dv.getUint16(o, le);
  else if (s === 4) get = t.kind === 'int' ? (o) => dv.getInt32(o, le) : (o) => dv.getUint32(o, le);
  else if (s === 8) get = t.kind === 'int' ? (o) => Number(dv.getBigInt64(o, le)) : (o) => Number(dv.getBigUint64(o, le));
  else throw new TypeError(`${s * 8}-bit integers`);
  for (let i = 0; i < n; i++) out[i] = get(i * s);
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * 2 ** (e - 15) * (1 + f / 1024);
}
