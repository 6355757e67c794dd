// The Node host in its own process for bench/data-plane.ts, so that nothing the bench itself does
// (Playwright's protocol traffic, which carries upload bodies) runs on the host's event loop. It
// answers {type: 'take'} with the host's event-loop delays (max, p99) since the last take.
import { startRealHost } from '../e2e/host';

const host = await startRealHost({ measureEventLoop: true });
process.send?.({ type: 'ready', url: host.url, token: host.token });
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'take') process.send?.({ type: 'taken', ...host.takeEventLoopDelay() });
  if (m?.type === 'close') void host.close().then(() => process.exit(0));
});
process.on('disconnect', () => void host.close().then(() => process.exit(0)));
