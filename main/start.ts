// `npm start`: the Electron app when an Electron binary is installed, else the Node host (the same
// UI in a browser). Builds the renderer first when dist/renderer is missing.
//   tsx main/start.ts [--port N]

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { installedElectronBinary } from './common/electron-binary';
import { DEFAULT_PATHS, REPO_ROOT } from './common/paths';


function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
}

async function ensureRenderer(): Promise<void> {
  if (existsSync(path.join(DEFAULT_PATHS.staticDir, 'index.html'))) return;
  process.stdout.write('Building the renderer (npm run build:renderer)…\n');
  const code = await run('npm', ['run', 'build:renderer']);
  if (code !== 0) throw new Error('the renderer build failed (npm run build:renderer)');
}

function portArg(argv: string[]): number {
  const i = argv.indexOf('--port');
  if (i < 0) return 0;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port needs a number from 0 to 65535`);
  return n;
}

async function main(): Promise<void> {
  const port = portArg(process.argv.slice(2));
  await ensureRenderer();
  // found without require('electron'), which would try to download a missing binary
  const electron = installedElectronBinary();
  if (electron) {
    const { buildElectron } = await import('./build-electron');
    await buildElectron();
    process.exitCode = await run(electron, [REPO_ROOT]);
    return;
  }
  const { startNodeHost } = await import('./node-host/server');
  const { stopOnSignals } = await import('./node-host/lifecycle');
  const host = await startNodeHost({ port });
  stopOnSignals(host);
  process.stdout.write(`FLAT Viewer is running at ${host.url} (no Electron binary here: open this URL in a browser)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`FLAT Viewer could not start: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  process.exit(1);
});
