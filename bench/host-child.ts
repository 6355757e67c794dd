// The Node host in its own process for bench/data-plane.ts, so that nothing the bench itself does
// (Playwright's protocol traffic, which carries upload bodies) runs on the host's event loop. It
// answers {type: 'take'} with the host's event-loop delays (max, p99) since the last take, and
// with how its latest moment split between its own work and waiting for a CPU (thread-stalls.ts).
import { startRealHost } from '../e2e/host';
import { startStallSampler } from './thread-stalls';

const host = await startRealHost({ measureEventLoop: true });
const stalls = startStallSampler();
process.send?.({ type: 'ready', url: host.url, token: host.token });
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'take') process.send?.({ type: 'taken', ...host.takeEventLoopDelay(), stalls: stalls.take() });
  if (m?.type === 'close') void host.close().then(() => process.exit(0));
});
process.on('disconnect', () => void host.close().then(() => process.exit(0)));
