import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameSplitter, lengthPrefixed } from './wire';

describe('binary wire frames', () => {
  it('round-trips JSON with typed arrays as raw bytes, views onto one buffer', () => {
    const image = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e3);
    const mask = Uint8Array.from([1, 0, 1]);
    const value = { ok: true, result: { studyId: 'st-1', image, mask, odd: new Int16Array([-3, 7]), u16: Uint16Array.of(65535), i32: Int32Array.of(-2), ab: Uint8Array.of(9, 8).buffer, nested: [{ x: 1.5 }], s: 'ü' } };
    const frame = encodeFrame(value);
    // no base64: the frame is the JSON plus the raw bytes (padding ≤ 7 per blob)
    expect(frame.byteLength).toBeLessThan(image.byteLength + 600);
    const back = decodeFrame<typeof value>(frame);
    expect(back.result.image).toBeInstanceOf(Float32Array);
    expect(Array.from(back.result.image)).toEqual(Array.from(image));
    expect(back.result.image.buffer).toBe(back.result.mask.buffer); // one buffer, no copy per array
    expect(Array.from(back.result.mask)).toEqual([1, 0, 1]);
    expect(Array.from(back.result.odd)).toEqual([-3, 7]);
    expect(Array.from(back.result.u16)).toEqual([65535]);
    expect(Array.from(back.result.i32)).toEqual([-2]);
    expect(Array.from(new Uint8Array(back.result.ab))).toEqual([9, 8]);
    expect(back.result.nested).toEqual([{ x: 1.5 }]);
    expect(back.result.s).toBe('ü');
  });

  it('keeps a subarray to its own elements and decodes from an unaligned copy', () => {
    const whole = Float32Array.from([1, 2, 3, 4, 5]);
    const frame = encodeFrame({ a: whole.subarray(1, 3) });
    const shifted = new Uint8Array(frame.byteLength + 3);
    shifted.set(frame, 3);
    expect(Array.from(decodeFrame<{ a: Float32Array }>(shifted.subarray(3)).a)).toEqual([2, 3]);
  });

  it('refuses malformed frames with an Error, never a wrong value', () => {
    expect(() => decodeFrame(new TextEncoder().encode('{"args":[]}'))).toThrow('not a wire frame');
    const good = encodeFrame({ a: Float32Array.of(1, 2) });
    expect(() => decodeFrame(good.subarray(0, 12))).toThrow();
    const forge = (ref: object): Uint8Array => {
      const text = new TextEncoder().encode(JSON.stringify({ a: ref }));
      const out = new Uint8Array(((8 + text.byteLength + 7) & ~7) + 16);
      out.set([0x46, 0x4c, 0x57, 0x31]);
      new DataView(out.buffer).setUint32(4, text.byteLength, true);
      out.set(text, 8);
      return out;
    };
    expect(() => decodeFrame(forge({ __flatBin: 'f32', o: 8, n: 16 }))).toThrow('outside');
    expect(() => decodeFrame(forge({ __flatBin: 'f32', o: 0, n: 6 }))).toThrow('bad typed-array');
    expect(() => decodeFrame(forge({ __flatBin: 'f32', o: 3, n: 4 }))).toThrow('bad typed-array');
    expect(() => decodeFrame(forge({ __flatBin: 'f64', o: 0, n: 8 }))).toThrow('unknown');
    expect(Array.from(decodeFrame<{ a: Float32Array }>(forge({ __flatBin: 'f32', o: 8, n: 8 })).a)).toEqual([0, 0]);
  });

  it('splits a length-prefixed stream however it is chunked', () => {
    const frames = [encodeFrame({ n: 1, x: Float32Array.of(1) }), new Uint8Array(0), encodeFrame({ n: 2 })];
    const stream = new Uint8Array(frames.reduce((s, f) => s + 4 + f.byteLength, 0));
    let o = 0;
    for (const f of frames) {
      stream.set(lengthPrefixed(f), o);
      o += 4 + f.byteLength;
    }
    for (const step of [1, 3, 7, 1000]) {
      const split = new FrameSplitter();
      const got: Uint8Array[] = [];
      for (let i = 0; i < stream.byteLength; i += step) got.push(...split.push(stream.subarray(i, i + step)));
      expect(got.map((g) => g.byteLength)).toEqual(frames.map((f) => f.byteLength));
      expect(decodeFrame<{ n: number }>(got[2]!).n).toBe(2);
    }
    expect(() => new FrameSplitter(10).push(lengthPrefixed(new Uint8Array(11)))).toThrow('too large');
  });
});
