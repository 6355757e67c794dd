// The data plane's threads start like every thread of the app (app/threads/start.ts).
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { startThread as start } from '../../app/threads/start';

/** `name`: ort-thread or reader-thread, beside `from` (this folder's sources, or dist/main). */
export function startThread(name: string, from: string, workerData: Record<string, unknown> = {}, resourceLimits?: ResourceLimits): Worker {
  return start(name, from, { workerData, ...(resourceLimits ? { resourceLimits } : {}) });
}
