// Seeded fuzzing with mutations of small real files: truncation, bit flips, overwritten header
// bytes, header fields set to wrong types and huge sizes, NaN/Inf in the data. Every case must end
// in a Study or a FlatError — never another exception, a crash or a hang. FLAT_FUZZ_N sets the
// mutations per format (default 1000). Split over files so vitest runs them in parallel.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStudy } from '../index';
import { HAVE_PYTHON, PYDICOM_DIR, fixtures } from './helpers';
import { bytesCase, generic, int, npyMutator, run } from './mutate';

const N = Number(process.env.FLAT_FUZZ_N ?? 1000);

describe.skipIf(!HAVE_PYTHON)('fuzz: NIfTI, npy, cfl and DICOM readers end in a Study or a FlatError', () => {
  it('NIfTI (64×64×2 int16 from Colin27)', async () => {
    const seed = new Uint8Array(readFileSync(join(fixtures(), 'fuzz.nii')));
    const t = await run('NIfTI', N, 13, bytesCase(seed, 'fuzz.nii', generic(352)));
    expect(t.untyped).toEqual([]);
  });
  it('NumPy npy (64×64 complex k-space)', async () => {
    const seed = new Uint8Array(readFileSync(join(fixtures(), 'fuzz.npy')));
    const t = await run('npy', N, 14, bytesCase(seed, 'fuzz.npy', npyMutator));
    expect(t.untyped).toEqual([]);
  });
  it('BART cfl/hdr (64×64)', async () => {
    const fx = fixtures();
    const cfl = new Uint8Array(readFileSync(join(fx, 'fuzz.cfl')));
    const hdr = readFileSync(join(fx, 'fuzz.hdr'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'flat-fuzz-cfl-'));
    const headers = ['64 64 1 1 1', '64 64 2', '64', '99999 99999', '64 64 1 70', '0 64', '-1 64', '64 64 1 4', 'x y', '64 64 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1', '1 1'];
    const t = await run('cfl', N, 15, async (_i, r) => {
      const useHdr = r() < 0.4;
      writeFileSync(join(dir, 'f.hdr'), useHdr ? `# Dimensions\n${headers[int(r, headers.length)]}\n` : r() < 0.1 ? hdr.slice(0, int(r, hdr.length)) : hdr);
      writeFileSync(join(dir, 'f.cfl'), useHdr ? cfl : generic(0)(cfl, r));
      return loadStudy({ path: join(dir, 'f.cfl') });
    });
    expect(t.untyped).toEqual([]);
  });
  it.skipIf(!PYDICOM_DIR)('DICOM (pydicom MR_small.dcm)', async () => {
    const seed = new Uint8Array(readFileSync(join(PYDICOM_DIR!, 'MR_small.dcm')));
    const t = await run('DICOM', N, 16, bytesCase(seed, 'fuzz.dcm', generic(1024)));
    expect(t.untyped).toEqual([]);
    // and a folder with one damaged file still loads the rest
    const dir = mkdtempSync(join(tmpdir(), 'flat-fuzz-dcm-'));
    copyFileSync(join(PYDICOM_DIR!, 'MR_small.dcm'), join(dir, 'a.dcm'));
    writeFileSync(join(dir, 'b.dcm'), seed.subarray(0, 700));
    const s = await loadStudy({ path: dir });
    expect(s.notes.join(' ')).toMatch(/could not be read/);
  });
});
