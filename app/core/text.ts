// Text that reaches a user (messages, stderr, JSON notes): names from the file system or from a
// file's header are untrusted, so control characters, ANSI escapes and bidi overrides are shown
// escaped instead of acting on the terminal or reordering the sentence; sizes read like a person
// would write them.

/** C0/C1 controls, DEL, bidi embeddings/overrides/isolates, line/paragraph separators, BOM. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** `s` with every unsafe character shown as \u{XX}; at most `max` characters. Linear time. */
export function sanitizeText(s: string, max = 400): string {
  const clean = s.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A message for one line of output: unsafe characters escaped (newlines too). */
export function oneLine(s: string, max = 600): string {
  return sanitizeText(s, max);
}

/** 100 KB → "97.7 KiB", 3 GB → "2.79 GiB", 12 → "12 bytes". Never "0 MiB" for a non-zero size. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return `${n} bytes`;
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${Number(v.toFixed(digits))} ${units[u]}`;
}
