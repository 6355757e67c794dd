import { createEngine, prepareSlice, magnitude } from './index';
import { fft2cSlice } from '../fft';
import { makeMask } from '../masks';
import { readNpy, dataFile } from '../test/helpers';
import { psnr, dcResidual } from '../metrics';
const img = readNpy(dataFile('brain_axial_complex_180x230.npy'));
const [rows, cols] = img.shape as [number, number];
const k = fft2cSlice(img.data, rows, cols);
const study = { format: 'npy' as const, source: 'x', content: 'image' as const, kspace: { slices: 1, rows, cols, data: k }, simulatedKspace: true, notes: [] };
const eng = await createEngine({ modelDir: '/tmp/flatdev', name: 'tiny' });
console.log(eng.executionProvider, eng.steps);
const p = prepareSlice(study, 0, makeMask({ kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 0 }, rows, cols));
const a = await eng.runFull(p);
const b = await eng.runSteps(p, (i) => console.log('step', i));
let md = 0, mx = 0;
for (let i = 0; i < a.states.data.length; i++) { md = Math.max(md, Math.abs(a.states.data[i]! - b.states.data[i]!)); mx = Math.max(mx, Math.abs(a.states.data[i]!)); }
console.log('full vs step rel', md / mx, a.ms, b.ms);
const ref = magnitude(img.data);
const n = rows * cols * 2;
for (let s = 0; s <= eng.steps; s++) { const st = a.states.data.subarray(s * n, (s + 1) * n); console.log(s, psnr(ref, magnitude(st)).toFixed(2), dcResidual(st, p.measured, p.mask, rows, cols).toExponential(2)); }
const ac = new AbortController(); ac.abort();
await eng.runSteps(p, undefined, ac.signal).catch((e) => console.log(e.code, e.message));
await eng.dispose();
