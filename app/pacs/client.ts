// PACS client: C-ECHO, C-FIND (studies, series), C-GET into the local cache, C-STORE with per-instance
// status, bounded retry and progress. Every call opens its own association(s) with dcmjs-dimse.

import type { PacsSeries, PacsStudy } from '../contract/ipc';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import dimse from 'dcmjs-dimse';
import { FlatError } from '../core/errors';
import { DEFAULT_LOCAL_AE, DEFAULT_RETRIES, DEFAULT_TIMEOUTS, type PacsNode, type PacsTimeouts } from './config';
import { StorageScp, type StorageScpSettings } from './storage-scp';
import { describeNode, isPending, isWarning, runAssociation, statusText, type AssociationContext, type DimseRequest } from './association';

const { Client } = dimse;
type Dataset = InstanceType<typeof dimse.Dataset>;
const { CEchoRequest, CFindRequest, CGetRequest, CMoveRequest, CStoreRequest } = dimse.requests;
const { CStoreResponse } = dimse.responses;

export interface PacsOptions {
  /** our calling AE title (default FLATVIEWER) */
  localAeTitle?: string;
  timeouts?: Partial<PacsTimeouts>;
  /** extra attempts after a transport failure or an out-of-resources status (default 2) */
  retries?: number;
  onProgress?: (p: PacsProgress) => void;
}

export interface PacsProgress {
  op: 'store' | 'retrieve';
  /** instances finished so far (stored, or received into the cache) */
  done: number;
  /** instances expected, when known */
  total?: number;
  failed: number;
  /** the instance just finished (file for store, SOP Instance UID for retrieve) */
  item?: string;
}

