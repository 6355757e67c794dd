// NumPy .npy writer (format 1.0, little endian, C order) for float32 and complex64 stacks.
import type { ComplexStack, RealStack } from '../core/types';
import { writeAtomic } from './atomic';
import type { OutputGuard } from './safe-write';

export function encodeNpy(data: Float32Array, shape: number[], complex: boolean): Uint8Array {
  const descr = complex ? '<c8' : '<f4';
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n'; // pad so the data starts 64-byte aligned
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + h.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, h.length, true);
  out.set(h, 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + h.length);
  return out;
}

/** (slices, rows, cols) float32, or complex64 when given a ComplexStack (flag `complex`). */
export function writeNpy(path: string, stack: RealStack | ComplexStack, complex = stack.kind === 'complex', guard?: OutputGuard): void {
  writeAtomic(path, encodeNpy(stack.data, [stack.slices, stack.rows, stack.cols], complex), guard);
}
