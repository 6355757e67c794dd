import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { TEST_MODEL, dataFile, runPython, tempDir } from '../../test/helpers';
import { runCli } from './cli';

// Parity: the CLI (onnxruntime-node) against the training package's PyTorch model on a held-out
// real image (brain_axial_magnitude_256x256, eval split) with the same mask file. Both final
// images are scored against the image itself; the PSNRs must agree within 0.05 dB.
const PY = String.raw`
import sys, json, numpy as np
from flatrecon.infer import reconstruct
image_path, mask_path, ts_final, model = sys.argv[1:5]
img = np.load(image_path).astype(np.float32)
mask = np.load(mask_path).astype(np.float32)
plane = np.broadcast_to(mask, img.shape).astype(np.float32)
k = np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(img), norm="ortho")).astype(np.complex64)
states = reconstruct(k, plane, model=model)
torch_final = np.abs(states[-1]).astype(np.float64)
ort_final = np.abs(np.load(ts_final)).astype(np.float64)
ref = img.astype(np.float64)
def psnr(gt, x): return float(10 * np.log10(gt.max() ** 2 / np.mean((gt - x) ** 2)))
zf = np.abs(states[0]).astype(np.float64)
print(json.dumps({"steps": int(states.shape[0] - 1), "psnr_torch": psnr(ref, torch_final), "psnr_ort": psnr(ref, ort_final),
                  "psnr_zf": psnr(ref, zf), "max_rel_diff": float(np.abs(torch_final - ort_final).max() / torch_final.max())}))
`;

describe('CLI vs PyTorch parity', () => {
  it('final image within 0.05 dB PSNR of flatrecon.infer.reconstruct on a real eval image', () => {
    const dir = tempDir('flat-parity-');
    const maskFile = path.join(dir, 'mask.npy');
    // a fastMRI-style 4x random column mask drawn by NumPy (not by the app), saved as bool (W,)
    runPython(
      String.raw`
import sys, numpy as np
rng = np.random.default_rng(20261126)
m = rng.random(256) < (256 / 4 - 20) / (256 - 20)
m[118:138] = True
np.save(sys.argv[1], m)
`,
      [maskFile],
    );
    const image = dataFile('brain_axial_magnitude_256x256.npy');
    const r = runCli(['--input', image, '--out', dir, '--mask-file', maskFile, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { mask: { source: string }; results: { psnr: number[] }[] };
    expect(rep.mask.source).toBe('file');
    const py = JSON.parse(runPython(PY, [image, maskFile, path.join(dir, 'slice000_final.npy'), TEST_MODEL.name], 300_000)) as {
      steps: number;
      psnr_torch: number;
      psnr_ort: number;
      psnr_zf: number;
      max_rel_diff: number;
    };
    const cliPsnr = rep.results[0]!.psnr;
    expect(py.steps).toBe(cliPsnr.length - 1);
    // the CLI's own number is the same PSNR NumPy computes from its output file
    expect(Math.abs(cliPsnr[cliPsnr.length - 1]! - py.psnr_ort)).toBeLessThan(1e-3);
    expect(Math.abs(cliPsnr[0]! - py.psnr_zf)).toBeLessThan(0.01);
    expect(Math.abs(py.psnr_ort - py.psnr_torch)).toBeLessThanOrEqual(0.05);
    expect(py.max_rel_diff).toBeLessThan(1e-4);
    expect(py.psnr_torch).toBeGreaterThan(py.psnr_zf);
  });
});
