// Open an HDF5 input (path or in-memory bytes) for one read, map every failure to a FlatError and
// recover from WASM aborts by discarding the module instance.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlatError } from '../../core/errors';
import { label } from '../common';
import { statRegularFile } from '../safe-read';
import { H5ExternalError, H5File, H5TimeoutError, discardModule, isRuntimeAbort } from './wasm';

const EXTERNAL_SENTENCE = 'it refers to data in another file (HDF5 external storage, an external link or a virtual dataset), which FLAT Viewer never reads.';

export async function withH5<T>(source: string, input: { path: string } | { bytes: Uint8Array }, fn: (f: H5File) => T): Promise<T> {
  let tmpDir: string | undefined;
  let file: H5File | undefined;
  try {
    let path: string;
    let size: number;
    if ('bytes' in input) {
      // the WASM HDF5 library reads through the host file system (NODERAWFS): the bytes go to a
      // private folder (0700, mkdtemp) as a file only we can read (0600), removed afterwards
      tmpDir = mkdtempSync(join(tmpdir(), 'flat-h5-'));
      path = join(tmpDir, 'input.h5');
      writeFileSync(path, input.bytes, { mode: 0o600, flag: 'wx' });
      size = input.bytes.length;
    } else {
      path = input.path;
      size = statRegularFile(path).size;
    }
    try {
      file = await H5File.open(path, size);
    } catch (e) {
      if (isRuntimeAbort(e)) discardModule();
      if (e instanceof H5ExternalError) throw new FlatError('unsupported-content', `${label(source)}: ${EXTERNAL_SENTENCE}`, source);
      throw new FlatError('corrupt-file', `${label(source)}: the HDF5 library could not open it (damaged or not HDF5).`, source);
    }
    return fn(file);
  } catch (e) {
    if (e instanceof FlatError) throw e;
    if (isRuntimeAbort(e)) {
      discardModule();
      file = undefined; // its handle died with the module
    }
    if (e instanceof H5ExternalError) throw new FlatError('unsupported-content', `${label(source)}: ${EXTERNAL_SENTENCE}`, source);
    if (e instanceof H5TimeoutError)
      throw new FlatError('corrupt-file', `${label(source)}: the HDF5 library did not finish reading it; the file is probably damaged.`, source);
    if (e instanceof RangeError && /-byte file/.test(e.message))
      throw new FlatError('corrupt-file', `${label(source)}: a dataset declares more data than the file holds (damaged header).`, source);
    if (e instanceof RangeError && /bytes/.test(e.message))
      throw new FlatError('too-large', `${label(source)}: a dataset is larger than the reader allows.`, source);
    if (e instanceof TypeError && /unsupported HDF5 element type/.test(e.message))
      throw new FlatError('unsupported-content', `${label(source)}: ${e.message}.`, source);
    throw new FlatError('corrupt-file', `${label(source)}: the HDF5 file is damaged or not laid out as expected.`, source);
  } finally {
    file?.close();
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  }
}
