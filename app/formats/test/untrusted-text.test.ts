// Parsers of untrusted text run in linear time: ISMRMRD XML headers, NumPy headers (arrays and
// masks). Inputs that made backtracking regexes quadratic are parsed (or refused) quickly; times
// are printed, not asserted (the test timeout catches a quadratic parser: 2 MB took minutes).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpyHeaderText } from '../../core/npy-header';
import { parseMaskNpy } from '../../masks';
import { loadStudy } from '../index';
import { parseIsmrmrdHeader } from '../ismrmrd-xml';
import { parseNpyHeader } from '../npy';
import { scanXml } from '../xml-scan';
import { HAVE_PYTHON, PYTHON, expectFlatError } from './helpers';

function timed<T>(what: string, fn: () => T): T {
  const t = performance.now();
  const r = fn();
  console.log(`[untrusted-text] ${what}: ${(performance.now() - t).toFixed(1)} ms`);
  return r;
}

function npyBytes(header: string, major = 1): Uint8Array {
  const h = Buffer.from(header, 'latin1');
  const pre = Buffer.alloc(major === 1 ? 10 : 12);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = major;
  if (major === 1) pre.writeUInt16LE(h.length, 8);
  else pre.writeUInt32LE(h.length, 8);
  return new Uint8Array(Buffer.concat([pre, h, Buffer.alloc(64)]));
}

const MB2 = 2 * 1024 * 1024;

describe('ISMRMRD header: linear-time scan', () => {
  it('2 MB of unclosed tags parse quickly to an empty header ("<a", "<encoding>", "<encoding ")', () => {
    // the regex reader took 17 s on 0.5 MB of "<encoding>" and 87 s on 0.5 MB of "<encoding "
    for (const tag of ['<a', '<encoding>', '<encoding ', '<encoding><matrixSize>']) {
      const text = tag.repeat(Math.floor(MB2 / tag.length));
      const info = timed(`2 MB of "${tag}"`, () => parseIsmrmrdHeader(text));
      expect(info).toEqual({});
    }
  }, 20_000);

  it('other hostile shapes: open comments, CDATA, closing tags, deep nesting, "<" runs', () => {
    for (const [what, text] of [
      ['"<!--" repeated', '<!--'.repeat(MB2 / 4)],
      ['"<![CDATA[" repeated', '<![CDATA['.repeat(MB2 / 9)],
      ['"</a" repeated', '</a'.repeat(MB2 / 3)],
      ['"<a>" nested 700 k deep', '<a>'.repeat(MB2 / 3)],
      ['"<" run', '<'.repeat(MB2)],
      ['"<a b=\'" repeated', "<a b='".repeat(MB2 / 6)],
      ['"&#" repeated', `<x>${'&#'.repeat(MB2 / 2)}</x>`],
    ] as const) {
      const info = timed(what, () => parseIsmrmrdHeader(text));
      expect(info.encoded).toBeUndefined();
    }
  }, 30_000);

  it('still reads the fields of a real header', () => {
    const xml = `<?xml version="1.0"?><ismrmrdHeader xmlns="http://www.ismrm.org/ISMRMRD"><!-- c --><subjectInformation><patientID>P&amp;1</patientID></subjectInformation>
      <encoding><encodedSpace><matrixSize><x>640</x><y>368</y><z>1</z></matrixSize><fieldOfView_mm><x>440</x><y>220</y><z>5</z></fieldOfView_mm></encodedSpace>
      <reconSpace><matrixSize><x>320</x><y>320</y></matrixSize><fieldOfView_mm><x>220</x><y>220</y></fieldOfView_mm></reconSpace>
      <encodingLimits><kspace_encoding_step_1><minimum>0</minimum><maximum>367</maximum><center>184</center></kspace_encoding_step_1></encodingLimits>
      <trajectory>cartesian</trajectory></encoding></ismrmrdHeader>`;
    expect(parseIsmrmrdHeader(xml)).toEqual({
      encoded: { matrix: { x: 640, y: 368, z: 1 }, fovMm: { x: 440, y: 220, z: 5 } },
      recon: { matrix: { x: 320, y: 320, z: 1 }, fovMm: { x: 220, y: 220, z: 1 } },
      trajectory: 'cartesian',
      encodingCenter1: 184,
      patientId: 'P&1',
    });
    expect(scanXml('<a><b>1</b><b>2</b></a>').children[0]!.children.map((c) => c.text)).toEqual(['1', '2']);
  });
});

