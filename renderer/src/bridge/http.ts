// FlatApi over the Node host's HTTP protocol (see app/contract/wire.ts): binary frames for calls
// and replies, raw bytes for uploads, and a stream of length-prefixed frames for events. Images
// arrive as typed views onto the received buffer (no base64, no per-array copy). Used when the
// page is served by the Node host, i.e. when no preload exposed `window.flat`.

import type { FlatApi, ReconEvent } from '../../../app/contract/ipc';
import { decodeFrame, encodeFrame, FrameSplitter, WIRE_CONTENT_TYPE } from '../../../app/contract/wire';

type Invokable = Exclude<keyof FlatApi, 'onReconEvent'>;

interface InvokeReply {
  ok: boolean;
  result?: unknown;
  error?: { code?: string; message?: string };
}

export class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const EVENTS_OPEN_TIMEOUT_MS = 5000;

/** Reconnect delay of the event stream after it drops. */
const EVENTS_RETRY_MS = 2000;

export function createHttpApi(origin: string, token: string): FlatApi {
  const listeners = new Set<(event: ReconEvent) => void>();
  let opened: Promise<void> | null = null;

  // One event stream for the page, opened before the first run so no step is missed; reopened
  // after a drop (events of that gap are lost; the run's own end still comes or times out).
  function ensureEvents(): Promise<void> {
    if (opened) return opened;
    opened = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, EVENTS_OPEN_TIMEOUT_MS);
      const connect = (): void => {
        fetch(`${origin}/api/events?token=${encodeURIComponent(token)}`, { cache: 'no-store' })
          .then(async (res) => {
            if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
            clearTimeout(timer);
            resolve();
            const reader = res.body.getReader();
            const split = new FrameSplitter();
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              for (const frame of split.push(value)) {
                if (frame.byteLength === 0) continue; // ping
                let event: ReconEvent;
                try {
                  event = decodeFrame<ReconEvent>(frame);
                } catch {
                  continue; // A malformed frame is dropped; the run's own error/done event still ends it.
                }
                for (const l of listeners) l(event);
              }
            }
          })
          .catch(() => undefined)
          .finally(() => setTimeout(connect, EVENTS_RETRY_MS));
      };
      connect();
    });
    return opened;
  }

  async function reply<T>(res: Response): Promise<T> {
    let r: InvokeReply;
    try {
      r = decodeFrame<InvokeReply>(await res.arrayBuffer());
    } catch {
      throw new HostError('io', `The host sent an unreadable reply (HTTP ${res.status}).`);
    }
    if (!r.ok) {
      const message = r.error?.message?.trim() || `The request failed (HTTP ${res.status}).`;
      throw new HostError(r.error?.code ?? 'io', message);
    }
    return r.result as T;
  }

  async function invoke<T>(method: Invokable, args: unknown[]): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${origin}/api/invoke/${method}`, {
        method: 'POST',
        headers: { 'content-type': WIRE_CONTENT_TYPE, 'x-flat-token': token },
        body: encodeFrame({ args }) as Uint8Array<ArrayBuffer>,
      });
    } catch {
      throw new HostError('io', 'The FLAT Viewer host is not reachable; is it still running?');
    }
    return reply<T>(res);
  }

  /** One file's bytes as they are (the host stages them); its upload id. A File goes up from disk, unread by the page. */
  async function upload(file: { name: string; bytes: ArrayBuffer | Blob }): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${origin}/api/upload?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'x-flat-token': token },
        body: file.bytes,
      });
    } catch {
      throw new HostError('io', 'The FLAT Viewer host is not reachable; is it still running?');
    }
    return (await reply<{ uploadId: string }>(res)).uploadId;
  }

  return {
    getInfo: () => invoke('getInfo', []),
    openSample: () => invoke('openSample', []),
    openDialog: () => invoke('openDialog', []),
    openFiles: async (files) => {
      const refs: { name: string; uploadId: string }[] = [];
      for (const f of files) refs.push({ name: f.name, uploadId: await upload(f) });
      return invoke('openFiles', [refs]);
    },
    getSlice: (studyId, slice, mask) => invoke('getSlice', mask ? [studyId, slice, mask] : [studyId, slice]),
    reconstruct: async (request) => {
      await ensureEvents();
      return invoke('reconstruct', [request]);
    },
    cancel: (runId) => invoke('cancel', [runId]),
    exportDicom: async (request) => {
      await ensureEvents(); // progress events
      return invoke('exportDicom', [request]);
    },
    pacsInfo: () => invoke('pacsInfo', []),
    pacsFindStudies: (query) => invoke('pacsFindStudies', [query]),
    pacsFindSeries: (node, studyInstanceUid) => invoke('pacsFindSeries', [node, studyInstanceUid]),
    pacsRetrieve: (request) => invoke('pacsRetrieve', [request]),
    pacsSend: (request) => invoke('pacsSend', [request]),
    pacsJob: (jobId) => invoke('pacsJob', [jobId]),
    onReconEvent: (listener) => {
      listeners.add(listener);
      void ensureEvents();
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
