// One handler per FlatApi method, shared by the Electron IPC layer and the Node host. Each
// validates its payload with the contract's validators (and, in Electron, the sender's origin)
// before touching anything, and answers with plain data or a SerializedError — never a throw.

import type { AppInfo, FlatApi, SliceImages, StudySummary } from '../../app/contract/ipc';
import {
  parseMaskSpec,
  validateExportRequest,
  validateNodeName,
  validateOpenFiles,
  validatePacsRetrieve,
  validatePacsSend,
  validatePacsStudyQuery,
  validateReconRequest,
  validateRunId,
  validateStudySlice,
  validateUid,
} from '../../app/contract/ipc';
import type { MaskSpec } from '../../app/core/types';
import type { ExportService } from './export-service';
import { FlatError } from '../../app/core/errors';
import type { InferenceManager } from './inference-manager';
import type { PacsService } from './pacs-service';
import { checkModelTrust } from '../../app/trust/model-trust';
import { readModelSummary } from './model-info';
import { fail, ok, serializeError, type Result } from './result';
import { isAppOrigin } from './security';
import type { StudyService } from './study-service';

export type InvokeMethod = Exclude<keyof FlatApi, 'onReconEvent'>;

export const INVOKE_METHODS: readonly InvokeMethod[] = [
  'getInfo',
  'openSample',
  'openDialog',
  'openFiles',
  'getSlice',
  'reconstruct',
  'cancel',
  'exportDicom',
  'pacsInfo',
  'pacsFindStudies',
  'pacsFindSeries',
  'pacsRetrieve',
  'pacsSend',
  'pacsJob',
];

export function isInvokeMethod(name: unknown): name is InvokeMethod {
  return typeof name === 'string' && (INVOKE_METHODS as readonly string[]).includes(name);
}

/** Who sent a request. Electron: the URL of the event's senderFrame. */
export interface Sender {
  url: string | null;
}

export interface HandlerDeps {
  host: AppInfo['host'];
  version: string;
  studies: StudyService;
  inference: InferenceManager;
  modelDir: string;
  modelName: string;
  /** Electron: every request must come from a frame on app://flat. */
  requireAppOrigin: boolean;
  /** Native open dialog (Electron); absent in the Node host, where openDialog resolves null. */
  showOpenDialog?: () => Promise<string[] | null>;
  /** Told about every study opened from paths (recent files). */
  onOpenedPaths?: (paths: string[]) => void;
  /** How long getInfo waits for the worker to load the model (ms). */
  infoWaitMs?: number;
  /** DICOM export (absent: exportDicom answers that this host cannot export). */
  exports?: ExportService;
  /** Shown to the reader as the Node host's export area. */
  exportArea?: string;
  /** The study browser (PACS); absent = no PACS (pacsInfo says so, the other calls refuse). */
  pacs?: PacsService;
}

type Reply<K extends InvokeMethod> = Result<Awaited<ReturnType<FlatApi[K]>>>;
export type Handler<K extends InvokeMethod> = (args: unknown[], sender?: Sender) => Promise<Reply<K>>;
export type Handlers = { [K in InvokeMethod]: Handler<K> };

const MAX_ARGS: Record<InvokeMethod, number> = {
  getInfo: 0,
  openSample: 0,
  openDialog: 0,
  openFiles: 1,
  getSlice: 3,
  reconstruct: 1,
  cancel: 1,
  exportDicom: 1,
  pacsInfo: 0,
  pacsFindStudies: 1,
  pacsFindSeries: 2,
  pacsRetrieve: 1,
  pacsSend: 1,
  pacsJob: 1,
};

function invalid(message: string) {
  return fail('invalid-request', `Invalid request: ${message.replace(/\.$/, '')}.`);
}

