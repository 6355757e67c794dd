// Development only (tsx, vitest): worker threads do not inherit tsx's loader hooks on Node 20, so
// a thread started from the TypeScript sources starts here, registers tsx, then imports its module
// (workerData.entry). Bundled builds start the thread's own .js file instead (threads.ts).
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
