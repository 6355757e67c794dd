// Test-only HDF5 writer (h5wasm's high-level API) for edge cases the Python fixtures do not cover.
import h5wasm from 'h5wasm/node';
import type { ComplexStack } from '../../core/types';

export interface DatasetSpec {
  shape: number[];
  data: Float32Array;
  /** Write as an h5py-style {r, i} float32 compound (data interleaved re/im). */
  complex?: boolean;
}

export async function writeH5(path: string, datasets: Record<string, DatasetSpec>, attrs: Record<string, string | number> = {}): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'w');
  try {
    for (const [name, d] of Object.entries(datasets)) {
      if (d.complex) {
        const n = d.data.length / 2;
        const re = new Float32Array(n);
        const im = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          re[i] = d.data[2 * i]!;
          im[i] = d.data[2 * i + 1]!;
        }
        f.create_dataset({ name, data: new Map<string, Float32Array>([['r', re], ['i', im]]), shape: d.shape });
      } else f.create_dataset({ name, data: d.data, shape: d.shape });
    }
    for (const [k, v] of Object.entries(attrs)) f.create_attribute(k, v);
  } finally {
    f.close();
  }
}

/** The sample's k-space tiled `times` over slices: a fastMRI file of realistic size. */
export async function writeBigFastMri(path: string, k: ComplexStack, times: number): Promise<void> {
  const data = new Float32Array(k.data.length * times);
  for (let t = 0; t < times; t++) data.set(k.data, t * k.data.length);
  await writeH5(path, { kspace: { shape: [k.slices * times, k.rows, k.cols], data, complex: true } });
}
