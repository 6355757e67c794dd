// Reading input files safely: only regular files, size checked before a byte is read, never a
// blocking open. A FIFO, socket or device (/dev/zero, /dev/stdin) given as an input or a mask file
// would otherwise hang the reader or grow memory without end. Every file the core reads from a
// path goes through here (the HDF5 worker applies the same rule to the files HDF5 opens).
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { formatBytes } from '../core/text';
import { fail } from './common';

const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

function openForRead(path: string): number {
  try {
    // O_NONBLOCK: opening a FIFO without a writer must not wait; it is refused just below
    return openSync(path, constants.O_RDONLY | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail('io', path, 'the path does not exist.');
    if (code === 'EACCES' || code === 'EPERM') return fail('io', path, 'the file cannot be read (permission denied).');
    if (code === 'ELOOP') return fail('io', path, 'the path is a loop of symbolic links.');
    return fail('io', path, 'the path cannot be opened.');
  }
}

function requireRegular(path: string, st: Stats): void {
  if (st.isDirectory()) fail('io', path, 'it is a folder, not a file.');
  if (!st.isFile()) fail('io', path, 'it is not a regular file (a FIFO, socket or device); only regular files are read.');
}

/** fstat of a path opened without blocking; refuses anything but a regular file. */
export function statRegularFile(path: string): Stats {
  const fd = openForRead(path);
  try {
    const st = fstatSync(fd);
    requireRegular(path, st);
    return st;
  } finally {
    closeSync(fd);
  }
}

function tooLarge(path: string, size: number, max: number, what: string): never {
  return fail('too-large', path, `the ${what} is ${formatBytes(size)}, over the ${formatBytes(max)} limit.`);
}

/**
 * The whole file, when it is a regular file of at most `maxBytes`. The size is checked on the open
 * descriptor before anything is allocated, and at most that many bytes are read (a file that grows
 * meanwhile, or a /proc file that reports size 0, cannot make the read unbounded).
 */
export function readRegularFile(path: string, maxBytes: number, what = 'file'): Uint8Array {
  const fd = openForRead(path);
  try {
    const st = fstatSync(fd);
    requireRegular(path, st);
    if (st.size > maxBytes) tooLarge(path, st.size, maxBytes, what);
    const out = new Uint8Array(st.size);
    let got = 0;
    while (got < out.length) {
      let n: number;
      try {
        n = readSync(fd, out, got, out.length - got, got);
      } catch {
        return fail('io', path, 'the file cannot be read.');
      }
      if (n === 0) break;
      got += n;
    }
    if (got !== out.length) fail('io', path, 'the file changed while it was read.');
    return out;
  } finally {
    closeSync(fd);
  }
}

/** The first `n` bytes of a regular file (format detection). */
export function readRegularHead(path: string, n = 512): Uint8Array {
  const fd = openForRead(path);
  try {
    requireRegular(path, fstatSync(fd));
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const k = readSync(fd, buf, got, n - got, got);
      if (k === 0) break;
      got += k;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
