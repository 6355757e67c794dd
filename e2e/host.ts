// The real Node host (main/node-host) serving the built renderer, started in-process for the e2e
// specs and the UI bench. It runs the real worker, model and bundled sample.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeHost } from '../main/node-host/server';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RENDERER_DIR = join(REPO_ROOT, 'dist/renderer');

export type RunningHost = Awaited<ReturnType<typeof startNodeHost>>;

/** `exportArea`: where the host writes DICOM exports (the export spec gives a temp folder). */
export async function startRealHost(options: { exportArea?: string; measureEventLoop?: boolean } = {}): Promise<RunningHost> {
  if (!existsSync(join(RENDERER_DIR, 'index.html')))
    throw new Error('dist/renderer is missing: run `npm run build:renderer` first (npm run test:e2e does).');
  return startNodeHost({ port: 0, staticDir: RENDERER_DIR, ...options });
}
