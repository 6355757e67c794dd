// Why an event loop was late: a 1 ms timer on the thread being measured reads the kernel's
// per-thread scheduler accounting (/proc/thread-self/schedstat: ns on a CPU, ns waiting in the run
// queue) at every tick. A tick that arrives late splits into the thread's own work (running) and
// waiting for a CPU other processes held (run queue); the rest is sleep. Linux only; elsewhere
// `available` is false. Bench-only: nothing in the product reads it.

import { readFileSync } from 'node:fs';

export interface StallReport {
  available: boolean;
  /** The latest tick (ms beyond its 1 ms period), and how it split. */
  longestLateMs: number;
  longestLateRunningMs: number;
  longestLateWaitingMs: number;
  /** The longest stretch the thread itself ran without reaching its timers (its own blocking). */
  longestRunningMs: number;
}

function schedstat(): [number, number] | null {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? [run!, wait!] : null;
  } catch {
    return null;
  }
}

export function startStallSampler(): { take(): StallReport; stop(): void } {
  const available = process.platform === 'linux' && schedstat() !== null;
  let report: StallReport;
  const reset = () => {
    report = { available, longestLateMs: 0, longestLateRunningMs: 0, longestLateWaitingMs: 0, longestRunningMs: 0 };
  };
  reset();
  let last = performance.now();
  let lastStat = available ? schedstat() : null;
  const timer = setInterval(() => {
    const now = performance.now();
    const stat = available ? schedstat() : null;
    const lateMs = Math.max(0, now - last - 1);
    if (stat && lastStat) {
      const runningMs = (stat[0] - lastStat[0]) / 1e6;
      const waitingMs = (stat[1] - lastStat[1]) / 1e6;
      if (lateMs > report.longestLateMs) {
        report.longestLateMs = lateMs;
        report.longestLateRunningMs = runningMs;
        report.longestLateWaitingMs = waitingMs;
      }
      report.longestRunningMs = Math.max(report.longestRunningMs, runningMs);
    } else {
      report.longestLateMs = Math.max(report.longestLateMs, lateMs);
    }
    last = now;
    lastStat = stat;
  }, 1);
  timer.unref();
  return {
    take() {
      const r = report;
      reset();
      return r;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
