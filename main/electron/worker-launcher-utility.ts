// Electron adapter of the data-plane process: utilityProcess.fork of the bundled
// dist/main/data-plane-process.js (the module the Node host forks with child_process).

import { utilityProcess } from 'electron';
import type { ProcessLauncher } from '../common/data-plane';
import type { FromPlane } from '../common/data-plane-protocol';

export function utilityWorkerLauncher(modulePath: string): ProcessLauncher {
  return ({ onMessage, onExit }) => {
    const child = utilityProcess.fork(modulePath, [], { serviceName: 'FLAT Viewer data plane', stdio: 'inherit' });
    let exited = false;
    child.on('message', (m: unknown) => onMessage(m as FromPlane));
    child.on('exit', (code: number) => {
      if (exited) return;
      exited = true;
      onExit(`exit code ${code}`);
    });
    return {
      get pid() {
        return child.pid ?? null;
      },
      send(msg) {
        child.postMessage(msg);
      },
      kill() {
        child.kill();
      },
    };
  };
}