export function createHandlers(deps: HandlerDeps): Handlers {
  // Wraps a method: sender check, argument count, then the body; anything thrown becomes a value.
  function guard<K extends InvokeMethod>(method: K, body: (args: unknown[]) => Promise<Reply<K>> | Reply<K>): Handler<K> {
    return async (args, sender) => {
      if (deps.requireAppOrigin && !isAppOrigin(sender?.url)) {
        return fail('invalid-request', 'Request refused: it did not come from the FLAT Viewer window.');
      }
      if (!Array.isArray(args)) return invalid('arguments must be a list');
      if (args.length > MAX_ARGS[method]) return invalid(`${method} takes at most ${MAX_ARGS[method]} argument(s)`);
      try {
        return await body(args);
      } catch (e) {
        return { ok: false, error: serializeError(e, 'io') };
      }
    };
  }

  const info = async (): Promise<AppInfo> => {
    const status0 = deps.inference.status();
    if (!status0.ready && !status0.modelError) {
      await Promise.race([deps.inference.whenSettled(), new Promise((r) => setTimeout(r, deps.infoWaitMs ?? 5000))]);
    }
    const status = deps.inference.status();
    const card = readModelSummary(deps.modelDir, deps.modelName);
    const modelError = card.error ?? status.modelError?.message;
    const trust = modelError ? undefined : checkModelTrust(deps.modelDir, deps.modelName);
    return {
      version: deps.version,
      host: deps.host,
      model: modelError ? null : card.model,
      ...(modelError ? { modelError } : {}),
      executionProvider: status.executionProvider,
      ...(trust ? { modelVerified: trust.verified } : {}),
      ...(trust?.reason ? { modelTrustNote: `Unverified model: ${trust.reason}` } : {}),
      ...(deps.exports?.target() ? { exportTarget: deps.exports.target()! } : {}),
      ...(deps.exports?.target() === 'folder' && deps.exportArea ? { exportArea: deps.exportArea } : {}),
    };
  };

  const pacs = (): PacsService => {
    if (!deps.pacs) throw new FlatError('invalid-request', 'PACS networking is not available in this host.');
    return deps.pacs;
  };

  const opened = (paths: string[], summary: StudySummary): StudySummary => {
    deps.onOpenedPaths?.(paths);
    return summary;
  };

  return {
    getInfo: guard('getInfo', async () => ok(await info())),

    openSample: guard('openSample', async () => ok(await deps.studies.openSample())),

    openDialog: guard('openDialog', async () => {
      if (!deps.showOpenDialog) return ok(null);
      const paths = await deps.showOpenDialog();
      if (!paths || paths.length === 0) return ok(null);
      return ok(opened(paths, await deps.studies.openPaths(paths)));
    }),

    openFiles: guard('openFiles', async (args) => {
      const files = validateOpenFiles(args[0]);
      if (typeof files === 'string') return invalid(files);
      return ok(await deps.studies.openFiles(files));
    }),

    getSlice: guard('getSlice', (args): Result<SliceImages> => {
      const ss = validateStudySlice(args[0], args[1]);
      if (typeof ss === 'string') return invalid(ss);
      let mask: MaskSpec | undefined;
      if (args[2] !== undefined && args[2] !== null) {
        const m = parseMaskSpec(args[2]);
        if (typeof m === 'string') return invalid(m);
        mask = m;
      }
      return ok(deps.studies.getSlice(ss.studyId, ss.slice, mask));
    }),

    reconstruct: guard('reconstruct', (args) => {
      const req = validateReconRequest(args[0]);
      if (typeof req === 'string') return invalid(req);
      const modelError = deps.inference.status().modelError;
      if (modelError) return { ok: false, error: modelError };
      // Prepared here (cheap: one inverse FFT); the worker gets copies of the arrays.
      const job = deps.studies.prepareRun(req.studyId, req.slice, req.mask);
      return ok({ runId: deps.inference.reconstruct(job) });
    }),

    cancel: guard('cancel', (args) => {
      const runId = validateRunId(args[0]);
      if (runId === null) return invalid('runId is invalid');
      deps.inference.cancel(runId);
      return ok(undefined);
    }),

    exportDicom: guard('exportDicom', async (args) => {
      const req = validateExportRequest(args[0]);
      if (typeof req === 'string') return invalid(req);
      if (!deps.exports?.target()) return fail('invalid-request', 'This host cannot export DICOM series.');
      return ok(await deps.exports.export(req));
    }),

    pacsInfo: guard('pacsInfo', () => ok(deps.pacs?.info() ?? { configured: false, localAeTitle: '', nodes: [], note: 'PACS networking is not available in this host.' })),

    pacsFindStudies: guard('pacsFindStudies', async (args) => {
      const q = validatePacsStudyQuery(args[0]);
      if (typeof q === 'string') return invalid(q);
      return ok(await pacs().findStudies(q));
    }),

    pacsFindSeries: guard('pacsFindSeries', async (args) => {
      const node = validateNodeName(args[0]);
      if (!node) return invalid('node must be the name of a configured PACS node');
      const study = validateUid(args[1]);
      if (!study) return invalid('studyInstanceUid must be a UID (digits and dots)');
      return ok(await pacs().findSeries(node, study));
    }),

    pacsRetrieve: guard('pacsRetrieve', (args) => {
      const req = validatePacsRetrieve(args[0]);
      if (typeof req === 'string') return invalid(req);
      return ok(pacs().retrieve(req));
    }),

    pacsSend: guard('pacsSend', (args) => {
      const req = validatePacsSend(args[0]);
      if (typeof req === 'string') return invalid(req);
      return ok(pacs().send(req));
    }),

    pacsJob: guard('pacsJob', (args) => {
      const jobId = validateRunId(args[0]);
      if (jobId === null) return invalid('jobId is invalid');
      return ok(pacs().job(jobId));
    }),
  };
}
