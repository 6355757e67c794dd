// The study browser's side in the main process / Node host: the configured PACS nodes, C-FIND of
// studies and series, retrieval jobs (C-GET into the local cache, then the series is opened like
// any DICOM series) and send jobs (every slice reconstructed by the inference worker, the finals
// exported as a derived DICOM series, C-STORE with per-instance status). Jobs run in the
// background; the renderer follows them with pacsJob (no push channel needed in either transport).
// Every failure ends the job with one sentence; nothing is lost: a failed retrieval leaves no
// partial series in the cache, a failed send keeps the exported series folder to send again.

import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PacsInfo, PacsInstanceStatus, PacsJob, PacsRetrieveRequest, PacsSendRequest, PacsSeries, PacsStudy, PacsStudyQuery, ReconEvent } from '../../app/contract/ipc';
import { FlatError } from '../../app/core/errors';
import type { MaskSpec } from '../../app/core/types';
import { exportDicomSeries } from '../../app/export/dicom';
import { describeNode, findSeries, findStudies, loadPacsSettings, retrieve, store, type PacsNode, type PacsOptions, type PacsSettings } from '../../app/pacs';
import type { RunSupervisor } from './run-supervisor';
import { DEFAULT_MASK, type StudyService } from './study-service';

export interface PacsServiceOptions {
  /** the PACS settings file (README "PACS"); absent = no PACS configured */
  settingsFile?: string;
  /** where retrieved series are cached (default: the settings' cacheDir, else ~/.cache/flat-viewer/pacs) */
  cacheDir?: string;
  /** where derived series are exported before they are sent (default ~/.cache/flat-viewer/exports) */
  exportDir?: string;
  studies: StudyService;
  inference: RunSupervisor;
}

const MAX_JOBS = 64;

function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'flat-viewer');
}

function plain(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.split('\n')[0] ?? '').trim() || 'The operation failed.';
}

export class PacsService {
  private readonly jobs = new Map<string, PacsJob>();

  constructor(private readonly o: PacsServiceOptions) {}

  /** Read on every call, so a fixed settings file is picked up without a restart. */
  private settings(): PacsSettings {
    if (!this.o.settingsFile) throw new FlatError('invalid-request', 'No PACS is configured: start FLAT Viewer with FLAT_PACS_CONFIG set to a PACS settings file.');
    return loadPacsSettings(this.o.settingsFile);
  }

  private node(name: string): { node: PacsNode; settings: PacsSettings } {
    const settings = this.settings();
    const node = settings.nodes.find((n) => n.name === name);
    if (!node) throw new FlatError('invalid-request', `No PACS node named "${name}" is configured (known: ${settings.nodes.map((n) => n.name).join(', ') || 'none'}).`);
    return { node, settings };
  }

  private options(settings: PacsSettings, extra: PacsOptions = {}): PacsOptions {
    return { localAeTitle: settings.localAeTitle, timeouts: settings.timeouts, retries: settings.retries, ...extra };
  }

  info(): PacsInfo {
    if (!this.o.settingsFile) return { configured: false, localAeTitle: '', nodes: [], note: 'No PACS is configured (set FLAT_PACS_CONFIG to a PACS settings file).' };
    try {
      const s = this.settings();
      return {
        configured: true,
        localAeTitle: s.localAeTitle,
        nodes: s.nodes.map((n) => ({ name: n.name, aeTitle: n.aeTitle, host: n.host, port: n.port, tls: n.tls !== undefined })),
      };
    } catch (e) {
      return { configured: false, localAeTitle: '', nodes: [], note: plain(e) };
    }
  }

  async findStudies(q: PacsStudyQuery): Promise<PacsStudy[]> {
    const { node, settings } = this.node(q.node);
    const modality = q.modality === 'any' ? undefined : (q.modality ?? 'MR');
    return findStudies(
      node,
      { patientId: q.patientId, patientName: q.patientName, studyDate: q.studyDate, accessionNumber: q.accessionNumber, modality },
      this.options(settings),
    );
  }

  async findSeries(nodeName: string, studyInstanceUid: string): Promise<PacsSeries[]> {
    const { node, settings } = this.node(nodeName);
    return findSeries(node, studyInstanceUid, this.options(settings));
  }

