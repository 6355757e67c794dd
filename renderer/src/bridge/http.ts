// FlatApi over the Node host's HTTP + server-sent-events protocol (see app/contract/wire.ts).
// Used when the page is served by the Node host, i.e. when no preload exposed `window.flat`.

import type { FlatApi, ReconEvent } from '../../../app/contract/ipc';
import { decodeWire, encodeWire } from '../../../app/contract/wire';

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

export function createHttpApi(origin: string, token: string): FlatApi {
  const listeners = new Set<(event: ReconEvent) => void>();
  let source: EventSource | null = null;
  let opened: Promise<void> | null = null;

  // One event stream for the page; opened before the first run so no step is missed.
  function ensureEvents(): Promise<void> {
    if (source && opened) return opened;
    const es = new EventSource(`${origin}/api/events?token=${encodeURIComponent(token)}`);
    source = es;
    opened = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, EVENTS_OPEN_TIMEOUT_MS);
      es.addEventListener('open', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    es.onmessage = (msg: MessageEvent<string>) => {
      let event: ReconEvent;
      try {
        event = decodeWire<ReconEvent>(msg.data);
      } catch {
        return; // A malformed frame is dropped; the run's own error/done event still ends it.
      }
      for (const l of listeners) l(event);
    };
    return opened;
  }

  async function invoke<T>(method: Invokable, args: unknown[]): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${origin}/api/invoke/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-flat-token': token },
        body: encodeWire({ args }),
      });
    } catch {
      throw new HostError('io', 'The FLAT Viewer host is not reachable; is it still running?');
    }
    const text = await res.text();
    let reply: InvokeReply;
    try {
      reply = decodeWire<InvokeReply>(text);
    } catch {
      throw new HostError('io', `The host sent an unreadable reply (HTTP ${res.status}).`);
    }
    if (!reply.ok) {
      const message = reply.error?.message?.trim() || `The request failed (HTTP ${res.status}).`;
      throw new HostError(reply.error?.code ?? 'io', message);
    }
    return reply.result as T;
  }

  return {
    getInfo: () => invoke('getInfo', []),
    openSample: () => invoke('openSample', []),
    openDialog: () => invoke('openDialog', []),
    openFiles: (files) => invoke('openFiles', [files]),
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
