// One handler per FlatApi method, shared by the Electron IPC layer and the Node host. Each
// validates its payload with the contract's validators (and, in Electron, the sender's origin),
// then routes it: dialogs and staging of uploaded bytes happen here, everything that touches study
// data is a call to the data-plane process (data-plane.ts). Answers are plain data or a
// SerializedError — never a throw.

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
  validateUploadRefs,
} from '../../app/contract/ipc';
import type { MaskSpec } from '../../app/core/types';
import type { DataPlane } from './data-plane';
import { fail, ok, serializeError, type Result } from './result';
import { isAppOrigin } from './security';
import type { UploadStaging } from './upload-staging';

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
  plane: DataPlane;
  staging: UploadStaging;
  /** Electron: every request must come from a frame on app://flat. */
  requireAppOrigin: boolean;
  /** Native open dialog (Electron); absent in the Node host, where openDialog resolves null. */
  showOpenDialog?: () => Promise<string[] | null>;
  /** Told about every study opened from paths (recent files). */
  onOpenedPaths?: (paths: string[]) => void;
  /** How long getInfo waits for the model to load (ms). */
  infoWaitMs?: number;
  /** How DICOM exports pick their folder (absent: exportDicom answers that this host cannot export). */
  exportTarget?: 'dialog' | 'folder';
  /** Electron's save dialog for exports (exportTarget 'dialog'); resolves null when cancelled. */
  chooseExportFolder?: () => Promise<string | null>;
  /** Shown to the reader as the Node host's export area. */
  exportArea?: string;
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
    const plane = await deps.plane.call('info', deps.infoWaitMs ?? 5000);
    return {
      version: deps.version,
      host: deps.host,
      ...plane,
      ...(deps.exportTarget ? { exportTarget: deps.exportTarget } : {}),
      ...(deps.exportTarget === 'folder' && deps.exportArea ? { exportArea: deps.exportArea } : {}),
    };
  };

  const opened = (paths: string[], summary: StudySummary): StudySummary => {
    deps.onOpenedPaths?.(paths);
    return summary;
  };

  const { plane } = deps;

  return {
    getInfo: guard('getInfo', async () => ok(await info())),

    openSample: guard('openSample', async () => ok(await plane.openSample())),

    openDialog: guard('openDialog', async () => {
      if (!deps.showOpenDialog) return ok(null);
      const paths = await deps.showOpenDialog();
      if (!paths || paths.length === 0) return ok(null);
      return ok(opened(paths, await plane.openPaths(paths)));
    }),

    openFiles: guard('openFiles', async (args) => {
      // Node host: names + upload ids (the bytes were streamed to /api/upload); Electron: bytes.
      const isRefs = Array.isArray(args[0]) && args[0].length > 0 && args[0].every((f: unknown) => typeof f === 'object' && f !== null && 'uploadId' in f);
      const refs = isRefs ? validateUploadRefs(args[0]) : null;
      if (typeof refs === 'string') return invalid(refs);
      let staged;
      if (refs) staged = deps.staging.take(refs);
      else {
        const files = validateOpenFiles(args[0]);
        if (typeof files === 'string') return invalid(files);
        staged = deps.staging.stageBytes(files);
      }
      // A staged copy is no input of the study: exports may not write into it, but it is not the user's file either.
      return ok(await plane.openPaths(staged.paths, { name: staged.name, inputPaths: [] }, staged.release));
    }),

    getSlice: guard('getSlice', async (args): Promise<Result<SliceImages>> => {
      const ss = validateStudySlice(args[0], args[1]);
      if (typeof ss === 'string') return invalid(ss);
      let mask: MaskSpec | null = null;
      if (args[2] !== undefined && args[2] !== null) {
        const m = parseMaskSpec(args[2]);
        if (typeof m === 'string') return invalid(m);
        mask = m;
      }
      return ok(await plane.callForStudy(ss.studyId, 'getSlice', ss.studyId, ss.slice, mask));
    }),

    reconstruct: guard('reconstruct', async (args) => {
      const req = validateReconRequest(args[0]);
      if (typeof req === 'string') return invalid(req);
      return ok(await plane.reconstruct(req));
    }),

    cancel: guard('cancel', async (args) => {
      const runId = validateRunId(args[0]);
      if (runId === null) return invalid('runId is invalid');
      await plane.call('cancel', runId);
      return ok(undefined);
    }),

    exportDicom: guard('exportDicom', async (args) => {
      const req = validateExportRequest(args[0]);
      if (typeof req === 'string') return invalid(req);
      if (!deps.exportTarget) return fail('invalid-request', 'This host cannot export DICOM series.');
      let folder: string | null = null;
      if (deps.exportTarget === 'dialog') {
        folder = (await deps.chooseExportFolder?.()) ?? null;
        if (folder === null) return ok(null);
      }
      return ok(await plane.callForStudy(req.studyId, 'exportDicom', req, folder));
    }),

    pacsInfo: guard('pacsInfo', async () => ok(await plane.call('pacsInfo'))),

    pacsFindStudies: guard('pacsFindStudies', async (args) => {
      const q = validatePacsStudyQuery(args[0]);
      if (typeof q === 'string') return invalid(q);
      return ok(await plane.call('pacsFindStudies', q));
    }),

    pacsFindSeries: guard('pacsFindSeries', async (args) => {
      const node = validateNodeName(args[0]);
      if (!node) return invalid('node must be the name of a configured PACS node');
      const study = validateUid(args[1]);
      if (!study) return invalid('studyInstanceUid must be a UID (digits and dots)');
      return ok(await plane.call('pacsFindSeries', node, study));
    }),

    pacsRetrieve: guard('pacsRetrieve', async (args) => {
      const req = validatePacsRetrieve(args[0]);
      if (typeof req === 'string') return invalid(req);
      return ok(await plane.call('pacsRetrieve', req));
    }),

    pacsSend: guard('pacsSend', async (args) => {
      const req = validatePacsSend(args[0]);
      if (typeof req === 'string') return invalid(req);
      return ok(await plane.callForStudy(req.studyId, 'pacsSend', req));
    }),

    pacsJob: guard('pacsJob', async (args) => {
      const jobId = validateRunId(args[0]);
      if (jobId === null) return invalid('jobId is invalid');
      return ok(await plane.call('pacsJob', jobId));
    }),
  };
}
