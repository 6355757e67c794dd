// Test-only HDF5 writer (h5wasm's high-level API) for edge cases the Python fixtures do not cover.
import h5wasm from 'h5wasm/node';

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
