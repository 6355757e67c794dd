// The study reader thread: parses one input at a time (app/formats, including the image-to-k-space
// FFT of image inputs) and hands the Study back with its arrays transferred. A parser that
// crashes, aborts or loops costs this thread only: the reader (reader.ts) terminates and replaces
// it; the process's message port never waits on a parser.

import { parentPort } from 'node:worker_threads';
import { toFlatError } from '../../app/core/errors';
import type { Study } from '../../app/core/types';
import { loadStudy, type StudyInput } from '../../app/formats';

export interface ReadRequest {
  id: number;
  input: StudyInput;
}

export type ReadReply = { id: number; ok: true; study: Study } | { id: number; ok: false; error: { code: string; message: string; file?: string } };

const port = parentPort;
if (!port) throw new Error('reader-thread must run as a worker thread');

/** Every distinct ArrayBuffer under a value (the study's typed arrays), to transfer, not copy. */
export function buffersOf(value: unknown, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) buffersOf(v, out);
  }
  return [...out];
}

port.on('message', (msg: ReadRequest) => {
  loadStudy(msg.input).then(
    (study) => port.postMessage({ id: msg.id, ok: true, study } satisfies ReadReply, buffersOf(study)),
    (e: unknown) => port.postMessage({ id: msg.id, ok: false, error: toFlatError(e, 'corrupt-file').toJSON() } satisfies ReadReply),
  );
});
port.postMessage({ id: 0, ok: true, ready: true });
