// The object the preload exposes as window.flat: exactly FlatApi, built over a minimal IPC
// surface so it can be tested without Electron. Replies are Result values (see common/result);
// errors become Error objects whose message is the plain sentence (and `code` the FlatErrorCode).

import { IPC_CHANNELS, type FlatApi, type ReconEvent, type SerializedError } from '../../app/contract/ipc';

export interface IpcLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

type Reply = { ok: true; result: unknown } | { ok: false; error: SerializedError };

function unwrap<T>(reply: unknown): T {
  const r = reply as Reply;
  if (r && typeof r === 'object' && r.ok === true) return r.result as T;
  const error = r && typeof r === 'object' && r.ok === false ? r.error : { code: 'io', message: 'The app did not answer.' };
  const e = new Error(error.message) as Error & { code?: string };
  e.code = error.code;
  throw e;
}

export function createFlatApi(ipc: IpcLike): FlatApi {
  const call = async <T>(channel: string, ...args: unknown[]): Promise<T> => unwrap<T>(await ipc.invoke(channel, ...args));
  // A frozen object of plain functions: nothing of ipc leaks through contextBridge.
  return Object.freeze({
    getInfo: () => call(IPC_CHANNELS.getInfo),
    openSample: () => call(IPC_CHANNELS.openSample),
    openDialog: () => call(IPC_CHANNELS.openDialog),
    // IPC clones ArrayBuffers, not Blobs: a File is read here, in the preload
    openFiles: async (files: { name: string; bytes: ArrayBuffer | Blob }[]) =>
      call(IPC_CHANNELS.openFiles, await Promise.all(files.map(async (f) => ({ name: f.name, bytes: f.bytes instanceof Blob ? await f.bytes.arrayBuffer() : f.bytes })))),
    getSlice: (studyId: string, slice: number, mask?: Parameters<FlatApi['getSlice']>[2]) =>
      mask === undefined ? call(IPC_CHANNELS.getSlice, studyId, slice) : call(IPC_CHANNELS.getSlice, studyId, slice, mask),
    reconstruct: (request: Parameters<FlatApi['reconstruct']>[0]) => call(IPC_CHANNELS.reconstruct, request),
    cancel: (runId: string) => call(IPC_CHANNELS.cancel, runId),
    exportDicom: (request: Parameters<FlatApi['exportDicom']>[0]) => call(IPC_CHANNELS.exportDicom, request),
    pacsInfo: () => call(IPC_CHANNELS.pacsInfo),
    pacsFindStudies: (query: Parameters<FlatApi['pacsFindStudies']>[0]) => call(IPC_CHANNELS.pacsFindStudies, query),
    pacsFindSeries: (node: string, studyInstanceUid: string) => call(IPC_CHANNELS.pacsFindSeries, node, studyInstanceUid),
    pacsRetrieve: (request: Parameters<FlatApi['pacsRetrieve']>[0]) => call(IPC_CHANNELS.pacsRetrieve, request),
    pacsSend: (request: Parameters<FlatApi['pacsSend']>[0]) => call(IPC_CHANNELS.pacsSend, request),
    pacsJob: (jobId: string) => call(IPC_CHANNELS.pacsJob, jobId),
    onReconEvent(listener: (event: ReconEvent) => void): () => void {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      // The IpcRendererEvent (which holds `sender`) is never passed on.
      const wrapped = (_event: unknown, payload: unknown) => listener(payload as ReconEvent);
      ipc.on(IPC_CHANNELS.reconEvent, wrapped);
      return () => {
        ipc.removeListener(IPC_CHANNELS.reconEvent, wrapped);
      };
    },
  }) as FlatApi;
}