function context(node: PacsNode, o: PacsOptions): AssociationContext {
  return { node, localAeTitle: o.localAeTitle ?? DEFAULT_LOCAL_AE, timeouts: { ...DEFAULT_TIMEOUTS, ...o.timeouts } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------- C-ECHO

export async function echo(node: PacsNode, o: PacsOptions = {}): Promise<{ ms: number }> {
  const t0 = performance.now();
  const req = new CEchoRequest();
  let status: number | undefined;
  req.on('response', (r: { getStatus(): number }) => {
    status = r.getStatus();
  });
  const out = await runAssociation(context(node, o), new Client(), [req as DimseRequest]);
  if (status === undefined && out.error) throw out.error;
  if (status !== 0) throw new FlatError('network', `${describeNode(node)} answered the C-ECHO with ${status === undefined ? 'nothing' : statusText(status)}.`);
  return { ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- C-FIND

export interface StudyQuery {
  patientId?: string;
  patientName?: string;
  /** YYYYMMDD, or a range YYYYMMDD-YYYYMMDD (either end may be open) */
  studyDate?: string;
  /** e.g. MR: studies holding at least one series of that modality */
  modality?: string;
  accessionNumber?: string;
  studyInstanceUid?: string;
}

// One shape for a match, shared with the IPC contract (the study browser shows these as they are).
export type StudyMatch = PacsStudy;
export type SeriesMatch = PacsSeries;

const UID_RE = /^[0-9]+(\.[0-9]+)*$/;

function checkQueryValue(v: string | undefined, what: string, re: RegExp, hint: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (!re.test(v)) throw new FlatError('invalid-request', `${what} "${v}" is not valid: ${hint}.`);
  return v;
}

/** Validate a query: no backslash (DICOM value separator) or control characters; dates and UIDs by form. */
export function checkStudyQuery(q: StudyQuery): StudyQuery {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  const text = /^[^\\\x00-\x1f]{1,64}$/;
  return {
    patientId: checkQueryValue(q.patientId, 'The patient ID', text, 'up to 64 characters, no backslash'),
    patientName: checkQueryValue(q.patientName, 'The patient name', text, 'up to 64 characters, no backslash (use * as a wildcard)'),
    studyDate: checkQueryValue(q.studyDate, 'The study date', /^(\d{8}|\d{8}-|-\d{8}|\d{8}-\d{8})$/, 'use YYYYMMDD or a range YYYYMMDD-YYYYMMDD'),
    modality: checkQueryValue(q.modality, 'The modality', /^[A-Z0-9_]{1,16}$/, 'use a DICOM modality code such as MR'),
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    accessionNumber: checkQueryValue(q.accessionNumber, 'The accession number', /^[^\\\x00-\x1f]{1,16}$/, 'up to 16 characters, no backslash'),
    studyInstanceUid: checkQueryValue(q.studyInstanceUid, 'The study instance UID', UID_RE, 'digits and dots only'),
  };
}

type Naturalized = Record<string, unknown>;

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(str).join('\\');
  if (typeof v === 'object') {
    const pn = v as { Alphabetic?: string };
    return pn.Alphabetic ?? '';
  }
  return String(v).trim();
}

function int(v: unknown): number | undefined {
  const s = str(v);
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : undefined;
}

async function cfind(node: PacsNode, o: PacsOptions, level: 'study' | 'series', keys: Naturalized): Promise<Naturalized[]> {
  const req = level === 'study' ? CFindRequest.createStudyFindRequest(keys) : CFindRequest.createSeriesFindRequest(keys);
  const found: Naturalized[] = [];
  let final: { status: number; comment: string } | undefined;
  req.on('response', (r: { getStatus(): number; hasDataset(): boolean; getDataset(): { getElements(): Naturalized }; getErrorComment(): string }) => {
    const status = r.getStatus();
    if (isPending(status)) {
      if (r.hasDataset()) found.push(r.getDataset().getElements());
    } else final = { status, comment: r.getErrorComment?.() ?? '' };
  });
  const out = await runAssociation(context(node, o), new Client(), [req as DimseRequest]);
  if (!final) throw out.error ?? new FlatError('network', `${describeNode(node)} ended the query without a final answer.`);
  if (final.status !== 0 && !isWarning(final.status)) throw new FlatError('network', `${describeNode(node)} refused the query (${statusText(final.status, final.comment)}).`);
  return found;
}

/** Study-level C-FIND (Study Root). A modality filter is also applied to the answers, for PACS that ignore it. */
export async function findStudies(node: PacsNode, query: StudyQuery, o: PacsOptions = {}): Promise<StudyMatch[]> {
  const q = checkStudyQuery(query);
  const keys: Naturalized = {
    PatientID: q.patientId ?? '',
    PatientName: q.patientName ?? '',
    StudyDate: q.studyDate ?? '',
    AccessionNumber: q.accessionNumber ?? '',
    ModalitiesInStudy: q.modality ?? '',
    StudyInstanceUID: q.studyInstanceUid ?? '',
  };
  const rows = await cfind(node, o, 'study', keys);
  const studies = rows.map(
    (e): StudyMatch => ({
      studyInstanceUid: str(e.StudyInstanceUID),
      patientId: str(e.PatientID),
      patientName: str(e.PatientName),
      studyDate: str(e.StudyDate),
      studyDescription: str(e.StudyDescription),
      accessionNumber: str(e.AccessionNumber),
      modalities: str(e.ModalitiesInStudy).split('\\').filter((m) => m !== ''),
      seriesCount: int(e.NumberOfStudyRelatedSeries),
      instanceCount: int(e.NumberOfStudyRelatedInstances),
    }),
  );
  return studies.filter((s) => UID_RE.test(s.studyInstanceUid) && (!q.modality || s.modalities.length === 0 || s.modalities.includes(q.modality)));
}

/** Series-level C-FIND within one study, optionally of one modality. */
export async function findSeries(node: PacsNode, studyInstanceUid: string, o: PacsOptions & { modality?: string } = {}): Promise<SeriesMatch[]> {
  const q = checkStudyQuery({ studyInstanceUid, modality: o.modality });
  const rows = await cfind(node, o, 'series', { StudyInstanceUID: q.studyInstanceUid, Modality: q.modality ?? '' });
  return rows
    .map(
      (e): SeriesMatch => ({
        studyInstanceUid: str(e.StudyInstanceUID) || studyInstanceUid,
        seriesInstanceUid: str(e.SeriesInstanceUID),
        modality: str(e.Modality),
        seriesNumber: int(e.SeriesNumber),
        seriesDescription: str(e.SeriesDescription),
        instanceCount: int(e.NumberOfSeriesRelatedInstances),
      }),
    )
    .filter((s) => UID_RE.test(s.seriesInstanceUid) && (!q.modality || s.modality === '' || s.modality === q.modality));
}

// ---------------------------------------------------------------- C-GET into the cache

export interface RetrievedSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** the complete series folder in the cache; open it with loadStudy({ path: dir }) */
  dir: string;
  instances: number;
}

export interface RetrieveReport {
  node: string;
  series: RetrievedSeries[];
  ms: number;
}

/** Cache layout: CACHE/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm */
export function seriesCacheDir(cacheDir: string, studyInstanceUid: string, seriesInstanceUid: string): string {
  if (!UID_RE.test(studyInstanceUid) || !UID_RE.test(seriesInstanceUid)) throw new FlatError('invalid-request', 'A study or series instance UID holds characters other than digits and dots.');
  return path.join(cacheDir, studyInstanceUid, seriesInstanceUid);
}

/** Move a complete series folder into place: rename over any older copy, never leaving a mix. */
function commitSeries(tmpSeries: string, final: string): void {
  mkdirSync(path.dirname(final), { recursive: true });
  let old: string | undefined;
  if (existsSync(final)) {
    old = path.join(path.dirname(final), `.old-${randomUUID()}`);
    renameSync(final, old);
  }
  try {
    renameSync(tmpSeries, final);
  } catch (e) {
    if (old) renameSync(old, final);
    throw new FlatError('io', `Cannot move the retrieved series into ${final} (${(e as { code?: string }).code ?? 'error'}).`, final);
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

/**
 * C-GET one series into a private temp folder inside the cache and rename it into place only when
 * the PACS reported every sub-operation completed and every instance was written.
 */
async function getSeries(
  node: PacsNode,
  o: PacsOptions,
  cacheDir: string,
  studyUid: string,
  seriesUid: string,
  progress: { done: number; failed: number; total?: number },
  scp?: StorageScp,
): Promise<RetrievedSeries> {
  const target = seriesCacheDir(cacheDir, studyUid, seriesUid);
  const tmp = path.join(cacheDir, `.incoming-${randomUUID()}`);
  mkdirSync(tmp, { recursive: true });
  let release: (() => void) | undefined;
  try {
    const client = new Client();
    let written = 0;
    let writeError: string | undefined;
    /** One arriving instance (C-GET on our association, or C-MOVE to our storage SCP) into the temp folder. */
    const keep = (ds: Dataset | undefined): boolean => {
      try {
        if (!ds) throw new Error('no data set');
        const sop = String(ds.getElement('SOPInstanceUID') ?? '');
        if (String(ds.getElement('SeriesInstanceUID') ?? '') !== seriesUid) throw new Error('an instance of another series');
        const name = UID_RE.test(sop) ? `${sop}.dcm` : `instance-${written + 1}.dcm`;
        ds.toFile(path.join(tmp, name));
        written++;
        progress.done++;
        o.onProgress?.({ op: 'retrieve', done: progress.done, total: progress.total, failed: progress.failed, item: sop });
        return true;
      } catch (e) {
        writeError ??= (e as Error).message;
        progress.failed++;
        return false;
      }
    };
    let req: DimseRequest;
    if (scp) {
      release = scp.expect(seriesUid, keep);
      req = CMoveRequest.createSeriesMoveRequest(scp.aeTitle, studyUid, seriesUid) as DimseRequest;
    } else {
      client.on('cStoreRequest', (request: { getDataset(): Dataset | undefined }, callback: (r: unknown) => void) => {
        const response = CStoreResponse.fromRequest(request as never);
        response.setStatus(keep(request.getDataset()) ? 0x0000 : 0xa700); // out of resources: we could not keep it
        callback(response);
      });
      const get = CGetRequest.createSeriesGetRequest(studyUid, seriesUid);
      get.setAddStorageSopClassesToAssociation(true);
      req = get as DimseRequest;
    }
    let final: { status: number; completed: number; failures: number; comment: string } | undefined;
    (req as unknown as { on(e: 'response', f: (r: { getStatus(): number; getCompleted(): number; getFailures(): number; getErrorComment(): string }) => void): void }).on('response', (r) => {
      const status = r.getStatus();
      if (!isPending(status)) final = { status, completed: r.getCompleted() ?? 0, failures: r.getFailures() ?? 0, comment: r.getErrorComment?.() ?? '' };
    });
    const out = await runAssociation(context(node, o), client, [req]);
    release?.();
    const how = scp ? `C-MOVE to ${scp.aeTitle}` : 'C-GET';
    if (!final) throw out.error ?? new FlatError('network', `${describeNode(node)} ended the retrieval (${how}) without a final answer.`);
    if (writeError) throw new FlatError('io', `An instance retrieved from ${describeNode(node)} could not be written to the cache (${writeError}).`);
    if (final.status !== 0) {
      const hint = scp && final.status === 0xa801 ? ` (the PACS does not know ${scp.aeTitle} as a move destination)` : scp && final.failures > 0 && written === 0 ? ` (it could not reach our storage SCP ${scp.aeTitle} at the host and port configured for it there)` : '';
      throw new FlatError('network', `${describeNode(node)} did not send the whole series by ${how} (${statusText(final.status, final.comment)}, ${final.failures} failed)${hint}.`);
    }
    const files = readdirSync(tmp).length;
    if (files === 0) throw new FlatError('network', `${describeNode(node)} has no instances of series ${seriesUid}.`);
    if (final.completed !== 0 && final.completed !== files) throw new FlatError('network', `${describeNode(node)} reported ${final.completed} instances but ${files} arrived.`);
    commitSeries(tmp, target);
    return { studyInstanceUid: studyUid, seriesInstanceUid: seriesUid, dir: target, instances: files };
  } finally {
    release?.();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Remove temp folders that a killed process left in the cache (older than an hour, so never a live one). */
function sweepStale(cacheDir: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (!/^\.(incoming|old)-[0-9a-f-]{36}$/.test(name)) continue;
    const p = path.join(cacheDir, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
    } catch {
      /* raced with another process: fine */
    }
  }
}

export interface RetrieveTarget {
  studyInstanceUid: string;
  /** only this series (default: every series of the study, of `modality` if given) */
  seriesInstanceUid?: string;
  modality?: string;
}

/**
 * Retrieve a study or one series into `cacheDir`, one C-GET association per series (or, with
 * `move`, one C-MOVE per series to our own storage SCP listening there for the call), each series
 * committed atomically (temp folder + rename). A failure leaves no partial series behind; series
 * completed before it stay in the cache (complete), and the error says how many.
 */
export async function retrieve(node: PacsNode, target: RetrieveTarget, cacheDir: string, o: PacsOptions & { move?: StorageScpSettings } = {}): Promise<RetrieveReport> {
  const t0 = performance.now();
  const studyUid = checkStudyQuery({ studyInstanceUid: target.studyInstanceUid }).studyInstanceUid;
  if (!studyUid) throw new FlatError('invalid-request', 'A study instance UID is needed to retrieve.');
  if (target.seriesInstanceUid !== undefined && !UID_RE.test(target.seriesInstanceUid)) throw new FlatError('invalid-request', `The series instance UID "${target.seriesInstanceUid}" is not valid: digits and dots only.`);
  try {
    mkdirSync(cacheDir, { recursive: true });
    sweepStale(cacheDir);
  } catch {
    throw new FlatError('io', `Cannot create the cache folder ${cacheDir}.`, cacheDir);
  }
  let series: { uid: string; count?: number }[];
  if (target.seriesInstanceUid) series = [{ uid: target.seriesInstanceUid }];
  else {
    const found = await findSeries(node, studyUid, { ...o, modality: target.modality });
    if (found.length === 0) throw new FlatError('network', `${describeNode(node)} has no ${target.modality ? `${target.modality} ` : ''}series in study ${studyUid}.`);
    series = found.map((s) => ({ uid: s.seriesInstanceUid, count: s.instanceCount }));
  }
  const known = series.every((s) => s.count !== undefined);
  const progress = { done: 0, failed: 0, total: known ? series.reduce((a, s) => a + s.count!, 0) : undefined };
  const done: RetrievedSeries[] = [];
  const retries = o.retries ?? DEFAULT_RETRIES;
  // C-MOVE: our own storage SCP receives the instances while the retrieval lasts (only from this node)
  const scp = o.move ? new StorageScp(o.localAeTitle ?? DEFAULT_LOCAL_AE, [node.aeTitle], o.move) : undefined;
  await scp?.start();
  try {
    for (const s of series) {
      for (let attempt = 0; ; attempt++) {
        const before = progress.done;
        try {
          done.push(await getSeries(node, o, cacheDir, studyUid, s.uid, progress, scp));
          break;
        } catch (e) {
          progress.done = before;
          const err = e as FlatError;
          const transport = err instanceof FlatError && err.code === 'network' && !/refused the association|refused the query|has no |move destination|our storage SCP/.test(err.message);
          if (!transport || attempt >= retries) {
            const kept = done.length > 0 ? ` ${done.length} of ${series.length} series were retrieved completely and kept.` : '';
            throw new FlatError(err.code ?? 'network', `${err.message.replace(/\.$/, '')}; the partial series ${s.uid} was discarded.${kept}`);
          }
          await sleep(200 * (attempt + 1));
        }
      }
    }
  } finally {
    await scp?.close();
  }
  return { node: describeNode(node), series: done, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- C-STORE

export interface StoreResult {
  file: string;
  sopInstanceUid?: string;
  ok: boolean;
  /** final DIMSE status, when the PACS answered */
  status?: number;
  /** why it was not stored (one sentence), or a warning */
  reason?: string;
  attempts: number;
}

export interface StoreReport {
  node: string;
  total: number;
  stored: number;
  results: StoreResult[];
  /** how the last association ended, if not by a normal release */
  error?: FlatError;
  ms: number;
}

/** An instance is worth resending after a transport failure or an out-of-resources status. */
function retryable(r: StoreResult): boolean {
  return r.status === undefined || (r.status & 0xff00) === 0xa700 || r.status === 0x0110;
}

/**
 * C-STORE every file (Part 10) to the node on one association per attempt. Instances that failed
 * for a transport reason or a transient status are resent, at most `retries` more times. Never
 * throws for a failed instance: the report has one result per file.
 */
export async function store(node: PacsNode, files: string[], o: PacsOptions = {}): Promise<StoreReport> {
  const t0 = performance.now();
  if (files.length === 0) throw new FlatError('invalid-request', 'There is nothing to send (no DICOM files).');
  const ctx = context(node, o);
  const results: StoreResult[] = files.map((file) => ({ file, ok: false, attempts: 0 }));
  const retries = o.retries ?? DEFAULT_RETRIES;
  let error: FlatError | undefined;
  let done = 0;
  let failed = 0;
  let pending = results.slice();
  for (let attempt = 0; attempt <= retries && pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(250 * attempt);
    const requests: DimseRequest[] = [];
    const answered = new Set<StoreResult>();
    for (const r of pending) {
      r.attempts++;
      r.status = undefined;
      let req: InstanceType<typeof CStoreRequest>;
      try {
        req = new CStoreRequest(r.file);
        r.sopInstanceUid = String(req.getAffectedSopInstanceUid() ?? '') || undefined;
      } catch {
        r.status = 0xc000;
        r.reason = 'it is not a readable DICOM Part 10 file';
        answered.add(r);
        continue;
      }
      req.on('response', (res: { getStatus(): number; getErrorComment(): string }) => {
        const status = res.getStatus();
        if (isPending(status)) return;
        answered.add(r);
        r.status = status;
        r.ok = status === 0 || isWarning(status);
        r.reason = status === 0 ? undefined : statusText(status, res.getErrorComment?.());
        if (r.ok) done++;
        else failed++;
        o.onProgress?.({ op: 'store', done, total: files.length, failed, item: r.file });
      });
      requests.push(req as DimseRequest);
    }
    let out: { error?: FlatError; accepted: boolean } = { accepted: false };
    if (requests.length > 0) out = await runAssociation(ctx, new Client(), requests);
    error = out.error;
    for (const r of pending) {
      if (answered.has(r)) continue;
      // Never answered: not accepted, connection lost, or no presentation context for its SOP class.
      r.reason = out.error ? `not stored: ${out.error.message.replace(/\.$/, '')}` : 'not stored: the PACS accepted no presentation context for its SOP class or transfer syntax';
      if (!out.error) r.status = 0x0122;
    }
    const permanentRefusal = out.error && !out.accepted && /refused the association/.test(out.error.message);
    pending = pending.filter((r) => !r.ok && retryable(r));
    if (permanentRefusal) break;
  }
  return {
    node: describeNode(node),
    total: files.length,
    stored: results.filter((r) => r.ok).length,
    results,
    ...(error ? { error } : {}),
    ms: performance.now() - t0,
  };
}

/** The DICOM files of a folder (non-recursive, sorted), as the exporter writes them. */
export function dicomFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new FlatError('io', `Cannot read the folder ${dir}.`, dir);
  }
  return names
    .filter((n) => !n.startsWith('.') && (/\.dcm$/i.test(n) || !n.includes('.')))
    .sort()
    .map((n) => path.join(dir, n));
}
