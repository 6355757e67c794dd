// 8-bit greyscale PNG writer (node:zlib). Used for snapshots and reports.
import { deflateSync } from 'node:zlib';
import { FlatError } from '../core/errors';
import { writeAtomic } from './atomic';
import type { OutputGuard } from './safe-write';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  const t = new TextEncoder().encode(type);
  out.set(t, 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32([t, data]));
  return out;
}

export function encodePng(gray8: Uint8Array, rows: number, cols: number): Uint8Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || gray8.length !== rows * cols)
    throw new FlatError('invalid-request', `A ${rows}×${cols} PNG needs ${rows * cols} pixels, got ${gray8.length}.`);
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, cols);
  dv.setUint32(4, rows);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = new Uint8Array(rows * (cols + 1)); // filter byte 0 per row
  for (let r = 0; r < rows; r++) raw.set(gray8.subarray(r * cols, (r + 1) * cols), r * (cols + 1) + 1);
  const sig = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function writePng(path: string, gray8: Uint8Array, rows: number, cols: number, guard?: OutputGuard): void {
  writeAtomic(path, encodePng(gray8, rows, cols), guard);
}

/** Window a float image to 8 bits (values outside [center ± width/2] clip). */
export function toGray8(data: Float32Array, center: number, width: number): Uint8Array {
  const out = new Uint8Array(data.length);
  const lo = center - width / 2;
  const w = width > 0 ? width : 1;
  for (let i = 0; i < data.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(((data[i]! - lo) / w) * 255)));
  return out;
}
