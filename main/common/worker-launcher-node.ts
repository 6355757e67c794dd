// Node adapter of the data-plane process: child_process.fork of the same module Electron starts
// with utilityProcess.fork. 'advanced' serialization carries typed arrays by copy.

import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { ProcessLauncher } from './data-plane';
import type { FromPlane } from './data-plane-protocol';
import { workerModulePath } from './worker-path';

/** `modulePath`: the worker module (default: the TypeScript source, or the bundle beside this file). */
export function nodeWorkerLauncher(modulePath: string = workerModulePath(), options: { quiet?: boolean } = {}): ProcessLauncher {
  // From TypeScript sources (tsx, vitest) the child needs tsx's loader; the bundled .js does not.
  const execArgv = modulePath.endsWith('.ts')
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
    : [];
  return ({ onMessage, onExit }) => {
    const child = fork(modulePath, [], {
      serialization: 'advanced',
      execArgv,
      stdio: ['ignore', 'inherit', options.quiet ? 'ignore' : 'inherit', 'ipc'],
    });
    let exited = false;
    const exit = (reason: string) => {
      if (exited) return;
      exited = true;
      onExit(reason);
    };
    child.on('message', (m) => onMessage(m as FromPlane));
    child.on('exit', (code, signal) => exit(signal ? `signal ${signal}` : `exit code ${code}`));
    child.on('error', (e) => {
      exit(e.message);
      child.kill('SIGKILL');
    });
    return {
      get pid() {
        return child.pid ?? null;
      },
      send(msg) {
        // A failed send means the channel is broken: kill, and the exit handler restarts it.
        if (child.connected) child.send(msg, (err) => err && child.kill('SIGKILL'));
      },
      kill() {
        child.kill('SIGKILL');
      },
    };
  };
}
