// Development only (tsx, vitest): worker threads do not inherit tsx's loader hooks on Node 20, so
// a thread started from the TypeScript sources starts here, registers tsx, then imports its module
// (workerData.entry). Bundled builds start the thread's own .js file instead (start.ts).
// workerData.preload: plain JavaScript modules imported BEFORE tsx is registered, so Node loads
// them itself (tsx would transform the 4 MB Emscripten file of h5wasm for seconds); the thread's
// own import of the same URL then gets the cached module.
import { workerData } from 'node:worker_threads';

for (const url of workerData.preload ?? []) await import(url);
const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