  job(jobId: string): PacsJob {
    const j = this.jobs.get(jobId);
    if (!j) throw new FlatError('invalid-request', 'That PACS job is unknown (it may be too old); please start it again.');
    return structuredClone(j);
  }

  private newJob(kind: PacsJob['kind'], node: string, phase: PacsJob['phase']): PacsJob {
    const job: PacsJob = { jobId: `job-${randomBytes(8).toString('hex')}`, kind, node, state: 'running', phase, done: 0, failed: 0 };
    this.jobs.set(job.jobId, job);
    while (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
    return job;
  }

  private run(job: PacsJob, body: () => Promise<void>): void {
    void body().then(
      () => {
        if (job.state === 'running') {
          job.state = 'done';
          job.phase = 'finished';
        }
      },
      (e: unknown) => {
        job.state = 'error';
        job.message = plain(e);
      },
    );
  }

  /** Checks the node and the series first (answers at once when they are wrong), then runs the job. */
  retrieve(req: PacsRetrieveRequest): { jobId: string } {
    const { node, settings } = this.node(req.node);
    const cacheDir = path.resolve(this.o.cacheDir ?? settings.cacheDir ?? path.join(cacheRoot(), 'pacs'));
    const job = this.newJob('retrieve', node.name, 'checking');
    this.run(job, async () => {
      const series = await findSeries(node, req.studyInstanceUid, this.options(settings));
      const s = series.find((x) => x.seriesInstanceUid === req.seriesInstanceUid);
      if (!s) throw new FlatError('invalid-request', `${describeNode(node)} has no series ${req.seriesInstanceUid} in study ${req.studyInstanceUid}.`);
      if (s.modality !== 'MR') {
        const what = s.seriesDescription ? `"${s.seriesDescription}"` : s.seriesInstanceUid;
        throw new FlatError('unsupported-content', `Series ${what} is ${s.modality || 'of no modality'}, not MR: FLAT Viewer reconstructs MR series only; nothing was retrieved.`);
      }
      job.phase = 'retrieving';
      job.total = s.instanceCount;
      const move = node.retrieve === 'move' ? settings.storageScp : undefined;
      const report = await retrieve(node, { studyInstanceUid: req.studyInstanceUid, seriesInstanceUid: req.seriesInstanceUid }, cacheDir, {
        ...this.options(settings, {
          onProgress: (p) => {
            job.done = p.done;
            job.failed = p.failed;
          },
        }),
        ...(move ? { move } : {}),
      });
      const got = report.series[0];
      if (!got) throw new FlatError('network', `${describeNode(node)} sent nothing for series ${req.seriesInstanceUid}.`);
      job.done = got.instances;
      job.phase = 'opening';
      job.study = await this.o.studies.openPaths([got.dir]);
      job.message = `Retrieved ${got.instances} instance(s) from ${node.name}${move ? ' by C-MOVE' : ''} into the cache and opened the series.`;
    });
    return { jobId: job.jobId };
  }

  send(req: PacsSendRequest): { jobId: string } {
    const { node, settings } = this.node(req.node);
    const study = this.o.studies.study(req.studyId); // throws at once for an unknown study
    const modelError = this.o.inference.status().modelError;
    if (modelError) throw new FlatError(modelError.code, modelError.message);
    const job = this.newJob('send', node.name, 'reconstructing');
    this.run(job, async () => {
      const slices = study.kspace.slices;
      job.total = slices;
      const finals: Float32Array[] = [];
      let display = { rows: 0, cols: 0 };
      for (let s = 0; s < slices; s++) {
        const image = await this.reconstructSlice(req.studyId, s, req.mask, slices);
        finals.push(image.data);
        display = { rows: image.rows, cols: image.cols };
        job.done = s + 1;
      }
      job.phase = 'exporting';
      job.done = 0;
      const n = display.rows * display.cols;
      const data = new Float32Array(slices * n);
      finals.forEach((f, i) => data.set(f, i * n));
      const model = this.o.inference.status().model;
      if (!model) throw new FlatError('inference-failed', 'The model is not loaded; nothing was sent.');
      const outDir = path.join(path.resolve(this.o.exportDir ?? path.join(cacheRoot(), 'exports')), `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`);
      const files = await exportDicomSeries({
        outDir,
        images: { kind: 'real', slices, rows: display.rows, cols: display.cols, data },
        stepLabel: 'final',
        source: study.dicom,
        sourceName: path.basename(study.source),
        inputPaths: path.isAbsolute(study.source) && existsSync(study.source) ? [study.source] : [],
        model: { name: model.name, sha256: model.sha256 },
        maskDescription: maskDescription(study.acquiredMask !== undefined, req.mask ?? DEFAULT_MASK, study.simulatedKspace),
        pixelSpacingMm: study.pixelSpacingMm,
      });
      job.seriesDir = outDir;
      job.phase = 'sending';
      job.total = files.length;
      job.instances = files.map((f) => ({ file: path.basename(f), ok: false, attempts: 0 }));
      const byFile = new Map(files.map((f, i) => [f, job.instances![i]!]));
      const report = await store(node, files, this.options(settings, {
        // per-instance status while it runs (the final report below replaces it)
        onProgress: (p) => {
          const r = p.item ? byFile.get(p.item) : undefined;
          if (r) {
            r.ok = p.failed === job.failed;
            r.attempts++;
          }
          job.done = p.done;
          job.failed = p.failed;
        },
      }));
      job.instances = report.results.map((r): PacsInstanceStatus => ({
        file: path.basename(r.file),
        ...(r.sopInstanceUid ? { sopInstanceUid: r.sopInstanceUid } : {}),
        ok: r.ok,
        ...(r.status !== undefined ? { status: r.status } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
        attempts: r.attempts,
      }));
      job.done = report.stored;
      job.failed = report.total - report.stored;
      if (report.stored !== report.total) {
        const first = report.results.find((r) => !r.ok);
        const why = report.error?.message.replace(/\.$/, '') ?? first?.reason ?? 'the PACS did not store them';
        throw new FlatError('network', `${report.stored} of ${report.total} instance(s) were stored in ${node.name} (${why}); the series is kept in ${outDir} to send again.`);
      }
      job.message = `Sent ${report.total} instance(s) of the FLAT series to ${node.name}; every one was stored.`;
    });
    return { jobId: job.jobId };
  }

  /** One slice through the inference worker; resolves with the final state's image (display crop). */
  private reconstructSlice(studyId: string, slice: number, mask: MaskSpec | undefined, slices: number): Promise<{ rows: number; cols: number; data: Float32Array }> {
    return new Promise((resolve, reject) => {
      let runId = '';
      let steps = -1;
      let last: { rows: number; cols: number; data: Float32Array } | undefined;
      const early: ReconEvent[] = [];
      const on = (ev: ReconEvent): void => {
        if (!runId) {
          early.push(ev);
          return;
        }
        if (ev.runId !== runId) return;
        switch (ev.type) {
          case 'started':
            steps = ev.steps;
            break;
          case 'step':
            if (ev.step === steps || steps < 0) last = { rows: ev.rows, cols: ev.cols, data: ev.image };
            break;
          case 'done':
            off();
            if (last) resolve(last);
            else reject(new FlatError('inference-failed', `The reconstruction of slice ${slice + 1} ended without a final image; nothing was sent.`));
            break;
          case 'cancelled':
            off();
            reject(new FlatError('inference-failed', `The reconstruction for sending was interrupted at slice ${slice + 1} of ${slices} (another reconstruction started); nothing was sent.`));
            break;
          case 'error':
            off();
            reject(new FlatError(ev.error.code, `Slice ${slice + 1} of ${slices}: ${ev.error.message.replace(/\.$/, '')}; nothing was sent.`));
            break;
        }
      };
      const off = this.o.inference.onEvent(on);
      try {
        runId = this.o.inference.reconstruct(this.o.studies.prepareRun(studyId, slice, mask));
      } catch (e) {
        off();
        reject(e);
        return;
      }
      for (const ev of early.splice(0)) on(ev);
    });
  }
}

/** As the CLI writes it into DerivationDescription. */
export function maskDescription(acquired: boolean, m: MaskSpec, simulated: boolean): string {
  const d = acquired ? 'as acquired' : `${m.kind} 1D mask, ${m.acceleration}x, centre fraction ${m.centerFraction}, seed ${m.seed}`;
  return simulated ? `${d} (simulated k-space)` : d;
}
