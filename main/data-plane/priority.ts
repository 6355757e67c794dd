// The data plane works in the background: under CPU contention the processes the reader interacts
// with (the Electron main process or Node host, and the renderer) must win, or a parse delays the
// event loop that routes the slider's frames. Lowering the whole process to "below normal" does
// that; on a quiet machine it costs nothing. A process started lower still (nice 19) stays there.
//
// Linux keeps the nice value per thread (setpriority on a pid changes only that thread), so every
// thread already running is lowered; threads started later (reader, ORT, libuv pool) inherit it
// from the thread that creates them.

import { readdirSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';

export const BACKGROUND_PRIORITY = constants.priority.PRIORITY_BELOW_NORMAL;

/** Sets a thread (0: this one) to below normal unless it already runs lower: never raises it. */
function lower(tid: number): boolean {
  if (getPriority(tid) >= BACKGROUND_PRIORITY) return false;
  setPriority(tid, BACKGROUND_PRIORITY);
  return true;
}

/** Lowers this process's CPU priority; returns how many threads it changed (0 when not allowed). */
export function lowerOwnPriority(): number {
  if (process.platform === 'linux') {
    let tids: string[];
    try {
      tids = readdirSync('/proc/self/task');
    } catch {
      tids = [];
    }
    let changed = 0;
    for (const tid of tids) {
      if (!/^\d+$/.test(tid)) continue;
      try {
        if (lower(Number(tid))) changed += 1;
      } catch {
        // A thread that ended meanwhile, or a sandbox that forbids it: stay at normal priority.
      }
    }
    return changed;
  }
  try {
    return lower(0) ? 1 : 0;
  } catch {
    return 0;
  }
}
