// Bounded decompression of untrusted payloads (gzip NIfTI, deflated DICOM). A stream is inflated
// in small input steps, so the output can overshoot a bound by at most one step's worth, and
// inflation STOPS when the output passes what is allowed — a 1.5 MB deflate bomb never becomes
// 4.7 GB. Two ways to use it:
//   - inflatePrefix: only the first n bytes (read a header, then decide how much is allowed);
//   - inflateBounded: everything, at most maxOut bytes, into ONE exact-size buffer (a counting
//     pass first, so memory is the output once, not a list of chunks plus their concatenation).
import { Gunzip, Inflate } from 'fflate';

export type Codec = 'gzip' | 'deflate-raw';

/** Input consumed per step: with deflate's ≤ 1032:1 ratio, one step yields at most ~16 MiB. */
const STEP = 16 * 1024;

export class InflateLimitError extends Error {
  override readonly name = 'InflateLimitError';
}

export class InflateDataError extends Error {
  override readonly name = 'InflateDataError';
}

class Stop extends Error {}

/**
 * Run the decompressor; `sink` gets every output chunk and returns false to stop. Returns whether
 * the stream ended (as opposed to being stopped by the sink or running out of input).
 */
function run(codec: Codec, input: Uint8Array, sink: (chunk: Uint8Array) => boolean): boolean {
  let ended = false;
  const onData = (chunk: Uint8Array, final: boolean) => {
    if (final) ended = true;
    if (chunk.length > 0 && !sink(chunk)) throw new Stop();
  };
  const d = codec === 'gzip' ? new Gunzip(onData) : new Inflate(onData);
  try {
    for (let i = 0; i < input.length; i += STEP) {
      const end = Math.min(input.length, i + STEP);
      d.push(input.subarray(i, end), end === input.length);
      if (ended) break;
    }
  } catch (e) {
    if (e instanceof Stop) return false;
    throw new InflateDataError(e instanceof Error ? e.message : String(e));
  }
  return ended;
}

/** The first `n` bytes of the decompressed stream (fewer if it is shorter). */
export function inflatePrefix(codec: Codec, input: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let o = 0;
  run(codec, input, (chunk) => {
    const k = Math.min(chunk.length, n - o);
    out.set(chunk.subarray(0, k), o);
    o += k;
    return o < n;
  });
  return out.subarray(0, o);
}

/**
 * Exactly `n` bytes of the decompressed stream into a new buffer (the caller has checked that n
 * is allowed), stopping there. Throws InflateDataError when the stream is damaged or shorter.
 */
export function inflateExactly(codec: Codec, input: Uint8Array, n: number): Uint8Array {
  const out = inflatePrefix(codec, input, n);
  if (out.length < n) throw new InflateDataError(`the stream holds ${out.length} bytes, ${n} were expected`);
  return out;
}

/**
 * The whole decompressed stream, when it is at most `maxOut` bytes; InflateLimitError as soon as
 * it passes that (inflation stops there), InflateDataError when damaged or truncated. The result
 * starts after `front` bytes left for the caller (e.g. the uncompressed header of a DICOM file);
 * `reserve(bytes)` is called with the final size before the buffer is allocated (a budget).
 */
export function inflateBounded(codec: Codec, input: Uint8Array, maxOut: number, front = 0, reserve?: (bytes: number) => void): Uint8Array {
  let total = 0;
  const ended = run(codec, input, (chunk) => {
    total += chunk.length;
    return total <= maxOut;
  });
  if (total > maxOut) throw new InflateLimitError(`the stream inflates to more than ${maxOut} bytes`);
  if (!ended) throw new InflateDataError('the stream is truncated');
  reserve?.(front + total);
  const out = new Uint8Array(front + total);
  let o = front;
  run(codec, input, (chunk) => {
    const k = Math.min(chunk.length, out.length - o);
    out.set(chunk.subarray(0, k), o);
    o += k;
    return o < out.length;
  });
  if (o !== out.length) throw new InflateDataError('the stream changed between passes');
  return out;
}
