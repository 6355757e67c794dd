// Binary wire format of the Node host transport. Values are JSON except typed arrays and
// ArrayBuffers, which travel as raw bytes after the JSON (no base64): the receiver gets typed
// views onto the one buffer it read, which it can hand to a worker as a transferable. Pure code:
// runs in Node and in the browser (no Buffer, no DOM).
//
// Frame: "FLW1" | u32 LE json byte length | utf-8 JSON | zero pad to 8 | blobs, each 8-aligned.
// In the JSON a typed array is {"__flatBin": kind, "o": offset in the blob area, "n": byte length}.
//
// Node host protocol (main/node-host serves it, renderer/src/bridge speaks it):
//   GET  /?token=T                      the renderer (CSP header set)
//   POST /api/upload?name=N             raw file bytes (application/octet-stream), header
//                                        `x-flat-token: T`; the host stages them in a private file
//                                        and answers a frame {ok, result: {uploadId}}
//   POST /api/invoke/<method>           body: a frame of { args: [...] }, header `x-flat-token: T`
//                                        reply: a frame of {ok: true, result} or
//                                               {ok: false, error: {code, message}}
//   GET  /api/events?token=T            a stream of frames, each preceded by its u32 LE length;
//                                        each frame is one ReconEvent (an empty frame is a ping)
// <method> is a FlatApi method name except onReconEvent; openFiles takes [[{name, uploadId}]]
// over HTTP (the bytes went up first through /api/upload). Requests without the token get 403.

export const WIRE_CONTENT_TYPE = 'application/x-flat-wire';

const MAGIC = [0x46, 0x4c, 0x57, 0x31]; // FLW1
const TAG = '__flatBin';
const HEAD = 8;

type Kind = 'f32' | 'u8' | 'i16' | 'u16' | 'i32' | 'ab';
const ELEMENT: Record<Kind, number> = { f32: 4, u8: 1, i16: 2, u16: 2, i32: 4, ab: 1 };

function kindOf(v: unknown): Kind | null {
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Uint8Array) return 'u8';
  if (v instanceof Int16Array) return 'i16';
  if (v instanceof Uint16Array) return 'u16';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof ArrayBuffer) return 'ab';
  return null;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** One value as a frame. */
export function encodeFrame(value: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  let area = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    const kind = kindOf(v);
    if (!kind) return v;
    const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array((v as ArrayBufferView).buffer, (v as ArrayBufferView).byteOffset, (v as ArrayBufferView).byteLength);
    const o = area;
    blobs.push(bytes);
    area = align8(area + bytes.byteLength);
    return { [TAG]: kind, o, n: bytes.byteLength };
  });
  const text = new TextEncoder().encode(json ?? 'null');
  const start = align8(HEAD + text.byteLength);
  const out = new Uint8Array(start + area);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, text.byteLength, true);
  out.set(text, HEAD);
  let o = start;
  for (const b of blobs) {
    out.set(b, o);
    o = align8(o + b.byteLength);
  }
  return out;
}

/**
 * A frame back to its value. Typed arrays are views onto the frame's buffer (copied once first
 * when the frame does not start 8-aligned). Anything malformed throws one Error.
 */
export function decodeFrame<T = unknown>(input: ArrayBuffer | Uint8Array): T {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  if (bytes.byteLength < HEAD || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error('not a wire frame');
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, HEAD).getUint32(4, true);
  if (HEAD + jsonLength > bytes.byteLength) throw new Error('wire frame truncated');
  const start = align8(HEAD + jsonLength);
  const areaLength = Math.max(0, bytes.byteLength - start);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEAD, HEAD + jsonLength));
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || !(TAG in v)) return v;
    const { [TAG]: kind, o, n } = v as { [TAG]: unknown; o: unknown; n: unknown };
    if (typeof kind !== 'string' || !(kind in ELEMENT)) throw new Error('unknown typed-array kind in wire frame');
    const size = ELEMENT[kind as Kind];
    if (!Number.isSafeInteger(o) || !Number.isSafeInteger(n) || (o as number) < 0 || (n as number) < 0 || (o as number) % 8 !== 0 || (n as number) % size !== 0) {
      throw new Error('bad typed-array reference in wire frame');
    }
    if ((o as number) + (n as number) > areaLength) throw new Error('typed array outside the wire frame');
    const at = bytes.byteOffset + start + (o as number);
    const buf = bytes.buffer as ArrayBuffer;
    switch (kind as Kind) {
      case 'f32':
        return new Float32Array(buf, at, (n as number) / 4);
      case 'u8':
        return new Uint8Array(buf, at, n as number);
      case 'i16':
        return new Int16Array(buf, at, (n as number) / 2);
      case 'u16':
        return new Uint16Array(buf, at, (n as number) / 2);
      case 'i32':
        return new Int32Array(buf, at, (n as number) / 4);
      case 'ab':
        return buf.slice(at, at + (n as number));
    }
  }) as T;
}

/** Length-prefixed frames on a byte stream (the event stream). */
export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + frame.byteLength);
  new DataView(out.buffer).setUint32(0, frame.byteLength, true);
  out.set(frame, 4);
  return out;
}

/**
 * Splits a byte stream into frames as chunks arrive. A frame longer than `maxFrame` is an error
 * (the stream is then unusable and should be closed).
 */
export class FrameSplitter {
  private chunks: Uint8Array[] = [];
  private held = 0;

  constructor(private readonly maxFrame: number = 512 * 1024 * 1024) {}

  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk);
      this.held += chunk.byteLength;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.held < 4) break;
      const head = this.peek(4);
      const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
      if (length > this.maxFrame) throw new Error('wire frame too large');
      if (this.held < 4 + length) break;
      const all = this.peek(4 + length);
      frames.push(all.slice(4));
      this.drop(4 + length);
    }
    return frames;
  }

  private peek(n: number): Uint8Array {
    if (this.chunks[0]!.byteLength >= n) return this.chunks[0]!.subarray(0, n);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      const take = Math.min(c.byteLength, n - o);
      out.set(c.subarray(0, take), o);
      o += take;
      if (o === n) break;
    }
    return out;
  }

  private drop(n: number): void {
    this.held -= n;
    while (n > 0) {
      const c = this.chunks[0]!;
      if (c.byteLength <= n) {
        n -= c.byteLength;
        this.chunks.shift();
      } else {
        this.chunks[0] = c.subarray(n);
        n = 0;
      }
    }
  }
}
