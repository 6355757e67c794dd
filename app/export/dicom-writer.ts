// Minimal DICOM Part 10 encoder: explicit VR little endian, elements written in tag order.
// Enough for the MR Image Storage objects we export; it does not read anything.

export type Vr = 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'DT' | 'IS' | 'LO' | 'LT' | 'OB' | 'OW' | 'PN' | 'SH' | 'ST' | 'TM' | 'UI' | 'UL' | 'US' | 'SS' | 'SQ' | 'UT';

export interface DicomElement {
  tag: number; // (group << 16) | element
  vr: Vr;
  /** SQ: a list of items, each a list of elements (written with defined lengths, in tag order). */
  value: string | number | number[] | string[] | Uint8Array | Uint16Array | Int16Array | DicomElement[][] | undefined;
}

const LONG_VRS = new Set<Vr>(['OB', 'OW', 'SQ', 'UT']);

function itemBytes(item: DicomElement[]): Uint8Array {
  const body = concat([...item].sort((a, b) => a.tag - b.tag).map(encodeElement));
  const head = new Uint8Array(8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, 0xfffe, true);
  dv.setUint16(2, 0xe000, true);
  dv.setUint32(4, body.length, true);
  return concat([head, body]);
}

function valueBytes(vr: Vr, value: DicomElement['value']): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  if (vr === 'SQ') {
    if (!Array.isArray(value) || !value.every((it) => Array.isArray(it))) throw new TypeError('an SQ value must be a list of items');
    return concat((value as DicomElement[][]).map(itemBytes));
  }
  if (value instanceof Uint8Array) return value;
  if (value instanceof Uint16Array || value instanceof Int16Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (vr === 'US' || vr === 'SS' || vr === 'UL') {
    const list = Array.isArray(value) ? value.map(Number) : [Number(value)];
    const size = vr === 'UL' ? 4 : 2;
    const b = new Uint8Array(list.length * size);
    const dv = new DataView(b.buffer);
    list.forEach((v, i) => (vr === 'UL' ? dv.setUint32(i * 4, v, true) : vr === 'US' ? dv.setUint16(i * 2, v, true) : dv.setInt16(i * 2, v, true)));
    return b;
  }
  const text = Array.isArray(value) ? (value as (string | number)[]).join('\\') : String(value);
  return new TextEncoder().encode(text);
}

function pad(vr: Vr, b: Uint8Array): Uint8Array {
  if (b.length % 2 === 0) return b;
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  out[b.length] = vr === 'UI' || vr === 'OB' ? 0 : 0x20;
  return out;
}

function encodeElement(e: DicomElement): Uint8Array {
  const body = pad(e.vr, valueBytes(e.vr, e.value));
  const long = LONG_VRS.has(e.vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, e.tag >>> 16, true);
  dv.setUint16(2, e.tag & 0xffff, true);
  head[4] = e.vr.charCodeAt(0);
  head[5] = e.vr.charCodeAt(1);
  if (long) dv.setUint32(8, body.length, true);
  else {
    if (body.length > 0xffff) throw new RangeError(`value of (${(e.tag >>> 16).toString(16)},${(e.tag & 0xffff).toString(16)}) is too long for VR ${e.vr}`);
    dv.setUint16(6, body.length, true);
  }
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const IMPLEMENTATION_CLASS_UID = '2.25.229426925960117785513318346355409413317';

/** A complete Part 10 file: preamble, file meta group, then the data set in tag order. */
export function encodePart10(sopClassUid: string, sopInstanceUid: string, dataset: DicomElement[]): Uint8Array {
  const metaBody = concat(
    [
      { tag: 0x00020001, vr: 'OB' as Vr, value: new Uint8Array([0, 1]) },
      { tag: 0x00020002, vr: 'UI' as Vr, value: sopClassUid },
      { tag: 0x00020003, vr: 'UI' as Vr, value: sopInstanceUid },
      { tag: 0x00020010, vr: 'UI' as Vr, value: EXPLICIT_VR_LITTLE_ENDIAN },
      { tag: 0x00020012, vr: 'UI' as Vr, value: IMPLEMENTATION_CLASS_UID },
      { tag: 0x00020013, vr: 'SH' as Vr, value: 'FLAT_VIEWER_01' },
    ].map(encodeElement),
  );
  const groupLength = encodeElement({ tag: 0x00020000, vr: 'UL', value: metaBody.length });
  const sorted = [...dataset].sort((a, b) => a.tag - b.tag);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128); // "DICM"
  return concat([preamble, groupLength, metaBody, ...sorted.map(encodeElement)]);
}
