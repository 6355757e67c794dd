// BART .cfl/.hdr reader. The .hdr is text ("# Dimensions" then sizes); the .cfl is raw complex64
// little-endian in column-major order (first dimension fastest). dims[0] is the readout → our rows,
// dims[1] the phase encode → our columns; BART's coil dimension (dims[3]) keeps every coil; all other dimensions are flattened into slices. Default content: k-space (BART's
// usual input); pass content: 'image' for images.
import type { Study } from '../core/types';
import { acquiredMaskOf, checkFinite, checkGeometry, fail, type LoadOptions } from './common';
import { acquiredNote, studyFromArray } from './npy';
import { budgetOf } from './budget';
import type { ReaderLimits } from './limits';

export function parseCflHeader(source: string, text: string): number[] {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim() === '# Dimensions');
  if (at < 0 || at + 1 >= lines.length) fail('corrupt-file', source, 'the BART header has no "# Dimensions" line.');
  const dims = lines[at + 1]!.trim().split(/\s+/).map(Number);
  if (dims.length < 2 || dims.length > 16 || dims.some((d) => !Number.isSafeInteger(d) || d < 1))
    fail('corrupt-file', source, 'the BART header dimensions are not a list of positive sizes.');
  return dims;
}

export function readCfl(source: string, headerText: string, data: Uint8Array, opts: LoadOptions, limits: ReaderLimits): Study {
  const dims = parseCflHeader(source, headerText);
  const rows = dims[0]!;
  const cols = dims[1]!;
  const coils = dims[3] ?? 1;
  const rest = dims.filter((_, i) => i !== 0 && i !== 1 && i !== 3);
  const slices = rest.reduce((a, b) => a * b, 1);
  if (coils > 1 && dims.slice(4).some((d) => d > 1))
    fail('unsupported-content', source, 'multi-coil BART data with dimensions beyond the coil axis is not supported.');
  if (coils > limits.maxCoils) fail('too-large', source, `${coils} coils exceed the limit of ${limits.maxCoils}.`);
  checkGeometry(source, limits, slices, rows, cols, 8 * coils);
  const count = rows * cols * slices * coils;
  if (data.length !== count * 8)
    fail('corrupt-file', source, `the .cfl holds ${data.length} bytes but its header declares ${count * 8}.`);
  const content0 = opts.content ?? 'kspace';
  budgetOf(limits, source).take(
    ['complex values', count * 8],
    ['reordered values', count * 8],
    ...(coils > 1 && content0 !== 'image' ? [['coil sensitivities', count * 8] as [string, number]] : []),
  );
  // column-major: (r, c, s[, coil]) at r + R*(c + C*(s + S*coil)); we want (coil, s, r, c) C order
  const src = new Float32Array(count * 2);
  if (data.byteOffset % 4 === 0) src.set(new Float32Array(data.buffer, data.byteOffset, count * 2));
  else src.set(new Float32Array(data.slice().buffer));
  checkFinite(source, src, 'array');
  const out = new Float32Array(count * 2);
  for (let k = 0; k < coils; k++)
    for (let s = 0; s < slices; s++)
      for (let c = 0; c < cols; c++)
        for (let r = 0; r < rows; r++) {
          const i = (r + rows * (c + cols * (s + slices * k))) * 2;
          const o = (((s * coils + k) * rows + r) * cols + c) * 2;
          out[o] = src[i]!;
          out[o + 1] = src[i + 1]!;
        }
  const content = opts.content ?? 'kspace';
  if (coils > 1) {
    if (content === 'image') fail('unsupported-content', source, 'multi-coil BART images are not supported; combine the coils first.');
    const study: Study = {
      format: 'cfl',
      source,
      content: 'kspace',
      kspace: { kind: 'complex', slices, rows, cols, data: out },
      coils,
      simulatedKspace: false,
      notes: [`${coils} coils, reconstructed jointly with sensitivities from the k-space centre; shown as their root-sum-of-squares.`],
    };
    const acquired = acquiredMaskOf(study.kspace, coils);
    if (acquired) {
      study.acquiredMask = acquired;
      study.notes.push(acquiredNote(acquired));
    }
    return study;
  }
  return studyFromArray('cfl', source, { kind: 'complex', slices, rows, cols, data: out }, true, { ...opts, content }, 'kspace', limits);
}
