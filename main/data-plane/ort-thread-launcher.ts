// The run supervisor's worker is the ORT thread of this process. onnxruntime's session.run() holds
// the thread's event loop for a whole step, so cancellation cannot be a message: the launcher
// numbers the runs and raises a shared flag to the number of the newest cancelled or superseded
// run; the thread checks it between steps.

import type { WorkerLauncher } from './run-supervisor';
import type { FromThread, ToThread } from './ort-protocol';
import { startThread } from './threads';

export function ortThreadLauncher(from: string = import.meta.url): WorkerLauncher {
  return ({ onMessage, onExit }) => {
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const seqOf = new Map<string, number>();
    let seq = 0;
    const thread = startThread('ort-thread', from);
    let exited = false;
    const exit = (why: string) => {
      if (exited) return;
      exited = true;
      onExit(why);
    };
    thread.on('message', (msg: FromThread) => onMessage(msg));
    thread.on('error', (e) => exit(e instanceof Error ? e.message.split('\n')[0]! : 'error'));
    thread.on('exit', (code) => exit(`exit code ${code}`));
    const post = (msg: ToThread) => thread.postMessage(msg);
    return {
      pid: null,
      send(msg) {
        switch (msg.type) {
          case 'init':
            post({ type: 'init', init: msg.init, cancelFlag });
            break;
          case 'run':
            // a newer run supersedes every older one
            Atomics.store(cancelFlag, 0, seq);
            seq++;
            seqOf.set(msg.job.runId, seq);
            if (seqOf.size > 64) seqOf.delete(seqOf.keys().next().value!);
            post({ type: 'run', job: msg.job, seq });
            break;
          case 'cancel': {
            const s = seqOf.get(msg.runId);
            if (s !== undefined && Atomics.load(cancelFlag, 0) < s) Atomics.store(cancelFlag, 0, s);
            break;
          }
        }
      },
      kill() {
        void thread.terminate();
      },
    };
  };
}
