// Uploaded files (drag and drop, Node host): names that collide never lose or duplicate a file,
// names like ".." are typed refusals, staged copies live in a private folder (0700) as files only
// we can read (0600) and are removed when the study closes; a streamed upload over its limit is
// refused without keeping a byte.
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { exportDicomSeries } from '../../app/export';
import { withH5 } from '../../app/formats/h5/session';
import { createHandlers } from '../common/handlers';
import { UploadStaging, stagedName } from '../common/upload-staging';
import { inlineStudies, realPlane, SAMPLE, HAVE_SAMPLE } from './helpers';
import { mkdtempSync, readFileSync } from 'node:fs';

async function threeSlices(): Promise<ArrayBuffer[]> {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'flat-up-')), 's');
  const data = new Float32Array(3 * 64 * 64).map((_, i) => Math.floor(i / 4096) * 100 + (i % 7));
  const files = await exportDicomSeries({ outDir: dir, images: { kind: 'real', slices: 3, rows: 64, cols: 64, data }, stepLabel: 'final', model: { name: 'm', sha256: '0'.repeat(64) }, maskDescription: 'x' });
  return files.map((f) => {
    const b = readFileSync(f);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  });
}

const planes: ReturnType<typeof realPlane>[] = [];
afterAll(() => Promise.all(planes.map((p) => p.close())));
function noPlane() {
  const p = realPlane('/none', 'x');
  planes.push(p);
  return p;
}

describe('uploads', () => {
  it('a.dcm, 2_a.dcm, a.dcm: three different slices, none lost, none duplicated', async () => {
    const [x, y, z] = await threeSlices();
    const svc = inlineStudies(tmpdir());
    const staging = new UploadStaging();
    const set = staging.stageBytes([
      { name: 'a.dcm', bytes: x! },
      { name: '2_a.dcm', bytes: y! },
      { name: 'a.dcm', bytes: z! },
    ]);
    const dir = path.dirname(set.paths[0]!);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const p of set.paths) expect(statSync(p).mode & 0o777).toBe(0o600);
    const s = await svc.openPaths(set.paths, { name: set.name, inputPaths: [] });
    expect(s.source).toBe('a.dcm');
    expect(svc.inputPaths(s.studyId)).toEqual([]);
    set.release();
    expect(existsSync(dir)).toBe(false);
    staging.dispose();
    expect(s.slices).toBe(3);
    const img = svc.getSlice(s.studyId, 0);
    const means = [0, 1, 2].map((k) => {
      const r = svc.prepareRun(s.studyId, k);
      return r.reference ? r.reference.data.reduce((a, v) => a + v, 0) / r.reference.data.length : NaN;
    });
    expect(new Set(means.map((m) => Math.round(m))).size).toBe(3);
    expect(img.rows).toBe(64);
  });

  it('staged names are unique, safe and keep the extension', () => {
    const names = ['a.dcm', '2_a.dcm', 'a.dcm', '..', '.', '.hidden', 'x\u202eevil.dcm', 'a/b'];
    const staged = names.map((n, i) => stagedName(i, n));
    expect(new Set(staged).size).toBe(names.length);
    for (const s of staged) expect(s).toMatch(/^\d{5}-[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
    expect(staged[0]).toMatch(/\.dcm$/);
  });

  it('a streamed upload: bytes land in a private file; over the limit nothing is kept; unknown ids are refused', async () => {
    const staging = new UploadStaging(1000, 1500);
    const id = await staging.receive('scan one.h5', Readable.from([Buffer.alloc(600, 1), Buffer.alloc(300, 2)]));
    expect(id).toMatch(/^up-[0-9a-f]{24}$/);
    await expect(staging.receive('big.h5', Readable.from([Buffer.alloc(700), Buffer.alloc(700)]))).rejects.toMatchObject({ code: 'too-large' });
    await expect(staging.receive('big.h5', Readable.from([]), 5000)).rejects.toMatchObject({ code: 'too-large' });
    // 900 pending + 700 would pass 1500: refused until the first is opened
    await expect(staging.receive('second.h5', Readable.from([Buffer.alloc(700)]))).rejects.toThrow(/waiting to be opened/);
    const set = staging.take([{ name: 'scan one.h5', uploadId: id }]);
    expect(set.paths).toHaveLength(1);
    expect(path.basename(set.paths[0]!)).toBe('00000-scan_one.h5');
    expect(statSync(set.paths[0]!).size).toBe(900);
    expect(readdirSync(path.dirname(path.dirname(set.paths[0]!))).filter((n) => n.endsWith('.part'))).toEqual([]); // the refused ones left nothing
    expect(() => staging.take([{ name: 'scan one.h5', uploadId: id }])).toThrow(/no longer available/);
    set.release();
    staging.dispose();
  });

  it('an upload named ".." is a typed refusal, not EISDIR', async () => {
    const h = createHandlers({ host: 'node-host', version: '0', plane: noPlane(), staging: new UploadStaging(), requireAppOrigin: false, infoWaitMs: 1 });
    for (const files of [[{ name: '..', bytes: new ArrayBuffer(4) }], [{ name: 'a.dcm', bytes: new ArrayBuffer(4) }, { name: '..', bytes: new ArrayBuffer(4) }]]) {
      const r = await h.openFiles([files]);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid-request');
        expect(r.error.message).not.toMatch(/EISDIR/);
      }
    }
  });

  it.skipIf(!HAVE_SAMPLE)('an uploaded HDF5 file is staged 0600 in a private 0700 folder while read, then removed', async () => {
    // a marker byte pattern after the HDF5 data makes this test's staged copy recognisable among
    // other tests' copies (test files run in parallel)
    const marker = Buffer.from(`flat-upload-test-${process.pid}-${Date.now()}`);
    const bytes = new Uint8Array(Buffer.concat([readFileSync(SAMPLE), marker]));
    // withH5's folders are mkdtemp('flat-h5-'): six random characters. Only regular files of our
    // size are read (other tests leave FIFOs in folders named alike; reading one would block).
    const ours = (): string[] =>
      readdirSync(tmpdir())
        .filter((n) => /^flat-h5-[A-Za-z0-9]{6}$/.test(n))
        .map((n) => path.join(tmpdir(), n))
        .filter((d) => {
          try {
            return readdirSync(d).some((f) => {
              const p = path.join(d, f);
              const st = lstatSync(p);
              return st.isFile() && st.size === bytes.length && readFileSync(p).subarray(-marker.length).equals(marker);
            });
          } catch {
            return false; // another test's folder, gone meanwhile
          }
        });
    let seen: { dirs: number; dir: number; file: number } | undefined;
    let dir = '';
    await withH5('up.h5', { bytes }, () => {
      const mine = ours();
      dir = mine[0] ?? '';
      const file = dir ? path.join(dir, readdirSync(dir)[0]!) : '';
      seen = { dirs: mine.length, dir: dir ? statSync(dir).mode & 0o777 : -1, file: file ? statSync(file).mode & 0o777 : -1 };
    });
    expect(seen).toEqual({ dirs: 1, dir: 0o700, file: 0o600 });
    expect(existsSync(dir)).toBe(false);
  });
});
