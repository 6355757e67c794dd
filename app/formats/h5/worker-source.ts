// Source of the worker thread that hosts the HDF5 WebAssembly module. It is plain JavaScript run
// with `eval: true`, so it loads the same way under Node, tsx, vitest and Electron, and so the
// 4 MB Emscripten file is loaded by Node itself (tsx would otherwise transform it, ~5 s).
// Protocol: one request at a time on a MessagePort; the reply is posted on the same port and then
// signalled through a shared Int32Array so the caller can wait synchronously (Atomics.wait) with
// a timeout — a corrupt file that sends HDF5 into an endless loop is then abandoned by
// terminating the worker instead of hanging the process.
// File access: HDF5 may open exactly the files we opened on purpose, read-only, and only when they
// are regular files. External storage (EFL), external links and virtual datasets make HDF5 open
// other paths: every such open is refused here, in the one place all file access goes through
// (Emscripten's FS.open), and the request fails with H5ExternalError. A regular file is checked
// on a non-blocking descriptor and then reopened through /proc/self/fd (Linux), so a FIFO or a
// device can never block the worker in open() or read().
export const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const nodePath = require('node:path');
const { utilUrl, port, ctl } = workerData;
let M = null;
const allowed = new Map(); // real path → open count
let refused = [];
const done = (msg, transfer) => {
  port.postMessage(msg, transfer || []);
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
};
function external(what) {
  const e = new Error(what);
  e.name = 'H5ExternalError';
  return e;
}
const TMPFILE = /^\/tmp\/tmpfile_[A-Za-z0-9]{6}$/;
function guardFileSystem() {
  const FS = M.FS;
  const open = FS.open;
  // Refused opens of data (read-only, not a folder) are what external storage, external links and
  // virtual datasets do; HDF5 also probes plugin folders and temp files on damaged input: those are
  // refused too, but quietly (the request fails or not on its own).
  const deny = (p, data) => {
    if (data) refused.push(String(p).slice(0, 200));
    throw new FS.ErrnoError(data ? 2 : 44);
  };
  FS.open = function (path, flags, mode) {
    const p = typeof path === 'string' ? nodePath.resolve(path) : '';
    const writes = typeof flags !== 'number' || (flags & (1 | 2 | 64 | 512 | 1024)) !== 0;
    const folder = typeof flags === 'number' && (flags & 65536) !== 0;
    // h5wasm turns HDF5's error stack into an exception through tmpfile(): a NEW file, created
    // exclusively (O_CREAT|O_EXCL: never through an existing file or link) and unlinked at once.
    // Refusing it makes the C library retry names for seconds on every damaged file.
    if (typeof flags === 'number' && (flags & (64 | 128)) === (64 | 128) && TMPFILE.test(p)) return open.call(this, path, flags, mode);
    if (!allowed.has(p)) return deny(p, !writes && !folder);
    // read-only: no O_WRONLY/O_RDWR, O_CREAT, O_TRUNC, O_APPEND
    if (writes || folder) return deny(p, false);
    let fd;
    try {
      fd = fs.openSync(p, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0));
    } catch (e) {
      throw new FS.ErrnoError(44);
    }
    try {
      if (!fs.fstatSync(fd).isFile()) return deny(p, true);
      // the very inode we checked, never a file swapped in since
      return open.call(this, process.platform === 'linux' ? '/proc/self/fd/' + fd : p, flags, mode);
    } finally {
      fs.closeSync(fd);
    }
  };
  // HDF5 prints some error stacks (EFL failures) straight to fd 2 through the raw file system:
  // never into our output
  const write = FS.write;
  FS.write = function (stream, buffer, offset, length, position, canOwn) {
    if (stream && (stream.fd === 1 || stream.fd === 2)) return length;
    return write.call(this, stream, buffer, offset, length, position, canOwn);
  };
}
const utf8 = new TextDecoder('utf-8');
// Variable-length strings: HDF5 allocated them; measure each (bounded NUL search) against what
// is left of maxBytes before decoding, so a 1 GB header string is refused, not copied.
function vlenStrings(ptr, count, maxBytes) {
  const heap = M.HEAPU8;
  const ptrs = new Uint32Array(heap.buffer, ptr, count);
  let left = maxBytes;
  const out = [];
  for (const p of ptrs) {
    if (!p) { out.push(''); continue; }
    const stop = Math.min(heap.length, p + left + 1);
    let e = p;
    while (e < stop && heap[e] !== 0) e++;
    if (e - p > left) throw new RangeError('variable-length strings need more than ' + maxBytes + ' bytes');
    left -= e - p;
    out.push(utf8.decode(heap.subarray(p, e)));
  }
  return out;
}
function read(id, path, attr, nbytes, vlenStrings_, totalSize, maxBytes) {
  const ptr = M._malloc(Math.max(nbytes, 1));
  if (!ptr) throw new RangeError('cannot allocate ' + nbytes + ' bytes');
  let filled = false;
  try {
    if (attr === null) M.get_dataset_data(id, path, null, null, null, BigInt(ptr));
    else M.get_attribute_data(id, path, attr, BigInt(ptr));
    filled = true;
    if (vlenStrings_) return { strings: vlenStrings(ptr, totalSize, maxBytes) };
    return { bytes: M.HEAPU8.slice(ptr, ptr + nbytes) };
  } finally {
    if (filled && vlenStrings_) M.reclaim_vlen_memory(id, path, attr === null ? '' : attr, BigInt(ptr));
    M._free(ptr);
  }
}
// A compound dataset with variable-length members: copy the fixed part, gather every vlen
// payload into one blob and rewrite each {length, pointer} pair as {length, blob offset}.
function readVlen(id, path, size, count, vlens, maxBytes) {
  const nbytes = size * count;
  const ptr = M._malloc(Math.max(nbytes, 1));
  if (!ptr) throw new RangeError('cannot allocate ' + nbytes + ' bytes');
  let filled = false;
  try {
    M.get_dataset_data(id, path, null, null, null, BigInt(ptr));
    filled = true;
    const heap = M.HEAPU8;
    const dv = new DataView(heap.buffer);
    const fixed = heap.slice(ptr, ptr + nbytes);
    const fdv = new DataView(fixed.buffer);
    let total = 0;
    for (let i = 0; i < count; i++)
      for (const v of vlens) total += dv.getUint32(ptr + i * size + v.offset, true) * v.elem;
    if (total > maxBytes) throw new RangeError('variable-length data needs ' + total + ' bytes');
    const blob = new Uint8Array(total);
    let o = 0;
    for (let i = 0; i < count; i++)
      for (const v of vlens) {
        const at = ptr + i * size + v.offset;
        const n = dv.getUint32(at, true) * v.elem;
        const p = dv.getUint32(at + 4, true);
        if (n > 0) {
          if (p + n > heap.length) throw new RangeError('variable-length data outside the heap (bytes)');
          blob.set(heap.subarray(p, p + n), o);
        }
        fdv.setUint32(i * size + v.offset + 4, o, true);
        o += n;
      }
    return { fixed, blob };
  } finally {
    if (filled) M.reclaim_vlen_memory(id, path, '', BigInt(ptr));
    M._free(ptr);
  }
}
const openPaths = new Map(); // file id → path
function openFile(path) {
  allowed.set(path, (allowed.get(path) || 0) + 1);
  let id = -1n;
  try {
    id = M.open(path, M.H5F_ACC_RDONLY, false, -1, -1);
    return id;
  } finally {
    if (typeof id === 'bigint' && id >= 0n) openPaths.set(String(id), path);
    else release(path);
  }
}
function release(path) {
  const n = (allowed.get(path) || 0) - 1;
  if (n > 0) allowed.set(path, n);
  else allowed.delete(path);
}
function closeFile(id) {
  const path = openPaths.get(String(id));
  openPaths.delete(String(id));
  try {
    return M.close_file(id);
  } finally {
    if (path !== undefined) release(path);
  }
}
function call(fn, args) {
  const r = M[fn](...args);
  if (fn === 'get_type' && r === M.H5G_UDLINK) throw external('an external link');
  if (fn === 'get_dataset_metadata' && r && Array.isArray(r.virtual_sources) && r.virtual_sources.length > 0) throw external('a virtual dataset');
  return r;
}
port.on('message', (req) => {
  refused = [];
  try {
    let result;
    switch (req.op) {
      case 'open': result = openFile(req.path); break;
      case 'close': result = closeFile(req.id); break;
      case 'call': result = call(req.fn, req.args); break;
      case 'read': { const r = read(req.id, req.path, req.attr, req.nbytes, req.vlenStrings, req.totalSize, req.maxBytes); return done({ ok: r }, r.bytes ? [r.bytes.buffer] : []); }
      case 'readVlen': { const r = readVlen(req.id, req.path, req.size, req.count, req.vlens, req.maxBytes); return done({ ok: r }, [r.fixed.buffer, r.blob.buffer]); }
      default: throw new Error('unknown request ' + req.op);
    }
    // HDF5 may swallow a refused open (e.g. get_type falls back to the link itself): still refuse
    if (refused.length > 0 && req.op !== 'close') throw external('HDF5 tried to open another file');
    done({ ok: result });
  } catch (e) {
    if (refused.length > 0 && req.op !== 'close') e = external('HDF5 tried to open another file');
    const name = e && e.name ? e.name : 'Error';
    const message = e && e.message ? String(e.message) : String(e);
    done({ error: { name, message, fatal: e instanceof WebAssembly.RuntimeError } });
  }
});
import(utilUrl)
  .then((m) => m.default({ noInitialRun: true, print: () => {}, printErr: () => {} }))
  .then((mod) => { M = mod; guardFileSystem(); M.activate_throwing_error_handler(); done({ ok: 'ready' }); })
  .catch((e) => done({ error: { name: 'Error', message: 'the HDF5 library failed to load: ' + String(e && e.message || e), fatal: true } }));
`;
