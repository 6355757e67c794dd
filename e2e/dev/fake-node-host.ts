// DEV ONLY: exposes the fake host under main/node-host's name for e2e/dev/vitest.dev.config.ts.
import { startFakeHost } from './fake-host';

export function startNodeHost(_opts: { port?: number; staticDir?: string } = {}) {
  return startFakeHost(0);
}
