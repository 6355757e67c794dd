// Typed errors of the core. The UI and the CLI show `message` as one plain sentence; `code` lets
// callers react without parsing text. Never throw a bare Error for bad user input.
// Messages are made safe for a terminal here, once for every caller: file names and header text
// are untrusted, so control characters, escapes and bidi overrides are shown escaped (one line).
import { sanitizeText } from './text';

export type FlatErrorCode =
  | 'unsupported-format' // we do not read this kind of file
  | 'corrupt-file' // the file is damaged or truncated
  | 'invalid-shape' // dimensions are wrong or inconsistent
  | 'too-large' // over a reader limit (bytes, dimensions, slices)
  | 'invalid-data' // NaN/Inf or otherwise unusable values
  | 'unsupported-content' // a valid file with content we refuse (non-Cartesian, compressed DICOM …)
  | 'model-mismatch' // model file does not match its card (sha256) or is unusable
  | 'inference-failed' // the inference process failed or died
  | 'cancelled' // the user (or a newer request) cancelled the run
  | 'invalid-request' // an IPC or CLI request failed validation
  | 'io' // cannot read or write a path
  | 'network'; // a DICOM network peer (PACS) refused, timed out, was unreachable or went away

export class FlatError extends Error {
  override readonly name = 'FlatError';
  constructor(
    readonly code: FlatErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(sanitizeText(message, 1000));
  }

  /** Plain, serialisable form for IPC and JSON output. */
  toJSON(): { code: FlatErrorCode; message: string; file?: string } {
    return this.file === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, file: this.file };
  }
}

export function isFlatError(e: unknown): e is FlatError {
  return e instanceof FlatError;
}

/** Turn anything thrown into a FlatError, keeping typed ones, so no stack trace reaches a user. */
export function toFlatError(e: unknown, fallback: FlatErrorCode = 'corrupt-file', file?: string): FlatError {
  if (e instanceof FlatError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new FlatError(fallback, `${file ? `${file}: ` : ''}${detail}`, file);
}
