// This thread's event loop since the last take: delays (perf_hooks histogram at 1 ms: longest and
// 99th percentile, in ms) and the share of time spent running callbacks. The Node host keeps one
// when asked (measureEventLoop, for the bench); the bench's control process keeps the same one.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface EventLoopDelay {
  maxMs: number;
  p99Ms: number;
  utilization: number;
}

export function startEventLoopMeter(): { take(): EventLoopDelay; stop(): void } {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let elu = performance.eventLoopUtilization();
  return {
    take() {
      const now = performance.eventLoopUtilization();
      const r = { maxMs: loop.max / 1e6, p99Ms: loop.percentile(99) / 1e6, utilization: performance.eventLoopUtilization(now, elu).utilization };
      elu = now;
      loop.reset();
      return r;
    },
    stop() {
      loop.disable();
    },
  };
}
