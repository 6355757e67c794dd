// Issue 9 end to end: the slice on screen is reconstructed first, then its neighbours (±1, ±2) one
// at a time in the background without changing what is shown; moving to a reconstructed neighbour
// shows its final image with no new `reconstruct` request; moving while the background works
// cancels it at once. Debian Chromium against the real Node host (real worker, model and the
// bundled 6-slice sample). The host's requests are read from the page's network traffic.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrame } from '../app/contract/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { REPO_ROOT, startRealHost, type RunningHost } from './host';
import { canvasStats, inPage, waitForRunEnd } from './page-probes';

const ARTIFACTS = join(REPO_ROOT, 'e2e/artifacts');

let host: RunningHost;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const pageErrors: string[] = [];
/** Every reconstruct request's slice and every cancel request, in the order the page sent them. */
const traffic: ({ kind: 'reconstruct'; slice: number } | { kind: 'cancel' })[] = [];

const tid = (id: string) => page.locator(`[data-testid="${id}"]`);
const reconstructs = (): number[] => traffic.flatMap((t) => (t.kind === 'reconstruct' ? [t.slice] : []));

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

async function sliceShown(): Promise<number> {
  return Number(/slice (\d+)\//.exec(await tid('slice-label').innerText())?.[1]) - 1;
}

async function focusImage(): Promise<void> {
  await tid('viewport-step').click({ position: { x: 60, y: 120 } });
}

async function waitNeighbours(status: string, timeout = 180_000): Promise<void> {
  await page.locator(`[data-testid="neighbours"][data-status="${status}"]`).waitFor({ timeout });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  host = await startRealHost();
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.setViewportSize({ width: 1400, height: 900 });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => {
    const url = r.url();
    if (url.includes('/api/invoke/reconstruct')) {
      const raw = r.postDataBuffer();
      const body = raw ? decodeFrame<{ args?: { slice?: number }[] }>(new Uint8Array(raw)) : {};
      traffic.push({ kind: 'reconstruct', slice: Number(body.args?.[0]?.slice) });
    } else if (url.includes('/api/invoke/cancel')) traffic.push({ kind: 'cancel' });
  });
  await page.goto(host.url);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('slices: visible first, neighbours in the background, cached results', () => {
  let middle = 0;
  let steps = 0;

  it('after the visible slice finishes, its neighbours are reconstructed one at a time without changing the view', async () => {
    const end = await waitForRunEnd(page);
    expect(end).toEqual({ status: 'done', banner: '' });
    steps = Number(/step \d+\/(\d+)/.exec(await tid('progress').innerText())?.[1]);
    middle = await sliceShown();
    const slices = Number(/\/\s*(\d+)/.exec(await tid('slice-readout').innerText())?.[1]);
    expect(slices).toBeGreaterThanOrEqual(5); // the sample has room for ±2
    const shownId = await tid('viewport-step').getAttribute('data-image-id');
    const shownPixels = (await canvasStats(page))!;
    await waitNeighbours('done');
    expect([await tid('neighbours').getAttribute('data-ready'), await tid('neighbours').getAttribute('data-total')]).toEqual(['4', '4']);
    expect(await tid('neighbours').innerText()).toBe('neighbours: 4/4 ready');
    // the visible slice first, then +1, −1, +2, −2: one request each, nothing else
    expect(reconstructs()).toEqual([middle, middle + 1, middle - 1, middle + 2, middle - 2]);
    // what is shown did not change while they ran
    expect(await sliceShown()).toBe(middle);
    expect(await tid('viewport-step').getAttribute('data-image-id')).toBe(shownId);
    expect((await canvasStats(page))!.samples).toEqual(shownPixels.samples);
    expect(await tid('step-readout').innerText()).toContain(`step ${steps}/${steps}`);
    await shot('nb-01-neighbours-ready');
  });

  it('moving to a cached neighbour shows its final image at once with no new reconstruct request', async () => {
    const before = traffic.length;
    const oldId = await tid('viewport-step').getAttribute('data-image-id');
    await focusImage();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => sliceShown(), { timeout: 5_000 }).toBe(middle + 1);
    await expect.poll(() => tid('viewport-step').getAttribute('data-image-id'), { timeout: 5_000 }).not.toBe(oldId);
    expect(await tid('progress').getAttribute('data-status')).toBe('done');
    expect(await tid('progress').innerText()).toContain('cached');
    expect(await tid('step-readout').innerText()).toContain(`step ${steps}/${steps}`);
    await page.waitForTimeout(150); // cornerstone draws on the next animation frame
    expect((await canvasStats(page))!.std).toBeGreaterThan(8);
    // its own neighbours are cached too: nothing is asked of the host, now or a little later
    await page.waitForTimeout(1_000);
    expect(traffic.slice(before)).toEqual([]);
    expect(await tid('neighbours').getAttribute('data-status')).toBe('done');
    await shot('nb-02-cached-neighbour');
  });

  it('moving while the background works cancels it at once; the slice moved to runs in the foreground', async () => {
    // A new mask: nothing is cached for it, so the neighbours of this slice are reconstructed again.
    await page.locator('[data-testid="mask-acceleration"]').selectOption('8');
    await page.locator('[data-testid="mask-apply"]').click();
    const here = await sliceShown();
    await waitNeighbours('running', 120_000);
    const before = traffic.length;
    // In the page: as soon as the host runs the first neighbour (its run id is known), step one slice back.
    const moved = await inPage<{ working: number; after: string | null; text: string }>(
      page,
      `() => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no background run seen within 60 s')), 60000);
        const look = () => {
          const nb = document.querySelector('[data-testid="neighbours"]');
          const working = Number(nb?.getAttribute('data-working'));
          if (nb?.getAttribute('data-status') === 'running' && working >= 0 && nb.getAttribute('data-run')) {
            clearTimeout(timer);
            window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
            // one frame later: the indicator says the background work stopped
            requestAnimationFrame(() => resolve({ working, after: nb.getAttribute('data-status'), text: nb.textContent }));
          } else requestAnimationFrame(look);
        };
        look();
      })`,
    );
    expect(moved.working).toBe(here + 1); // the first neighbour is the next slice
    expect(moved.after).toBe('cancelled');
    expect(moved.text).toMatch(/^neighbours: 0\/\d ready · stopped$/);
    await expect.poll(() => sliceShown(), { timeout: 5_000 }).toBe(here - 1);
    // the background run is cancelled at once (before the slice moved to is asked for) …
    await expect.poll(() => traffic.slice(before, before + 2).map((t) => (t.kind === 'cancel' ? 'cancel' : `r${t.slice}`)), { timeout: 10_000 }).toEqual(['cancel', `r${here - 1}`]);
    await shot('nb-03-cancelled');
    // … and the slice moved to is reconstructed in the foreground
    const end = await waitForRunEnd(page);
    expect(end).toEqual({ status: 'done', banner: '' });
    expect(await tid('progress').innerText()).not.toContain('cached');
    expect(await sliceShown()).toBe(here - 1);
  });

  it('no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
