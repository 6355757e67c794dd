// The control for bench/data-plane.ts: a process that does nothing but keep a 1 ms timer, at the
// host's priority and in the host's session, measured exactly as the host is. Its delays are the
// machine's own floor while the bench runs (other processes holding the CPUs), not anyone's work.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startStallSampler } from './thread-stalls';

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let elu = performance.eventLoopUtilization();
const stalls = startStallSampler();
const keepAlive = setInterval(() => {}, 1000);
process.send?.({ type: 'ready' });
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'take') {
    const now = performance.eventLoopUtilization();
    process.send?.({ type: 'taken', maxMs: loop.max / 1e6, p99Ms: loop.percentile(99) / 1e6, utilization: performance.eventLoopUtilization(now, elu).utilization, stalls: stalls.take() });
    elu = now;
    loop.reset();
  }
  if (m?.type === 'close') {
    clearInterval(keepAlive);
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
