// Running the Node host as a program (`npm start` without Electron): stop cleanly on SIGTERM,
// SIGINT and SIGHUP, and never outlive a signal — when a clean close takes longer than the grace
// period, exit anyway.

import type { NodeHost } from './server';

export const SHUTDOWN_GRACE_MS = 5000;

export function stopOnSignals(host: NodeHost, graceMs = SHUTDOWN_GRACE_MS): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write(`FLAT Viewer: stopping took longer than ${graceMs / 1000} s after ${signal}; exiting now.\n`);
      process.exit(1);
    }, graceMs);
    force.unref();
    host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, () => stop(s));
}
