// DICOM RLE Lossless (PS3.5 Annex G) decoder: a 64-byte header of segment offsets, then one
// PackBits segment per byte plane, most significant plane first. Returns little-endian samples.

export function decodeRleFrame(frame: Uint8Array, pixels: number, bytesPerSample: number): Uint8Array {
  if (frame.length < 64) throw new RangeError('RLE header is truncated');
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = dv.getUint32(0, true);
  if (segments !== bytesPerSample) throw new RangeError(`RLE frame has ${segments} segments, expected ${bytesPerSample}`);
  const offsets = Array.from({ length: segments }, (_, i) => dv.getUint32(4 + 4 * i, true));
  const out = new Uint8Array(pixels * bytesPerSample);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s]!;
    const end = s + 1 < segments ? offsets[s + 1]! : frame.length;
    if (start < 64 || end > frame.length || end < start) throw new RangeError('RLE segment offsets are out of range');
    // plane s holds byte (bytesPerSample - 1 - s) of each little-endian sample
    const byteIndex = bytesPerSample - 1 - s;
    let o = 0;
    let i = start;
    while (o < pixels && i < end) {
      const n = (frame[i++]! << 24) >> 24; // signed header byte
      if (n >= 0) {
        for (let k = 0; k <= n && o < pixels && i < end; k++) out[o++ * bytesPerSample + byteIndex] = frame[i++]!;
      } else if (n !== -128) {
        const v = frame[i++]!;
        for (let k = 0; k < 1 - n && o < pixels; k++) out[o++ * bytesPerSample + byteIndex] = v;
      }
    }
    if (o < pixels) throw new RangeError('RLE segment is shorter than the image');
  }
  return out;
}
