// Electron adapter of the inference worker: utilityProcess.fork of the bundled
// dist/main/inference-process.js (the module the Node host forks with child_process).

import { utilityProcess } from 'electron';
import type { WorkerLauncher } from '../common/inference-manager';
import type { FromWorker } from '../common/worker-protocol';

export function utilityWorkerLauncher(modulePath: string): WorkerLauncher {
  return ({ onMessage, onExit }) => {
    const child = utilityProcess.fork(modulePath, [], { serviceName: 'FLAT Viewer inference', stdio: 'inherit' });
    let exited = false;
    child.on('message', (m: unknown) => onMessage(m as FromWorker));
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
