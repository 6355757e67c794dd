// The control for bench/data-plane.ts: a process that does nothing but keep a 1 ms timer, at the
// host's priority and in the host's session, measured exactly as the host is (the same meter and
// stall sampler). Its delays are the machine's own floor while the bench runs (other processes
// holding the CPUs), not anyone's work.
import { startEventLoopMeter } from '../main/node-host/event-loop-meter';
import { startStallSampler } from './thread-stalls';

const loop = startEventLoopMeter();
const stalls = startStallSampler();
const keepAlive = setInterval(() => {}, 1000);
process.send?.({ type: 'ready' });
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'take') process.send?.({ type: 'taken', ...loop.take(), stalls: stalls.take() });
  if (m?.type === 'close') {
    clearInterval(keepAlive);
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
