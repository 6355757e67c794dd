// Source of the worker thread that hosts the HDF5 WebAssembly module. It is plain JavaScript run
// with `eval: true`, so it loads the same way under Node, tsx, vitest and Electron, and so the
// 4 MB Emscripten file is loaded by Node itself (tsx would otherwise transform it, ~5 s).
// Protocol: one request at a time on a MessagePort; the reply is posted on the same port and then
// signalled through a shared Int32Array so the caller can wait synchronously (Atomics.wait) with
// a timeout — a corrupt file that sends HDF5 into an endless loop is then abandoned by
// terminating the worker instead of hanging the process.
export const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const { utilUrl, port, ctl } = workerData;
let M = null;
const done = (msg, transfer) => {
  port.postMessage(msg, transfer || []);
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
};
function read(id, path, attr, nbytes, vlenStrings, totalSize) {
  const ptr = M._malloc(Math.max(nbytes, 1));
  if (!ptr) throw new RangeError('cannot allocate ' + nbytes + ' bytes');
  let filled = false;
  try {
    if (attr === null) M.get_dataset_data(id, path, null, null, null, BigInt(ptr));
    else M.get_attribute_data(id, path, attr, BigInt(ptr));
    filled = true;
    if (vlenStrings) {
      const ptrs = new Uint32Array(M.HEAPU8.buffer, ptr, totalSize);
      return { strings: Array.from(ptrs, (p) => (p ? M.UTF8ToString(p) : '')) };
    }
    return { bytes: M.HEAPU8.slice(ptr, ptr + nbytes) };
  } finally {
    if (filled && vlenStrings) M.reclaim_vlen_memory(id, path, attr === null ? '' : attr, BigInt(ptr));
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
port.on('message', (req) => {
  try {
    let result;
    switch (req.op) {
      case 'open': result = M.open(req.path, M.H5F_ACC_RDONLY, false, -1, -1); break;
      case 'close': result = M.close_file(req.id); break;
      case 'call': result = M[req.fn](...req.args); break;
      case 'read': { const r = read(req.id, req.path, req.attr, req.nbytes, req.vlenStrings, req.totalSize); return done({ ok: r }, r.bytes ? [r.bytes.buffer] : []); }
      case 'readVlen': { const r = readVlen(req.id, req.path, req.size, req.count, req.vlens, req.maxBytes); return done({ ok: r }, [r.fixed.buffer, r.blob.buffer]); }
      default: throw new Error('unknown request ' + req.op);
    }
    done({ ok: result });
  } catch (e) {
    const name = e && e.name ? e.name : 'Error';
    const message = e && e.message ? String(e.message) : String(e);
    done({ error: { name, message, fatal: e instanceof WebAssembly.RuntimeError } });
  }
});
import(utilUrl)
  .then((m) => m.default({ noInitialRun: true, print: () => {}, printErr: () => {} }))
  .then((mod) => { M = mod; M.activate_throwing_error_handler(); done({ ok: 'ready' }); })
  .catch((e) => done({ error: { name: 'Error', message: 'the HDF5 library failed to load: ' + String(e && e.message || e), fatal: true } }));
`;
