// The reply shape every host handler returns: plain data or a SerializedError, never a thrown
// exception. Electron's ipcMain.handle would wrap a throw in "Error invoking remote method …"
// and the HTTP transport needs a body either way, so errors travel as values.

import type { SerializedError } from '../../app/contract/ipc';
import { FlatError, toFlatError, type FlatErrorCode } from '../../app/core/errors';

export type Result<T> = { ok: true; result: T } | { ok: false; error: SerializedError };

export function ok<T>(result: T): Result<T> {
  return { ok: true, result };
}

export function fail(code: FlatErrorCode, message: string): { ok: false; error: SerializedError } {
  return { ok: false, error: { code, message } };
}

/** Any thrown value as a SerializedError with one plain sentence (no stack trace). */
export function serializeError(e: unknown, fallback: FlatErrorCode = 'io'): SerializedError {
  const fe: FlatError = toFlatError(e, fallback);
  return fe.toJSON();
}

/** First line only, trimmed and capped: messages from libraries can be long or multi-line. */
export function plainSentence(text: string, max = 300): string {
  const first = text.split('\n')[0]!.trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