describe('NumPy headers: linear-time scan', () => {
  it('1 MiB of "\'shape\': (" without a closing parenthesis is refused quickly (array and mask)', () => {
    const text = `{'descr': '<f4', 'fortran_order': False, ${"'shape': (".repeat(100_000)}`;
    expect(timed('npy header scan', () => parseNpyHeaderText(text))).toBeUndefined();
    const bytes = npyBytes(text, 2);
    const e = timed('npy reader', () => {
      try {
        parseNpyHeader('evil.npy', bytes);
      } catch (err) {
        return err as Error;
      }
      return undefined;
    });
    expect(e?.message).toMatch(/^evil\.npy: the NumPy header/);
    expect(() => timed('mask reader', () => parseMaskNpy(bytes, 'mask.npy'))).toThrow(/header/);
  }, 20_000);

  it('reads what NumPy writes', () => {
    expect(parseNpyHeaderText("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 256, 256), }          \n")).toEqual({ descr: '<c8', fortranOrder: false, shape: [2, 256, 256] });
    expect(parseNpyHeaderText("{'descr': '|b1', 'fortran_order': True, 'shape': (7,), }")).toEqual({ descr: '|b1', fortranOrder: true, shape: [7] });
    expect(parseNpyHeaderText("{'descr': '<f8', 'fortran_order': False, 'shape': (), }")).toEqual({ descr: '<f8', fortranOrder: false, shape: [] });
    expect(parseNpyHeaderText("{'descr': '<f8', 'shape': (1,)}")).toBeUndefined();
  });
});

const FASTMRI_WITH_HEADER = `
import sys, h5py, numpy as np
k = (np.ones((1, 8, 8)) + 1j).astype(np.complex64)
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("kspace", data=k)
    if sys.argv[2] == "fixed":
        f.create_dataset("ismrmrd_header", data=np.bytes_(b"<encoding " * (2 * 1024 * 1024 // 10)))
    else:
        f.create_dataset("ismrmrd_header", data="x" * (5 * 1024 * 1024), dtype=h5py.string_dtype())
`;

describe.skipIf(!HAVE_PYTHON)('HDF5 header strings', () => {
  it('a fastMRI file whose 2 MB header is unclosed "<encoding " tags loads quickly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-hdr-'));
    execFileSync(PYTHON, ['-c', FASTMRI_WITH_HEADER, join(dir, 'a.h5'), 'fixed']);
    const t = performance.now();
    const s = await loadStudy({ path: join(dir, 'a.h5') });
    console.log(`[untrusted-text] fastMRI with 2 MB "<encoding " header: ${(performance.now() - t).toFixed(0)} ms`);
    expect(s.kspace.rows).toBe(8);
    expect(s.pixelSpacingMm).toBeUndefined();
  }, 30_000);

  it('a variable-length header string over 4 MiB is not read (the 4 MiB cap applies to vlen strings)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flat-hdr-'));
    execFileSync(PYTHON, ['-c', FASTMRI_WITH_HEADER, join(dir, 'v.h5'), 'vlen']);
    const s = await loadStudy({ path: join(dir, 'v.h5') });
    expect(s.notes.join(' ')).toMatch(/ISMRMRD header could not be read/);
    // the MRD reader cannot do without its header: a typed refusal
    execFileSync(PYTHON, ['-c', 'import sys, h5py\nwith h5py.File(sys.argv[1], "w") as f:\n    g = f.create_group("dataset")\n    g.create_dataset("xml", data="x" * (5 * 1024 * 1024), dtype=h5py.string_dtype())\n    g.create_dataset("data", data=[1, 2, 3])', join(dir, 'mrd.h5')]);
    await expectFlatError(loadStudy({ path: join(dir, 'mrd.h5') }), 'too-large');
  }, 30_000);
});
