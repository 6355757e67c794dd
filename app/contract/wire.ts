// JSON wire codec of the Node host transport: typed arrays and ArrayBuffers travel as tagged
// base64 so that `FlatApi` payloads survive HTTP and server-sent events unchanged. Works in Node
// and in the browser (no Buffer, no DOM).
//
// Node host protocol (main/node-host serves it, renderer/src/bridge speaks it):
//   GET  /?token=T                      the renderer (CSP header set)
//   POST /api/invoke/<method>           body: encode({ args: [...] }), header `x-flat-token: T`
//                                        reply: encode({ ok: true, result }) or
//                                               encode({ ok: false, error: { code, message } })
//   GET  /api/events?token=T            text/event-stream; each `data:` line is encode(ReconEvent)
// <method> is a FlatApi method name except onReconEvent. Requests without the token get 403.

const TAG = '__flatTyped';

type Tagged = { [TAG]: 'f32' | 'u8' | 'i16' | 'u16' | 'ab'; b64: string };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    chunk +=
      B64[a >> 2]! +
      B64[((a & 3) << 4) | (b >> 4)]! +
      (i + 1 < bytes.length ? B64[((b & 15) << 2) | (c >> 6)]! : '=') +
      (i + 2 < bytes.length ? B64[c & 63]! : '=');
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

export function base64ToBytes(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const v0 = LOOKUP[clean.charCodeAt(i)] ?? -1;
    const v1 = LOOKUP[clean.charCodeAt(i + 1)] ?? -1;
    const v2 = i + 2 < clean.length ? (LOOKUP[clean.charCodeAt(i + 2)] ?? -1) : 0;
    const v3 = i + 3 < clean.length ? (LOOKUP[clean.charCodeAt(i + 3)] ?? -1) : 0;
    if (v0 < 0 || v1 < 0 || v2 < 0 || v3 < 0) throw new Error('invalid base64 payload');
    const n = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

function viewBytes(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array) return { [TAG]: 'f32', b64: bytesToBase64(viewBytes(value)) };
  if (value instanceof Uint8Array) return { [TAG]: 'u8', b64: bytesToBase64(value) };
  if (value instanceof Int16Array) return { [TAG]: 'i16', b64: bytesToBase64(viewBytes(value)) };
  if (value instanceof Uint16Array) return { [TAG]: 'u16', b64: bytesToBase64(viewBytes(value)) };
  if (value instanceof ArrayBuffer) return { [TAG]: 'ab', b64: bytesToBase64(new Uint8Array(value)) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !(TAG in value)) return value;
  const t = value as Tagged;
  const bytes = base64ToBytes(t.b64);
  // Copy into a fresh, aligned buffer: typed views need byteOffset % elementSize === 0.
  const buf = bytes.slice().buffer;
  switch (t[TAG]) {
    case 'f32':
      return new Float32Array(buf, 0, bytes.length >> 2);
    case 'u8':
      return new Uint8Array(buf);
    case 'i16':
      return new Int16Array(buf, 0, bytes.length >> 1);
    case 'u16':
      return new Uint16Array(buf, 0, bytes.length >> 1);
    case 'ab':
      return buf;
    default:
      throw new Error('unknown typed-array tag');
  }
}

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function decodeWire<T = unknown>(text: string): T {
  return JSON.parse(text, reviver) as T;
}
